//! Schemas: what the runtime knows of a model, as static data that generated code emits once per
//! shape, operation and service.
//!
//! Every codec, the HTTP bindings, validation and the serde form walk values with these
//! schemas, so that a generated crate carries data rather than code per type: the compiler
//! builds one JSON codec (in this crate), not one per structure. A member's [`Traits`] are its
//! effective traits: the member's own, over those of its target that concern values (timestamp
//! format, media type, sensitivity, constraints), as the generator merged them.

/// The type of a shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShapeType {
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
    Enum,
    IntEnum,
    List,
    Map,
    Structure,
    Union,
}

/// The `@timestampFormat` trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimestampFormat {
    /// Seconds since the epoch, a number in bodies.
    EpochSeconds,
    /// RFC 3339, such as `1985-04-12T23:20:50.52Z`.
    DateTime,
    /// RFC 7231 IMF-fixdate, such as `Tue, 29 Apr 2014 18:30:38 GMT`.
    HttpDate,
}

/// Where an HTTP binding trait puts a member of an operation's input, output or error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpBinding {
    /// `@httpLabel`: a label of the URI template.
    Label,
    /// `@httpQuery`: a query parameter.
    Query(&'static str),
    /// `@httpQueryParams`: every query parameter no other member binds.
    QueryParams,
    /// `@httpHeader`: a header.
    Header(&'static str),
    /// `@httpPrefixHeaders`: the headers whose names start with the prefix.
    PrefixHeaders(&'static str),
    /// `@httpPayload`: the whole body.
    Payload,
    /// `@httpResponseCode`: the status code.
    ResponseCode,
}

/// `@length` (counts) or `@range` (values) bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds<T> {
    pub min: Option<T>,
    pub max: Option<T>,
}

/// The value of an enum or intEnum member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnumValue {
    String(&'static str),
    Integer(i32),
}

/// Boolean traits, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u32);

impl Flags {
    pub const NONE: Flags = Flags(0);
    /// `@required`.
    pub const REQUIRED: Flags = Flags(1);
    /// `@default` with a value, so an absent member takes it.
    pub const DEFAULT: Flags = Flags(1 << 1);
    /// `@sensitive`, on the member or its target.
    pub const SENSITIVE: Flags = Flags(1 << 2);
    /// `@sparse` list or map: items may be null.
    pub const SPARSE: Flags = Flags(1 << 3);
    /// `@streaming` blob or event stream.
    pub const STREAMING: Flags = Flags(1 << 4);
    /// `@idempotencyToken`.
    pub const IDEMPOTENCY_TOKEN: Flags = Flags(1 << 5);
    /// `@uniqueItems`.
    pub const UNIQUE_ITEMS: Flags = Flags(1 << 6);
    /// `@hostLabel`.
    pub const HOST_LABEL: Flags = Flags(1 << 7);
    /// `@internal` (enum values that are accepted but not listed).
    pub const INTERNAL: Flags = Flags(1 << 8);
    /// `@error("client")`.
    pub const CLIENT_ERROR: Flags = Flags(1 << 9);
    /// `@error("server")`.
    pub const SERVER_ERROR: Flags = Flags(1 << 10);
    /// `@retryable`.
    pub const RETRYABLE: Flags = Flags(1 << 11);
    /// `@retryable(throttling: true)`.
    pub const THROTTLING: Flags = Flags(1 << 12);
    /// `@input`: every member may be absent.
    pub const INPUT: Flags = Flags(1 << 13);
    /// `@clientOptional`.
    pub const CLIENT_OPTIONAL: Flags = Flags(1 << 14);
    /// `@xmlAttribute`: the member is an attribute of its structure's element.
    pub const XML_ATTRIBUTE: Flags = Flags(1 << 15);
    /// `@xmlFlattened`: the list's or map's items are repeated in place, without a wrapper.
    pub const XML_FLATTENED: Flags = Flags(1 << 16);
    /// `@eventHeader`: the event member is a header of its message.
    pub const EVENT_HEADER: Flags = Flags(1 << 17);
    /// `@eventPayload`: the event member is the whole payload of its message.
    pub const EVENT_PAYLOAD: Flags = Flags(1 << 18);
    /// `@requiresLength` on a `@streaming` blob: its length must be known before it is sent.
    pub const REQUIRES_LENGTH: Flags = Flags(1 << 19);

    /// Both sets of flags.
    pub const fn with(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// Whether every flag of `other` is set.
    pub const fn has(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

/// The traits of a shape or member that the runtime reads.
#[derive(Debug, Clone, Copy)]
pub struct Traits {
    pub flags: Flags,
    /// `@jsonName`.
    pub json_name: Option<&'static str>,
    /// `@timestampFormat`.
    pub timestamp_format: Option<TimestampFormat>,
    /// The HTTP binding trait.
    pub http: Option<HttpBinding>,
    /// `@mediaType` of the target.
    pub media_type: Option<&'static str>,
    /// `@length`.
    pub length: Option<Bounds<u64>>,
    /// `@range`.
    pub range: Option<Bounds<f64>>,
    /// `@pattern`.
    pub pattern: Option<&'static str>,
    /// `@enumValue`, or an enum member's name.
    pub enum_value: Option<EnumValue>,
    /// `@httpError`.
    pub http_error: Option<u16>,
    /// `@awsQueryError`: the code and status an `awsQueryCompatible` service reports.
    pub query_error: Option<(&'static str, u16)>,
    /// `@xmlName`: the element (or attribute) name in XML bodies, and the key name in query
    /// forms.
    pub xml_name: Option<&'static str>,
    /// `@xmlNamespace`.
    pub xml_namespace: Option<XmlNamespace>,
    /// `aws.protocols#ec2QueryName`: the key name in ec2Query forms.
    pub ec2_query_name: Option<&'static str>,
}

/// An `@xmlNamespace`: the namespace's URI, and the prefix it is declared with (none: the
/// default namespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlNamespace {
    pub uri: &'static str,
    pub prefix: Option<&'static str>,
}

impl Traits {
    /// No traits.
    pub const NONE: Traits = Traits {
        flags: Flags::NONE,
        json_name: None,
        timestamp_format: None,
        http: None,
        media_type: None,
        length: None,
        range: None,
        pattern: None,
        enum_value: None,
        http_error: None,
        query_error: None,
        xml_name: None,
        xml_namespace: None,
        ec2_query_name: None,
    };

    /// Whether every flag of `flags` is set.
    pub const fn has(&self, flags: Flags) -> bool {
        self.flags.has(flags)
    }
}

impl Default for Traits {
    fn default() -> Self {
        Self::NONE
    }
}

/// A shape: its id, type, members (a list's item is its one member, a map's key and value its
/// two) and traits.
#[derive(Debug)]
pub struct Schema {
    pub id: &'static str,
    pub shape_type: ShapeType,
    pub members: &'static [Member],
    pub traits: Traits,
}

/// A member: its name, the schema of its target, and its effective traits.
#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub target: &'static Schema,
    pub traits: Traits,
}

impl Schema {
    /// The index of the `@streaming` blob member of this structure (an operation's input or
    /// output), if it has one.
    pub const fn streaming_blob(&self) -> Option<usize> {
        self.streaming_member(ShapeType::Blob)
    }

    /// The index of the event stream member of this structure (an operation's input or
    /// output), if it has one.
    pub const fn event_stream(&self) -> Option<usize> {
        self.streaming_member(ShapeType::Union)
    }

    /// Whether a member of this structure streams: a `@streaming` blob or an event stream. A
    /// `const fn`, so that a call's code can be chosen when an operation's code is compiled.
    pub const fn streams(&self) -> bool {
        self.streaming_blob().is_some() || self.event_stream().is_some()
    }

    /// The index of the first member that streams and targets a shape of type `kind` (a blob
    /// is marked `@streaming` on the member, a union on the member or its target).
    const fn streaming_member(&self, kind: ShapeType) -> Option<usize> {
        let union = matches!(kind, ShapeType::Union);
        let mut index = 0;
        while index < self.members.len() {
            let member = &self.members[index];
            let streaming =
                member.traits.has(Flags::STREAMING) || (union && member.target.traits.has(Flags::STREAMING));
            let of_kind = matches!(
                (member.target.shape_type, kind),
                (ShapeType::Blob, ShapeType::Blob) | (ShapeType::Union, ShapeType::Union)
            );
            if streaming && of_kind {
                return Some(index);
            }
            index += 1;
        }
        None
    }

    /// A shape with no members and no traits.
    pub const fn new(id: &'static str, shape_type: ShapeType) -> Self {
        Self {
            id,
            shape_type,
            members: &[],
            traits: Traits::NONE,
        }
    }

    /// The same shape with these members.
    pub const fn members(mut self, members: &'static [Member]) -> Self {
        self.members = members;
        self
    }

    /// The same shape with these traits.
    pub const fn traits(mut self, traits: Traits) -> Self {
        self.traits = traits;
        self
    }

    /// The same shape with these flags set.
    pub const fn flags(mut self, flags: Flags) -> Self {
        self.traits.flags = self.traits.flags.with(flags);
        self
    }

    /// An error shape with an `@httpError` code.
    pub const fn http_error(mut self, code: u16) -> Self {
        self.traits.http_error = Some(code);
        self
    }

    /// An error shape with an `@awsQueryError` code and status.
    pub const fn query_error(mut self, code: &'static str, status: u16) -> Self {
        self.traits.query_error = Some((code, status));
        self
    }

    /// The same shape with an `@xmlName`.
    pub const fn xml_name(mut self, name: &'static str) -> Self {
        self.traits.xml_name = Some(name);
        self
    }

    /// The same shape with an `@xmlNamespace`.
    pub const fn xml_namespace(mut self, uri: &'static str, prefix: Option<&'static str>) -> Self {
        self.traits.xml_namespace = Some(XmlNamespace { uri, prefix });
        self
    }

    /// The shape's name: its id after `#`.
    pub fn name(&self) -> &'static str {
        self.id.rsplit_once('#').map_or(self.id, |(_, name)| name)
    }

    /// The index of the member named `name`.
    pub fn member_index(&self, name: &str) -> Option<usize> {
        self.members.iter().position(|member| member.name == name)
    }

    /// A list's item member, a map's value member.
    pub fn item(&self) -> Option<&'static Member> {
        self.members.last()
    }

    /// A map's key and value members.
    pub fn map_entry(&self) -> Option<(&'static Member, &'static Member)> {
        match self.members {
            [key, value] => Some((key, value)),
            _ => None,
        }
    }
}

impl Member {
    /// A member with no traits.
    pub const fn new(name: &'static str, target: &'static Schema) -> Self {
        Self {
            name,
            target,
            traits: Traits::NONE,
        }
    }

    /// The same member with these traits.
    pub const fn traits(mut self, traits: Traits) -> Self {
        self.traits = traits;
        self
    }

    /// The same member with these flags set.
    pub const fn flags(mut self, flags: Flags) -> Self {
        self.traits.flags = self.traits.flags.with(flags);
        self
    }

    /// The same member bound to the HTTP message by `binding`.
    pub const fn http(mut self, binding: HttpBinding) -> Self {
        self.traits.http = Some(binding);
        self
    }

    /// The same member with a `@jsonName`.
    pub const fn json_name(mut self, name: &'static str) -> Self {
        self.traits.json_name = Some(name);
        self
    }

    /// The same member with an `@xmlName`.
    pub const fn xml_name(mut self, name: &'static str) -> Self {
        self.traits.xml_name = Some(name);
        self
    }

    /// The same member with an `@xmlNamespace`.
    pub const fn xml_namespace(mut self, uri: &'static str, prefix: Option<&'static str>) -> Self {
        self.traits.xml_namespace = Some(XmlNamespace { uri, prefix });
        self
    }

    /// The same member with an `aws.protocols#ec2QueryName`.
    pub const fn ec2_query_name(mut self, name: &'static str) -> Self {
        self.traits.ec2_query_name = Some(name);
        self
    }

    /// The same member with a `@timestampFormat`.
    pub const fn timestamp_format(mut self, format: TimestampFormat) -> Self {
        self.traits.timestamp_format = Some(format);
        self
    }

    /// The same member with its target's `@mediaType`.
    pub const fn media_type(mut self, media_type: &'static str) -> Self {
        self.traits.media_type = Some(media_type);
        self
    }

    /// The same member with `@length` bounds.
    pub const fn length(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.traits.length = Some(Bounds { min, max });
        self
    }

    /// The same member with `@range` bounds.
    pub const fn range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.traits.range = Some(Bounds { min, max });
        self
    }

    /// The same member with a `@pattern`.
    pub const fn pattern(mut self, pattern: &'static str) -> Self {
        self.traits.pattern = Some(pattern);
        self
    }

    /// An enum member's value.
    pub const fn value(mut self, value: &'static str) -> Self {
        self.traits.enum_value = Some(EnumValue::String(value));
        self
    }

    /// An intEnum member's value.
    pub const fn int_value(mut self, value: i32) -> Self {
        self.traits.enum_value = Some(EnumValue::Integer(value));
        self
    }

    /// The name this member has in a JSON document: its `@jsonName` when `json_names`, else its
    /// member name.
    pub fn json_key(&self, json_names: bool) -> &'static str {
        match self.traits.json_name {
            Some(name) if json_names => name,
            _ => self.name,
        }
    }

    /// Whether a message that lacks this member is invalid: it is `@required` and has no
    /// default to fall back on.
    pub fn is_required(&self) -> bool {
        self.traits.has(Flags::REQUIRED) && !self.traits.has(Flags::DEFAULT) && !self.traits.has(Flags::STREAMING)
    }
}

