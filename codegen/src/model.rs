//! The typed Smithy model: shapes, members and traits as loaded from a JSON AST.
//!
//! Traits stay as JSON values keyed by their absolute shape id; the accessors below read the
//! ones the generator understands, and every other trait is carried along untouched.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// An absolute shape id, `namespace#Name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShapeId(String);

impl ShapeId {
    /// Parses an absolute shape id; `None` when it has no namespace or no name.
    pub fn parse(id: &str) -> Option<Self> {
        Self::is_valid(id).then(|| Self(id.to_owned()))
    }

    /// Whether `id` is an absolute shape id: namespace parts and a name of ASCII letters,
    /// digits and `_`, the parts joined by `.`, the name after `#`. One pass over the bytes: a
    /// byte of a character beyond ASCII is neither alphanumeric nor `_`.
    fn is_valid(id: &str) -> bool {
        let mut in_name = false;
        // Whether the part being read (a namespace part or the name) has a byte yet.
        let mut part = false;
        for &byte in id.as_bytes() {
            match byte {
                b'#' if !in_name && part => {
                    in_name = true;
                    part = false;
                }
                b'.' if !in_name && part => part = false,
                _ if byte.is_ascii_alphanumeric() || byte == b'_' => part = true,
                _ => return false,
            }
        }
        in_name && part
    }

    /// The part before `#`.
    pub fn namespace(&self) -> &str {
        self.0.split_once('#').map_or("", |(ns, _)| ns)
    }

    /// The part after `#`.
    pub fn name(&self) -> &str {
        self.0.split_once('#').map_or(&self.0, |(_, name)| name)
    }

    /// The id as written in the model.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ShapeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A loaded model: every shape of the file, by id.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub shapes: BTreeMap<ShapeId, Shape>,
    /// The file each shape is defined in, by absolute id.
    pub origins: std::collections::HashMap<String, std::path::PathBuf>,
    /// Where the shapes, members and traits of IDL files are written: by JSON path, the file
    /// and the line and column.
    pub locations: std::collections::HashMap<String, (std::path::PathBuf, (usize, usize))>,
}

/// One shape with its traits.
#[derive(Debug, Clone)]
pub struct Shape {
    pub id: ShapeId,
    pub kind: ShapeKind,
    pub traits: Traits,
}

/// The simple shape types: those with no members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simple {
    Blob,
    Boolean,
    String,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
}

impl Simple {
    /// The type name used in the JSON AST.
    pub fn type_name(self) -> &'static str {
        match self {
            Simple::Blob => "blob",
            Simple::Boolean => "boolean",
            Simple::String => "string",
            Simple::Byte => "byte",
            Simple::Short => "short",
            Simple::Integer => "integer",
            Simple::Long => "long",
            Simple::Float => "float",
            Simple::Double => "double",
            Simple::BigInteger => "bigInteger",
            Simple::BigDecimal => "bigDecimal",
            Simple::Timestamp => "timestamp",
            Simple::Document => "document",
        }
    }

    pub(crate) fn from_type_name(name: &str) -> Option<Self> {
        Some(match name {
            "blob" => Simple::Blob,
            "boolean" => Simple::Boolean,
            "string" => Simple::String,
            "byte" => Simple::Byte,
            "short" => Simple::Short,
            "integer" => Simple::Integer,
            "long" => Simple::Long,
            "float" => Simple::Float,
            "double" => Simple::Double,
            "bigInteger" => Simple::BigInteger,
            "bigDecimal" => Simple::BigDecimal,
            "timestamp" => Simple::Timestamp,
            "document" => Simple::Document,
            _ => return None,
        })
    }
}

/// What a shape is, with its members or references.
#[derive(Debug, Clone)]
pub enum ShapeKind {
    Simple(Simple),
    List(Member),
    /// The Smithy 1.0 `set`: a list with `@uniqueItems`.
    Set(Member),
    Map {
        key: Member,
        value: Member,
    },
    Structure(Vec<Member>),
    Union(Vec<Member>),
    Enum(Vec<Member>),
    IntEnum(Vec<Member>),
    Operation(Operation),
    Service(Service),
    Resource(Resource),
}

