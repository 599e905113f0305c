//! A large S3 GetObject over loopback HTTP/1.1: ours (the generated client on the hyper
//! transport) against `aws-sdk-s3` (its default HTTP client), each reading the body piece by
//! piece and dropping it. A server in the same process sends the object from a pattern, as fast
//! as the client takes it. Prints the throughput and the process's peak resident memory.
//!
//! Run once per client, so that each process's peak memory is its own:
//! `s3_download ours` or `s3_download sdk`; `DOWNLOAD_BYTES` sets the object's size (default
//! 1 GiB). Built and run by `scripts/bench-s3.sh` (`PARTS=download`).

use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const PIECE: usize = 64 * 1024;

/// Serves an object of `length` bytes to every request; returns the endpoint.
async fn serve(length: u64) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let pattern: Vec<u8> = (0..PIECE as u64 + 251).map(|n| (n % 251) as u8).collect();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let pattern = pattern.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|window| window == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nContent-Type: application/octet-stream\r\nETag: \"e\"\r\n\r\n"
                );
                if stream.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
                let mut sent = 0u64;
                while sent < length {
                    let piece = (length - sent).min(PIECE as u64) as usize;
                    let start = (sent % 251) as usize;
                    if stream.write_all(&pattern[start..start + piece]).await.is_err() {
                        return;
                    }
                    sent += piece as u64;
                }
            });
        }
    });
    endpoint
}

/// The peak resident memory of this process, in bytes (Linux).
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kilobytes| kilobytes.parse::<u64>().ok())
        .unwrap_or_default()
        * 1024
}

async fn ours(endpoint: &str) -> u64 {
    use s3_three::service::AmazonS3;
    let config = smithy_runtime::client::Config::new(smithy_runtime::client::HyperTransport::new(), endpoint)
        .with_region("us-east-1")
        .with_credentials(smithy_runtime::auth::Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ));
    let client = s3_three::client::Client::new(&config);
    let input = s3_three::operation::get_object::GetObjectInput::builder()
        .bucket("bucket")
        .key("object")
        .build()
        .unwrap();
    let mut output = client.get_object(input).await.unwrap();
    let mut read = 0u64;
    while let Some(piece) = output.body.next_chunk().await {
        read += piece.unwrap().len() as u64;
    }
    read
}

async fn sdk(endpoint: &str) -> u64 {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        ))
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let mut output = client.get_object().bucket("bucket").key("object").send().await.unwrap();
    let mut read = 0u64;
    while let Some(piece) = output.body.next().await {
        read += piece.unwrap().len() as u64;
    }
    read
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "ours".to_owned());
    let length: u64 = std::env::var("DOWNLOAD_BYTES")
        .ok()
        .and_then(|bytes| bytes.parse().ok())
        .unwrap_or(1 << 30);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let endpoint = serve(length).await;
        let start = Instant::now();
        let read = match which.as_str() {
            "sdk" => sdk(&endpoint).await,
            _ => ours(&endpoint).await,
        };
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(read, length, "the whole object was read");
        println!(
            "{which} {length} {:.0} {:.1}",
            length as f64 / seconds / 1e6,
            peak_memory() as f64 / 1048576.0
        );
    });
}