/// The `@http` trait of an operation, with its URI template parsed.
#[derive(Debug)]
pub struct Http {
    pub method: &'static str,
    /// The URI template as written, such as `/things/{Id}?list`.
    pub uri: &'static str,
    /// The template's path, segment by segment.
    pub path: &'static [Segment],
    /// The template's literal query parameters: a key, and its value if it has one.
    pub query: &'static [(&'static str, Option<&'static str>)],
    /// The status code of a successful response.
    pub code: u16,
    /// The label that starts the path and whose value the endpoint holds (S3's `Bucket`, which
    /// S3's endpoint rules put in the host, or in the endpoint's path): a client leaves it out of
    /// the path it sends; a server reads it from the path (path-style requests).
    pub endpoint_label: Option<&'static str>,
}

/// A segment of a URI template's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Literal text, matched exactly.
    Literal(&'static str),
    /// `{Name}`: one whole segment.
    Label(&'static str),
    /// `{Name+}`: one or more segments.
    Greedy(&'static str),
}

/// An operation: its input, output and errors (the service's included), and its bindings.
#[derive(Debug)]
pub struct OperationSchema {
    pub id: &'static str,
    pub name: &'static str,
    pub input: &'static Schema,
    pub output: &'static Schema,
    pub errors: &'static [&'static Schema],
    /// The `@http` trait, for protocols with HTTP bindings.
    pub http: Option<Http>,
    /// The `@endpoint` trait's host prefix, with `{Label}`s of `@hostLabel` input members.
    pub host_prefix: Option<&'static str>,
    /// The operation is sent unsigned (`@optionalAuth`, or `@auth([])`).
    pub unsigned: bool,
    /// `@httpChecksumRequired`: requests carry the `Content-MD5` of their body.
    pub checksum_required: bool,
    /// `aws.protocols#httpChecksum`: the flexible checksums of requests and responses.
    pub http_checksum: Option<HttpChecksum>,
    /// The checksum algorithms' code, which an operation with `@httpChecksumRequired` or
    /// `httpChecksum` names ([`checksum::CHECKSUMS`](crate::checksum::CHECKSUMS)), and only
    /// such an operation, so that a program without them does not link the algorithms.
    /// Without it, neither trait's checksums are computed or checked.
    pub checksums: Option<&'static crate::checksum::ChecksumCode>,
    /// `@requestCompression`: the encodings a request body may be compressed with, in the
    /// model's order of preference (`gzip` is the only one Smithy defines:
    /// [`checksum::GZIP`](crate::checksum::GZIP)).
    pub request_compression: &'static [&'static crate::checksum::RequestEncoding],
    /// The endpoint rule-set parameters the operation sets: `@staticContextParams`,
    /// `@contextParam` members of its input, and `@operationContextParams`.
    pub endpoint_params: &'static [EndpointParam],
    /// `aws.customizations#s3UnwrappedXmlOutput`: the output's body member is the XML
    /// document's root element, not wrapped in an element of the output structure.
    pub unwrapped_output: bool,
}

