//! The fixed part of every generated crate: the `Operation` trait, build and unhandled errors,
//! and the value type behind enums' forward-compatible variant. It is generated rather than
//! shipped in a runtime crate so that a generated crate depends on nothing but `serde`.

use std::str::FromStr;

use proc_macro2::TokenStream;
use quote::quote;

use super::{Context, Output};
use crate::model::{ShapeKind, Simple};
use crate::symbols::ModulePath;

/// The value types a model needs beyond the fixed ones.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    pub blob: bool,
    pub streams: bool,
    pub timestamp: bool,
    pub float: bool,
    pub document: bool,
    pub big_number: bool,
    pub idempotency_token: bool,
    pub string_enum: bool,
    /// Some shape has constraints to check.
    pub validation: bool,
    /// Some `@pattern` is checked, which needs the `regex` crate.
    pub pattern: bool,
    /// The service speaks restJson1: the crate has a client and a server, on `http`.
    pub rest_json: bool,
}

impl Features {
    /// Whether the generated code uses `regex` (checked `@pattern` constraints do).
    pub fn needs_regex(&self) -> bool {
        self.pattern
    }

    /// Whether the generated code uses `serde_json` (documents, big numbers and the JSON
    /// protocol do).
    pub fn needs_serde_json(&self) -> bool {
        self.document || self.big_number || self.rest_json
    }

    /// Whether the generated code uses `http` (the protocol layer does).
    pub fn needs_http(&self) -> bool {
        self.rest_json
    }

    pub(crate) fn of(cx: &Context<'_>) -> Self {
        let mut features = Features {
            rest_json: cx.rest_json,
            // Headers carry blobs and `@mediaType` strings in base64.
            blob: cx.rest_json,
            ..Features::default()
        };
        for shape in cx.index.closure() {
            features.string_enum |= matches!(shape.kind, ShapeKind::Enum(_));
            features.validation |= cx.constrained.shape(cx.index, shape);
            let checked_pattern =
                |traits: &crate::model::Traits| traits.pattern().is_some_and(super::validate::regex_supported);
            if matches!(shape.kind, ShapeKind::Simple(Simple::String)) && checked_pattern(&shape.traits) {
                features.pattern = true;
            }
            for member in shape.kind.members() {
                if checked_pattern(&member.traits)
                    && matches!(cx.index.shape(&member.target).kind, ShapeKind::Simple(Simple::String))
                {
                    features.pattern = true;
                }
            }
            for member in shape.kind.members() {
                features.idempotency_token |= member.traits.is_idempotency_token();
                let target = cx.index.shape(&member.target);
                match &target.kind {
                    ShapeKind::Simple(Simple::Blob) if target.traits.is_streaming() => features.streams = true,
                    ShapeKind::Simple(Simple::Blob) => features.blob = true,
                    ShapeKind::Simple(Simple::Timestamp) => features.timestamp = true,
                    ShapeKind::Simple(Simple::Float | Simple::Double) => features.float = true,
                    ShapeKind::Simple(Simple::Document) => features.document = true,
                    ShapeKind::Simple(Simple::BigInteger | Simple::BigDecimal) => features.big_number = true,
                    ShapeKind::Union(_) if target.traits.is_streaming() => features.streams = true,
                    _ => {}
                }
            }
        }
        features
    }
}

/// A runtime source file of this crate, as tokens for the generated `primitives` module.
fn runtime(source: &str) -> TokenStream {
    TokenStream::from_str(source).expect("the runtime sources are valid Rust")
}

