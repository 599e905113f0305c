//! The default chain and its providers, against fake environments and a fake metadata service.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::auth::ProvideCredentials;
use crate::transport::TransportFuture;

/// A fake instance metadata service: answers the token request with `token_status` and, with a
/// token, gives a role and its credentials; records the paths asked for.
struct FakeImds {
    token_status: u16,
    asked: Mutex<Vec<String>>,
}

impl FakeImds {
    fn new(token_status: u16) -> Arc<Self> {
        Arc::new(Self {
            token_status,
            asked: Mutex::new(Vec::new()),
        })
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().expect("no thread panicked").clone()
    }
}

impl Transport for FakeImds {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let path = request.uri().path().to_owned();
        self.asked.lock().expect("no thread panicked").push(path.clone());
        let (status, body) = match path.as_str() {
            "/latest/api/token" => (self.token_status, "token"),
            path => answer(path),
        };
        respond(status, body)
    }
}

/// What a working metadata service answers to `path`: a token, a role, its credentials.
fn answer(path: &str) -> (u16, &'static str) {
    match path {
        "/latest/api/token" => (200, "token"),
        "/latest/meta-data/iam/security-credentials/" => (200, "role"),
        _ => (
            200,
            r#"{"Code":"Success","AccessKeyId":"IMDSKEY","SecretAccessKey":"s","Token":"t"}"#,
        ),
    }
}

fn respond(status: u16, body: &str) -> TransportFuture<'static> {
    let response = http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .expect("a valid response");
    Box::pin(std::future::ready(Ok(response)))
}

/// An environment without credentials files, with `vars` and a config file holding `config`.
fn env_with(vars: &[(&str, &str)], config: Option<&str>) -> Env {
    let mut all: Vec<(String, String)> = vec![
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
            "/nonexistent/credentials".to_owned(),
        ),
        ("AWS_CONFIG_FILE".to_owned(), "/fake/config".to_owned()),
    ];
    all.extend(
        vars.iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    let env = Env::from_vars(all);
    match config {
        Some(config) => env.with_file("/fake/config", config),
        None => env,
    }
}

fn chain(env: Env, imds: &Arc<FakeImds>) -> ChainProvider {
    let transport: Arc<dyn Transport> = imds.clone();
    default_chain(env, Some(transport))
}

#[tokio::test]
async fn the_fake_metadata_service_gives_credentials_when_nothing_else_is_configured() {
    let imds = FakeImds::new(200);
    let credentials = chain(env_with(&[], None), &imds)
        .provide_credentials()
        .await
        .expect("credentials from instance metadata");
    assert_eq!(credentials.access_key_id(), "IMDSKEY");
}

#[tokio::test]
async fn web_identity_variables_that_cannot_be_used_stop_the_chain_with_an_error_that_names_them() {
    for (vars, expected) in [
        (
            &[
                ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
                ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
            ][..],
            "failed to read the web identity token `/var/run/token`",
        ),
        (&[("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token")][..], "AWS_ROLE_ARN"),
    ] {
        let imds = FakeImds::new(200);
        let error = chain(env_with(vars, None), &imds)
            .provide_credentials()
            .await
            .expect_err("the token cannot be used");
        let message = error.to_string();
        assert!(message.contains(expected), "{expected} in {message}");
        assert!(message.contains("web identity"), "{message}");
        assert!(imds.asked().is_empty(), "{:?}", imds.asked());
    }
    // `AWS_ROLE_ARN` alone configures nothing: the chain goes on.
    let imds = FakeImds::new(200);
    let credentials = chain(env_with(&[("AWS_ROLE_ARN", "arn:aws:iam::1:role/r")], None), &imds)
        .provide_credentials()
        .await
        .expect("the instance's credentials");
    assert_eq!(credentials.access_key_id(), "IMDSKEY");
}