impl ShapeKind {
    /// Whether the shape has a schema static of its own in generated code, and is rendered as
    /// a type or a collection: an aggregate or an enum. A simple shape's traits are merged into
    /// the members that target it, over a prelude schema.
    pub fn has_own_schema(&self) -> bool {
        matches!(
            self,
            ShapeKind::Structure(_)
                | ShapeKind::Union(_)
                | ShapeKind::Enum(_)
                | ShapeKind::IntEnum(_)
                | ShapeKind::List(_)
                | ShapeKind::Set(_)
                | ShapeKind::Map { .. }
        )
    }

    /// The type name used in the JSON AST.
    pub fn type_name(&self) -> &'static str {
        match self {
            ShapeKind::Simple(simple) => simple.type_name(),
            ShapeKind::List(_) => "list",
            ShapeKind::Set(_) => "set",
            ShapeKind::Map { .. } => "map",
            ShapeKind::Structure(_) => "structure",
            ShapeKind::Union(_) => "union",
            ShapeKind::Enum(_) => "enum",
            ShapeKind::IntEnum(_) => "intEnum",
            ShapeKind::Operation(_) => "operation",
            ShapeKind::Service(_) => "service",
            ShapeKind::Resource(_) => "resource",
        }
    }

    /// The members of an aggregate shape, in model order (empty for the others).
    pub fn members(&self) -> Vec<&Member> {
        match self {
            ShapeKind::List(member) | ShapeKind::Set(member) => vec![member],
            ShapeKind::Map { key, value } => vec![key, value],
            ShapeKind::Structure(members)
            | ShapeKind::Union(members)
            | ShapeKind::Enum(members)
            | ShapeKind::IntEnum(members) => members.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// A member of an aggregate shape.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub target: ShapeId,
    pub traits: Traits,
}

/// An operation's input, output and errors. A missing input or output is `smithy.api#Unit`.
#[derive(Debug, Clone)]
pub struct Operation {
    pub input: ShapeId,
    pub output: ShapeId,
    pub errors: Vec<ShapeId>,
}

/// A service's operations, resources and errors common to every operation.
#[derive(Debug, Clone)]
pub struct Service {
    pub version: Option<String>,
    pub operations: Vec<ShapeId>,
    pub resources: Vec<ShapeId>,
    pub errors: Vec<ShapeId>,
}

/// A resource: operations are reached through its lifecycle and operation lists.
#[derive(Debug, Clone)]
pub struct Resource {
    pub operations: Vec<ShapeId>,
    pub resources: Vec<ShapeId>,
}

/// The traits applied to a shape or member, by absolute trait id.
#[derive(Debug, Clone, Default)]
pub struct Traits(pub BTreeMap<String, Value>);

/// Where an HTTP message member is bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpBinding {
    Label,
    Query(String),
    QueryParams,
    Header(String),
    PrefixHeaders(String),
    Payload,
    ResponseCode,
}

/// The `@http` trait of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTrait {
    pub method: String,
    pub uri: String,
    pub code: u16,
}

/// A segment of a URI template's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSegment {
    Literal(String),
    Label(String),
    Greedy(String),
}

impl HttpTrait {
    /// The URI template's path segments and its literal query parameters.
    pub fn template(&self) -> (Vec<TemplateSegment>, Vec<(String, Option<String>)>) {
        let (path, query) = self.uri.split_once('?').unwrap_or((&self.uri, ""));
        let path = path.strip_prefix('/').unwrap_or(path);
        let segments = if path.is_empty() {
            Vec::new()
        } else {
            path.split('/')
                .map(
                    |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(label) => match label.strip_suffix('+') {
                            Some(name) => TemplateSegment::Greedy(name.to_owned()),
                            None => TemplateSegment::Label(label.to_owned()),
                        },
                        None => TemplateSegment::Literal(segment.to_owned()),
                    },
                )
                .collect()
        };
        let query = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) => (key.to_owned(), Some(value.to_owned())),
                None => (pair.to_owned(), None),
            })
            .collect();
        (segments, query)
    }
}

