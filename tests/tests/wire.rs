//! The restJson1 functions of the generated `amplifybackend` crate, without a network: the
//! request a client builds for GetBackendAuth, how it reads responses and errors, and how the
//! server refuses what it cannot read. The AWS protocol tests (`protocol-tests/`) cover the
//! protocol's corners; these pin our own operation.

use amplifybackend::error::{UnhandledKind, ValidationError};
use amplifybackend::operation::get_backend_auth::{GetBackendAuth, GetBackendAuthError, GetBackendAuthInput};
use amplifybackend::operation::HttpOperation;
use amplifybackend::types::{CreateBackendAuthMfaConfig, MfaMode};
use smithy_runtime::validate::Checks;

const ENDPOINT: &str = "https://amplifybackend.example.com";

fn input(app_id: &str) -> GetBackendAuthInput {
    GetBackendAuthInput::builder()
        .app_id(app_id)
        .backend_environment_name("staging")
        .resource_name("photoshareAuth")
        .build()
        .expect("every required member is set")
}

fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

#[test]
fn the_request_has_the_binding_of_the_model() {
    let request = GetBackendAuth::serialize_request(&input("d1abc"), ENDPOINT).unwrap();
    assert_eq!(request.method(), "POST");
    assert_eq!(
        request.uri().to_string(),
        "https://amplifybackend.example.com/backend/d1abc/auth/staging/details"
    );
    assert_eq!(header(request.headers(), "content-type"), Some("application/json"));
    // Labels are in the path, not in the body; the body member keeps its wire name.
    assert_eq!(request.body().as_slice(), br#"{"resourceName":"photoshareAuth"}"#);
    assert_eq!(header(request.headers(), "content-length"), Some("33"));
}

#[test]
fn an_endpoint_path_prefixes_the_operation_path() {
    let request = GetBackendAuth::serialize_request(&input("a"), "http://127.0.0.1:8080/prefix/").unwrap();
    assert_eq!(
        request.uri().to_string(),
        "http://127.0.0.1:8080/prefix/backend/a/auth/staging/details"
    );
}

#[test]
fn labels_cannot_change_the_path_or_add_a_query() {
    let request = GetBackendAuth::serialize_request(&input("a/../b?x=1#y% z"), ENDPOINT).unwrap();
    assert_eq!(
        request.uri().path(),
        "/backend/a%2F..%2Fb%3Fx%3D1%23y%25%20z/auth/staging/details"
    );
    assert_eq!(request.uri().query(), None);
    // Unreserved characters are left alone.
    let request = GetBackendAuth::serialize_request(&input("A-z_0.9~"), ENDPOINT).unwrap();
    assert_eq!(request.uri().path(), "/backend/A-z_0.9~/auth/staging/details");
}

#[test]
fn empty_and_dot_labels_are_refused_before_sending() {
    for app_id in ["", ".", ".."] {
        let error = GetBackendAuth::serialize_request(&input(app_id), ENDPOINT).unwrap_err();
        assert_eq!(error.kind(), UnhandledKind::InvalidInput, "{app_id:?}: {error}");
        assert!(error.to_string().contains("AppId"), "{error}");
    }
}

#[test]
fn a_bad_endpoint_is_an_input_error() {
    for endpoint in ["", "not a uri", "/relative/only"] {
        let error = GetBackendAuth::serialize_request(&input("a"), endpoint).unwrap_err();
        assert_eq!(error.kind(), UnhandledKind::InvalidInput, "{endpoint:?}");
    }
}

#[test]
fn requests_are_deterministic() {
    let first = GetBackendAuth::serialize_request(&input("a"), ENDPOINT).unwrap();
    let second = GetBackendAuth::serialize_request(&input("a"), ENDPOINT).unwrap();
    assert_eq!(first.uri(), second.uri());
    assert_eq!(first.headers(), second.headers());
    assert_eq!(first.body(), second.body());
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.as_bytes().to_vec()).unwrap()
}