#[tokio::test]
async fn an_incomplete_credentials_setting_of_a_profile_is_an_error_that_names_it() {
    for (key, expected) in [
        ("role_arn", Some("`source_profile`")),
        ("credential_source", Some("`credential_source = something`")),
        ("web_identity_token_file", Some("`role_arn` was missing")),
        ("sso_session", Some("[sso-session something]")),
        ("sso_account_id", Some("`sso_role_name`")),
        ("sso_role_name", Some("`sso_account_id`")),
        ("login_session", Some("console sign-in")),
        // Neither configures credentials on its own: the chain goes on.
        ("source_profile", None),
        ("sso_start_url", None),
    ] {
        let config = format!("[default]\nregion = us-east-1\n{key} = something\n");
        let imds = FakeImds::new(200);
        let result = chain(env_with(&[], Some(&config)), &imds).provide_credentials().await;
        match (result, expected) {
            (Err(error), Some(expected)) => {
                let message = error.to_string();
                assert!(message.contains(expected), "{key}: {expected} in {message}");
                assert!(message.contains("profile `default`"), "{message}");
                assert!(imds.asked().is_empty(), "{key}: {:?}", imds.asked());
            }
            (Ok(credentials), None) => assert_eq!(credentials.access_key_id(), "IMDSKEY", "{key}"),
            (result, _) => panic!("{key}: {result:?}"),
        }
    }
}

#[tokio::test]
async fn with_no_credentials_anywhere_the_error_lists_every_place_and_why() {
    let imds = FakeImds::new(403);
    let error = chain(env_with(&[], None), &imds)
        .provide_credentials()
        .await
        .expect_err("no credentials");
    let message = error.to_string();
    for expected in [
        "environment (AWS_ACCESS_KEY_ID not set)",
        "profile `default` (",
        "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE not set)",
        "ECS container (",
        "EC2 instance metadata (http://169.254.169.254/latest/api/token answered 403 Forbidden",
    ] {
        assert!(message.contains(expected), "{expected} in {message}");
    }
}

#[tokio::test]
async fn a_failing_place_is_reported_with_the_places_looked_at_before_it() {
    // The metadata service answers 500 to the token request: it is there, and failing.
    let imds = FakeImds::new(500);
    let error = chain(env_with(&[], None), &imds)
        .provide_credentials()
        .await
        .expect_err("the service fails");
    let message = error.to_string();
    assert!(
        message.starts_with("an error occurred while loading credentials: EC2 instance metadata: "),
        "{message}"
    );
    assert!(message.contains("500"), "{message}");
    for place in [
        "environment (",
        "profile `default` (",
        "web identity token (",
        "ECS container (",
    ] {
        assert!(message.contains(place), "{place} in {message}");
    }
}

/// A profile provider whose `default` profile runs `command`.
#[cfg(unix)]
fn process_provider(command: &str) -> ProfileProvider {
    let config = format!("[default]\ncredential_process = {command}\n");
    ProfileProvider::new(env_with(&[("PATH", "/usr/bin:/bin")], Some(&config)))
}

#[cfg(unix)]
const PROCESS_OUTPUT: &str = r#"{"Version":1,"AccessKeyId":"PROCESSKEY","SecretAccessKey":"s"}"#;

#[cfg(unix)]
#[tokio::test]
async fn a_credential_process_does_not_block_the_executor() {
    let provider = process_provider(&format!("sleep 1; echo '{PROCESS_OUTPUT}'"));
    let started = std::time::Instant::now();
    // On this single-threaded runtime, the timer only fires in time if the provider lets the
    // thread go while the command runs.
    let ticker = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        started.elapsed()
    };
    let (credentials, ticked) = tokio::join!(provider.provide_credentials(), ticker);
    assert_eq!(
        credentials.expect("the command's credentials").access_key_id(),
        "PROCESSKEY"
    );
    assert!(ticked < Duration::from_millis(700), "the timer fired after {ticked:?}");
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[cfg(unix)]
#[tokio::test]
async fn a_credential_process_that_runs_too_long_is_killed() {
    let provider = process_provider("exec sleep 30").with_process_timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let error = provider.provide_credentials().await.expect_err("too slow");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let message = error.to_string();
    assert!(message.contains("did not finish within 0.3 s"), "{message}");
    assert!(message.contains("profile `default`"), "{message}");
}