impl OperationSchema {
    /// Whether the operation's input or output streams (a `@streaming` blob or an event
    /// stream): a client sends and receives its calls with the code that streams, which a
    /// program none of whose operations stream does not link.
    pub const fn streams(&self) -> bool {
        self.input.streams() || self.output.streams()
    }

    /// An operation with no errors, bindings or other traits.
    pub const fn new(id: &'static str, name: &'static str, input: &'static Schema, output: &'static Schema) -> Self {
        Self {
            id,
            name,
            input,
            output,
            errors: &[],
            http: None,
            host_prefix: None,
            unsigned: false,
            checksum_required: false,
            http_checksum: None,
            checksums: None,
            request_compression: &[],
            endpoint_params: &[],
            unwrapped_output: false,
        }
    }
}

/// An operation's `aws.protocols#httpChecksum` trait: which checksums its requests carry and
/// which of its responses' checksums a client checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpChecksum {
    /// `requestChecksumRequired`: every request carries a checksum of its body.
    pub request_required: bool,
    /// `requestAlgorithmMember`: the index of the input member that names the algorithm of the
    /// request's checksum (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`).
    pub request_algorithm_member: Option<usize>,
    /// `requestValidationModeMember`: the index of the input member that, set to `ENABLED`,
    /// asks for the response's checksum to be checked.
    pub request_validation_mode_member: Option<usize>,
    /// `responseAlgorithms`: the checksums a response may carry.
    pub response_algorithms: &'static [&'static str],
}

