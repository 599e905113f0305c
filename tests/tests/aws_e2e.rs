//! End to end as an AWS user calls a service: the generated `amplifybackend` client,
//! configured from environment variables alone (region, credentials, `AWS_ENDPOINT_URL`,
//! `AWS_CA_BUNDLE`), calls `GetBackendAuth` over HTTPS on a loopback TLS server whose
//! certificate is made when the test starts.
//!
//! The server checks each request's SigV4 signature with its own verifier below (written from
//! the signature's definition, sharing no code with the signer under test) and answers with
//! the reference page's full response, or `403` `InvalidSignatureException` when the signature
//! does not match. Pins:
//! - the output arrives intact, over HTTP/2 (negotiated by ALPN) and over HTTP/1.1;
//! - the request carries the session token, a user agent naming the generated crate, and a
//!   signature for the configured region and the service's signing name;
//! - a wrong secret key gets the server's `403` as an error carrying the status and the code;
//! - with no credentials anywhere, the call fails before sending, naming every place looked.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amplifybackend::client::{Client, Config};
use amplifybackend::error::UnhandledKind;
use amplifybackend::operation::get_backend_auth::{GetBackendAuth, GetBackendAuthError, GetBackendAuthInput};
use amplifybackend::operation::HttpOperation;
use amplifybackend::AmplifyBackend;
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use smithy_runtime::credentials::Env;

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "session-token-for-the-test";
const REGION: &str = "eu-west-1";

/// What the server saw of a request.
#[derive(Debug, Clone)]
struct Seen {
    version: http::Version,
    path: String,
    user_agent: Option<String>,
    scope: String,
    session_token: Option<String>,
    verified: Result<(), String>,
}

/// A TLS server on `127.0.0.1:0` with a certificate for `localhost` and `127.0.0.1`, made now.
/// Returns its address, the PEM of its certificate (which is its own CA), and what it saw.
async fn start_server() -> (SocketAddr, String, Arc<Mutex<Vec<Seen>>>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("a certificate can be made");
    let cert_pem = certified.cert.pem();
    let cert_der = certified.cert.der().clone();
    let key_der = rustls::pki_types::PrivateKeyDer::try_from(certified.key_pair.serialize_der())
        .expect("the key pair serializes");
    #[allow(deprecated)] // rustls 0.23.48 deprecates the ring provider (no post-quantum key exchange).
    let mut tls = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("the default protocol versions are supported")
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key_der)
        .expect("the certificate and key match");
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let service = hyper::service::service_fn(move |request| {
                    let log = log.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(request, &log).await) }
                });
                let builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
                let _ = builder
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, cert_pem, seen)
}

/// Checks the request's signature; answers with the reference page's response when it holds.
async fn answer(
    request: http::Request<hyper::body::Incoming>,
    log: &Mutex<Vec<Seen>>,
) -> http::Response<http_body_util::Full<bytes::Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|body| body.to_bytes()).unwrap_or_default();
    let request = http::Request::from_parts(parts, body.to_vec());
    let verified = verify(&request, SECRET_KEY);
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let scope = header("authorization")
        .and_then(|auth| {
            let credential = auth.split("Credential=").nth(1)?.split(',').next()?.to_owned();
            Some(credential.split_once('/')?.1.to_owned())
        })
        .unwrap_or_default();
    log.lock().expect("no thread panicked").push(Seen {
        version: request.version(),
        path: request.uri().path().to_owned(),
        user_agent: header("user-agent"),
        scope,
        session_token: header("x-amz-security-token"),
        verified: verified.clone(),
    });
    let response = match verified {
        Ok(()) => GetBackendAuth::serialize_response(&Ok(fixture_output())),
        Err(reason) => http::Response::builder()
            .status(403)
            .header("content-type", "application/json")
            .header("x-amzn-errortype", "InvalidSignatureException")
            .body(
                serde_json::json!({ "message": format!("The request signature we calculated does not match: {reason}") })
                    .to_string()
                    .into_bytes(),
            )
            .expect("the response is valid"),
    };
    response.map(|body| http_body_util::Full::new(bytes::Bytes::from(body)))
}

