//! Local stand-ins for AWS services, built from their models: the generated servers of STS
//! (awsQuery) and S3 (restXml) implemented in memory, called by the generated clients over
//! loopback HTTP/1.1. What a user who runs LocalStack or moto for tests could build instead.
//! Pins:
//! - STS: an input that breaks the model's constraints is refused with `ValidationException`
//!   before the implementation sees it; AssumeRole's input reaches the implementation whole, its credentials come back (the
//!   secret too, and out of `Debug`), and a modelled error (`RegionDisabledException`) crosses
//!   the wire as that error with its message and status;
//! - S3: PutObject stores the body under the bucket and key the server reads from a path-style
//!   request, GetObject returns it with its content type, and a missing key is `NoSuchKey`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_services::{s3_local as s3, sts};
use smithy_runtime::auth::Credentials;
use smithy_runtime::client::{Config, HyperTransport, RetryConfig};
use smithy_runtime::error::UnhandledError;
use smithy_runtime::primitives::{ByteStream, DateTime};
use tokio::net::TcpListener;

const TIMEOUT: Duration = Duration::from_secs(20);

async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .expect("the call finished in time")
}

/// A configuration that signs for `us-east-1` and sends every request to `endpoint`.
fn config(endpoint: &str) -> Config {
    Config::new(HyperTransport::new(), endpoint)
        .with_region("us-east-1")
        .with_credentials(Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ))
        .with_retry(RetryConfig::disabled())
}

/// STS in memory: every role may be assumed but those of `denied`.
#[derive(Default)]
struct LocalSts {
    seen: Mutex<Vec<sts::operation::assume_role::AssumeRoleInput>>,
}

impl sts::service::AwsSecurityTokenServiceV20110615 for LocalSts {
    async fn get_caller_identity(
        &self,
        _: sts::operation::get_caller_identity::GetCallerIdentityInput,
    ) -> Result<
        sts::operation::get_caller_identity::GetCallerIdentityOutput,
        sts::operation::get_caller_identity::GetCallerIdentityError,
    > {
        Ok(sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
            .account("000000000000")
            .arn("arn:aws:iam::000000000000:root")
            .user_id("AIDALOCAL")
            .build())
    }

    async fn assume_role(
        &self,
        input: sts::operation::assume_role::AssumeRoleInput,
    ) -> Result<sts::operation::assume_role::AssumeRoleOutput, sts::operation::assume_role::AssumeRoleError> {
        self.seen.lock().unwrap().push(input.clone());
        if input.role_arn.ends_with("/denied") {
            return Err(sts::operation::assume_role::AssumeRoleError::RegionDisabledException(
                sts::types::error::RegionDisabledException::builder()
                    .message("STS is not activated in this region")
                    .build(),
            ));
        }
        let credentials = sts::types::Credentials::builder()
            .access_key_id("ASIALOCAL")
            .secret_access_key("local-secret")
            .session_token("local-token")
            .expiration(DateTime::from_secs(1_800_000_000))
            .build()
            .expect("the credentials are complete");
        Ok(sts::operation::assume_role::AssumeRoleOutput::builder()
            .credentials(credentials)
            .build())
    }
}