/// The `@timestampFormat` trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimestampFormat {
    EpochSeconds,
    DateTime,
    HttpDate,
}

/// A service's protocol trait.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProtocolTrait {
    RestJson1,
    AwsJson1_0,
    AwsJson1_1,
    /// `aws.protocols#restXml`, with its `noErrorWrapping` property.
    RestXml {
        no_error_wrapping: bool,
    },
    AwsQuery,
    Ec2Query,
    /// `smithy.protocols#rpcv2Json`.
    RpcV2Json,
    /// `smithy.protocols#rpcv2Cbor`.
    RpcV2Cbor,
}

impl ProtocolTrait {
    /// Its rank when a service has several: rpcv2Cbor first, as the AWS SDKs choose, then
    /// rpcv2Json, awsJson1_0, awsJson1_1, restJson1, restXml, awsQuery, ec2Query.
    pub fn preference(&self) -> u8 {
        match self {
            ProtocolTrait::RpcV2Cbor => 0,
            ProtocolTrait::RpcV2Json => 1,
            ProtocolTrait::AwsJson1_0 => 2,
            ProtocolTrait::AwsJson1_1 => 3,
            ProtocolTrait::RestJson1 => 4,
            ProtocolTrait::RestXml { .. } => 5,
            ProtocolTrait::AwsQuery => 6,
            ProtocolTrait::Ec2Query => 7,
        }
    }

    /// The protocol trait of this id and value, if it is one.
    fn from_trait(id: &str, value: &serde_json::Value) -> Option<Self> {
        Some(match id {
            "aws.protocols#restXml" => ProtocolTrait::RestXml {
                no_error_wrapping: value
                    .get("noErrorWrapping")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false),
            },
            "aws.protocols#restJson1" => ProtocolTrait::RestJson1,
            "aws.protocols#awsJson1_0" => ProtocolTrait::AwsJson1_0,
            "aws.protocols#awsJson1_1" => ProtocolTrait::AwsJson1_1,
            "aws.protocols#awsQuery" => ProtocolTrait::AwsQuery,
            "aws.protocols#ec2Query" => ProtocolTrait::Ec2Query,
            "smithy.protocols#rpcv2Json" => ProtocolTrait::RpcV2Json,
            "smithy.protocols#rpcv2Cbor" => ProtocolTrait::RpcV2Cbor,
            _ => return None,
        })
    }
}

/// The `@paginated` trait, merged with the service's when both are present.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Paginated {
    pub input_token: Option<String>,
    pub output_token: Option<String>,
    pub items: Option<String>,
    pub page_size: Option<String>,
}

/// The `@deprecated` trait.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deprecated {
    pub message: Option<String>,
    pub since: Option<String>,
}

/// Whether an `@error` is the client's or the server's fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFault {
    Client,
    Server,
}

const PRELUDE: &str = "smithy.api#";

impl Traits {
    /// The raw value of a trait, by absolute id.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }

    fn prelude(&self, name: &str) -> Option<&Value> {
        // Most shapes and members have a few traits: comparing each id is cheaper than a search.
        if self.0.len() <= 4 {
            // The length first: most ids are answered by it, without slicing either string.
            let length = PRELUDE.len() + name.len();
            for (id, value) in &self.0 {
                if id.len() == length && id.ends_with(name) && id.starts_with(PRELUDE) {
                    return Some(value);
                }
            }
            return None;
        }
        // The id is put together on the stack: this is asked of every member for every trait.
        let mut key = [0u8; 64];
        let length = PRELUDE.len() + name.len();
        if length > key.len() {
            return self.0.get(&format!("{PRELUDE}{name}"));
        }
        key[..PRELUDE.len()].copy_from_slice(PRELUDE.as_bytes());
        key[PRELUDE.len()..length].copy_from_slice(name.as_bytes());
        self.0.get(std::str::from_utf8(&key[..length]).ok()?)
    }