// ---------------------------------------------------------------------------------------------
// The server's SigV4 verifier
// ---------------------------------------------------------------------------------------------

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Percent-encodes everything but the unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Verifies a header-signed SigV4 request for a service that double-encodes paths, with the
/// secret key the server knows for the access key.
fn verify(request: &http::Request<Vec<u8>>, secret: &str) -> Result<(), String> {
    let header = |name: &str| request.headers().get(name).and_then(|value| value.to_str().ok());
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    // Header signing puts the signature in Authorization; query signing (a presigned URL) in
    // X-Amz-Signature, with the other X-Amz-* parameters signed as part of the query.
    let (credential, signed_headers, signature, date) = match header("authorization") {
        Some(auth) => {
            let fields = auth.strip_prefix("AWS4-HMAC-SHA256 ").ok_or("not AWS4-HMAC-SHA256")?;
            let field = |name: &str| {
                fields
                    .split(',')
                    .map(str::trim)
                    .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
                    .map(str::to_owned)
                    .ok_or(format!("no {name} in the Authorization header"))
            };
            let date = header("x-amz-date").ok_or("no x-amz-date")?.to_owned();
            (field("Credential")?, field("SignedHeaders")?, field("Signature")?, date)
        }
        None => {
            if param("X-Amz-Algorithm").as_deref() != Some("AWS4-HMAC-SHA256") {
                return Err("neither an Authorization header nor X-Amz-Algorithm".to_owned());
            }
            let get = |name: &str| param(name).ok_or(format!("no {name} in the query"));
            (
                get("X-Amz-Credential")?,
                get("X-Amz-SignedHeaders")?,
                get("X-Amz-Signature")?,
                get("X-Amz-Date")?,
            )
        }
    };
    let (credential, signed_headers, signature, date) = (
        credential.as_str(),
        signed_headers.as_str(),
        signature.as_str(),
        date.as_str(),
    );
    let (access_key, scope) = credential.split_once('/').ok_or("malformed Credential")?;
    if access_key != ACCESS_KEY {
        return Err(format!("unknown access key {access_key}"));
    }
    if !scope.starts_with(&date[..8.min(date.len())]) {
        return Err("the scope's date is not the request's".to_owned());
    }
    let path = request.uri().path();
    let canonical_path = path.split('/').map(encode).collect::<Vec<_>>().join("/");
    let mut query: Vec<(String, String)> = query
        .iter()
        .filter(|(key, _)| key != "X-Amz-Signature")
        .map(|(key, value)| (encode(key), encode(value)))
        .collect();
    query.sort();
    let canonical_query = query
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        let values: Vec<String> = if name == "host" && request.headers().get("host").is_none() {
            vec![request.uri().authority().map(|a| a.to_string()).unwrap_or_default()]
        } else {
            request
                .headers()
                .get_all(name)
                .iter()
                .map(|value| {
                    value
                        .to_str()
                        .unwrap_or_default()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        };
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let payload = hex(&Sha256::digest(request.body()));
    let canonical_request = format!(
        "{}\n{canonical_path}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{payload}",
        request.method()
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut parts = scope.split('/');
    let (Some(day), Some(region), Some(service)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("malformed scope".to_owned());
    };
    let key = hmac(format!("AWS4{secret}").as_bytes(), day);
    let key = hmac(&key, region);
    let key = hmac(&key, service);
    let key = hmac(&key, "aws4_request");
    let expected = hex(&hmac(&key, &string_to_sign));
    if expected == signature {
        Ok(())
    } else {
        Err(format!("expected signature {expected}, got {signature}"))
    }
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            let digits = std::str::from_utf8(&bytes[index + 1..index + 3]).ok();
            if let Some(byte) = digits.and_then(|digits| u8::from_str_radix(digits, 16).ok()) {
                out.push(byte);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

fn fixture_output() -> amplifybackend::operation::get_backend_auth::GetBackendAuthOutput {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/get_backend_auth_response.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).expect("the fixture deserializes into GetBackendAuthOutput")
}

fn input() -> GetBackendAuthInput {
    GetBackendAuthInput::builder()
        .app_id("d3mbo8v2zbw0kv")
        .backend_environment_name("staging")
        .resource_name("photoshareAuth")
        .build()
        .expect("every required member is set")
}

/// Writes the CA bundle where `AWS_CA_BUNDLE` will point.
fn write_bundle(pem: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("aws_e2e");
    std::fs::create_dir_all(&dir).expect("the test directory can be made");
    let path = dir.join(name);
    std::fs::write(&path, pem).expect("the bundle can be written");
    path
}

/// The environment a user on AWS would have, pointed at the test server; the shared files
/// point nowhere, so that nothing of the machine's own configuration is read.
fn user_env(addr: SocketAddr, bundle: &Path, secret: &str) -> Env {
    Env::from_vars([
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", secret.to_owned()),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN.to_owned()),
        ("AWS_ENDPOINT_URL", format!("https://localhost:{}", addr.port())),
        ("AWS_CA_BUNDLE", bundle.display().to_string()),
        ("AWS_CONFIG_FILE", "/nonexistent/aws-config".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ])
}

async fn timed<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), future)
        .await
        .expect("the call finished in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_https_call_configured_from_the_environment_gets_the_whole_output() {
    let (addr, pem, seen) = start_server().await;
    let bundle = write_bundle(&pem, "ca-ok.pem");
    let config = Config::from_env_in(user_env(addr, &bundle, SECRET_KEY));
    let client = Client::new(&config);
    let output = timed(client.get_backend_auth(input()))
        .await
        .expect("the signed call succeeds");
    assert_eq!(output, fixture_output());

    let seen = seen.lock().expect("no thread panicked").clone();
    assert_eq!(seen.len(), 1, "one request: {seen:?}");
    let request = &seen[0];
    assert_eq!(request.verified, Ok(()));
    assert_eq!(request.version, http::Version::HTTP_2, "ALPN picks HTTP/2");
    assert_eq!(request.path, "/backend/d3mbo8v2zbw0kv/auth/staging/details");
    assert!(
        request
            .scope
            .ends_with(&format!("/{REGION}/amplifybackend/aws4_request")),
        "{}",
        request.scope
    );
    assert_eq!(request.session_token.as_deref(), Some(SESSION_TOKEN));
    let agent = request.user_agent.clone().unwrap_or_default();
    assert!(agent.starts_with("amplifybackend/0.1.0 smithy-runtime/"), "{agent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_only_transports_still_reach_the_server() {
    let (addr, pem, seen) = start_server().await;
    let transport = smithy_runtime::client::HyperTransport::builder()
        .root_certificates_pem(pem.as_bytes())
        .expect("the PEM holds the certificate")
        .http1_only()
        .build()
        .expect("the transport builds");
    let bundle = write_bundle(&pem, "ca-h1.pem");
    let config = Config::from_env_with(user_env(addr, &bundle, SECRET_KEY), Arc::new(transport), None);
    let output = timed(Client::new(&config).get_backend_auth(input()))
        .await
        .expect("the call succeeds");
    assert_eq!(output, fixture_output());
    let seen = seen.lock().expect("no thread panicked").clone();
    assert_eq!(seen[0].version, http::Version::HTTP_11);
    assert_eq!(seen[0].verified, Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_key_gets_the_servers_403_with_its_code() {
    let (addr, pem, seen) = start_server().await;
    let bundle = write_bundle(&pem, "ca-403.pem");
    let config = Config::from_env_in(user_env(addr, &bundle, "not-the-secret"));
    let error = timed(Client::new(&config).get_backend_auth(input()))
        .await
        .expect_err("the server refuses the signature");
    let GetBackendAuthError::Unhandled(error) = error else {
        panic!("expected an unhandled error, got {error:?}");
    };
    assert_eq!(error.kind(), UnhandledKind::Service);
    assert_eq!(error.status(), 403);
    assert_eq!(error.code(), Some("InvalidSignatureException"));
    assert!(seen.lock().expect("no thread panicked")[0].verified.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_fails_as_a_transport_error() {
    let (addr, _pem, seen) = start_server().await;
    let (_, other_pem, _) = start_server().await;
    let bundle = write_bundle(&other_pem, "ca-other.pem");
    let config = Config::from_env_in(user_env(addr, &bundle, SECRET_KEY));
    let error = timed(Client::new(&config).get_backend_auth(input()))
        .await
        .expect_err("the certificate is not trusted");
    let GetBackendAuthError::Unhandled(error) = error else {
        panic!("expected an unhandled error, got {error:?}");
    };
    assert_eq!(error.kind(), UnhandledKind::Transport, "{error}");
    assert!(seen.lock().expect("no thread panicked").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credentials_anywhere_fails_before_sending_and_says_where_it_looked() {
    let (addr, pem, seen) = start_server().await;
    let bundle = write_bundle(&pem, "ca-none.pem");
    let env = Env::from_vars([
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_ENDPOINT_URL", format!("https://localhost:{}", addr.port())),
        ("AWS_CA_BUNDLE", bundle.display().to_string()),
        ("AWS_CONFIG_FILE", "/nonexistent/aws-config".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]);
    let config = Config::from_env_in(env);
    let error = timed(Client::new(&config).get_backend_auth(input()))
        .await
        .expect_err("there are no credentials");
    let GetBackendAuthError::Unhandled(error) = error else {
        panic!("expected an unhandled error, got {error:?}");
    };
    assert_eq!(error.kind(), UnhandledKind::Configuration);
    let message = error.to_string();
    for place in ["AWS_ACCESS_KEY_ID", "profile", "ECS", "instance metadata"] {
        assert!(message.contains(place), "{place} in {message}");
    }
    assert!(seen.lock().expect("no thread panicked").is_empty());
}

/// A transport that keeps every request and answers with the reference page's response.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<http::Request<Vec<u8>>>>>);

impl smithy_runtime::client::Transport for Recorder {
    fn send(&self, request: http::Request<Vec<u8>>) -> smithy_runtime::client::TransportFuture<'_> {
        self.0.lock().expect("no thread panicked").push(request);
        Box::pin(async { Ok(GetBackendAuth::serialize_response(&Ok(fixture_output()))) })
    }
}

#[tokio::test]
async fn without_an_endpoint_the_rules_send_calls_to_the_regions_endpoint_signed_for_it() {
    let recorder = Recorder::default();
    let signed_at = std::time::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    let config = Config::from_transport(Arc::new(recorder.clone()))
        .with_region("ap-southeast-2")
        .with_credentials(smithy_runtime::auth::Credentials::from_keys(ACCESS_KEY, SECRET_KEY))
        .with_time_source(smithy_runtime::client::FixedClock(signed_at));
    let client = Client::new(&config);
    for _ in 0..2 {
        client.get_backend_auth(input()).await.expect("the call succeeds");
    }
    let sent = recorder.0.lock().expect("no thread panicked").clone();
    assert_eq!(sent.len(), 2);
    for request in &sent {
        assert_eq!(
            request.uri().to_string(),
            "https://amplifybackend.ap-southeast-2.amazonaws.com/backend/d3mbo8v2zbw0kv/auth/staging/details"
        );
        assert_eq!(verify(request, SECRET_KEY), Ok(()));
        let auth = request.headers()["authorization"].to_str().expect("ASCII");
        assert!(
            auth.contains("Credential=AKIDEXAMPLE/20251124/ap-southeast-2/amplifybackend/aws4_request"),
            "{auth}"
        );
        assert_eq!(request.headers()["x-amz-date"], "20251124T160000Z");
    }
}

#[test]
fn fips_dual_stack_and_service_endpoints_come_from_the_configuration() {
    let transport = Arc::new(Recorder::default());
    let resolve = |config: &Config| {
        smithy_runtime::client::resolve_endpoint::<GetBackendAuth>(&Client::new(config).config().clone(), &input())
            .map(|endpoint| endpoint.url.clone())
            .map_err(|error| error.to_string())
    };
    let base = Config::from_transport(transport.clone()).with_region("us-east-1");
    assert_eq!(
        resolve(&base),
        Ok("https://amplifybackend.us-east-1.amazonaws.com".to_owned())
    );
    assert_eq!(
        resolve(&base.clone().with_fips(true)),
        Ok("https://amplifybackend-fips.us-east-1.amazonaws.com".to_owned())
    );
    assert_eq!(
        resolve(&base.clone().with_fips(true).with_dual_stack(true)),
        Ok("https://amplifybackend-fips.us-east-1.api.aws".to_owned())
    );
    assert_eq!(
        resolve(&base.clone().with_endpoint("https://example.com/prefix")),
        Ok("https://example.com/prefix".to_owned())
    );
    assert_eq!(
        resolve(
            &base
                .clone()
                .with_endpoint("https://example.com")
                .with_service_endpoint("AmplifyBackend", "https://amplify.example.com")
        ),
        Ok("https://amplify.example.com".to_owned())
    );
    let env = Env::from_vars([
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", "https://all.example.com"),
        ("AWS_ENDPOINT_URL_AMPLIFYBACKEND", "https://amplify.example.com"),
        ("AWS_CONFIG_FILE", "/nonexistent/aws-config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials"),
    ]);
    let from_env = Config::from_env_with(env, transport.clone(), None);
    assert_eq!(resolve(&from_env), Ok("https://amplify.example.com".to_owned()));
    let error = resolve(&base.clone().with_fips(true).with_endpoint("https://example.com")).expect_err("refused");
    assert!(error.contains("FIPS and custom endpoint are not supported"), "{error}");
    let error = resolve(&Config::from_transport(transport)).expect_err("no region");
    assert!(error.contains("Region"), "{error}");
}

#[tokio::test]
async fn settings_come_from_the_selected_profile_and_a_bad_one_fails_every_call() {
    let config_file = "\
[default]
region = us-west-2
use_fips_endpoint = true

[profile dev]
region = eu-central-1
endpoint_url = https://dev.example.com

[profile local]
region = eu-central-1
endpoint_url = https://dev.example.com
services = local

[services local]
amplifybackend =
    endpoint_url = http://amplify.localhost:4566
sts =
    endpoint_url = http://sts.localhost:4566
";
    let env = |extra: &[(&str, &str)]| {
        let mut vars = vec![
            ("AWS_CONFIG_FILE", "/profiles/config"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/profiles/credentials"),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ];
        vars.extend_from_slice(extra);
        Env::from_vars(vars).with_file("/profiles/config", config_file)
    };
    let recorder = Recorder::default();
    let transport: Arc<dyn smithy_runtime::client::Transport> = Arc::new(recorder.clone());
    let endpoint = |config: &Config| {
        smithy_runtime::client::resolve_endpoint::<GetBackendAuth>(config, &input())
            .map(|endpoint| endpoint.url.clone())
            .map_err(|error| error.to_string())
    };

    let default = Config::from_env_with(env(&[]), transport.clone(), None);
    assert_eq!(default.region(), Some("us-west-2"));
    assert_eq!(
        endpoint(&default),
        Ok("https://amplifybackend-fips.us-west-2.amazonaws.com".to_owned())
    );

    let dev = Config::from_env_with(env(&[("AWS_PROFILE", "dev")]), transport.clone(), None);
    assert_eq!(dev.region(), Some("eu-central-1"));
    assert_eq!(endpoint(&dev), Ok("https://dev.example.com".to_owned()));

    // `services = local` names a `[services local]` section: its `amplifybackend` endpoint wins
    // over the profile's `endpoint_url` and loses to the variables.
    let services = Config::from_env_with(env(&[("AWS_PROFILE", "local")]), transport.clone(), None);
    assert_eq!(endpoint(&services), Ok("http://amplify.localhost:4566".to_owned()));
    for (variable, url) in [
        ("AWS_ENDPOINT_URL", "https://all.example.com"),
        ("AWS_ENDPOINT_URL_AMPLIFYBACKEND", "https://one.example.com"),
    ] {
        let config = Config::from_env_with(
            env(&[("AWS_PROFILE", "local"), (variable, url)]),
            transport.clone(),
            None,
        );
        assert_eq!(endpoint(&config), Ok(url.to_owned()), "{variable}");
    }

    let overridden = Config::from_env_with(env(&[("AWS_REGION", "ap-south-1")]), transport.clone(), None);
    assert_eq!(overridden.region(), Some("ap-south-1"));

    let bad = Config::from_env_with(env(&[("AWS_USE_FIPS_ENDPOINT", "maybe")]), transport, None);
    let error = Client::new(&bad)
        .get_backend_auth(input())
        .await
        .expect_err("the setting is refused");
    let GetBackendAuthError::Unhandled(error) = error else {
        panic!("expected an unhandled error, got {error:?}");
    };
    assert_eq!(error.kind(), UnhandledKind::Configuration);
    assert!(error.to_string().contains("AWS_USE_FIPS_ENDPOINT"), "{error}");
    assert!(
        recorder.0.lock().expect("no thread panicked").is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn a_presigned_request_carries_a_signature_its_holder_can_send() {
    let signed_at = std::time::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    let config = Config::from_transport(Arc::new(Recorder::default()))
        .with_region("eu-west-1")
        .with_credentials(smithy_runtime::auth::Credentials::from_keys(ACCESS_KEY, SECRET_KEY))
        .with_time_source(smithy_runtime::client::FixedClock(signed_at));
    let client = Client::new(&config);
    let presigned =
        amplifybackend::client::presign::<GetBackendAuth>(client.config(), &input(), Duration::from_secs(900))
            .await
            .expect("presigned");
    let uri = presigned.uri().to_string();
    assert!(
        uri.starts_with("https://amplifybackend.eu-west-1.amazonaws.com/backend/d3mbo8v2zbw0kv/auth/staging/details?"),
        "{uri}"
    );
    for part in ["X-Amz-Expires=900", "X-Amz-Date=20251124T160000Z", "X-Amz-Signature="] {
        assert!(uri.contains(part), "{part} in {uri}");
    }
    assert!(presigned.headers().get("authorization").is_none());
    assert_eq!(verify(&presigned, SECRET_KEY), Ok(()));
    assert!(verify(&presigned, "another secret").is_err());

    let anonymous = Config::from_transport(Arc::new(Recorder::default())).with_region("eu-west-1");
    let error = amplifybackend::client::presign::<GetBackendAuth>(&anonymous, &input(), Duration::from_secs(900))
        .await
        .expect_err("nothing to sign with");
    assert_eq!(error.kind(), UnhandledKind::Configuration);
}
