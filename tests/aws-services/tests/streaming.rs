//! S3 objects that stream: a `GetObject` through the generated client and the hyper transport
//! returns as soon as the response's head arrives, and its body is read piece by piece as the
//! server sends it, never held whole. A loopback server sends objects of any size from a
//! pattern, a piece at a time, as fast as the client takes them (or pauses where a test says).
//! Pins: the call returns before the server has sent the body; a large object passes without
//! the client's memory growing by its size; the object's checksum is checked as it streams
//! (a wrong one fails the last piece); a body that stops moving fails within the read timeout,
//! and one that trickles in below the minimum rate fails as stalled, but not one that starts
//! late and then flows.
//!
//! Uploads: a `PutObject` of a file streams it, in `aws-chunked` chunks with its CRC32 in a
//! trailer (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`), which the server decodes and checks, without
//! the client's memory growing by the file's size; without a checksum the file goes as it is
//! (`UNSIGNED-PAYLOAD`, its length as `Content-Length`); a file is sent again on a retry, a
//! body that can be read only once is not.

use std::sync::Arc;
use std::time::Duration;

use aws_services::s3;
use s3::service::AmazonS3;
use smithy_runtime::auth::sigv4::streaming::AwsChunkedReader;
use smithy_runtime::auth::Credentials;
use smithy_runtime::checksum::{ChecksumAlgorithm, RequestChecksumCalculation};
use smithy_runtime::client::{Config, HyperTransport, RetryConfig};
use smithy_runtime::primitives::ByteStream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// How the server sends an object.
#[derive(Clone)]
struct Object {
    length: u64,
    /// Its `x-amz-checksum-crc32` header, if any.
    checksum: Option<String>,
    /// The server waits for this before sending the body's second half.
    pause: Option<Arc<Notify>>,
    /// The server stops after this many bytes of the body, and keeps the connection open.
    stall_after: Option<u64>,
}

/// The object's byte at `position`.
fn byte_at(position: u64) -> u8 {
    (position % 251) as u8
}

const PIECE: usize = 64 * 1024;

/// The object's bytes from any position of the pattern's period, a piece long: the piece at
/// `position` is `pattern[position % 251..][..PIECE]`.
fn pattern() -> Vec<u8> {
    (0..(PIECE + 251) as u64).map(byte_at).collect()
}

/// A request's head, read byte by byte up to its blank line (so no byte of the body is taken);
/// `None` when the connection ends first.
async fn read_head(stream: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => head.push(byte[0]),
        }
    }
    Some(head)
}

/// Serves `object` to every GET on `127.0.0.1:0`; returns the endpoint.
async fn serve(object: Object) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let object = object.clone();
            tokio::spawn(async move {
                if read_head(&mut stream).await.is_none() {
                    return;
                }
                let mut response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nETag: \"e\"\r\n",
                    object.length
                );
                if let Some(checksum) = &object.checksum {
                    response.push_str(&format!("x-amz-checksum-crc32: {checksum}\r\n"));
                }
                response.push_str("\r\n");
                if stream.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
                let mut sent = 0u64;
                let pattern = pattern();
                while sent < object.length {
                    if object.stall_after.is_some_and(|after| sent >= after) {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        return;
                    }
                    if let Some(pause) = &object.pause {
                        if sent >= object.length / 2 && sent < object.length / 2 + PIECE as u64 {
                            pause.notified().await;
                        }
                    }
                    let length = (object.length - sent).min(PIECE as u64) as usize;
                    let start = (sent % 251) as usize;
                    if stream.write_all(&pattern[start..start + length]).await.is_err() {
                        return;
                    }
                    sent += length as u64;
                }
                let _ = stream.shutdown().await;
            });
        }
    });
    endpoint
}

/// A configuration for `endpoint` through `transport`, signed, without retries.
fn config(endpoint: &str, transport: HyperTransport) -> Config {
    Config::new(transport, endpoint)
        .with_region("us-east-1")
        .with_credentials(Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ))
        .with_retry(RetryConfig::disabled())
}

fn client(endpoint: &str, read_timeout: Duration) -> s3::client::Client {
    let transport = HyperTransport::builder()
        .read_timeout(read_timeout)
        .build()
        .expect("the transport builds");
    s3::client::Client::new(&config(endpoint, transport))
}

