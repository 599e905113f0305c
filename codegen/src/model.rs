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
        let (namespace, name) = id.split_once('#')?;
        let valid_name = !name.is_empty()
            && !name.contains(['#', '$'])
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let valid_namespace = !namespace.is_empty()
            && namespace
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        (valid_name && valid_namespace).then(|| Self(id.to_owned()))
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

    /// The same traits but those in `ids`.
    pub fn without(&self, ids: &[&str]) -> Traits {
        Traits(
            self.0
                .iter()
                .filter(|(id, _)| !ids.contains(&id.as_str()))
                .map(|(id, value)| (id.clone(), value.clone()))
                .collect(),
        )
    }

    fn prelude(&self, name: &str) -> Option<&Value> {
        self.0.get(&format!("{PRELUDE}{name}"))
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

    pub fn enum_value(&self) -> Option<&Value> {
        self.prelude("enumValue")
    }

    pub fn is_required(&self) -> bool {
        self.has("required")
    }

    pub fn is_client_optional(&self) -> bool {
        self.has("clientOptional")
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

    /// The `@timestampFormat` value: `date-time`, `http-date` or `epoch-seconds`.
    pub fn timestamp_format(&self) -> Option<&str> {
        self.prelude_str("timestampFormat")
    }

    /// The `@length` bounds.
    pub fn length(&self) -> Option<(Option<u64>, Option<u64>)> {
        let value = self.prelude("length")?;
        Some((
            value.get("min").and_then(Value::as_u64),
            value.get("max").and_then(Value::as_u64),
        ))
    }

    /// The `@range` bounds, as JSON numbers.
    pub fn range(&self) -> Option<(Option<&serde_json::Number>, Option<&serde_json::Number>)> {
        let value = self.prelude("range")?;
        let bound = |key: &str| match value.get(key) {
            Some(Value::Number(n)) => Some(n),
            _ => None,
        };
        Some((bound("min"), bound("max")))
    }

    /// The `@pattern` regular expression.
    pub fn pattern(&self) -> Option<&str> {
        self.prelude_str("pattern")
    }

    /// The `@paginated` trait's members: input token, output token, items, page size.
    pub fn paginated(&self) -> Option<Paginated> {
        let value = self.prelude("paginated")?;
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(Paginated {
            input_token: text("inputToken"),
            output_token: text("outputToken"),
            items: text("items"),
            page_size: text("pageSize"),
        })
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
        let value = self.prelude("http")?;
        Some(HttpTrait {
            method: value.get("method")?.as_str()?.to_owned(),
            uri: value.get("uri")?.as_str()?.to_owned(),
            code: value
                .get("code")
                .and_then(Value::as_u64)
                .and_then(|code| u16::try_from(code).ok())
                .unwrap_or(200),
        })
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