pub(super) fn render(cx: &Context<'_>, out: &mut Output, features: Features) {
    let (service, _) = cx.index.service();
    let root = out.module(&ModulePath::root());
    root.doc = Some(match super::summary(service) {
        Some(summary) => format!(
            "Types and operations of the `{}` service.\n\n{summary}",
            service.id.name()
        ),
        None => format!("Types and operations of the `{}` service.", service.id.name()),
    });
    out.module(&ModulePath::new(&["types"])).doc = Some("The structures and enums of the service's model.".to_owned());
    out.module(&ModulePath::new(&["types", "builders"])).doc =
        Some("Builders for the structures in [`crate::types`].".to_owned());
    out.module(&ModulePath::new(&["types", "error"])).doc =
        Some("The errors the service's operations can return.".to_owned());
    out.module(&ModulePath::new(&["types", "error", "builders"])).doc =
        Some("Builders for the errors in [`crate::types::error`].".to_owned());

    let operation = ModulePath::new(&["operation"]);
    out.module(&operation).doc = Some("One module per operation, with its input, output and error types.".to_owned());
    out.add(
        &operation,
        "Operation",
        quote! {
            /// What every operation has: its input, output and error types and its HTTP binding.
            pub trait Operation {
                /// The operation's input.
                type Input;
                /// The operation's output on success.
                type Output;
                /// The errors the operation can return.
                type Error: std::error::Error + Send + Sync + 'static;
                /// The operation's absolute shape id.
                const SHAPE_ID: &'static str;
                /// The operation's name.
                const NAME: &'static str;
                /// The HTTP method of requests.
                const METHOD: &'static str;
                /// The URI template of requests, with `{Label}` placeholders.
                const URI: &'static str;
                /// The HTTP status code of a successful response.
                const SUCCESS_CODE: u16;
            }
        },
    );

    if features.rest_json {
        render_protocol(out);
    }

    if cx
        .index
        .operations()
        .any(|(shape, _)| shape.traits.paginated().is_some())
    {
        out.add(
            &operation,
            "Paginated",
            quote! {
                /// A `@paginated` operation: which members carry the page token, the items and the
                /// page size (member names, `.`-separated for nested members), and how to read the
                /// next token and send it.
                pub trait Paginated: Operation {
                    /// The input member that sends the token of the page to fetch.
                    const INPUT_TOKEN: &'static str;
                    /// The output member that carries the token of the next page.
                    const OUTPUT_TOKEN: &'static str;
                    /// The output member that holds the page's items.
                    const ITEMS: Option<&'static str>;
                    /// The input member that limits the page size.
                    const PAGE_SIZE: Option<&'static str>;
                    /// The token of the next page, or `None` on the last page.
                    fn next_token(output: &Self::Output) -> Option<&str>;
                    /// Sets the token of the page to fetch.
                    fn set_token(input: &mut Self::Input, token: Option<String>);
                }
            },
        );
    }

    let error = ModulePath::new(&["error"]);
    out.module(&error).doc =
        Some("Errors that are not part of the model: building values and unmodelled service errors.".to_owned());
    out.add(
        &error,
        "BuildError",
        quote! {
            /// A builder was asked to build a value whose required member was not set.
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct BuildError {
                shape: &'static str,
                member: &'static str,
            }

            impl BuildError {
                /// The error for `member` of `shape` not being set.
                pub const fn missing(shape: &'static str, member: &'static str) -> Self {
                    Self { shape, member }
                }

                /// The type being built.
                pub fn shape(&self) -> &'static str {
                    self.shape
                }

                /// The field that was not set.
                pub fn member(&self) -> &'static str {
                    self.member
                }
            }

            impl std::fmt::Display for BuildError {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    write!(f, "cannot build `{}`: required member `{}` is not set", self.shape, self.member)
                }
            }

            impl std::error::Error for BuildError {}
        },
    );
    out.add(
        &error,
        "ServiceError",
        quote! {
            /// What every error a service returns can tell: modelled errors and [`UnhandledError`].
            pub trait ServiceError: std::error::Error {
                /// The error code: a modelled error's shape name, or the code the service sent.
                fn code(&self) -> Option<&str>;
                /// The human-readable message, if there is one.
                fn message(&self) -> Option<&str>;
                /// The HTTP status code.
                fn status(&self) -> u16;
                /// Whether the model marks the error `@retryable`.
                fn retryable(&self) -> bool {
                    false
                }
            }

            impl ServiceError for UnhandledError {
                fn code(&self) -> Option<&str> {
                    self.code()
                }

                fn message(&self) -> Option<&str> {
                    self.message()
                }

                fn status(&self) -> u16 {
                    self.status()
                }
            }
        },
    );
    out.add(
        &error,
        "ErrorFault",
        quote! {
            /// Whether an error is the caller's fault or the service's.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum ErrorFault {
                /// The request was wrong; sending it again unchanged will fail again.
                Client,
                /// The service failed; the request may succeed later.
                Server,
            }
        },
    );
    out.add(
        &error,
        "UnhandledError",
        quote! {
            /// An error the operation's model does not describe: an error response with a code
            /// the model does not know, or a call that failed on the client side (see
            /// [`UnhandledError::kind`]).
            #[derive(Debug, Clone)]
            pub struct UnhandledError {
                kind: UnhandledKind,
                status: u16,
                code: Option<String>,
                message: Option<String>,
                source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync>>,
            }

            /// Where an [`UnhandledError`] comes from.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum UnhandledKind {
                /// The service answered with an error the model does not describe.
                Service,
                /// The input was refused before anything was sent: a required member is not set,
                /// a constraint is broken, or a value cannot be put on the wire.
                InvalidInput,
                /// The transport failed to send the request or to receive the response.
                Transport,
                /// The response could not be read as the model describes it.
                InvalidResponse,
            }

            impl UnhandledError {
                /// An error response with an HTTP status code and nothing else known.
                pub fn new(status: u16) -> Self {
                    Self { kind: UnhandledKind::Service, status, code: None, message: None, source: None }
                }

                fn from_source(kind: UnhandledKind, status: u16, source: Box<dyn std::error::Error + Send + Sync>) -> Self {
                    Self {
                        kind,
                        status,
                        code: None,
                        message: Some(source.to_string()),
                        source: Some(std::sync::Arc::from(source)),
                    }
                }

                /// The input was refused before anything was sent.
                pub fn invalid_input(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
                    Self::from_source(UnhandledKind::InvalidInput, 0, source.into())
                }

                /// The transport failed.
                pub fn transport(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
                    Self::from_source(UnhandledKind::Transport, 0, source.into())
                }

                /// A response with status `status` could not be read.
                pub fn invalid_response(status: u16, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
                    Self::from_source(UnhandledKind::InvalidResponse, status, source.into())
                }

                /// Sets the error code the service sent.
                pub fn with_code(mut self, code: impl Into<String>) -> Self {
                    self.code = Some(code.into());
                    self
                }

                /// Sets the message the service sent.
                pub fn with_message(mut self, message: impl Into<String>) -> Self {
                    self.message = Some(message.into());
                    self
                }

                /// Where the error comes from.
                pub fn kind(&self) -> UnhandledKind {
                    self.kind
                }

                /// The HTTP status code of the response, or 0 when no response was received.
                pub fn status(&self) -> u16 {
                    self.status
                }

                /// The error code, if the service sent one.
                pub fn code(&self) -> Option<&str> {
                    self.code.as_deref()
                }

                /// The message: what the service sent, or what went wrong on the client side.
                pub fn message(&self) -> Option<&str> {
                    self.message.as_deref()
                }
            }

            impl PartialEq for UnhandledError {
                fn eq(&self, other: &Self) -> bool {
                    (self.kind, self.status, &self.code, &self.message) == (other.kind, other.status, &other.code, &other.message)
                }
            }

            impl Eq for UnhandledError {}

            impl std::fmt::Display for UnhandledError {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    match self.kind {
                        UnhandledKind::Service => write!(f, "unhandled error (HTTP {})", self.status)?,
                        UnhandledKind::InvalidInput => f.write_str("invalid input, not sent")?,
                        UnhandledKind::Transport => f.write_str("transport error")?,
                        UnhandledKind::InvalidResponse => write!(f, "unreadable response (HTTP {})", self.status)?,
                    }
                    if let Some(code) = &self.code {
                        write!(f, " {code}")?;
                    }
                    if let Some(message) = &self.message {
                        write!(f, ": {message}")?;
                    }
                    Ok(())
                }
            }

            impl std::error::Error for UnhandledError {
                fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                    self.source.as_deref().map(|source| source as &(dyn std::error::Error + 'static))
                }
            }
        },
    );

    if features.validation {
        out.add(
            &error,
            "ValidationError",
            runtime(include_str!("../runtime/validation.rs")),
        );
    }
    if features.pattern {
        out.add(
            &error,
            "validate_pattern",
            runtime(include_str!("../runtime/validation_pattern.rs")),
        );
    }
    let primitives = ModulePath::new(&["primitives"]);
    if features.blob {
        out.add(&primitives, "Blob", runtime(include_str!("../runtime/blob.rs")));
    }
    if features.streams {
        out.add(&primitives, "ByteStream", runtime(include_str!("../runtime/stream.rs")));
    }
    if features.timestamp {
        out.add(
            &primitives,
            "DateTime",
            runtime(include_str!("../runtime/date_time.rs")),
        );
    }
    if features.timestamp || features.float {
        out.add(&primitives, "encoding", runtime(include_str!("../runtime/encoding.rs")));
    }
    if features.idempotency_token {
        out.add(
            &primitives,
            "idempotency_token",
            runtime(include_str!("../runtime/token.rs")),
        );
    }
    if features.big_number {
        out.add(
            &primitives,
            "BigNumber",
            runtime(include_str!("../runtime/big_number.rs")),
        );
    }
    if features.document {
        out.add(
            &primitives,
            "Document",
            quote! {
                /// An untyped JSON-like value: null, boolean, number, string, list or map.
                pub type Document = serde_json::Value;
            },
        );
    }
    out.module(&primitives).doc = Some("Value types shared by the generated types.".to_owned());
    if features.string_enum {
        out.add(
            &primitives,
            "UnknownValue",
            quote! {
                /// An enum value that this version of the crate does not know, kept exactly as received.
                ///
                /// Only the enums' `From<&str>` creates one, so a known value is never held here.
                #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
                pub struct UnknownValue(String);

                impl UnknownValue {
                    pub(crate) fn new(value: &str) -> Self {
                        Self(value.to_owned())
                    }

                    /// The value as received.
                    pub fn as_str(&self) -> &str {
                        &self.0
                    }
                }

                impl std::fmt::Display for UnknownValue {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(&self.0)
                    }
                }
            },
        );
    }
}