fn get() -> s3::operation::get_object::GetObjectInput {
    s3::operation::get_object::GetObjectInput::builder()
        .bucket("my-bucket")
        .key("big.bin")
        .build()
        .expect("the input is complete")
}

/// The peak resident memory of this process so far, in bytes (Linux; `None` elsewhere).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}

#[tokio::test]
async fn get_object_returns_before_the_body_is_sent_and_streams_it() {
    if !aws_services::models_found() {
        return;
    }
    let pause = Arc::new(Notify::new());
    let length = 1024 * 1024;
    let endpoint = serve(Object {
        length,
        checksum: None,
        pause: Some(pause.clone()),
        stall_after: None,
    })
    .await;
    let client = client(&endpoint, Duration::from_secs(10));
    let mut output = tokio::time::timeout(Duration::from_secs(10), client.get_object(get()))
        .await
        .expect("the call returns while the server holds back half the body")
        .expect("GetObject succeeds");
    assert_eq!(output.content_length, Some(length as i64));
    assert!(output.body.is_streaming());
    assert_eq!(output.body.length(), Some(length));
    // Pieces arrive before the server sends the second half.
    let mut read = 0u64;
    while read < length / 2 {
        let piece = output
            .body
            .next_chunk()
            .await
            .expect("a piece")
            .expect("the piece is read");
        assert!(piece
            .iter()
            .enumerate()
            .all(|(offset, byte)| *byte == byte_at(read + offset as u64)));
        read += piece.len() as u64;
    }
    pause.notify_one();
    while let Some(piece) = output.body.next_chunk().await {
        let piece = piece.expect("the piece is read");
        assert!(piece
            .iter()
            .enumerate()
            .all(|(offset, byte)| *byte == byte_at(read + offset as u64)));
        read += piece.len() as u64;
    }
    assert_eq!(read, length);
}

#[tokio::test]
async fn a_large_object_streams_in_constant_memory() {
    if !aws_services::models_found() {
        return;
    }
    let length: u64 = 256 * 1024 * 1024;
    let endpoint = serve(Object {
        length,
        checksum: None,
        pause: None,
        stall_after: None,
    })
    .await;
    let client = client(&endpoint, Duration::from_secs(30));
    let before = peak_memory();
    let mut output = client.get_object(get()).await.expect("GetObject succeeds");
    let mut read = 0u64;
    while let Some(piece) = output.body.next_chunk().await {
        let piece = piece.expect("the piece is read");
        // Spot checks: the first and last byte of each piece are where the object has them.
        assert_eq!(piece.first().copied(), Some(byte_at(read)));
        assert_eq!(piece.last().copied(), Some(byte_at(read + piece.len() as u64 - 1)));
        read += piece.len() as u64;
    }
    assert_eq!(read, length);
    if let (Some(before), Some(after)) = (before, peak_memory()) {
        // Other tests run in this process at the same time: the bound is loose, but far below
        // the object's size.
        let grown = after.saturating_sub(before);
        assert!(
            grown < 128 * 1024 * 1024,
            "peak memory grew by {grown} bytes for a {length}-byte object"
        );
    }
}

#[tokio::test]
async fn the_checksum_is_checked_as_the_object_streams() {
    if !aws_services::models_found() {
        return;
    }
    let length = 300_000u64;
    let body: Vec<u8> = (0..length).map(byte_at).collect();
    let right = ChecksumAlgorithm::Crc32.checksum(&body);
    for (checksum, good) in [(right, true), ("AAAAAA==".to_owned(), false)] {
        let endpoint = serve(Object {
            length,
            checksum: Some(checksum.clone()),
            pause: None,
            stall_after: None,
        })
        .await;
        let client = client(&endpoint, Duration::from_secs(10));
        let mut output = client.get_object(get()).await.expect("GetObject succeeds");
        let read = std::mem::take(&mut output.body).collect().await;
        match read {
            Ok(read) => {
                assert!(good, "a body whose checksum is wrong was read");
                assert_eq!(read, body);
            }
            Err(error) => {
                assert!(!good, "a body whose checksum is right failed: {error}");
                assert!(error.to_string().contains("does not match its checksum"), "{error}");
            }
        }
    }
}

