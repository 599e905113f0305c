//! Where credentials and the region come from: every test uses a fake environment
//! ([`Env::from_vars`] and in-memory files) and a fake transport, never the real ones.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use smithy_runtime::auth::{Credentials, CredentialsError, CredentialsFuture, ProvideCredentials};
use smithy_runtime::client::{Transport, TransportFuture};
use smithy_runtime::credentials::{
    default_chain, default_provider, load_profiles, region_from_env, CachingProvider, ChainLink, ChainProvider, Clock,
    EcsProvider, Env, EnvironmentProvider, ImdsProvider, ProfileProvider, ProfileSet,
};

const HOME: &str = "/home/test";
const CONFIG: &str = "/home/test/.aws/config";
const CREDENTIALS: &str = "/home/test/.aws/credentials";

fn env(vars: &[(&str, &str)]) -> Env {
    Env::from_vars(vars.iter().map(|(name, value)| (*name, *value)))
}

/// An environment with a home directory and these variables.
fn home_env(vars: &[(&str, &str)]) -> Env {
    Env::from_vars(
        [("HOME", HOME)]
            .into_iter()
            .chain(vars.iter().copied())
            .map(|(name, value)| (name.to_owned(), value.to_owned())),
    )
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

fn provide(provider: &dyn ProvideCredentials) -> Result<Credentials, CredentialsError> {
    block_on(provider.provide_credentials())
}

fn error_of(provider: &dyn ProvideCredentials) -> String {
    match provide(provider) {
        Ok(credentials) => panic!("expected an error, got {credentials:?}"),
        Err(error) => error.to_string(),
    }
}

fn timestamp(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// 2026-12-02T10:00:00Z.
const EXPIRY_SECS: u64 = 1_796_205_600;

/// A request as the fake transport saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

type Handler = dyn Fn(&Seen) -> Result<(u16, String), String> + Send + Sync;

/// A transport that records requests and answers them with a function.
struct FakeTransport {
    seen: Mutex<Vec<Seen>>,
    handler: Box<Handler>,
}

impl FakeTransport {
    fn new(handler: impl Fn(&Seen) -> Result<(u16, String), String> + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Self {
            seen: Mutex::new(Vec::new()),
            handler: Box::new(handler),
        })
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Transport for FakeTransport {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let seen = Seen {
            method: request.method().to_string(),
            uri: request.uri().to_string(),
            headers: request
                .headers()
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_owned()))
                .collect(),
        };
        self.seen.lock().unwrap().push(seen.clone());
        let answer = (self.handler)(&seen);
        Box::pin(async move {
            let (status, body) = answer?;
            Ok(http::Response::builder()
                .status(status)
                .body(body.into_bytes())
                .expect("a response"))
        })
    }
}

fn refused() -> Arc<FakeTransport> {
    FakeTransport::new(|_| Err("connection refused".to_owned()))
}

const CONTAINER_JSON: &str = r#"{
    "AccessKeyId": "ASIACONTAINER",
    "SecretAccessKey": "container-secret",
    "Token": "container-token",
    "Expiration": "2026-12-02T10:00:00Z",
    "AccountId": "123456789012"
}"#;

// ---------------------------------------------------------------- environment

#[test]
fn environment_provider_reads_keys_token_and_account() {
    let provider = EnvironmentProvider::new(env(&[
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ("AWS_SESSION_TOKEN", "env-token"),
        ("AWS_ACCOUNT_ID", "111122223333"),
    ]));
    let credentials = provide(&provider).unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDENV");
    assert_eq!(credentials.secret_access_key(), "env-secret");
    assert_eq!(credentials.session_token(), Some("env-token"));
    assert_eq!(credentials.account_id(), Some("111122223333"));
    assert_eq!(credentials.expiry(), None);
    assert_eq!(credentials.provider(), EnvironmentProvider::NAME);
    assert_eq!(EnvironmentProvider::NAME, "environment");
}

#[test]
fn environment_provider_treats_empty_values_as_unset() {
    let provider = EnvironmentProvider::new(env(&[
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ("AWS_SESSION_TOKEN", ""),
    ]));
    assert_eq!(provide(&provider).unwrap().session_token(), None);

    let provider = EnvironmentProvider::new(env(&[("AWS_ACCESS_KEY_ID", "")]));
    assert_eq!(
        error_of(&provider),
        "no AWS credentials found: environment (AWS_ACCESS_KEY_ID not set)"
    );
}

#[test]
fn environment_provider_fails_without_the_secret() {
    let provider = EnvironmentProvider::new(env(&[("AWS_ACCESS_KEY_ID", "AKIDENV")]));
    assert_eq!(
        error_of(&provider),
        "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
    );
}

// ---------------------------------------------------------------- profile files

const CONFIG_TEXT: &str = "\
# a comment
; another comment
[default]
region = us-west-2 # the region
output=json

[profile dev]
region = eu-west-1
aws_access_key_id = AKIDCONFIG
aws_secret_access_key = config-secret
s3 =
  max_concurrent_requests = 10 ; sub-property comment
  # a comment among sub-properties
  addressing_style = path
description = first line
  second line

[dev]
region = ignored-without-profile-prefix

[profile   spaced   ] ; comment after a header
region = ap-south-1

[sso-session my-sso]
sso_region = us-east-1
sso_start_url = https://example.awsapps.com/start

[services my-services]
dynamodb =
  endpoint_url = http://localhost:8000
";

const CREDENTIALS_TEXT: &str = "\
[default]
aws_access_key_id=AKIDDEFAULT
aws_secret_access_key=default#secret

[dev]
aws_secret_access_key = credentials-secret
aws_session_token = dev-token