/// The restJson1 support: the `HttpOperation` trait, and the `protocol`, `client` and `server`
/// modules' fixed parts.
fn render_protocol(out: &mut Output) {
    out.add(
        &ModulePath::new(&["operation"]),
        "HttpOperation",
        quote! {
            /// An operation on the wire: its request and response as `http` messages, for a client
            /// and for a server. These are plain functions (no I/O), usable with any HTTP stack.
            pub trait HttpOperation: Operation {
                /// Client: the request for `input`, sent to `endpoint` (such as
                /// `https://example.com` or `http://127.0.0.1:8080/prefix`). The input is
                /// validated first, and an unset idempotency token is filled in.
                fn serialize_request(input: &Self::Input, endpoint: &str) -> Result<http::Request<Vec<u8>>, crate::error::UnhandledError>;
                /// Client: the output, or the error, that a response carries.
                fn parse_response(response: &http::Response<Vec<u8>>) -> Result<Self::Output, Self::Error>;
                /// Server: the input of a request routed to this operation.
                fn parse_request(request: &http::Request<Vec<u8>>) -> Result<Self::Input, crate::server::Rejection>;
                /// Server: the response for the operation's result.
                fn serialize_response(result: &Result<Self::Output, Self::Error>) -> http::Response<Vec<u8>>;
            }
        },
    );
    let protocol = ModulePath::new(&["protocol"]);
    out.module(&protocol).doc = Some(
        "The restJson1 wire format's building blocks: text forms of values, URIs, headers, JSON bodies and error codes."
            .to_owned(),
    );
    out.add(&protocol, "", runtime(include_str!("../runtime/protocol.rs")));
    let client = ModulePath::new(&["client"]);
    out.module(&client).doc = Some(
        "The client: [`Client`](crate::client::Client) sends each operation's request with a [`Transport`](crate::client::Transport) and reads its response.".to_owned(),
    );
    out.add(&client, "", runtime(include_str!("../runtime/client.rs")));
    out.add(
        &client,
        "HyperTransport",
        runtime(include_str!("../runtime/hyper_client.rs")),
    );
    let server = ModulePath::new(&["server"]);
    out.module(&server).doc =
        Some("The server: [`handle`](crate::server::handle) routes a request to the service implementation and writes its answer.".to_owned());
    out.add(&server, "", runtime(include_str!("../runtime/server.rs")));
    out.add(
        &server,
        "serve_with",
        runtime(include_str!("../runtime/hyper_server.rs")),
    );
}