#[tokio::test]
async fn a_body_that_stops_moving_fails_within_the_read_timeout() {
    if !aws_services::models_found() {
        return;
    }
    let endpoint = serve(Object {
        length: 1024 * 1024,
        checksum: None,
        pause: None,
        stall_after: Some(256 * 1024),
    })
    .await;
    let client = client(&endpoint, Duration::from_millis(300));
    let output = client.get_object(get()).await.expect("GetObject succeeds");
    let started = std::time::Instant::now();
    let error = tokio::time::timeout(Duration::from_secs(10), output.body.collect())
        .await
        .expect("reading ends")
        .expect_err("the stalled body fails");
    assert!(started.elapsed() < Duration::from_secs(5));
    let message = error.to_string();
    assert!(message.contains("read timeout"), "{message}");
}

/// Serves to every GET a body of `length` bytes: after `delay`, `piece` bytes every `every`.
async fn serve_slowly(length: usize, delay: Duration, piece: usize, every: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                if read_head(&mut stream).await.is_none() {
                    return;
                }
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nETag: \"e\"\r\n\r\n");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                tokio::time::sleep(delay).await;
                let mut sent = 0;
                while sent < length {
                    let size = piece.min(length - sent);
                    if stream.write_all(&vec![b'x'; size]).await.is_err() {
                        return;
                    }
                    sent += size;
                    if sent < length {
                        tokio::time::sleep(every).await;
                    }
                }
            });
        }
    });
    endpoint
}

fn slow_client(endpoint: &str, read_timeout: Duration) -> s3::client::Client {
    let transport = HyperTransport::builder()
        .read_timeout(read_timeout)
        .min_throughput(1000, Duration::from_secs(1))
        .build()
        .expect("the transport builds");
    s3::client::Client::new(&config(endpoint, transport))
}

#[tokio::test]
async fn a_body_that_trickles_in_fails_as_stalled() {
    if !aws_services::models_found() {
        return;
    }
    // Ten bytes every 100 ms: never quiet for the read timeout, but 100 bytes per second.
    let endpoint = serve_slowly(1024 * 1024, Duration::ZERO, 10, Duration::from_millis(100)).await;
    let output = slow_client(&endpoint, Duration::from_secs(2))
        .get_object(get())
        .await
        .expect("GetObject succeeds");
    let started = std::time::Instant::now();
    let error = tokio::time::timeout(Duration::from_secs(10), output.body.collect())
        .await
        .expect("reading ends")
        .expect_err("the trickling body fails");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    let message = error.to_string();
    assert!(
        message.contains("stalled") && message.contains("1000 bytes per second"),
        "{message}"
    );
}

#[tokio::test]
async fn a_body_that_starts_late_then_flows_is_not_stalled() {
    if !aws_services::models_found() {
        return;
    }
    // Nothing for 1.5 s (within the read timeout), then the whole body at once: a service that
    // thinks before it sends, as S3 does for a large CopyObject.
    let length = 256 * 1024;
    let endpoint = serve_slowly(length, Duration::from_millis(1500), length, Duration::ZERO).await;
    let output = slow_client(&endpoint, Duration::from_secs(3))
        .get_object(get())
        .await
        .expect("GetObject succeeds");
    let body = tokio::time::timeout(Duration::from_secs(10), output.body.collect())
        .await
        .expect("reading ends")
        .expect("the body is read");
    assert_eq!(body.len(), length);
}

/// An upload as the server read it.
#[derive(Debug, Clone)]
struct Upload {
    headers: Vec<(String, String)>,
    /// The body's bytes, decoded from `aws-chunked` when it was.
    length: u64,
    crc32: String,
    /// Whether the trailer's checksum matched (for `aws-chunked` bodies).
    trailer_checked: bool,
}