[profile prod]
aws_access_key_id = ignored-profile-prefix-in-credentials
";

fn files_env(vars: &[(&str, &str)]) -> Env {
    home_env(vars)
        .with_file(CONFIG, CONFIG_TEXT)
        .with_file(CREDENTIALS, CREDENTIALS_TEXT)
}

#[test]
fn profiles_parse_comments_continuations_and_sub_properties() {
    let profiles = load_profiles(&files_env(&[])).unwrap();
    assert_eq!(profiles.selected_profile(), "default");
    assert_eq!(profiles.get("default", "region"), Some("us-west-2"));
    assert_eq!(profiles.get("default", "output"), Some("json"));
    // A `#` not after whitespace is part of the value.
    assert_eq!(profiles.get("default", "aws_secret_access_key"), Some("default#secret"));
    let dev = profiles.profile("dev").unwrap();
    assert_eq!(dev.get("s3"), Some(""));
    assert_eq!(dev.get_sub_property("s3", "max_concurrent_requests"), Some("10"));
    assert_eq!(dev.get_sub_property("s3", "addressing_style"), Some("path"));
    assert_eq!(dev.get("description"), Some("first line\nsecond line"));
    assert_eq!(profiles.get("spaced", "region"), Some("ap-south-1"));
    assert_eq!(
        profiles.sso_session("my-sso").unwrap().get("sso_start_url"),
        Some("https://example.awsapps.com/start")
    );
    assert_eq!(
        profiles
            .services("my-services")
            .unwrap()
            .get_sub_property("dynamodb", "endpoint_url"),
        Some("http://localhost:8000")
    );
    // `[profile x]` in the credentials file and `[x]` in the config file are ignored.
    assert_eq!(profiles.profile("prod"), None);
    assert_eq!(profiles.get("dev", "region"), Some("eu-west-1"));
    assert_eq!(
        profiles.profile_names().collect::<Vec<_>>(),
        ["default", "dev", "spaced"]
    );
}

#[test]
fn credentials_file_overrides_config_file() {
    let profiles = load_profiles(&files_env(&[])).unwrap();
    // From the config file only.
    assert_eq!(profiles.get("dev", "aws_access_key_id"), Some("AKIDCONFIG"));
    // In both: the credentials file wins.
    assert_eq!(profiles.get("dev", "aws_secret_access_key"), Some("credentials-secret"));
    // From the credentials file only.
    assert_eq!(profiles.get("dev", "aws_session_token"), Some("dev-token"));

    let credentials = provide(&ProfileProvider::new(files_env(&[("AWS_PROFILE", "dev")]))).unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDCONFIG");
    assert_eq!(credentials.secret_access_key(), "credentials-secret");
    assert_eq!(credentials.session_token(), Some("dev-token"));
    assert_eq!(credentials.provider(), ProfileProvider::NAME);
}

#[test]
fn aws_profile_selects_the_profile() {
    let profiles = load_profiles(&files_env(&[("AWS_PROFILE", "dev")])).unwrap();
    assert_eq!(profiles.selected_profile(), "dev");
    let credentials = provide(&ProfileProvider::new(files_env(&[]))).unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDDEFAULT");
    assert_eq!(credentials.secret_access_key(), "default#secret");
    // `with_profile` wins over `AWS_PROFILE`.
    let provider = ProfileProvider::new(files_env(&[("AWS_PROFILE", "missing")])).with_profile("dev");
    assert_eq!(provide(&provider).unwrap().access_key_id(), "AKIDCONFIG");
}

#[test]
fn profile_default_wins_over_bare_default_in_config() {
    let env = home_env(&[]).with_file(
        CONFIG,
        "[profile default]\nregion = from-profile-default\n[default]\nregion = from-bare-default\n",
    );
    assert_eq!(
        load_profiles(&env).unwrap().get("default", "region"),
        Some("from-profile-default")
    );
    let env = home_env(&[]).with_file(CONFIG, "[default]\nregion = from-bare-default\n");
    assert_eq!(
        load_profiles(&env).unwrap().get("default", "region"),
        Some("from-bare-default")
    );
}

#[test]
fn file_variables_override_the_paths() {
    let env = home_env(&[
        ("AWS_CONFIG_FILE", "/elsewhere/config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "~/custom/credentials"),
    ])
    .with_file(CONFIG, "[default]\nregion = not-read\n")
    .with_file("/elsewhere/config", "[default]\nregion = elsewhere\n")
    .with_file(
        "/home/test/custom/credentials",
        "[default]\naws_access_key_id = AKIDCUSTOM\naws_secret_access_key = s\n",
    );
    let profiles = load_profiles(&env).unwrap();
    assert_eq!(profiles.get("default", "region"), Some("elsewhere"));
    assert_eq!(profiles.get("default", "aws_access_key_id"), Some("AKIDCUSTOM"));
}

#[test]
fn files_on_disk_are_read() {
    let dir = std::env::temp_dir().join(format!("smithy-runtime-credentials-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config");
    std::fs::write(&path, "[profile disk]\nregion = from-disk\n").unwrap();
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", path.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", dir.join("absent").to_str().unwrap()),
        ("AWS_PROFILE", "disk"),
    ]);
    let profiles = load_profiles(&env);
    std::fs::remove_dir_all(&dir).unwrap();
    let profiles = profiles.unwrap();
    assert_eq!(region_from_env(&env, &profiles).as_deref(), Some("from-disk"));
}

