//! `aws.protocols#restXml`: HTTP bindings ([`super::rest`]) over an XML body whose root element
//! is named by the structure's `@xmlName` or shape name and declares the service's
//! `@xmlNamespace`. An error is an `<Error>` element (its `Type`, `Code`, `Message` and members)
//! inside `<ErrorResponse>`, or alone when the protocol says `noErrorWrapping` (S3).

use std::borrow::Cow;

use http::HeaderMap;

use super::http::{in_body, write_headers, Framing, Message, MessageDecoder};
use super::{content_headers, error_status, rest, success_status, ErrorInfo, ErrorNames, Wire};
use crate::codec::xml::{
    read_error, root_element, root_name, wrap_in_root, write_error, write_root_member, ErrorHead, ErrorWrapping, Xml,
    XML,
};
use crate::codec::Side;
use crate::error::UnhandledError;
use crate::rejection::Rejection;
use crate::schema::{Flags, OperationSchema, Schema, ServiceSchema};
use crate::shape::{EncodeError, Value};

/// The protocol, its errors wrapped in `<ErrorResponse>` or not.
pub(crate) struct RestXml {
    wrapped: bool,
}

pub(crate) static REST_XML: RestXml = RestXml { wrapped: true };
pub(crate) static REST_XML_UNWRAPPED: RestXml = RestXml { wrapped: false };

impl RestXml {
    fn wrapping(&self) -> ErrorWrapping {
        if self.wrapped {
            ErrorWrapping::ErrorResponse
        } else {
            ErrorWrapping::Bare
        }
    }
}

impl Wire for RestXml {
    fn request(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        input: &dyn Value,
        endpoint: &str,
    ) -> Result<http::Request<Vec<u8>>, UnhandledError> {
        rest::request(&Xml::with_namespace(service.xml_namespace), operation, input, endpoint)
    }