impl Upload {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(found, _)| found.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Serves uploads on `127.0.0.1:0`, answering the requests with `statuses` in turn (then 200);
/// returns the endpoint and what it read.
async fn serve_uploads(statuses: Vec<u16>) -> (String, Arc<std::sync::Mutex<Vec<Upload>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let statuses = Arc::new(std::sync::Mutex::new(statuses.into_iter()));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = log.clone();
            let statuses = statuses.clone();
            tokio::spawn(async move {
                let Some(head) = read_head(&mut stream).await else {
                    return;
                };
                let head = String::from_utf8_lossy(&head).into_owned();
                let headers: Vec<(String, String)> = head
                    .split("\r\n")
                    .skip(1)
                    .filter_map(|line| line.split_once(':'))
                    .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
                    .collect();
                let find = |name: &str| {
                    headers
                        .iter()
                        .find(|(found, _)| found.eq_ignore_ascii_case(name))
                        .map(|(_, value)| value.clone())
                };
                let length: u64 = find("content-length").and_then(|value| value.parse().ok()).unwrap_or(0);
                let chunked = find("content-encoding").is_some_and(|value| value.starts_with("aws-chunked"));
                let mut reader = chunked.then(|| AwsChunkedReader::new(None, &[ChecksumAlgorithm::Crc32]));
                let mut hasher = ChecksumAlgorithm::Crc32.hasher();
                let (mut read, mut decoded) = (0u64, 0u64);
                let mut buffer = vec![0u8; 64 * 1024];
                let mut body = Vec::new();
                while read < length {
                    let want = buffer.len().min((length - read) as usize);
                    let n = match stream.read(&mut buffer[..want]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    read += n as u64;
                    body.clear();
                    match &mut reader {
                        Some(reader) => reader
                            .read(&buffer[..n], &mut body)
                            .expect("the aws-chunked body is valid"),
                        None => body.extend_from_slice(&buffer[..n]),
                    }
                    hasher.update(&body);
                    decoded += body.len() as u64;
                }
                let upload = Upload {
                    trailer_checked: reader.as_ref().is_some_and(AwsChunkedReader::is_done),
                    headers,
                    length: decoded,
                    crc32: hasher.finish(),
                };
                log.lock().unwrap().push(upload);
                let status = statuses.lock().unwrap().next().unwrap_or(200);
                let response = format!(
                    "HTTP/1.1 {status} Answer\r\nContent-Length: 0\r\nETag: \"e\"\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (endpoint, seen)
}

/// A file of `length` bytes of the pattern, in the system's temporary directory.
fn pattern_file(name: &str, length: u64) -> std::path::PathBuf {
    use std::io::Write as _;
    let path = std::env::temp_dir().join(format!("smithy-streaming-{}-{name}", std::process::id()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("a temporary file"));
    let pattern = pattern();
    let mut written = 0u64;
    while written < length {
        let piece = (length - written).min(PIECE as u64) as usize;
        let start = (written % 251) as usize;
        file.write_all(&pattern[start..start + piece])
            .expect("the file is written");
        written += piece as u64;
    }
    file.flush().expect("the file is written");
    path
}

fn put(body: ByteStream) -> s3::operation::put_object::PutObjectInput {
    s3::operation::put_object::PutObjectInput::builder()
        .bucket("my-bucket")
        .key("big.bin")
        .body(body)
        .build()
        .expect("the input is complete")
}

fn upload_client(endpoint: &str, configure: impl FnOnce(Config) -> Config) -> s3::client::Client {
    s3::client::Client::new(&configure(config(endpoint, HyperTransport::new())))
}

#[tokio::test]
async fn put_object_of_a_file_streams_it_with_a_trailing_checksum() {
    if !aws_services::models_found() {
        return;
    }
    let length: u64 = 96 * 1024 * 1024 + 12_345;
    let path = pattern_file("trailer", length);
    let expected = {
        let mut hasher = ChecksumAlgorithm::Crc32.hasher();
        let bytes = std::fs::read(&path).expect("the file is read");
        hasher.update(&bytes);
        hasher.finish()
    };
    let (endpoint, seen) = serve_uploads(Vec::new()).await;
    let client = upload_client(&endpoint, |config| config);
    let body = ByteStream::from_path(&path).expect("the file is there");
    assert_eq!(body.length(), Some(length));
    let before = peak_memory();
    client.put_object(put(body)).await.expect("PutObject succeeds");
    let after = peak_memory();
    let _ = std::fs::remove_file(&path);
    let seen = seen.lock().unwrap();
    let upload = &seen[0];
    assert_eq!(upload.length, length);
    assert_eq!(upload.crc32, expected);
    assert!(
        upload.trailer_checked,
        "the server read the trailer and its checksum matched"
    );
    assert_eq!(upload.header("content-encoding"), Some("aws-chunked"));
    assert_eq!(
        upload.header("x-amz-decoded-content-length"),
        Some(length.to_string().as_str())
    );
    assert_eq!(upload.header("x-amz-trailer"), Some("x-amz-checksum-crc32"));
    assert_eq!(
        upload.header("x-amz-content-sha256"),
        Some("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    );
    assert!(
        upload.header("x-amz-checksum-crc32").is_none(),
        "the checksum is in the trailer, not a header"
    );
    assert!(upload
        .header("authorization")
        .is_some_and(|value| value.starts_with("AWS4-HMAC-SHA256 ")));
    if let (Some(before), Some(after)) = (before, after) {
        let grown = after.saturating_sub(before);
        assert!(
            grown < 64 * 1024 * 1024,
            "peak memory grew by {grown} bytes for a {length}-byte file"
        );
    }
}

#[tokio::test]
async fn without_a_checksum_the_file_goes_as_it_is() {
    if !aws_services::models_found() {
        return;
    }
    let length: u64 = 3 * 1024 * 1024 + 7;
    let path = pattern_file("plain", length);
    let (endpoint, seen) = serve_uploads(Vec::new()).await;
    let client = upload_client(&endpoint, |config| {
        config.with_request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
    });
    client
        .put_object(put(ByteStream::from_path(&path).expect("the file is there")))
        .await
        .expect("PutObject succeeds");
    let _ = std::fs::remove_file(&path);
    let seen = seen.lock().unwrap();
    let upload = &seen[0];
    assert_eq!(upload.length, length);
    assert_eq!(upload.header("content-length"), Some(length.to_string().as_str()));
    assert_eq!(upload.header("x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    assert!(upload.header("content-encoding").is_none());
}

#[tokio::test]
async fn a_file_is_sent_again_on_a_retry_and_a_one_shot_body_is_not() {
    if !aws_services::models_found() {
        return;
    }
    let retrying = |config: Config| {
        config
            .with_retry(
                RetryConfig::standard()
                    .with_initial_backoff(Duration::from_millis(1))
                    .without_jitter(),
            )
            .with_request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
    };
    let length: u64 = 200_000;
    let path = pattern_file("retry", length);
    let (endpoint, seen) = serve_uploads(vec![503]).await;
    let client = upload_client(&endpoint, retrying);
    client
        .put_object(put(ByteStream::from_path(&path).expect("the file is there")))
        .await
        .expect("the second attempt succeeds");
    let _ = std::fs::remove_file(&path);
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert!(
            seen.iter().all(|upload| upload.length == length),
            "each attempt sent the whole file"
        );
    }

    let (endpoint, seen) = serve_uploads(vec![503]).await;
    let client = upload_client(&endpoint, retrying);
    let pieces = (0..4u64)
        .map(|piece| Ok::<_, std::io::Error>((piece * 1000..(piece + 1) * 1000).map(byte_at).collect::<Vec<u8>>()));
    let once = ByteStream::from_stream(Stream(pieces.collect::<Vec<_>>().into_iter()), Some(4000));
    let error = client.put_object(put(once)).await.expect_err("the one attempt fails");
    assert!(
        error.to_string().contains("503") || format!("{error:?}").contains("503"),
        "{error:?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1, "a body read once is not sent again");

    // A server that never answers: an attempt that times out would be retried, but not with a
    // body read once, and the error says why.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let _ = read_head(&mut stream).await;
                tokio::time::sleep(Duration::from_secs(10)).await;
            });
        }
    });
    let client = upload_client(&endpoint, |config| {
        retrying(config).with_timeouts(
            smithy_runtime::client::TimeoutConfig::default().with_attempt_timeout(Some(Duration::from_millis(300))),
        )
    });
    let pieces = (0..4u64)
        .map(|piece| Ok::<_, std::io::Error>((piece * 1000..(piece + 1) * 1000).map(byte_at).collect::<Vec<u8>>()));
    let once = ByteStream::from_stream(Stream(pieces.collect::<Vec<_>>().into_iter()), Some(4000));
    let error = client.put_object(put(once)).await.expect_err("the attempt times out");
    assert!(
        error
            .to_string()
            .contains("not retried: the request body is a stream that can be read only once"),
        "{error}"
    );
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// A stream of the items of an iterator.
struct Stream<I>(I);

impl<I: Iterator + Unpin> futures_core::Stream for Stream<I> {
    type Item = I::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<I::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}
