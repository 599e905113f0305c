//! `aws.protocols#restJson1`: HTTP bindings (the `rest` module) over a JSON body keyed by
//! `@jsonName`; errors are named by `X-Amzn-Errortype`.

use super::http::{insert_header, write_headers, Framing, Message, MessageDecoder};
use std::borrow::Cow;

use super::{error_status, json_error_body, rest, with_message_key, ErrorInfo, Wire};
use crate::codec::json::JSON;
use crate::codec::Side;
use crate::error::UnhandledError;
use crate::rejection::Rejection;
use crate::schema::{Flags, OperationSchema, Schema, ServiceSchema};
use crate::shape::{EncodeError, Value};

/// The protocol.
pub(crate) struct RestJson1;

impl Wire for RestJson1 {
    fn request(
        &self,
        _: &'static ServiceSchema,
        operation: &'static OperationSchema,
        input: &dyn Value,
        endpoint: &str,
    ) -> Result<http::Request<Vec<u8>>, UnhandledError> {
        rest::request(&JSON, operation, input, endpoint)
    }

    fn decoder<'a>(&self, message: Message<'a>, side: Side) -> MessageDecoder<'a> {
        MessageDecoder::new(message, side, Framing::HttpBindings, &JSON)
    }

    fn error_members<'a>(&self, schema: &Schema, body: &'a [u8], info: &ErrorInfo) -> Cow<'a, [u8]> {
        with_message_key(schema, body, info.message.as_deref(), true)
    }

    fn route(&self, service: &'static ServiceSchema, request: &http::Request<Vec<u8>>) -> Result<usize, Rejection> {
        rest::route(service, request)
    }

    fn check_request(
        &self,
        _: &'static ServiceSchema,
        operation: &'static OperationSchema,
        request: &http::Request<Vec<u8>>,
    ) -> Result<Vec<(&'static str, String)>, Rejection> {
        rest::check_request(&JSON, operation, request)
    }

    fn reads_body(&self, operation: &OperationSchema) -> bool {
        rest::reads_body(operation)
    }

    fn event_codec(&self) -> Option<&'static dyn crate::codec::Codec> {
        Some(&JSON)
    }

    fn response(
        &self,
        _: &'static ServiceSchema,
        operation: &'static OperationSchema,
        output: &dyn Value,
        _: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, EncodeError> {
        rest::response(&JSON, operation, output)
    }

    fn error_response(
        &self,
        service: &'static ServiceSchema,
        schema: &'static Schema,
        value: &dyn Value,
        _: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, EncodeError> {
        error_response(service, schema, value)
    }

    fn own_error_body(
        &self,
        _: u16,
        error_type: &str,
        message: Option<&str>,
        fields: Option<&[(String, String)]>,
    ) -> (&'static str, Vec<u8>) {
        ("application/json", json_error_body(None, error_type, message, fields))
    }
}

/// Server: the response for a modelled error.
pub(crate) fn error_response(
    service: &ServiceSchema,
    schema: &'static Schema,
    value: &dyn Value,
) -> Result<http::Response<Vec<u8>>, EncodeError> {
    let mut headers = http::HeaderMap::new();
    insert_header(&mut headers, "x-amzn-errortype", schema.name())?;
    if service.query_compatible {
        insert_header(&mut headers, "x-amzn-query-error", &query_error(schema))?;
    }
    write_headers(&mut headers, schema, value)?;
    let body = rest::server_body(&JSON, &mut headers, schema, value)?;
    Ok(rest::finish(error_status(schema), headers, body))
}

/// The `x-amzn-query-error` value of an error: its `@awsQueryError` code (or its name) and who
/// is at fault, `Sender` or `Receiver`.
pub(crate) fn query_error(schema: &Schema) -> String {
    let code = schema.traits.query_error.map_or(schema.name(), |(code, _)| code);
    let fault = if schema.traits.has(Flags::SERVER_ERROR) {
        "Receiver"
    } else {
        "Sender"
    };
    format!("{code};{fault}")
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::schema::{Http, OperationSchema, Protocol, Schema, Segment, ServiceSchema, ShapeType};
    use crate::shape::{Value, View};

    static EMPTY: Schema = Schema::new("test#Empty", ShapeType::Structure);

    const fn operation(id: &'static str, method: &'static str) -> OperationSchema {
        OperationSchema {
            http: Some(Http {
                method,
                uri: "/things",
                path: &[Segment::Literal("things")],
                query: &[],
                code: 200,
                endpoint_label: None,
            }),
            ..OperationSchema::new(id, "Op", &EMPTY, &EMPTY)
        }
    }

    pub(crate) static POST: OperationSchema = operation("test#Post", "POST");
    static GET: OperationSchema = operation("test#Get", "GET");
    static PUT: OperationSchema = operation("test#Put", "PUT");
    pub(crate) static SERVICE: ServiceSchema = ServiceSchema {
        operations: &[&POST, &GET, &PUT],
        ..ServiceSchema::new("test#Service", "1", Protocol::RestJson1, crate::protocol::REST_JSON1)
    };

    /// An input with no members set.
    pub(crate) struct Nothing;

    impl Value for Nothing {
        fn view(&self) -> View<'_> {
            View::Structure(self)
        }
    }

    #[test]
    fn a_request_without_a_body_says_so_when_its_method_has_one() {
        for (operation, length) in [(&POST, Some("0")), (&PUT, Some("0")), (&GET, None)] {
            let request = crate::protocol::serialize_request(&SERVICE, operation, &Nothing, "http://127.0.0.1")
                .expect("the input is complete");
            assert!(request.body().is_empty());
            let found = request
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .map(|value| value.to_str().unwrap());
            assert_eq!(found, length, "{}", operation.id);
            assert!(!request.headers().contains_key(http::header::CONTENT_TYPE));
        }
    }
}