    fn has(&self, name: &str) -> bool {
        self.prelude(name).is_some()
    }

    fn prelude_str(&self, name: &str) -> Option<&str> {
        self.prelude(name).and_then(Value::as_str)
    }

    pub fn documentation(&self) -> Option<&str> {
        self.prelude_str("documentation")
    }

    pub fn json_name(&self) -> Option<&str> {
        self.prelude_str("jsonName")
    }

    pub fn xml_name(&self) -> Option<&str> {
        self.prelude_str("xmlName")
    }

    pub fn is_xml_attribute(&self) -> bool {
        self.has("xmlAttribute")
    }

    pub fn is_xml_flattened(&self) -> bool {
        self.has("xmlFlattened")
    }

    /// `@xmlNamespace`: its URI and prefix.
    pub fn xml_namespace(&self) -> Option<(&str, Option<&str>)> {
        let value = self.prelude("xmlNamespace")?;
        let uri = value.get("uri")?.as_str()?;
        Some((uri, value.get("prefix").and_then(Value::as_str)))
    }

    /// `aws.protocols#ec2QueryName`.
    pub fn ec2_query_name(&self) -> Option<&str> {
        self.0.get("aws.protocols#ec2QueryName").and_then(Value::as_str)
    }

    pub fn enum_value(&self) -> Option<&Value> {
        self.prelude("enumValue")
    }

    pub fn is_required(&self) -> bool {
        self.has("required")
    }

    pub fn is_client_optional(&self) -> bool {
        self.has("clientOptional")
    }

    /// `@eventHeader`: the event member is a header of its message.
    pub fn is_event_header(&self) -> bool {
        self.has("eventHeader")
    }

    /// `@eventPayload`: the event member is the whole payload of its message.
    pub fn is_event_payload(&self) -> bool {
        self.has("eventPayload")
    }

    pub fn is_input(&self) -> bool {
        self.has("input")
    }

    pub fn is_sensitive(&self) -> bool {
        self.has("sensitive")
    }

    pub fn is_sparse(&self) -> bool {
        self.has("sparse")
    }

    pub fn is_streaming(&self) -> bool {
        self.has("streaming")
    }

    pub fn is_requires_length(&self) -> bool {
        self.has("requiresLength")
    }

    pub fn is_added_default(&self) -> bool {
        self.has("addedDefault")
    }

    pub fn is_idempotency_token(&self) -> bool {
        self.has("idempotencyToken")
    }

    pub fn is_unique_items(&self) -> bool {
        self.has("uniqueItems")
    }

    pub fn is_retryable(&self) -> bool {
        self.has("retryable")
    }