/// A process that the command started in the background goes with it.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_credential_process_that_runs_too_long_is_killed_with_what_it_started() {
    let pid_file = std::env::temp_dir().join(format!(
        "smithy-runtime-process-{}-{}",
        std::process::id(),
        crate::primitives::idempotency_token()
    ));
    let provider = process_provider(&format!("sleep 30 & echo $! > '{}'; wait", pid_file.display()))
        .with_process_timeout(Duration::from_millis(500));
    let error = provider.provide_credentials().await.expect_err("too slow");
    assert!(error.to_string().contains("did not finish"), "{error}");
    let pid = std::fs::read_to_string(&pid_file).expect("the background process's id");
    let stat = format!("/proc/{}/stat", pid.trim());
    // Gone, or dead and waiting to be reaped by whoever adopted it.
    let gone = || std::fs::read_to_string(&stat).map_or(true, |stat| stat.contains(") Z "));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !gone() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = std::fs::remove_file(&pid_file);
    assert!(gone(), "the background `sleep` ({}) still runs", pid.trim());
}

#[cfg(unix)]
#[tokio::test]
async fn a_credential_process_that_prints_too_much_is_killed() {
    // `yes` prints without end.
    let provider = process_provider("exec yes");
    let started = std::time::Instant::now();
    let error = provider.provide_credentials().await.expect_err("too much output");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let message = error.to_string();
    assert!(message.contains("more than 65536 bytes"), "{message}");

    // Just under the limit is read (and is not credentials).
    let provider = process_provider("head -c 65536 /dev/zero | tr '\\\\0' ' '");
    let error = provider.provide_credentials().await.expect_err("not JSON");
    assert!(error.to_string().contains("not JSON"), "{error}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_failing_credential_process_reports_its_status_and_error_output() {
    let provider = process_provider("echo 'no session' >&2; exit 3");
    let error = provider.provide_credentials().await.expect_err("it fails");
    let message = error.to_string();
    assert!(message.contains("no session"), "{message}");
    assert!(message.contains('3'), "{message}");
}

#[tokio::test]
async fn blank_access_keys_in_the_environment_count_as_unset() {
    for blank in ["", " ", "\t \n"] {
        let imds = FakeImds::new(200);
        let env = env_with(
            &[("AWS_ACCESS_KEY_ID", blank), ("AWS_SECRET_ACCESS_KEY", blank)],
            Some("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n"),
        );
        let credentials = chain(env, &imds)
            .provide_credentials()
            .await
            .expect("the profile's keys, the environment's being blank");
        assert_eq!(credentials.access_key_id(), "FILEKEY", "{blank:?}");
    }
}

#[tokio::test]
async fn keys_in_the_shared_files_are_matched_without_regard_to_case() {
    let imds = FakeImds::new(200);
    let env = env_with(
        &[],
        Some("[default]\nAWS_ACCESS_KEY_ID = UPPERKEY\nAws_Secret_Access_Key = secret\nRegion = eu-west-1\n"),
    );
    let credentials = chain(env.clone(), &imds)
        .provide_credentials()
        .await
        .expect("the profile's keys, whatever their case");
    assert_eq!(credentials.access_key_id(), "UPPERKEY");
    assert_eq!(credentials.secret_access_key(), "secret");
    let profiles = load_profiles(&env).expect("the files read");
    assert_eq!(region_from_env(&env, &profiles).as_deref(), Some("eu-west-1"));
    assert!(imds.asked().is_empty());
}

/// A metadata service that answers the first `failures` requests with 503, then as
/// [`FakeImds`] does; records each request's URI.
struct FlakyImds {
    failures: Mutex<usize>,
    asked: Mutex<Vec<String>>,
}

impl Transport for FlakyImds {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        self.asked
            .lock()
            .expect("no thread panicked")
            .push(request.uri().to_string());
        let mut failures = self.failures.lock().expect("no thread panicked");
        let (status, body) = if *failures > 0 {
            *failures -= 1;
            (503, "")
        } else {
            answer(request.uri().path())
        };
        respond(status, body)
    }
}