#[test]
fn missing_files_are_empty() {
    let profiles = load_profiles(&home_env(&[])).unwrap();
    assert_eq!(profiles.profile_names().count(), 0);
    // Without a home directory there is nothing to read either.
    let profiles = load_profiles(&env(&[])).unwrap();
    assert_eq!(profiles.selected_profile(), "default");
    assert_eq!(
        error_of(&ProfileProvider::new(home_env(&[]))),
        "no AWS credentials found: profile `default` (neither ~/.aws/credentials nor ~/.aws/config exists)"
    );
}

#[test]
fn malformed_lines_name_file_and_line() {
    let cases = [
        ("[default]\nregion = x\njust words\n", 3, "expected `name = value`"),
        (
            "# comment\n[profile broken\n",
            2,
            "a section header needs a closing `]`",
        ),
        (
            "region = x\n",
            1,
            "a property must follow a section header such as `[default]`",
        ),
        ("[default]\n= value\n", 2, "a property needs a name before `=`"),
        ("[default]\ns3 =\n  no equals here\n", 3, "expected `name = value`"),
        ("[default] trailing\n", 1, "unexpected text after the section header"),
        (
            "[default]\naws access key = x\n",
            2,
            "a property name cannot contain whitespace",
        ),
        ("[]\n", 1, "a section header needs a name"),
    ];
    for (text, line, message) in cases {
        let error = load_profiles(&home_env(&[]).with_file(CONFIG, text)).unwrap_err();
        assert_eq!(error.file(), "~/.aws/config", "{text:?}");
        assert_eq!(error.line(), Some(line), "{text:?}");
        assert_eq!(error.message(), message, "{text:?}");
        assert_eq!(error.to_string(), format!("~/.aws/config:{line}: {message}"));
    }
    let env = home_env(&[("AWS_SHARED_CREDENTIALS_FILE", "/creds")]).with_file("/creds", "[default]\nkey\n");
    assert_eq!(
        load_profiles(&env).unwrap_err().to_string(),
        "/creds:2: expected `name = value`"
    );
    // The provider fails with the same message, and never quotes the line.
    let env = home_env(&[]).with_file(CREDENTIALS, "[default]\naws_secret_access_key: SECRET\n");
    let message = error_of(&ProfileProvider::new(env));
    assert_eq!(
        message,
        "profile `default`: ~/.aws/credentials:2: expected `name = value`"
    );
}

#[test]
fn profile_provider_reads_account_id() {
    let env = home_env(&[]).with_file(
        CREDENTIALS,
        "[default]\naws_access_key_id = A\naws_secret_access_key = S\naws_account_id = 444455556666\n",
    );
    assert_eq!(
        provide(&ProfileProvider::new(env)).unwrap().account_id(),
        Some("444455556666")
    );
}

#[test]
fn profile_provider_reports_what_is_wrong_with_a_profile() {
    let env = home_env(&[("AWS_PROFILE", "role")]).with_file(
        CONFIG,
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\n\
         [profile sso]\nsso_session = my-sso\nsso_account_id = 1\n[sso-session my-sso]\nsso_region = us-east-1\n",
    );
    assert_eq!(
        error_of(&ProfileProvider::new(env.clone())),
        "profile `role`: profile `default` was not defined: `source_profile = default` in profile `role` names no profile"
    );
    let message = error_of(&ProfileProvider::new(env).with_profile("sso"));
    assert!(
        message.starts_with("profile `sso`: profile `sso` has invalid SSO settings: `sso_account_id` is set, so `sso_role_name` must be too"),
        "{message}"
    );
}

#[test]
fn profile_provider_distinguishes_missing_profiles() {
    // `default` missing: not configured.
    let env = home_env(&[]).with_file(CONFIG, "[profile other]\nregion = x\n");
    assert_eq!(
        error_of(&ProfileProvider::new(env.clone())),
        "no AWS credentials found: profile `default` (no such profile in ~/.aws/credentials or ~/.aws/config)"
    );
    // A profile asked for by name and missing: a failure.
    let env = home_env(&[("AWS_PROFILE", "nope")]).with_file(CONFIG, "[profile other]\nregion = x\n");
    assert_eq!(
        error_of(&ProfileProvider::new(env)),
        "profile `nope`: no such profile in ~/.aws/credentials or ~/.aws/config"
    );
    // A key without its secret: a failure.
    let env = home_env(&[]).with_file(CREDENTIALS, "[default]\naws_access_key_id = A\n");
    assert_eq!(
        error_of(&ProfileProvider::new(env)),
        "profile `default`: the profile has aws_access_key_id but no aws_secret_access_key"
    );
}

#[cfg(unix)]
#[test]
fn credential_process_output_is_read() {
    let output = r#"{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "proc-secret", "SessionToken": "proc-token", "Expiration": "2026-12-02T10:00:00Z"}"#;
    let config = format!("[default]\ncredential_process = printf '%s' '{output}'\naws_account_id = 999\n");
    let env = home_env(&[]).with_file(CONFIG, config);
    let credentials = provide(&ProfileProvider::new(env)).unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDPROC");
    assert_eq!(credentials.secret_access_key(), "proc-secret");
    assert_eq!(credentials.session_token(), Some("proc-token"));
    assert_eq!(credentials.expiry(), Some(timestamp(EXPIRY_SECS)));
    assert_eq!(credentials.account_id(), Some("999"));
    assert_eq!(credentials.provider(), ProfileProvider::PROCESS_NAME);

    // The command sees the variables of the environment, and only those.
    let env = home_env(&[("FROM_FAKE_ENV", "AKIDVAR")]).with_file(
        CONFIG,
        r#"[default]
credential_process = printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"s"}' "$FROM_FAKE_ENV"
"#,
    );
    assert_eq!(provide(&ProfileProvider::new(env)).unwrap().access_key_id(), "AKIDVAR");
}