/// An endpoint rule-set parameter that an operation sets, and where its value comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EndpointParam {
    /// The parameter's name in the rule set.
    pub name: &'static str,
    pub source: EndpointParamSource,
}

/// Where an operation's endpoint parameter comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EndpointParamSource {
    /// `@staticContextParams`: a value fixed by the model.
    Static(StaticParam),
    /// `@contextParam`: the input member at this index of the input's schema.
    Member(usize),
    /// `@operationContextParams`: a path of member names over the input, such as
    /// `Objects[*].Key` or `keys(Items)` (names separated by `.`, `[*]` after a list, `keys(...)`
    /// around the whole), read over the input's values directly.
    Path(&'static str),
    /// `@operationContextParams`: any other JMESPath expression over the input, and the code
    /// that evaluates it ([`crate::client::SEARCH_INPUT`]). The generated code names that code,
    /// so that a program whose operations have no such expression does not link a JMESPath
    /// engine.
    Expression(&'static str, InputSearch),
}

/// Evaluates an `@operationContextParams` expression over an operation's input of schema
/// `schema`: the parameter's value, or `None` when the expression selects none.
#[derive(Clone, Copy)]
pub struct InputSearch(pub fn(&str, &dyn crate::shape::Value, &'static Schema) -> Option<crate::endpoint::ParamValue>);

impl PartialEq for InputSearch {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl std::fmt::Debug for InputSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InputSearch")
    }
}

/// A value of `@staticContextParams`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StaticParam {
    Bool(bool),
    String(&'static str),
    StringArray(&'static [&'static str]),
}

impl EndpointParamSource {
    /// Whether the value depends on the input, so that the endpoint is resolved per call.
    pub fn depends_on_input(&self) -> bool {
        !matches!(self, EndpointParamSource::Static(_))
    }
}

/// The wire protocols the runtime speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// `aws.protocols#restJson1`.
    RestJson1,
    /// `aws.protocols#awsJson1_0`.
    AwsJson1_0,
    /// `aws.protocols#awsJson1_1`.
    AwsJson1_1,
    /// `aws.protocols#restXml`; `no_error_wrapping` is the trait's `noErrorWrapping` (S3's
    /// errors are a bare `<Error>`, not wrapped in `<ErrorResponse>`).
    RestXml { no_error_wrapping: bool },
    /// `aws.protocols#awsQuery`.
    AwsQuery,
    /// `aws.protocols#ec2Query`.
    Ec2Query,
    /// `smithy.protocols#rpcv2Json`.
    RpcV2Json,
    /// `smithy.protocols#rpcv2Cbor`.
    RpcV2Cbor,
    /// A protocol this version of the runtime does not speak, by its trait's shape id (`none`
    /// for a service without a protocol trait): calls fail with an error that names it.
    Other(&'static str),
}

impl Protocol {
    /// The protocol trait's shape id.
    pub fn id(self) -> &'static str {
        match self {
            Protocol::RestJson1 => "aws.protocols#restJson1",
            Protocol::AwsJson1_0 => "aws.protocols#awsJson1_0",
            Protocol::AwsJson1_1 => "aws.protocols#awsJson1_1",
            Protocol::RestXml { .. } => "aws.protocols#restXml",
            Protocol::AwsQuery => "aws.protocols#awsQuery",
            Protocol::Ec2Query => "aws.protocols#ec2Query",
            Protocol::RpcV2Json => "smithy.protocols#rpcv2Json",
            Protocol::RpcV2Cbor => "smithy.protocols#rpcv2Cbor",
            Protocol::Other(id) => id,
        }
    }
}