    fn decoder<'a>(&self, message: Message<'a>, side: Side) -> MessageDecoder<'a> {
        MessageDecoder::new(message, side, Framing::HttpBindings, &XML)
    }

    fn is_error(&self, operation: &OperationSchema, response: &http::Response<Vec<u8>>) -> bool {
        if !response.status().is_success() {
            return true;
        }
        // S3 answers some operations (CopyObject, CompleteMultipartUpload, UploadPartCopy) with
        // `200` and an `<Error>` body when they fail after the response began: an XML body whose
        // root is `Error` where the output's (or its structure payload's) is something else.
        if self.wrapped {
            return false;
        }
        let payload = operation
            .output
            .members
            .iter()
            .find(|member| member.traits.http == Some(crate::schema::HttpBinding::Payload));
        let expected = match payload {
            None => root_name(operation.output),
            Some(member) if member.target.shape_type == crate::schema::ShapeType::Structure => {
                member.traits.xml_name.unwrap_or_else(|| root_name(member.target))
            }
            Some(_) => return false,
        };
        expected != "Error" && root_element(response.body()) == Some("Error")
    }

    fn output_body<'a>(&self, operation: &OperationSchema, body: &'a [u8]) -> Cow<'a, [u8]> {
        if operation.unwrapped_output && !body.trim_ascii().is_empty() {
            Cow::Owned(wrap_in_root(body, root_name(operation.output)))
        } else {
            Cow::Borrowed(body)
        }
    }

    fn error_code(&self, _: &HeaderMap, body: &[u8]) -> ErrorNames {
        error_names(body)
    }

    fn error_members<'a>(&self, _: &Schema, body: &'a [u8], _: &ErrorInfo) -> Cow<'a, [u8]> {
        read_error(body).map_or(Cow::Borrowed(b""), |error| Cow::Owned(error.document))
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
        rest::check_request(&XML, operation, request)
    }

    fn reads_body(&self, operation: &OperationSchema) -> bool {
        rest::reads_body(operation)
    }

    fn event_codec(&self) -> Option<&'static dyn crate::codec::Codec> {
        Some(&crate::codec::xml::XML)
    }

    fn response(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        output: &dyn Value,
        _: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, EncodeError> {
        if operation.unwrapped_output {
            return unwrapped_response(service, operation, output);
        }
        rest::response(&Xml::with_namespace(service.xml_namespace), operation, output)
    }

    fn error_response(
        &self,
        _: &'static ServiceSchema,
        schema: &'static Schema,
        value: &dyn Value,
        request_id: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, EncodeError> {
        let mut headers = HeaderMap::new();
        write_headers(&mut headers, schema, value)?;
        let mut body = Vec::new();
        let head = ErrorHead {
            code: schema.name(),
            fault: fault(schema.traits.has(Flags::SERVER_ERROR)),
            wrapping: self.wrapping(),
            request_id,
        };
        write_error(&mut body, head, value, schema, &|member| in_body(member, true))?;
        content_headers(&mut headers, "application/xml", body.len());
        Ok(rest::finish(error_status(schema), headers, body))
    }

    fn own_error_body(
        &self,
        status: u16,
        error_type: &str,
        message: Option<&str>,
        fields: Option<&[(String, String)]>,
    ) -> (&'static str, Vec<u8>) {
        (
            "application/xml",
            xml_error_body(self.wrapping(), status, error_type, message, fields),
        )
    }
}

/// Server: the response of an operation whose output is unwrapped (S3's): its body member (the
/// first member bound to the body) is the document's root element, after the XML declaration S3
/// writes.
fn unwrapped_response(
    service: &ServiceSchema,
    operation: &'static OperationSchema,
    output: &dyn Value,
) -> Result<http::Response<Vec<u8>>, EncodeError> {
    let schema = operation.output;
    let mut headers = HeaderMap::new();
    write_headers(&mut headers, schema, output)?;
    let mut body = Vec::new();
    let member = schema
        .members
        .iter()
        .enumerate()
        .find(|(_, member)| in_body(member, true))
        .and_then(|(index, member)| Some((member, output.member(index)?)));
    if let Some((member, value)) = member {
        body.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        write_root_member(&mut body, service.xml_namespace, value, member)?;
    }
    content_headers(&mut headers, "application/xml", body.len());
    Ok(rest::finish(success_status(operation, output), headers, body))
}

/// Who is at fault for an error, as the XML protocols' `Type` says.
pub(crate) fn fault(server_error: bool) -> &'static str {
    if server_error {
        "Receiver"
    } else {
        "Sender"
    }
}

/// The XML body of a server's own error: its `Type`, `Code` and `Message` (a validation error's
/// message lists its violations, so the `(path, message)` pairs add nothing).
pub(crate) fn xml_error_body(
    wrapping: ErrorWrapping,
    status: u16,
    error_type: &str,
    message: Option<&str>,
    _fields: Option<&[(String, String)]>,
) -> Vec<u8> {
    let mut body = Vec::new();
    let head = ErrorHead {
        code: error_type,
        fault: fault(status >= 500),
        wrapping,
        request_id: None,
    };
    let _ = write_error(
        &mut body,
        head,
        &MessageOnly(message.unwrap_or_default().to_owned()),
        &MESSAGE_ONLY,
        &|_| true,
    );
    body
}

/// A structure of one member, `Message`, for a server's own errors.
struct MessageOnly(String);

static MESSAGE_ONLY: Schema =
    Schema::new("smithy.runtime#ServerError", crate::schema::ShapeType::Structure).members(&MESSAGE_MEMBERS);
static MESSAGE_MEMBERS: [crate::schema::Member; 1] =
    [crate::schema::Member::new("Message", &crate::schema::prelude::STRING)];

impl Value for MessageOnly {
    fn view(&self) -> crate::shape::View<'_> {
        crate::shape::View::Structure(self)
    }

    fn member(&self, index: usize) -> Option<&dyn Value> {
        (index == 0 && !self.0.is_empty()).then_some(&self.0 as &dyn Value)
    }
}

/// What an XML error response's body names (the XML protocols' errors are alike).
pub(super) fn error_names(body: &[u8]) -> ErrorNames {
    read_error(body).map_or_else(ErrorNames::default, |error| ErrorNames {
        code: error.code,
        message: error.message,
        request_id: error.request_id,
    })
}