#[cfg(unix)]
#[test]
fn credential_process_failures_name_the_profile() {
    let run = |command: &str| {
        let env = home_env(&[]).with_file(CONFIG, format!("[default]\ncredential_process = {command}\n"));
        error_of(&ProfileProvider::new(env))
    };
    assert_eq!(
        run("echo 'token expired' >&2; exit 3"),
        "profile `default`: the credential_process failed (exit status: 3): token expired"
    );
    assert!(run("echo not json").starts_with("profile `default`: the credential_process output is not JSON"));
    assert_eq!(
        run(r#"echo '{"Version": 2}'"#),
        "profile `default`: the credential_process output has a `Version` other than 1"
    );
    assert_eq!(
        run(r#"echo '{"Version": 1, "AccessKeyId": "A"}'"#),
        "profile `default`: the credentials have no `SecretAccessKey`"
    );
}

// ---------------------------------------------------------------- region

#[test]
fn region_comes_from_variables_then_profile() {
    let profiles = load_profiles(&files_env(&[])).unwrap();
    let region = |vars: &[(&str, &str)]| region_from_env(&env(vars), &profiles);
    assert_eq!(
        region(&[("AWS_REGION", "r1"), ("AWS_DEFAULT_REGION", "r2")]).as_deref(),
        Some("r1")
    );
    assert_eq!(
        region(&[("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "r2")]).as_deref(),
        Some("r2")
    );
    assert_eq!(region(&[("AWS_DEFAULT_REGION", "")]).as_deref(), Some("us-west-2"));
    let dev = load_profiles(&files_env(&[("AWS_PROFILE", "dev")])).unwrap();
    assert_eq!(region_from_env(&env(&[]), &dev).as_deref(), Some("eu-west-1"));
    let empty = home_env(&[]).with_file(CONFIG, "[default]\nregion =\n");
    assert_eq!(region_from_env(&empty, &load_profiles(&empty).unwrap()), None);
    assert_eq!(region_from_env(&env(&[]), &ProfileSet::default()), None);
}

// ---------------------------------------------------------------- ECS

#[test]
fn ecs_relative_uri_with_token() {
    let transport = FakeTransport::new(|_| Ok((200, CONTAINER_JSON.to_owned())));
    let provider = EcsProvider::new(
        env(&[
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer xyz"),
        ]),
        transport.clone(),
    );
    let credentials = provide(&provider).unwrap();
    assert_eq!(credentials.access_key_id(), "ASIACONTAINER");
    assert_eq!(credentials.secret_access_key(), "container-secret");
    assert_eq!(credentials.session_token(), Some("container-token"));
    assert_eq!(credentials.expiry(), Some(timestamp(EXPIRY_SECS)));
    assert_eq!(credentials.account_id(), Some("123456789012"));
    assert_eq!(credentials.provider(), EcsProvider::NAME);
    let seen = transport.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].uri, "http://169.254.170.2/v2/credentials/abc");
    assert_eq!(seen[0].header("authorization"), Some("Bearer xyz"));
}

#[test]
fn ecs_full_uri_with_token_file() {
    let transport = FakeTransport::new(|_| Ok((200, CONTAINER_JSON.to_owned())));
    let env = env(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:8080/creds"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-variable"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/token"),
    ])
    .with_file("/var/run/token", "from-file\n");
    provide(&EcsProvider::new(env, transport.clone())).unwrap();
    let seen = transport.seen();
    assert_eq!(seen[0].uri, "http://127.0.0.1:8080/creds");
    assert_eq!(seen[0].header("authorization"), Some("from-file"));
}

#[test]
fn ecs_full_uri_hosts() {
    let ok = FakeTransport::new(|_| Ok((200, CONTAINER_JSON.to_owned())));
    for uri in [
        "http://localhost/creds",
        "http://127.9.8.7/creds",
        "http://[::1]:1234/creds",
        "http://169.254.170.2/creds",
        "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials",
        "https://credentials.example.com/creds",
    ] {
        let provider = EcsProvider::new(env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)]), ok.clone());
        assert!(provide(&provider).is_ok(), "{uri}");
    }
    let refused_transport = FakeTransport::new(|_| panic!("no request may be sent"));
    for uri in [
        "http://example.com/creds",
        "http://10.0.0.1/creds",
        "ftp://127.0.0.1/creds",
    ] {
        let provider = EcsProvider::new(
            env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)]),
            refused_transport.clone(),
        );
        let message = error_of(&provider);
        assert!(
            message.starts_with(&format!(
                "ECS container: AWS_CONTAINER_CREDENTIALS_FULL_URI `{uri}` is not allowed: "
            )),
            "{message}"
        );
    }
    assert!(refused_transport.seen().is_empty());
}

