//! A large S3 object over loopback HTTP/1.1, ours (the generated client on the hyper transport)
//! against `aws-sdk-s3` (its default HTTP client): a GetObject, each client reading the body
//! piece by piece and dropping it, and a PutObject of a file, each client streaming it from
//! disk with a CRC64NVME checksum in an `aws-chunked` trailer. A server in
//! the same process sends the object from a pattern, or reads and drops the upload, as fast as
//! the client goes. Prints the throughput and the process's peak resident memory.
//!
//! Run once per client and direction, so that each process's peak memory is its own:
//! `s3_download ours|sdk [get|put]`; `DOWNLOAD_BYTES` sets the object's size (default 1 GiB).
//! Built and run by `scripts/bench-s3.sh` (`PARTS=download`).

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
                let mut buffer = vec![0u8; PIECE];
                let end = loop {
                    if let Some(end) = head.windows(4).position(|window| window == b"\r\n\r\n") {
                        break end + 4;
                    }
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                };
                let text = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
                if text.starts_with("put ") {
                    // An upload: read its body and drop it.
                    let declared: u64 = text
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .and_then(|value| value.trim().parse().ok())
                        .unwrap_or(0);
                    let mut read = (head.len() - end) as u64;
                    while read < declared {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => read += n as u64,
                        }
                    }
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nETag: \"e\"\r\n\r\n")
                        .await;
                    return;
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

/// Our S3 client for `endpoint`, on the hyper transport, signing.
fn our_client(endpoint: &str) -> s3_three::client::Client {
    let config = smithy_runtime::client::Config::new(smithy_runtime::client::HyperTransport::new(), endpoint)
        .with_region("us-east-1")
        .with_credentials(smithy_runtime::auth::Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ));
    s3_three::client::Client::new(&config)
}

/// The SDK's S3 client for `endpoint`, path-style, signing.
fn sdk_client(endpoint: &str) -> aws_sdk_s3::Client {
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
    aws_sdk_s3::Client::from_conf(config)
}

async fn ours(endpoint: &str) -> u64 {
    use s3_three::service::AmazonS3;
    let client = our_client(endpoint);
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
    let client = sdk_client(endpoint);
    let mut output = client.get_object().bucket("bucket").key("object").send().await.unwrap();
    let mut read = 0u64;
    while let Some(piece) = output.body.next().await {
        read += piece.unwrap().len() as u64;
    }
    read
}

/// A file of `length` bytes, in the system's temporary directory.
fn file(length: u64) -> std::path::PathBuf {
    use std::io::Write as _;
    let path = std::env::temp_dir().join(format!("s3-upload-bench-{}", std::process::id()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let piece: Vec<u8> = (0..PIECE as u64).map(|n| (n % 251) as u8).collect();
    let mut written = 0u64;
    while written < length {
        let size = (length - written).min(PIECE as u64) as usize;
        file.write_all(&piece[..size]).unwrap();
        written += size as u64;
    }
    file.flush().unwrap();
    path
}

async fn ours_put(endpoint: &str, path: &std::path::Path) -> u64 {
    use s3_three::service::AmazonS3;
    let client = our_client(endpoint);
    let body = smithy_runtime::primitives::ByteStream::from_path(path).unwrap();
    let length = body.length().unwrap_or_default();
    let input = s3_three::operation::put_object::PutObjectInput::builder()
        .bucket("bucket")
        .key("object")
        .checksum_algorithm(s3_three::types::ChecksumAlgorithm::Crc64Nvme)
        .body(body)
        .build()
        .unwrap();
    client.put_object(input).await.unwrap();
    length
}

async fn sdk_put(endpoint: &str, path: &std::path::Path) -> u64 {
    let client = sdk_client(endpoint);
    let body = aws_sdk_s3::primitives::ByteStream::from_path(path).await.unwrap();
    let length = body.size_hint().1.unwrap_or_default();
    client
        .put_object()
        .bucket("bucket")
        .key("object")
        .checksum_algorithm(aws_sdk_s3::types::ChecksumAlgorithm::Crc64Nvme)
        .body(body)
        .send()
        .await
        .unwrap();
    length
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "ours".to_owned());
    let direction = std::env::args().nth(2).unwrap_or_else(|| "get".to_owned());
    let length: u64 = std::env::var("DOWNLOAD_BYTES")
        .ok()
        .and_then(|bytes| bytes.parse().ok())
        .unwrap_or(1 << 30);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let path = (direction == "put").then(|| file(length));
    runtime.block_on(async {
        let endpoint = serve(length).await;
        let start = Instant::now();
        let moved = match (which.as_str(), &path) {
            ("sdk", Some(path)) => sdk_put(&endpoint, path).await,
            (_, Some(path)) => ours_put(&endpoint, path).await,
            ("sdk", None) => sdk(&endpoint).await,
            _ => ours(&endpoint).await,
        };
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(moved, length, "the whole object was moved");
        println!(
            "{which}-{direction} {length} {:.0} {:.1}",
            length as f64 / seconds / 1e6,
            peak_memory() as f64 / 1048576.0
        );
    });
    if let Some(path) = path {
        let _ = std::fs::remove_file(path);
    }
}