    pub fn is_throttling(&self) -> bool {
        self.prelude("retryable")
            .and_then(|value| value.get("throttling"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The `@timestampFormat` trait.
    pub fn timestamp_format(&self) -> Option<TimestampFormat> {
        match self.prelude_str("timestampFormat")? {
            "date-time" => Some(TimestampFormat::DateTime),
            "http-date" => Some(TimestampFormat::HttpDate),
            "epoch-seconds" => Some(TimestampFormat::EpochSeconds),
            _ => None,
        }
    }

    /// The `@mediaType` trait.
    pub fn media_type(&self) -> Option<&str> {
        self.prelude_str("mediaType")
    }

    pub fn is_host_label(&self) -> bool {
        self.has("hostLabel")
    }

    pub fn is_internal(&self) -> bool {
        self.has("internal")
    }

    /// The `@endpoint` trait's host prefix.
    pub fn host_prefix(&self) -> Option<&str> {
        crate::trait_values::host_prefix(self.prelude("endpoint")?).ok()
    }

    /// The protocol traits of a service, in the order of their ids.
    pub fn protocols(&self) -> Vec<ProtocolTrait> {
        self.0
            .iter()
            .filter_map(|(id, value)| ProtocolTrait::from_trait(id, value))
            .collect()
    }

    /// `aws.protocols#awsQueryCompatible`.
    pub fn is_query_compatible(&self) -> bool {
        self.0.contains_key("aws.protocols#awsQueryCompatible")
    }

    /// `aws.protocols#awsQueryError`: the code and status an `awsQueryCompatible` service
    /// reports for the error.
    pub fn query_error(&self) -> Option<(&str, u16)> {
        crate::trait_values::query_error(self.0.get("aws.protocols#awsQueryError")?).ok()
    }

    /// The signing name of the `aws.auth#sigv4` trait.
    pub fn sigv4_name(&self) -> Option<&str> {
        self.0.get("aws.auth#sigv4")?.get("name")?.as_str()
    }

    /// `smithy.rules#contextParam`: the endpoint parameter a member sets.
    pub fn context_param(&self) -> Option<&str> {
        self.0.get("smithy.rules#contextParam")?.get("name")?.as_str()
    }

    /// `smithy.rules#staticContextParams`: endpoint parameters an operation fixes, by name.
    pub(crate) fn static_context_params(&self) -> Vec<(&str, crate::trait_values::StaticParam<'_>)> {
        self.0
            .get("smithy.rules#staticContextParams")
            .and_then(|value| crate::trait_values::static_context_params(value).ok())
            .unwrap_or_default()
    }

    /// `smithy.rules#operationContextParams`: endpoint parameters an operation reads from its
    /// input with a path, by name.
    pub fn operation_context_params(&self) -> Vec<(&str, &str)> {
        self.0
            .get("smithy.rules#operationContextParams")
            .and_then(|value| crate::trait_values::operation_context_params(value).ok())
            .unwrap_or_default()
    }

    /// `aws.protocols#httpChecksum`.
    pub(crate) fn http_checksum(&self) -> Option<crate::trait_values::HttpChecksum<'_>> {
        crate::trait_values::http_checksum(self.0.get("aws.protocols#httpChecksum")?).ok()
    }

    /// The encodings of `@requestCompression` (none without it).
    pub fn request_compression(&self) -> Vec<&str> {
        self.prelude("requestCompression")
            .and_then(|value| crate::trait_values::request_compression(value).ok())
            .unwrap_or_default()
    }

    /// `smithy.rules#endpointRuleSet`.
    pub fn endpoint_rule_set(&self) -> Option<&Value> {
        self.0.get("smithy.rules#endpointRuleSet")
    }

    /// `smithy.rules#endpointBdd`.
    pub fn endpoint_bdd(&self) -> Option<&Value> {
        self.0.get("smithy.rules#endpointBdd")
    }

    /// The endpoint rules a client resolves with: the decision diagram when the service has
    /// one (the rules engine's preferred form), else the tree.
    pub fn endpoint_rules(&self) -> Option<&Value> {
        self.endpoint_bdd().or_else(|| self.endpoint_rule_set())
    }

    /// The `aws.api#service` trait's `sdkId`.
    pub fn sdk_id(&self) -> Option<&str> {
        self.0.get("aws.api#service")?.get("sdkId")?.as_str()
    }

    /// Whether an operation is sent without signing: `@optionalAuth`, or `@auth([])`.
    pub fn is_unsigned(&self) -> bool {
        self.has("optionalAuth")
            || self
                .prelude("auth")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
    }

    /// The `@length` bounds.
    pub fn length(&self) -> Option<(Option<u64>, Option<u64>)> {
        crate::trait_values::length(self.prelude("length")?).ok()
    }

    /// The `@range` bounds, as JSON numbers.
    pub fn range(&self) -> Option<(Option<serde_json::Number>, Option<serde_json::Number>)> {
        crate::trait_values::range(self.prelude("range")?).ok()
    }

    /// The `@pattern` regular expression.
    pub fn pattern(&self) -> Option<&str> {
        crate::trait_values::pattern(self.prelude("pattern")?).ok()
    }

    /// The `@paginated` trait's members: input token, output token, items, page size.
    pub fn paginated(&self) -> Option<Paginated> {
        crate::trait_values::paginated(self.prelude("paginated")?).ok()
    }

    /// The `@default` value, when the trait is present (it may be `null`).
    pub fn default_value(&self) -> Option<&Value> {
        self.prelude("default")
    }

    pub fn deprecated(&self) -> Option<Deprecated> {
        let value = self.prelude("deprecated")?;
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(Deprecated {
            message: text("message"),
            since: text("since"),
        })
    }

    pub fn error(&self) -> Option<ErrorFault> {
        match self.prelude_str("error")? {
            "server" => Some(ErrorFault::Server),
            _ => Some(ErrorFault::Client),
        }
    }

    pub fn http_error(&self) -> Option<u16> {
        self.prelude("httpError")
            .and_then(Value::as_u64)
            .and_then(|code| u16::try_from(code).ok())
    }

    pub fn http(&self) -> Option<HttpTrait> {
        crate::trait_values::http(self.prelude("http")?).ok()
    }

    /// The HTTP binding of a member, if it has one; unbound members go in the body.
    pub fn http_binding(&self) -> Option<HttpBinding> {
        if self.has("httpLabel") {
            Some(HttpBinding::Label)
        } else if let Some(name) = self.prelude_str("httpQuery") {
            Some(HttpBinding::Query(name.to_owned()))
        } else if self.has("httpQueryParams") {
            Some(HttpBinding::QueryParams)
        } else if let Some(name) = self.prelude_str("httpHeader") {
            Some(HttpBinding::Header(name.to_owned()))
        } else if let Some(prefix) = self.prelude_str("httpPrefixHeaders") {
            Some(HttpBinding::PrefixHeaders(prefix.to_owned()))
        } else if self.has("httpPayload") {
            Some(HttpBinding::Payload)
        } else if self.has("httpResponseCode") {
            Some(HttpBinding::ResponseCode)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_ids_are_a_namespace_and_a_name_of_ascii_words() {
        for valid in ["a#B", "smithy.api#String", "com.example_2#Some_Name9", "_#_"] {
            assert!(ShapeId::parse(valid).is_some(), "{valid}");
        }
        for invalid in [
            "", "#", "a#", "#B", "a.b", "a..b#C", ".a#B", "a.#B", "a#B#C", "a#B$c", "a#B c", "a#Bé", "é#B", "a-b#C",
        ] {
            assert!(ShapeId::parse(invalid).is_none(), "{invalid}");
        }
    }

    #[test]
    fn prelude_traits_are_found_by_their_whole_id() {
        let traits = |ids: &[&str]| Traits(ids.iter().map(|id| ((*id).to_owned(), Value::Bool(true))).collect());
        for ids in [
            &["smithy.api#required", "smithy.api#httpLabel"][..],
            &[
                "smithy.api#a",
                "smithy.api#b",
                "smithy.api#c",
                "smithy.api#d",
                "smithy.api#required",
                "x#y",
            ],
        ] {
            let traits = traits(ids);
            assert!(traits.has("required"), "{ids:?}");
            assert!(!traits.has("require"), "{ids:?}");
            assert!(!traits.has("equired"), "{ids:?}");
            assert!(!traits.has("httpLabe"), "{ids:?}");
        }
        // The same name in another namespace is not the prelude's.
        let other = traits(&["other.api#required", "smithy.apix#required"]);
        assert!(!other.has("required"));
    }
}