/// A service: its id, version, protocol and operations.
#[derive(Debug)]
pub struct ServiceSchema {
    pub id: &'static str,
    pub version: &'static str,
    pub protocol: Protocol,
    /// The code that speaks `protocol`: [`crate::protocol::REST_JSON1`] and the like, named
    /// here so that a program links only the protocols its services speak.
    pub code: crate::protocol::ProtocolCode,
    /// `aws.protocols#awsQueryCompatible`.
    pub query_compatible: bool,
    /// The service's `@xmlNamespace`, which the XML protocols declare on their bodies.
    pub xml_namespace: Option<XmlNamespace>,
    /// The signing name of the `aws.auth#sigv4` trait, for the step that signs requests.
    pub signing_name: Option<&'static str>,
    /// The `aws.api#service` trait's `sdkId`, such as `AmplifyBackend`: it names the
    /// service-specific endpoint variable (`AWS_ENDPOINT_URL_AMPLIFYBACKEND`).
    pub sdk_id: Option<&'static str>,
    /// The endpoint rules that resolve the service's endpoints: its `smithy.rules#endpointBdd`
    /// trait, else its `smithy.rules#endpointRuleSet`.
    pub endpoint_rules: Option<EndpointRules>,
    /// Every operation, sorted by name: an operation's index here identifies it.
    pub operations: &'static [&'static OperationSchema],
    /// For protocols that route on method and URI: the operations' indexes, most specific URI
    /// template first.
    pub routes: &'static [usize],
}