#[tokio::test]
async fn a_local_sts_answers_the_generated_client() {
    if !aws_services::models_found() {
        return;
    }
    use sts::service::AwsSecurityTokenServiceV20110615;
    let service = Arc::new(LocalSts::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = service.clone();
    tokio::spawn(async move {
        let result = sts::server::serve(listener, sts::server::Server::from_arc(server)).await;
        panic!("the server stopped: {result:?}");
    });
    let client = sts::client::Client::new(&config(&endpoint));

    let identity = within(
        client.get_caller_identity(sts::operation::get_caller_identity::GetCallerIdentityInput::builder().build()),
    )
    .await
    .expect("GetCallerIdentity succeeds");
    assert_eq!(identity.account.as_deref(), Some("000000000000"));

    // The server checks the model's constraints: a session name has no spaces.
    let invalid = sts::operation::assume_role::AssumeRoleInput::builder()
        .role_arn("arn:aws:iam::000000000000:role/app")
        .role_session_name("test session")
        .build()
        .expect("the input is complete");
    let error = within(client.assume_role(invalid))
        .await
        .expect_err("the name is refused");
    {
        let error = error.as_service_error();
        assert_eq!((error.code(), error.status()), (Some("ValidationException"), 400));
        assert!(
            error.message().unwrap_or_default().contains("/RoleSessionName"),
            "{error}"
        );
    }
    assert!(
        service.seen.lock().unwrap().is_empty(),
        "a refused request does not reach the service"
    );

    let input = sts::operation::assume_role::AssumeRoleInput::builder()
        .role_arn("arn:aws:iam::000000000000:role/app")
        .role_session_name("test-session")
        .duration_seconds(900)
        .policy_arns(vec![sts::types::PolicyDescriptorType::builder()
            .arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
            .build()])
        .build()
        .expect("the input is complete");
    let output = within(client.assume_role(input.clone()))
        .await
        .expect("AssumeRole succeeds");
    let credentials = output.credentials.as_ref().expect("credentials");
    assert_eq!(credentials.access_key_id, "ASIALOCAL");
    assert_eq!(credentials.secret_access_key, "local-secret");
    assert_eq!(credentials.expiration, DateTime::from_secs(1_800_000_000));
    assert!(!format!("{output:?}").contains("local-secret"));
    assert_eq!(service.seen.lock().unwrap().as_slice(), [input]);

    let denied = sts::operation::assume_role::AssumeRoleInput::builder()
        .role_arn("arn:aws:iam::000000000000:role/denied")
        .role_session_name("session")
        .build()
        .expect("the input is complete");
    match within(client.assume_role(denied)).await {
        Err(sts::operation::assume_role::AssumeRoleError::RegionDisabledException(error)) => {
            assert_eq!(error.message(), Some("STS is not activated in this region"));
            assert_eq!(sts::error::ServiceError::status(&error), 403);
        }
        other => panic!("expected RegionDisabledException, got {other:?}"),
    }
}

/// An object's bytes and content type.
type Stored = (Vec<u8>, Option<String>);

/// S3 in memory: objects by bucket and key.
#[derive(Default)]
struct LocalS3 {
    objects: Mutex<HashMap<(String, String), Stored>>,
}

impl s3::service::AmazonS3 for LocalS3 {
    async fn put_object(
        &self,
        input: s3::operation::put_object::PutObjectInput,
    ) -> Result<s3::operation::put_object::PutObjectOutput, s3::operation::put_object::PutObjectError> {
        // The server checked that both are there.
        let key = (input.bucket, input.key);
        // The body streams: read whole.
        let body = input.body.collect().await.map_err(|error| {
            s3::operation::put_object::PutObjectError::Unhandled(UnhandledError::invalid_input(error))
        })?;
        let etag = format!("\"{}\"", body.len());
        self.objects.lock().unwrap().insert(key, (body, input.content_type));
        Ok(s3::operation::put_object::PutObjectOutput::builder()
            .e_tag(etag)
            .build())
    }

    async fn get_object(
        &self,
        input: s3::operation::get_object::GetObjectInput,
    ) -> Result<s3::operation::get_object::GetObjectOutput, s3::operation::get_object::GetObjectError> {
        let key = (input.bucket, input.key);
        let found = self.objects.lock().unwrap().get(&key).cloned();
        let Some((body, content_type)) = found else {
            return Err(s3::operation::get_object::GetObjectError::NoSuchKey(
                s3::types::error::NoSuchKey::builder().build(),
            ));
        };
        let mut output = s3::operation::get_object::GetObjectOutput::builder()
            .content_length(body.len() as i64)
            .body(ByteStream::new(body));
        if let Some(content_type) = content_type {
            output = output.content_type(content_type);
        }
        Ok(output.build())
    }

    async fn list_objects_v2(
        &self,
        input: s3::operation::list_objects_v2::ListObjectsV2Input,
    ) -> Result<s3::operation::list_objects_v2::ListObjectsV2Output, s3::operation::list_objects_v2::ListObjectsV2Error>
    {
        let bucket = input.bucket;
        let mut keys: Vec<String> = self
            .objects
            .lock()
            .unwrap()
            .keys()
            .filter(|(found, _)| *found == bucket)
            .map(|(_, key)| key.clone())
            .collect();
        keys.sort();
        let contents: Vec<s3::types::Object> = keys
            .into_iter()
            .map(|key| s3::types::Object::builder().key(key).build())
            .collect();
        Ok(s3::operation::list_objects_v2::ListObjectsV2Output::builder()
            .name(bucket)
            .contents(contents)
            .build())
    }
}

#[tokio::test]
async fn a_local_s3_stores_and_returns_objects() {
    if !aws_services::models_found() {
        return;
    }
    use s3::service::AmazonS3;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    // An IP endpoint: S3's rules address buckets by path, which the server routes on.
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let result = s3::server::serve(listener, s3::server::Server::new(LocalS3::default())).await;
        panic!("the server stopped: {result:?}");
    });
    let client = s3::client::Client::new(&config(&endpoint));
    let put = s3::operation::put_object::PutObjectInput::builder()
        .bucket("local-bucket")
        .key("dir/hello world.txt")
        .content_type("text/plain")
        .body(ByteStream::new(b"hello from a local S3".to_vec()))
        .build()
        .expect("the input is complete");
    let output = within(client.put_object(put)).await.expect("PutObject succeeds");
    assert_eq!(output.e_tag.as_deref(), Some("\"21\""));

    let get = |key: &str| {
        s3::operation::get_object::GetObjectInput::builder()
            .bucket("local-bucket")
            .key(key)
            .build()
            .expect("the input is complete")
    };
    let mut output = within(client.get_object(get("dir/hello world.txt")))
        .await
        .expect("GetObject succeeds");
    // The object streams: read whole.
    let body = within(std::mem::take(&mut output.body).collect())
        .await
        .expect("the body is read");
    assert_eq!(body, b"hello from a local S3");
    assert_eq!(output.content_type.as_deref(), Some("text/plain"));

    let list = s3::operation::list_objects_v2::ListObjectsV2Input::builder()
        .bucket("local-bucket")
        .build()
        .expect("the input is complete");
    let output = within(client.list_objects_v2(list))
        .await
        .expect("ListObjectsV2 succeeds");
    let keys: Vec<_> = output
        .contents
        .iter()
        .flatten()
        .filter_map(|object| object.key.as_deref())
        .collect();
    assert_eq!(keys, ["dir/hello world.txt"]);

    match within(client.get_object(get("missing"))).await {
        Err(s3::operation::get_object::GetObjectError::NoSuchKey(_)) => {}
        other => panic!("expected NoSuchKey, got {other:?}"),
    }
}