#[test]
fn error_codes_are_read_from_the_header_or_the_body_and_sanitised() {
    let cases = [
        response(
            404,
            &[("x-amzn-errortype", "NotFoundException:http://internal.amazon.com/")],
            "{}",
        ),
        response(
            404,
            &[],
            r#"{"__type": "com.amazonaws.amplifybackend#NotFoundException", "message": "gone"}"#,
        ),
        response(404, &[], r#"{"code": "NotFoundException"}"#),
    ];
    for response in cases {
        match GetBackendAuth::parse_response(&response) {
            Err(GetBackendAuthError::NotFoundException(error)) => {
                assert_eq!(error.to_string().split(':').next(), Some("NotFoundException"))
            }
            other => panic!("expected NotFoundException, got {other:?}"),
        }
    }
}

#[test]
fn an_unknown_error_keeps_status_code_and_message() {
    let response = response(
        503,
        &[("x-amzn-errortype", "ServiceUnavailable")],
        r#"{"message": "later"}"#,
    );
    let error = GetBackendAuth::parse_response(&response).unwrap_err();
    assert!(matches!(error, GetBackendAuthError::Unhandled(_)), "{error:?}");
    assert_eq!(
        (error.status(), error.code(), error.message()),
        (503, Some("ServiceUnavailable"), Some("later"))
    );
}

#[test]
fn an_unreadable_success_is_an_invalid_response() {
    let error = GetBackendAuth::parse_response(&response(200, &[], "{not json")).unwrap_err();
    let GetBackendAuthError::Unhandled(error) = error else {
        panic!("expected the unhandled variant, got {error:?}");
    };
    assert_eq!((error.kind(), error.status()), (UnhandledKind::InvalidResponse, 200));
}

#[test]
fn unknown_response_members_are_ignored() {
    let output =
        GetBackendAuth::parse_response(&response(200, &[], r#"{"appId": "a", "somethingNew": [1, 2]}"#)).unwrap();
    assert_eq!(output.app_id.as_deref(), Some("a"));
}

fn request(content_type: Option<&str>, accept: Option<&str>, body: &str) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder()
        .method("POST")
        .uri("/backend/a/auth/staging/details");
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    if let Some(accept) = accept {
        builder = builder.header("accept", accept);
    }
    builder.body(body.as_bytes().to_vec()).unwrap()
}

#[test]
fn the_server_reads_what_the_client_writes() {
    let sent = input("a/../b?x=1#y% z");
    let request = GetBackendAuth::serialize_request(&sent, ENDPOINT).unwrap();
    assert_eq!(GetBackendAuth::parse_request(&request).unwrap(), sent);
}

#[test]
fn the_server_refuses_wrong_media_types_and_missing_members() {
    let refusal = |request: http::Request<Vec<u8>>| {
        let rejection = GetBackendAuth::parse_request(&request).unwrap_err();
        (rejection.status(), rejection.error_type().to_owned())
    };
    let body = r#"{"resourceName": "r"}"#;
    assert!(GetBackendAuth::parse_request(&request(Some("application/json"), Some("*/*"), body)).is_ok());
    assert_eq!(
        refusal(request(Some("text/plain"), None, body)),
        (415, "UnsupportedMediaTypeException".to_owned())
    );
    assert_eq!(
        refusal(request(Some("application/json"), Some("application/xml"), body)),
        (406, "NotAcceptableException".to_owned())
    );
    // A body without a media type is refused as one of the wrong type.
    assert_eq!(
        refusal(request(None, None, body)),
        (415, "UnsupportedMediaTypeException".to_owned())
    );
    let json = Some("application/json");
    assert_eq!(
        refusal(request(json, None, "{")),
        (400, "SerializationException".to_owned())
    );
    assert_eq!(
        refusal(request(json, None, r#"{"resourceName": 1}"#)),
        (400, "SerializationException".to_owned())
    );
    let rejection = GetBackendAuth::parse_request(&request(json, None, "{}")).unwrap_err();
    assert_eq!(
        (rejection.status(), rejection.error_type()),
        (400, "ValidationException")
    );
    assert!(
        rejection.message().contains("'/ResourceName'"),
        "{}",
        rejection.message()
    );
}

fn violations(result: Result<(), ValidationError>) -> Vec<String> {
    result
        .err()
        .map(|error| {
            error
                .violations()
                .iter()
                .map(|violation| violation.to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn unknown_enum_values_pass_a_client_and_fail_a_server() {
    let config = CreateBackendAuthMfaConfig::builder()
        .mfa_mode(MfaMode::from("SOMETIMES"))
        .build()
        .unwrap();
    assert_eq!(violations(config.validate()), Vec::<String>::new());
    let schema = <CreateBackendAuthMfaConfig as smithy_runtime::shape::Structure>::SCHEMA;
    assert_eq!(
        violations(smithy_runtime::validate::validate(&config, schema, Checks::Server)),
        ["Value at '/MFAMode' failed to satisfy constraint: Member must satisfy enum value set: [ON, OFF, OPTIONAL]"]
    );
    // The value reaches a server as it was set.
    let mut sent = input("a");
    sent.resource_name = None;
    let _ = sent;
}

#[test]
fn clients_send_what_breaks_constraints_and_servers_refuse_it() {
    // `AppId` has no constraint in this model, but a nested enum does: a client leaves its
    // judgement to the service.
    let config = CreateBackendAuthMfaConfig::builder()
        .mfa_mode(MfaMode::from("SOMETIMES"))
        .build()
        .unwrap();
    let schema = <CreateBackendAuthMfaConfig as smithy_runtime::shape::Structure>::SCHEMA;
    assert!(smithy_runtime::validate::validate(&config, schema, Checks::Client).is_ok());
}

#[test]
fn a_header_naming_an_error_identifies_it_whatever_the_body() {
    let cases = [
        (400, "NotFoundException", "not json at all"),
        (
            500,
            "GatewayTimeoutException",
            "<html><body>Gateway Timeout</body></html>",
        ),
        (404, "NotFoundException", ""),
    ];
    for (status, code, body) in cases {
        let error = GetBackendAuth::parse_response(&response(status, &[("x-amzn-errortype", code)], body)).unwrap_err();
        assert_eq!((error.status(), error.code()), (status, Some(code)), "{error:?}");
        match (&error, code) {
            (GetBackendAuthError::NotFoundException(error), "NotFoundException") => {
                assert_eq!(error.message, None);
                assert_eq!(error.resource_type, None);
            }
            (GetBackendAuthError::GatewayTimeoutException(error), "GatewayTimeoutException") => {
                assert_eq!(error.message, None);
            }
            _ => panic!("expected the modelled {code}, got {error:?}"),
        }
    }
}

#[test]
fn an_error_reports_the_status_of_its_response() {
    // NotFoundException is modelled with `@httpError(404)`; the service answered 400.
    let error = GetBackendAuth::parse_response(&response(
        400,
        &[("x-amzn-errortype", "NotFoundException")],
        r#"{"message": "no such app"}"#,
    ))
    .unwrap_err();
    assert!(matches!(error, GetBackendAuthError::NotFoundException(_)), "{error:?}");
    assert_eq!((error.status(), error.message()), (400, Some("no such app")));
}

#[test]
fn a_modelled_error_reads_its_message_under_each_key_services_use() {
    for key in ["message", "Message", "errorMessage"] {
        let body = format!(r#"{{"{key}": "no such app"}}"#);
        let error = GetBackendAuth::parse_response(&response(404, &[("x-amzn-errortype", "NotFoundException")], &body))
            .unwrap_err();
        let GetBackendAuthError::NotFoundException(found) = &error else {
            panic!("{key}: expected NotFoundException, got {error:?}");
        };
        assert_eq!(found.message.as_deref(), Some("no such app"), "{key}");
        assert_eq!(error.message(), Some("no such app"), "{key}");
    }
    // The member's own key wins over the others.
    let body = r#"{"Message": "other", "message": "no such app"}"#;
    let error =
        GetBackendAuth::parse_response(&response(404, &[("x-amzn-errortype", "NotFoundException")], body)).unwrap_err();
    assert_eq!(error.message(), Some("no such app"));
}

#[test]
fn a_structure_on_the_wire_is_an_object_and_nothing_else() {
    for body in [r#"["staging"]"#, r#""staging""#, "1", "true"] {
        let error = GetBackendAuth::parse_response(&response(200, &[], body)).unwrap_err();
        let GetBackendAuthError::Unhandled(error) = error else {
            panic!("{body}: expected the unhandled variant, got {error:?}");
        };
        assert_eq!(
            (error.kind(), error.status()),
            (UnhandledKind::InvalidResponse, 200),
            "{body}"
        );

        let rejection = GetBackendAuth::parse_request(&request(Some("application/json"), None, body)).unwrap_err();
        assert_eq!(
            (rejection.status(), rejection.error_type()),
            (400, "SerializationException"),
            "{body}"
        );
    }
    // The array form of the one required body member is no way to send it either.
    let rejection = GetBackendAuth::parse_request(&request(Some("application/json"), None, r#"["r"]"#)).unwrap_err();
    assert_eq!(rejection.error_type(), "SerializationException");
}
