//! Prints, one JSON object a line, the request the generated S3 client sends for each case of
//! a cases file (`scripts/botocore/s3-cases.json`): method, URL, headers and body, as the
//! client's whole pipeline makes it (endpoint rules, checksums, signing) for `us-west-2`.
//! `scripts/compare-botocore.sh` compares them with botocore's.
//!
//! Each case is `{"name", "operation", "params", "body"?}`: `params` are the input's members by
//! name (the serde form of the input), `body` the text of PutObject's or UploadPart's body.

use std::sync::{Arc, Mutex};

use aws_services::s3;
use smithy_runtime::auth::Credentials;
use smithy_runtime::client::{call, Config, RetryConfig, Transport, TransportError, TransportFuture};
use smithy_runtime::operation::Operation;
use smithy_runtime::primitives::ByteStream;

/// Keeps the request it is given and answers nothing.
#[derive(Default)]
struct Capture(Mutex<Option<http::Request<Vec<u8>>>>);

impl Transport for Capture {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        *self.0.lock().unwrap() = Some(request);
        Box::pin(async { Err(TransportError::from("captured")) })
    }
}

/// The input of `params`.
fn decode<T: for<'de> smithy_runtime::serde::Deserialize<'de>>(params: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(params).map_err(|error| format!("the params do not decode: {error}"))
}

/// The request a call of `O` with the input of `params` sends.
async fn request<O: Operation>(params: serde_json::Value) -> Result<http::Request<Vec<u8>>, String>
where
    O::Input: for<'de> smithy_runtime::serde::Deserialize<'de>,
{
    send::<O>(decode(params)?).await
}

/// The request a call of `O` with `input` sends.
async fn send<O: Operation>(input: O::Input) -> Result<http::Request<Vec<u8>>, String> {
    let capture = Arc::new(Capture::default());
    let transport: Arc<dyn Transport> = capture.clone();
    let config = Config::from_transport(transport)
        .with_region("us-west-2")
        .with_credentials(Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ))
        .with_retry(RetryConfig::disabled());
    let _ = call::<O>(&config, input).await;
    let request = capture.0.lock().unwrap().take();
    request.ok_or_else(|| "the client sent no request".to_owned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if !aws_services::MODELS_FOUND {
        eprintln!("the AWS models under ../shared/models are missing");
        std::process::exit(2);
    }
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scripts/botocore/s3-cases.json".to_owned());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("the cases are a JSON list");
    for case in cases {
        let name = case["name"].as_str().unwrap_or_default().to_owned();
        let params = case["params"].clone();
        let body = ByteStream::new(case["body"].as_str().unwrap_or_default().as_bytes().to_vec());
        let result = match case["operation"].as_str().unwrap_or_default() {
            "PutObject" => match decode::<s3::operation::put_object::PutObjectInput>(params) {
                Ok(mut input) => {
                    input.body = body;
                    send::<s3::operation::put_object::PutObject>(input).await
                }
                Err(error) => Err(error),
            },
            "GetObject" => request::<s3::operation::get_object::GetObject>(params).await,
            "HeadObject" => request::<s3::operation::head_object::HeadObject>(params).await,
            "DeleteObject" => request::<s3::operation::delete_object::DeleteObject>(params).await,
            "DeleteObjects" => request::<s3::operation::delete_objects::DeleteObjects>(params).await,
            "ListObjectsV2" => request::<s3::operation::list_objects_v2::ListObjectsV2>(params).await,
            "CopyObject" => request::<s3::operation::copy_object::CopyObject>(params).await,
            "CreateBucket" => request::<s3::operation::create_bucket::CreateBucket>(params).await,
            "PutObjectTagging" => request::<s3::operation::put_object_tagging::PutObjectTagging>(params).await,
            "UploadPart" => match decode::<s3::operation::upload_part::UploadPartInput>(params) {
                Ok(mut input) => {
                    input.body = body;
                    send::<s3::operation::upload_part::UploadPart>(input).await
                }
                Err(error) => Err(error),
            },
            "CompleteMultipartUpload" => {
                request::<s3::operation::complete_multipart_upload::CompleteMultipartUpload>(params).await
            }
            "GetBucketLocation" => request::<s3::operation::get_bucket_location::GetBucketLocation>(params).await,
            other => Err(format!("no such operation here: {other}")),
        };
        let line = match result {
            Ok(request) => {
                let headers: serde_json::Map<String, serde_json::Value> = request
                    .headers()
                    .iter()
                    .map(|(name, value)| {
                        (
                            name.as_str().to_owned(),
                            serde_json::Value::from(String::from_utf8_lossy(value.as_bytes()).into_owned()),
                        )
                    })
                    .collect();
                serde_json::json!({
                    "name": name,
                    "method": request.method().as_str(),
                    "url": request.uri().to_string(),
                    "headers": headers,
                    "body": String::from_utf8_lossy(request.body()),
                })
            }
            Err(error) => serde_json::json!({ "name": name, "error": error }),
        };
        println!("{line}");
    }
}