#[test]
fn ecs_failures_name_the_source() {
    let relative = [("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds")];
    let provider = EcsProvider::new(
        env(&relative),
        FakeTransport::new(|_| Ok((200, "{not json".to_owned()))),
    );
    assert!(error_of(&provider).starts_with("ECS container: the credentials are not JSON ("));
    let provider = EcsProvider::new(
        env(&relative),
        FakeTransport::new(|_| Ok((200, r#"{"AccessKeyId": 5}"#.to_owned()))),
    );
    assert_eq!(
        error_of(&provider),
        "ECS container: `AccessKeyId` in the credentials is not a string"
    );
    let provider = EcsProvider::new(
        env(&relative),
        FakeTransport::new(|_| {
            Ok((
                200,
                r#"{"AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "tomorrow"}"#.to_owned(),
            ))
        }),
    );
    assert_eq!(
        error_of(&provider),
        "ECS container: `Expiration` in the credentials is not an RFC 3339 timestamp"
    );
    let provider = EcsProvider::new(env(&relative), FakeTransport::new(|_| Ok((500, String::new()))));
    assert_eq!(
        error_of(&provider),
        "ECS container: http://169.254.170.2/creds answered 500 Internal Server Error"
    );
    let provider = EcsProvider::new(env(&relative), refused());
    assert_eq!(
        error_of(&provider),
        "ECS container: http://169.254.170.2/creds: connection refused"
    );
    let provider = EcsProvider::new(
        env(&[
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "bad\ntoken"),
        ]),
        refused(),
    );
    assert_eq!(
        error_of(&provider),
        "ECS container: the authorization token is not a valid HTTP header value"
    );
    assert_eq!(
        error_of(&EcsProvider::new(env(&[]), refused())),
        "no AWS credentials found: ECS container (AWS_CONTAINER_CREDENTIALS_* not set)"
    );
}

// ---------------------------------------------------------------- IMDS

/// An instance metadata service that hands out tokens `token-1`, `token-2`, … and checks them.
fn imds_service(role_credentials: &'static str) -> (Arc<FakeTransport>, Arc<AtomicUsize>) {
    let tokens = Arc::new(AtomicUsize::new(0));
    let issued = tokens.clone();
    let transport = FakeTransport::new(move |seen| {
        let path = seen
            .uri
            .split_once("://")
            .map_or("", |(_, rest)| &rest[rest.find('/').unwrap_or(0)..]);
        if seen.method == "PUT" && path == "/latest/api/token" {
            assert_eq!(seen.header("x-aws-ec2-metadata-token-ttl-seconds"), Some("21600"));
            let number = issued.fetch_add(1, Ordering::SeqCst) + 1;
            return Ok((200, format!("token-{number}")));
        }
        let expected = format!("token-{}", issued.load(Ordering::SeqCst));
        if seen.header("x-aws-ec2-metadata-token") != Some(expected.as_str()) {
            return Ok((401, String::new()));
        }
        match (seen.method.as_str(), path) {
            ("GET", "/latest/meta-data/iam/security-credentials/") => Ok((200, "my-role\n".to_owned())),
            ("GET", "/latest/meta-data/iam/security-credentials/my-role") => Ok((200, role_credentials.to_owned())),
            _ => Ok((404, String::new())),
        }
    });
    (transport, tokens)
}

const IMDS_JSON: &str = r#"{
    "Code": "Success",
    "LastUpdated": "2026-12-02T04:00:00Z",
    "Type": "AWS-HMAC",
    "AccessKeyId": "ASIAIMDS",
    "SecretAccessKey": "imds-secret",
    "Token": "imds-token",
    "Expiration": "2026-12-02T10:00:00Z"
}"#;

/// A clock at `start` plus the seconds in the returned counter.
fn fake_clock(start: SystemTime) -> (Clock, Arc<AtomicU64>) {
    let offset = Arc::new(AtomicU64::new(0));
    let seconds = offset.clone();
    let clock: Clock = Arc::new(move || start + Duration::from_secs(seconds.load(Ordering::SeqCst)));
    (clock, offset)
}

#[test]
fn imds_flow_sends_and_reuses_the_token() {
    let (transport, tokens) = imds_service(IMDS_JSON);
    let (clock, offset) = fake_clock(timestamp(EXPIRY_SECS - 6 * 3600));
    let env = env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/")]);
    let provider = ImdsProvider::new(env, transport.clone()).with_clock(clock);
    block_on(async {
        let credentials = provider.provide_credentials().await.unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAIMDS");
        assert_eq!(credentials.secret_access_key(), "imds-secret");
        assert_eq!(credentials.session_token(), Some("imds-token"));
        assert_eq!(credentials.expiry(), Some(timestamp(EXPIRY_SECS)));
        assert_eq!(credentials.provider(), ImdsProvider::NAME);
        provider.provide_credentials().await.unwrap();
    });
    let seen = transport.seen();
    let calls: Vec<(&str, &str, Option<&str>)> = seen
        .iter()
        .map(|seen| {
            (
                seen.method.as_str(),
                seen.uri.as_str(),
                seen.header("x-aws-ec2-metadata-token"),
            )
        })
        .collect();
    let role_list = "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/";
    let role = "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/my-role";
    assert_eq!(
        calls,
        [
            ("PUT", "http://127.0.0.1:1338/latest/api/token", None),
            ("GET", role_list, Some("token-1")),
            ("GET", role, Some("token-1")),
            ("GET", role_list, Some("token-1")),
            ("GET", role, Some("token-1")),
        ]
    );
    assert_eq!(tokens.load(Ordering::SeqCst), 1);

    // Near the end of its six hours the token is replaced.
    offset.store(6 * 3600 - 60, Ordering::SeqCst);
    block_on(provider.provide_credentials()).unwrap();
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
    let seen = transport.seen();
    assert_eq!(seen[5].method, "PUT");
    assert_eq!(seen[6].header("x-aws-ec2-metadata-token"), Some("token-2"));
}

#[test]
fn imds_replaces_a_rejected_token() {
    let (transport, tokens) = imds_service(IMDS_JSON);
    let env = env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338")]);
    let provider = ImdsProvider::new(env, transport.clone());
    block_on(provider.provide_credentials()).unwrap();
    // The service forgets the token it gave: the next call is rejected once, then succeeds.
    tokens.store(7, Ordering::SeqCst);
    let credentials = block_on(provider.provide_credentials()).unwrap();
    assert_eq!(credentials.access_key_id(), "ASIAIMDS");
    let methods: Vec<String> = transport.seen().iter().map(|seen| seen.method.clone()).collect();
    assert_eq!(methods, ["PUT", "GET", "GET", "GET", "PUT", "GET", "GET"]);
}

#[test]
fn imds_is_not_configured_when_disabled_unreachable_or_without_role() {
    let provider = ImdsProvider::new(env(&[("AWS_EC2_METADATA_DISABLED", "TRUE")]), refused());
    assert_eq!(
        error_of(&provider),
        "no AWS credentials found: EC2 instance metadata (AWS_EC2_METADATA_DISABLED is true)"
    );
    let provider = ImdsProvider::new(env(&[]), refused());
    assert_eq!(
        error_of(&provider),
        "no AWS credentials found: EC2 instance metadata (http://169.254.169.254: connection refused)"
    );
    let no_role = FakeTransport::new(|seen| {
        if seen.method == "PUT" {
            Ok((200, "t".to_owned()))
        } else {
            Ok((404, String::new()))
        }
    });
    let provider = ImdsProvider::new(
        env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6")]),
        no_role.clone(),
    );
    assert_eq!(
        error_of(&provider),
        "no AWS credentials found: EC2 instance metadata (http://[fd00:ec2::254]: the instance has no IAM role (404))"
    );
    assert_eq!(no_role.seen()[0].uri, "http://[fd00:ec2::254]/latest/api/token");
}

#[test]
fn imds_failures_name_the_source() {
    let (transport, _) = imds_service(r#"{"Code": "AssumeRoleUnauthorizedAccess", "Message": "no"}"#);
    let provider = ImdsProvider::new(env(&[]), transport);
    assert_eq!(
        error_of(&provider),
        "EC2 instance metadata: the service answered with the code `AssumeRoleUnauthorizedAccess` instead of credentials"
    );
    let (transport, _) = imds_service("<html>");
    assert!(error_of(&ImdsProvider::new(env(&[]), transport))
        .starts_with("EC2 instance metadata: the credentials are not JSON ("));
    let provider = ImdsProvider::new(env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", "not a url")]), refused());
    assert_eq!(
        error_of(&provider),
        "EC2 instance metadata: AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http or https URI: `not a url`"
    );
}

// ---------------------------------------------------------------- chain

#[test]
fn chain_takes_the_first_configured_provider() {
    let env = files_env(&[("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "s")]);
    let transport = refused();
    let chain = default_chain(env, Some(transport.clone()));
    assert_eq!(provide(&chain).unwrap().provider(), EnvironmentProvider::NAME);

    let chain = default_chain(files_env(&[]), Some(transport.clone()));
    assert_eq!(provide(&chain).unwrap().access_key_id(), "AKIDDEFAULT");
    assert!(transport.seen().is_empty());

    let ecs = FakeTransport::new(|_| Ok((200, CONTAINER_JSON.to_owned())));
    let chain = default_chain(
        home_env(&[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c")]),
        Some(ecs.clone()),
    );
    assert_eq!(provide(&chain).unwrap().provider(), EcsProvider::NAME);
    assert_eq!(ecs.seen().len(), 1);

    let (imds, _) = imds_service(IMDS_JSON);
    let chain = default_chain(home_env(&[]), Some(imds));
    assert_eq!(provide(&chain).unwrap().provider(), ImdsProvider::NAME);
}

#[test]
fn chain_lists_every_place_looked() {
    let env = home_env(&[]).with_file(CONFIG, "[default]\nregion = us-east-1\n");
    let chain = default_chain(env, Some(refused()));
    assert_eq!(
        error_of(&chain),
        "no AWS credentials found (the credential provider was not enabled in any place looked at): environment (AWS_ACCESS_KEY_ID not set); \
         profile `default` (no aws_access_key_id in ~/.aws/credentials or ~/.aws/config); \
         web identity token (AWS_WEB_IDENTITY_TOKEN_FILE not set); \
         ECS container (AWS_CONTAINER_CREDENTIALS_* not set); \
         EC2 instance metadata (http://169.254.169.254: connection refused)"
    );
    let provider = default_provider(home_env(&[]), None);
    assert_eq!(
        error_of(&provider),
        "no AWS credentials found (the credential provider was not enabled in any place looked at): environment (AWS_ACCESS_KEY_ID not set); \
         profile `default` (neither ~/.aws/credentials nor ~/.aws/config exists); \
         web identity token (AWS_WEB_IDENTITY_TOKEN_FILE not set); \
         ECS container (no HTTP transport); EC2 instance metadata (no HTTP transport)"
    );
    assert_eq!(
        error_of(&ChainProvider::new()),
        "no AWS credentials found (the credential provider was not enabled in any place looked at): the chain has no providers"
    );
}

#[test]
fn chain_stops_at_a_configured_provider_that_fails() {
    let (imds, _) = imds_service(IMDS_JSON);
    let env = home_env(&[]).with_file(CONFIG, "[default]\nbroken line\n");
    let chain = default_chain(env, Some(imds.clone()));
    assert_eq!(
        error_of(&chain),
        "an error occurred while loading credentials: profile `default`: ~/.aws/config:2: expected `name = value` \
         (looked at first: environment (AWS_ACCESS_KEY_ID not set))"
    );
    let ecs_failing = home_env(&[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c")]);
    let transport = FakeTransport::new(|seen| {
        if seen.uri.starts_with("http://169.254.170.2") {
            Ok((403, String::new()))
        } else {
            Ok((200, String::new()))
        }
    });
    assert_eq!(
        error_of(&default_chain(ecs_failing, Some(transport.clone()))),
        "an error occurred while loading credentials: ECS container: http://169.254.170.2/c answered 403 Forbidden (looked at first: \
         environment (AWS_ACCESS_KEY_ID not set); \
         profile `default` (neither ~/.aws/credentials nor ~/.aws/config exists); \
         web identity token (AWS_WEB_IDENTITY_TOKEN_FILE not set))"
    );
    // Neither stopped chain reached the instance metadata service.
    assert!(imds.seen().is_empty());
    assert_eq!(transport.seen().len(), 1);
}

#[derive(Debug)]
struct Failing;

impl ProvideCredentials for Failing {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async { Err(CredentialsError::new("vault is sealed")) })
    }
}

#[test]
fn chain_with_custom_and_skipped_links() {
    let chain = ChainProvider::new()
        .or_else(ChainLink::skipped("somewhere", "not today"))
        .or_else(EnvironmentProvider::new(env(&[])))
        .or_else(ChainLink::custom("static", Credentials::from_keys("AKIDSTATIC", "s")));
    assert_eq!(provide(&chain).unwrap().access_key_id(), "AKIDSTATIC");
    let chain = ChainProvider::new()
        .or_else(ChainLink::custom("vault", Failing))
        .or_else(ChainLink::custom("static", Credentials::from_keys("AKIDSTATIC", "s")));
    assert_eq!(
        error_of(&chain),
        "an error occurred while loading credentials: vault: vault is sealed"
    );
    let chain = ChainProvider::new().or_else(ChainLink::skipped("somewhere", "not today"));
    assert_eq!(
        error_of(&chain),
        "no AWS credentials found (the credential provider was not enabled in any place looked at): somewhere (not today)"
    );
}

// ---------------------------------------------------------------- cache

/// A provider that counts its calls and gives credentials expiring at `expiry` (or never), or
/// fails while `failing` is set.
#[derive(Debug, Clone)]
struct Counting {
    calls: Arc<AtomicUsize>,
    expiry: Option<SystemTime>,
    failing: Arc<std::sync::atomic::AtomicBool>,
    delay: Option<Duration>,
}

impl Counting {
    fn new(expiry: Option<SystemTime>) -> Self {
        Self {
            calls: Arc::default(),
            expiry,
            failing: Arc::default(),
            delay: None,
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(delay) = self.delay {
                tokio::time::sleep(delay).await;
            }
            if self.failing.load(Ordering::SeqCst) {
                return Err(CredentialsError::new(format!("call {call} failed")));
            }
            Ok(Credentials::new(
                format!("AKID{call}"),
                "s",
                None,
                self.expiry,
                "counting",
            ))
        })
    }
}

#[test]
fn cache_refreshes_before_expiry() {
    let start = timestamp(1_000_000);
    let inner = Counting::new(Some(start + Duration::from_secs(3600)));
    let (clock, offset) = fake_clock(start);
    let cache = CachingProvider::new(inner.clone()).with_clock(clock);
    assert_eq!(provide(&cache).unwrap().access_key_id(), "AKID1");
    offset.store(3600 - 301, Ordering::SeqCst);
    assert_eq!(provide(&cache).unwrap().access_key_id(), "AKID1");
    assert_eq!(inner.calls(), 1);
    // Inside the five minutes before expiry: asked again.
    offset.store(3600 - 299, Ordering::SeqCst);
    assert_eq!(provide(&cache).unwrap().access_key_id(), "AKID2");
    assert_eq!(inner.calls(), 2);

    // A custom buffer.
    let inner = Counting::new(Some(start + Duration::from_secs(3600)));
    let (clock, offset) = fake_clock(start);
    let cache = CachingProvider::new(inner.clone())
        .with_clock(clock)
        .with_buffer(Duration::from_secs(10));
    provide(&cache).unwrap();
    offset.store(3589, Ordering::SeqCst);
    provide(&cache).unwrap();
    assert_eq!(inner.calls(), 1);
    offset.store(3591, Ordering::SeqCst);
    provide(&cache).unwrap();
    assert_eq!(inner.calls(), 2);
    cache.invalidate();
    provide(&cache).unwrap();
    assert_eq!(inner.calls(), 3);
}

#[test]
fn cache_keeps_credentials_without_expiry_forever() {
    let inner = Counting::new(None);
    let (clock, offset) = fake_clock(timestamp(0));
    let cache = CachingProvider::new(inner.clone()).with_clock(clock);
    provide(&cache).unwrap();
    offset.store(100 * 365 * 86_400, Ordering::SeqCst);
    assert_eq!(provide(&cache).unwrap().access_key_id(), "AKID1");
    assert_eq!(inner.calls(), 1);
}

#[test]
fn cache_does_not_keep_errors_and_falls_back_to_unexpired_credentials() {
    let start = timestamp(1_000_000);
    let inner = Counting::new(Some(start + Duration::from_secs(3600)));
    let (clock, offset) = fake_clock(start);
    let cache = CachingProvider::new(inner.clone()).with_clock(clock);
    inner.failing.store(true, Ordering::SeqCst);
    assert_eq!(error_of(&cache), "call 1 failed");
    assert_eq!(error_of(&cache), "call 2 failed");
    inner.failing.store(false, Ordering::SeqCst);
    assert_eq!(provide(&cache).unwrap().access_key_id(), "AKID3");
    // Within the buffer, a failed refresh gives the credentials that still work...
    inner.failing.store(true, Ordering::SeqCst);
    offset.store(3500, Ordering::SeqCst);
    assert_eq!(provide(&cache).unwrap().access_key_id(), "AKID3");
    // ...but not once they have expired.
    offset.store(3600, Ordering::SeqCst);
    assert_eq!(error_of(&cache), "call 5 failed");
}

#[test]
fn cache_callers_share_one_refresh() {
    let mut inner = Counting::new(None);
    inner.delay = Some(Duration::from_millis(20));
    let cache = CachingProvider::new(inner.clone());
    block_on(async {
        let (a, b, c) = tokio::join!(
            cache.provide_credentials(),
            cache.provide_credentials(),
            cache.provide_credentials()
        );
        assert_eq!(a.unwrap().access_key_id(), "AKID1");
        assert_eq!(b.unwrap().access_key_id(), "AKID1");
        assert_eq!(c.unwrap().access_key_id(), "AKID1");
    });
    assert_eq!(inner.calls(), 1);

    // Errors are shared with the callers that waited, too.
    let mut inner = Counting::new(None);
    inner.delay = Some(Duration::from_millis(20));
    inner.failing.store(true, Ordering::SeqCst);
    let cache = CachingProvider::new(inner.clone());
    block_on(async {
        let (a, b) = tokio::join!(cache.provide_credentials(), cache.provide_credentials());
        assert_eq!(a.unwrap_err().message(), "call 1 failed");
        assert_eq!(b.unwrap_err().message(), "call 1 failed");
    });
    assert_eq!(inner.calls(), 1);
}

#[test]
fn cache_recovers_when_the_asking_caller_is_dropped() {
    let mut inner = Counting::new(None);
    inner.delay = Some(Duration::from_millis(50));
    let cache = CachingProvider::new(inner.clone());
    block_on(async {
        let leader = tokio::time::timeout(Duration::from_millis(5), cache.provide_credentials());
        let waiter = async {
            // Starts waiting after the leader has begun asking.
            tokio::task::yield_now().await;
            cache.provide_credentials().await
        };
        let (leader, waiter) = tokio::join!(leader, waiter);
        assert!(leader.is_err(), "the leader timed out");
        assert_eq!(waiter.unwrap().access_key_id(), "AKID2");
    });
    assert_eq!(inner.calls(), 2);
}

// ---------------------------------------------------------------- secrets

#[test]
fn debug_never_shows_secrets() {
    let env = files_env(&[("AWS_SECRET_ACCESS_KEY", "very-secret-env-value")]);
    let profiles = load_profiles(&env).unwrap();
    let credentials = provide(&ProfileProvider::new(env.clone())).unwrap();
    let cache = CachingProvider::new(ProfileProvider::new(env.clone()));
    provide(&cache).unwrap();
    let texts = [
        format!("{env:?}"),
        format!("{profiles:?}"),
        format!("{credentials:?}"),
        format!("{cache:?}"),
        format!("{:?}", default_chain(env.clone(), Some(refused()))),
        format!("{:?}", EcsProvider::new(env.clone(), refused())),
        format!("{:?}", ImdsProvider::new(env, refused())),
    ];
    for text in texts {
        for secret in [
            "very-secret-env-value",
            "default#secret",
            "credentials-secret",
            "dev-token",
            "config-secret",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
    }
    assert!(format!("{profiles:?}").contains("aws_secret_access_key"));
}

// ---------------------------------------------------------------- through a real socket

#[cfg(feature = "hyper-client")]
mod loopback {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;
    use smithy_runtime::client::HyperTransport;

    /// Reads one request's head from a connection and answers it with `body`; returns the head.
    async fn answer_once(listener: &TcpListener, body: &str) -> String {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buffer = [0; 1024];
        while !head.windows(4).any(|window| window == b"\r\n\r\n") {
            let read = socket.read(&mut buffer).await.unwrap();
            assert_ne!(read, 0, "the connection closed before the request's head ended");
            head.extend_from_slice(&buffer[..read]);
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(response.as_bytes()).await.unwrap();
        String::from_utf8(head).unwrap()
    }

    #[test]
    fn ecs_credentials_over_a_socket() {
        block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let uri = format!("http://{}/v1/credentials", listener.local_addr().unwrap());
            let env = env(&[
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "socket-token"),
            ]);
            let transport = Arc::new(HyperTransport::new().with_timeout(Duration::from_secs(5)));
            let provider = EcsProvider::new(env, transport);
            let (head, credentials) =
                tokio::join!(answer_once(&listener, CONTAINER_JSON), provider.provide_credentials());
            assert_eq!(credentials.unwrap().access_key_id(), "ASIACONTAINER");
            let head = head.to_ascii_lowercase();
            assert!(head.starts_with("get /v1/credentials http/1.1\r\n"), "{head}");
            assert!(head.contains("\r\nauthorization: socket-token\r\n"), "{head}");
        });
    }

    #[test]
    fn silent_metadata_service_times_out_into_the_chain_error() {
        block_on(async {
            // A service that accepts connections and never answers.
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let endpoint = format!("http://{}", listener.local_addr().unwrap());
            let env = home_env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint.as_str())]);
            let transport = Arc::new(HyperTransport::new().with_timeout(Duration::from_millis(200)));
            let chain = default_chain(env, Some(transport));
            let hold = async {
                let (socket, _) = listener.accept().await.unwrap();
                tokio::time::sleep(Duration::from_secs(2)).await;
                drop(socket);
            };
            let answer = tokio::select! {
                answer = chain.provide_credentials() => answer,
                () = hold => panic!("the transport's timeout did not end the request"),
            };
            let message = answer.unwrap_err().to_string();
            assert!(
                message.ends_with(&format!(
                    "EC2 instance metadata ({endpoint}: no whole response within 200ms)"
                )),
                "{message}"
            );
        });
    }
}