/// A service's endpoint rules, as a generated crate holds them.
#[derive(Clone, Copy)]
pub enum EndpointRules {
    /// Parsed and checked by the generator and written as bytes
    /// ([`RuleSet::to_bytes`](crate::endpoint::RuleSet::to_bytes)), read by a client when it is
    /// made, without parsing JSON.
    Compiled(&'static [u8]),
    /// Rules the generator could not read, and why: each call that needs an endpoint from them
    /// fails with this.
    Invalid(&'static str),
}

impl std::fmt::Debug for EndpointRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EndpointRules::Compiled(bytes) => write!(f, "Compiled({} bytes)", bytes.len()),
            EndpointRules::Invalid(why) => f.debug_tuple("Invalid").field(why).finish(),
        }
    }
}

impl ServiceSchema {
    /// A service of `protocol` (spoken by `code`) with no operations, namespace, signing name,
    /// SDK id or endpoint rules.
    pub const fn new(
        id: &'static str,
        version: &'static str,
        protocol: Protocol,
        code: crate::protocol::ProtocolCode,
    ) -> Self {
        Self {
            id,
            version,
            protocol,
            code,
            query_compatible: false,
            xml_namespace: None,
            signing_name: None,
            sdk_id: None,
            endpoint_rules: None,
            operations: &[],
            routes: &[],
        }
    }

