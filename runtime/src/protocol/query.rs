//! `aws.protocols#awsQuery` and `aws.protocols#ec2Query`: every request is a `POST` of a
//! form-encoded body naming its operation (`Action`) and the service's `Version`, with the input's
//! members as dotted keys ([`crate::codec::form`]); responses are XML. An awsQuery output is
//! the `<{Operation}Result>` element inside `<{Operation}Response>`, an ec2Query output the
//! `<{Operation}Response>` element itself; errors are `<ErrorResponse><Error>` (awsQuery, coded
//! by `@awsQueryError` when the error has it) or `<Response><Errors><Error>` (ec2Query).

use std::borrow::Cow;

use http::HeaderMap;

use super::http::{write_host_prefix, Framing, Message, MessageDecoder};
use super::rest_xml::{fault, xml_error_body};
use super::uri::UriBuilder;
use super::{check_content_type, content_headers, error_status, ErrorInfo, ErrorNames, Wire};
use crate::codec::form::{self, Form, EC2_FORM, QUERY_FORM};
use crate::codec::xml::{
    child_document, end_tag, read_error, start_tag, text_element, write_element, write_error, write_members, ErrorHead,
    ErrorWrapping, XML,
};
use crate::codec::Side;
use crate::error::UnhandledError;
use crate::rejection::Rejection;
use crate::schema::{Flags, OperationSchema, Schema, ServiceSchema};
use crate::shape::{EncodeError, Value};

/// One of the two protocols.
pub(crate) struct Query {
    ec2: bool,
}

pub(crate) static AWS_QUERY: Query = Query { ec2: false };
pub(crate) static EC2_QUERY: Query = Query { ec2: true };

impl Query {
    /// The media type of the protocol's responses.
    fn response_media_type(&self) -> &'static str {
        if self.ec2 {
            "text/xml;charset=UTF-8"
        } else {
            "text/xml"
        }
    }

    fn form(&self) -> &'static Form {
        if self.ec2 {
            &EC2_FORM
        } else {
            &QUERY_FORM
        }
    }

    fn wrapping(&self) -> ErrorWrapping {
        if self.ec2 {
            ErrorWrapping::Ec2Response
        } else {
            ErrorWrapping::ErrorResponse
        }
    }
}

impl Wire for Query {
    fn request(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        input: &dyn Value,
        endpoint: &str,
    ) -> Result<http::Request<Vec<u8>>, UnhandledError> {
        let mut uri = UriBuilder::new(endpoint)?;
        uri.push_path("/");
        if let Some(prefix) = operation.host_prefix {
            write_host_prefix(&mut uri, prefix, operation.input, input)?;
        }
        let mut body = String::new();
        form::push_pair(&mut body, "Action", operation.name);
        form::push_pair(&mut body, "Version", service.version);
        self.form()
            .write_members(&mut body, input, operation.input)
            .map_err(UnhandledError::invalid_input)?;
        let mut request = crate::protocol::new_request();
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri.build()?;
        content_headers(request.headers_mut(), form::MEDIA_TYPE, body.len());
        *request.body_mut() = body.into_bytes();
        Ok(request)
    }

    fn decoder<'a>(&self, message: Message<'a>, side: Side) -> MessageDecoder<'a> {
        match side {
            Side::Client => MessageDecoder::new(message, side, Framing::Body, &XML),
            _ => MessageDecoder::new(message, side, Framing::Body, self.form()),
        }
    }

    fn output_body<'a>(&self, operation: &OperationSchema, body: &'a [u8]) -> Cow<'a, [u8]> {
        if self.ec2 {
            return Cow::Borrowed(body);
        }
        // An output without members may come without its `Result` element.
        let result = format!("{}Result", operation.name);
        Cow::Borrowed(child_document(body, &result).unwrap_or_default())
    }

    fn error_code(&self, _: &HeaderMap, body: &[u8]) -> ErrorNames {
        super::rest_xml::error_names(body)
    }

    fn error_members<'a>(&self, _: &Schema, body: &'a [u8], _: &ErrorInfo) -> Cow<'a, [u8]> {
        read_error(body).map_or(Cow::Borrowed(b""), |error| Cow::Owned(error.document))
    }

    fn route(&self, service: &'static ServiceSchema, request: &http::Request<Vec<u8>>) -> Result<usize, Rejection> {
        if request.method() != http::Method::POST {
            return Err(Rejection::unknown_operation());
        }
        let action = form::value_of(request.body(), "Action").ok_or_else(Rejection::unknown_operation)?;
        service
            .operations
            .iter()
            .position(|operation| operation.name == action)
            .ok_or_else(Rejection::unknown_operation)
    }

    fn check_request(
        &self,
        _: &'static ServiceSchema,
        _: &'static OperationSchema,
        request: &http::Request<Vec<u8>>,
    ) -> Result<Vec<(&'static str, String)>, Rejection> {
        check_content_type(request, form::MEDIA_TYPE).map(|()| Vec::new())
    }

    fn reads_body(&self, _: &OperationSchema) -> bool {
        true
    }

    fn response(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        output: &dyn Value,
        request_id: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, EncodeError> {
        let schema = operation.output;
        let response = format!("{}Response", operation.name);
        let mut body = Vec::new();
        start_tag(&mut body, &response, service.xml_namespace);
        if self.ec2 {
            write_members(&mut body, output, schema)?;
            if let Some(id) = request_id {
                text_element(&mut body, "requestId", id);
            }
        } else {
            let result = format!("{}Result", operation.name);
            write_element(&mut body, &result, None, output, schema)?;
            if let Some(id) = request_id {
                start_tag(&mut body, "ResponseMetadata", None);
                text_element(&mut body, "RequestId", id);
                end_tag(&mut body, "ResponseMetadata");
            }
        }
        end_tag(&mut body, &response);
        let mut builder = http::Response::builder().status(200);
        if let Some(headers) = builder.headers_mut() {
            content_headers(headers, self.response_media_type(), body.len());
        }
        Ok(super::response(builder, body))
    }

    fn error_response(
        &self,
        _: &'static ServiceSchema,
        schema: &'static Schema,
        value: &dyn Value,
        request_id: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, EncodeError> {
        let (code, status) = match schema.traits.query_error {
            Some((code, status)) => (code, status),
            None => (schema.name(), error_status(schema)),
        };
        let head = ErrorHead {
            code,
            fault: fault(schema.traits.has(Flags::SERVER_ERROR)),
            wrapping: self.wrapping(),
            request_id,
        };
        let mut body = Vec::new();
        write_error(&mut body, head, value, schema, &|_| true)?;
        let mut builder = http::Response::builder().status(status);
        if let Some(headers) = builder.headers_mut() {
            content_headers(headers, self.response_media_type(), body.len());
        }
        Ok(super::response(builder, body))
    }

    fn own_error_body(
        &self,
        status: u16,
        error_type: &str,
        message: Option<&str>,
        fields: Option<&[(String, String)]>,
    ) -> (&'static str, Vec<u8>) {
        (
            self.response_media_type(),
            xml_error_body(self.wrapping(), status, error_type, message, fields),
        )
    }
}