#[tokio::test]
async fn instance_metadata_requests_are_retried_on_5xx() {
    for (failures, succeeds) in [(0, true), (2, true), (3, false)] {
        let imds = Arc::new(FlakyImds {
            failures: Mutex::new(failures),
            asked: Mutex::new(Vec::new()),
        });
        let transport: Arc<dyn Transport> = imds.clone();
        let outcome = ImdsProvider::new(env_with(&[], None), transport)
            .provide_credentials()
            .await;
        assert_eq!(outcome.is_ok(), succeeds, "{failures} failures: {outcome:?}");
        let asked = imds.asked.lock().expect("no thread panicked").clone();
        // The token request is sent again after each 503, three times at most.
        let token_requests = asked.iter().filter(|uri| uri.ends_with("/latest/api/token")).count();
        assert_eq!(token_requests, (failures + 1).min(3), "{asked:?}");
    }
}

#[tokio::test]
async fn the_profile_names_the_metadata_endpoint_or_its_mode() {
    let provide = |config: &str| {
        let imds = Arc::new(FlakyImds {
            failures: Mutex::new(0),
            asked: Mutex::new(Vec::new()),
        });
        let transport: Arc<dyn Transport> = imds.clone();
        let provider = ImdsProvider::new(env_with(&[], Some(config)), transport);
        async move {
            let outcome = provider.provide_credentials().await;
            let asked = imds.asked.lock().expect("no thread panicked").clone();
            (outcome, asked)
        }
    };
    let (outcome, asked) = provide("[default]\nec2_metadata_service_endpoint = http://10.0.0.9:1338/\n").await;
    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(
        asked.iter().all(|uri| uri.starts_with("http://10.0.0.9:1338/latest/")),
        "{asked:?}"
    );
    let (outcome, asked) = provide("[default]\nec2_metadata_service_endpoint_mode = IPv6\n").await;
    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(
        asked
            .iter()
            .all(|uri| uri.starts_with("http://[fd00:ec2::254]/latest/")),
        "{asked:?}"
    );
    let (outcome, asked) = provide("[default]\nec2_metadata_service_endpoint_mode = IPv5\n").await;
    let message = outcome.expect_err("an invalid mode is an error").to_string();
    assert!(
        message.contains("`ec2_metadata_service_endpoint_mode` of profile `default` must be IPv4 or IPv6"),
        "{message}"
    );
    assert!(asked.is_empty(), "{asked:?}");
}

/// A metadata service that knows its region.
struct RegionImds;

impl Transport for RegionImds {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        match request.uri().path() {
            "/latest/meta-data/placement/region" => respond(200, "eu-north-1\n"),
            path => {
                let (status, body) = answer(path);
                respond(status, body)
            }
        }
    }
}

#[tokio::test]
async fn the_region_comes_from_instance_metadata_unless_turned_off() {
    let transport: Arc<dyn Transport> = Arc::new(RegionImds);
    let region = ImdsProvider::new(env_with(&[], None), transport.clone()).region().await;
    assert_eq!(region.as_deref(), Some("eu-north-1"));
    let off = env_with(&[("AWS_EC2_METADATA_DISABLED", "true")], None);
    assert_eq!(ImdsProvider::new(off, transport).region().await, None);
    // A service that cannot say gives none.
    let imds = FakeImds::new(403);
    let transport: Arc<dyn Transport> = imds;
    assert_eq!(ImdsProvider::new(env_with(&[], None), transport).region().await, None);
}

#[test]
fn a_file_written_to_disk_replaces_the_old_one_whole_and_only_its_owner_reads_it() {
    let dir = std::env::temp_dir().join(format!("smithy-runtime-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("token.json");
    std::fs::write(&path, "old and longer than the new contents").unwrap();
    let env = Env::from_vars([("HOME", "/nowhere")]);
    env.write_file(&path, "{\"accessToken\":\"new\"}").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"accessToken\":\"new\"}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // Nothing is left beside it.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    // An environment without disk keeps what it writes in memory.
    let memory = Env::from_vars([("HOME", "/nowhere")]).without_disk();
    memory.write_file(&dir.join("other.json"), "kept").unwrap();
    assert_eq!(memory.read_file(&dir.join("other.json")).unwrap(), "kept");
    assert!(!dir.join("other.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