    /// The service's name: its id after `#`.
    pub fn name(&self) -> &'static str {
        self.id.rsplit_once('#').map_or(self.id, |(_, name)| name)
    }
}

/// Schemas of the prelude's simple shapes, which members without value traits target.
pub mod prelude {
    use super::{Schema, ShapeType};

    pub static BLOB: Schema = Schema::new("smithy.api#Blob", ShapeType::Blob);
    pub static BOOLEAN: Schema = Schema::new("smithy.api#Boolean", ShapeType::Boolean);
    pub static STRING: Schema = Schema::new("smithy.api#String", ShapeType::String);
    pub static BYTE: Schema = Schema::new("smithy.api#Byte", ShapeType::Byte);
    pub static SHORT: Schema = Schema::new("smithy.api#Short", ShapeType::Short);
    pub static INTEGER: Schema = Schema::new("smithy.api#Integer", ShapeType::Integer);
    pub static LONG: Schema = Schema::new("smithy.api#Long", ShapeType::Long);
    pub static FLOAT: Schema = Schema::new("smithy.api#Float", ShapeType::Float);
    pub static DOUBLE: Schema = Schema::new("smithy.api#Double", ShapeType::Double);
    pub static BIG_INTEGER: Schema = Schema::new("smithy.api#BigInteger", ShapeType::BigInteger);
    pub static BIG_DECIMAL: Schema = Schema::new("smithy.api#BigDecimal", ShapeType::BigDecimal);
    pub static TIMESTAMP: Schema = Schema::new("smithy.api#Timestamp", ShapeType::Timestamp);
    pub static DOCUMENT: Schema = Schema::new("smithy.api#Document", ShapeType::Document);
    /// `smithy.api#Unit`: an empty structure, the target of unit union members and enum values.
    pub static UNIT: Schema = Schema::new("smithy.api#Unit", ShapeType::Structure);
}

#[cfg(test)]
mod tests {
    use super::*;

    static EVENTS: Schema = Schema::new("example#Events", ShapeType::Union).traits(Traits {
        flags: Flags::STREAMING,
        ..Traits::NONE
    });
    static PLAIN: Schema = Schema::new("example#Plain", ShapeType::Structure).members(&[
        Member::new("name", &prelude::STRING),
        Member::new("data", &prelude::BLOB),
    ]);
    static BODY: Schema =
        Schema::new("example#Body", ShapeType::Structure)
            .members(&[Member::new("body", &prelude::BLOB).flags(Flags::STREAMING)]);
    static EVENT_STREAM: Schema =
        Schema::new("example#EventStream", ShapeType::Structure).members(&[Member::new("events", &EVENTS)]);
    // A `@streaming` flag on a member of another type is not a stream.
    static STREAMING_STRING: Schema = Schema::new("example#StreamingString", ShapeType::Structure)
        .members(&[Member::new("name", &prelude::STRING).flags(Flags::STREAMING)]);

    #[test]
    fn an_operation_streams_when_its_input_or_output_has_a_streaming_blob_or_an_event_stream() {
        const PLAIN_OPERATION: bool = OperationSchema::new("example#Plain", "Plain", &PLAIN, &PLAIN).streams();
        const UPLOAD: bool = OperationSchema::new("example#Upload", "Upload", &BODY, &PLAIN).streams();
        const DOWNLOAD: bool = OperationSchema::new("example#Download", "Download", &PLAIN, &BODY).streams();
        const SUBSCRIBE: bool = OperationSchema::new("example#Subscribe", "Subscribe", &PLAIN, &EVENT_STREAM).streams();
        const ODD: bool = OperationSchema::new("example#Odd", "Odd", &STREAMING_STRING, &PLAIN).streams();
        assert_eq!(
            [PLAIN_OPERATION, UPLOAD, DOWNLOAD, SUBSCRIBE, ODD],
            [false, true, true, true, false]
        );
        assert!(EVENT_STREAM.streams() && BODY.streams() && !PLAIN.streams());
    }
}
