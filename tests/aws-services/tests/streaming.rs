//! S3 objects that stream: a `GetObject` through the generated client and the hyper transport
//! returns as soon as the response's head arrives, and its body is read piece by piece as the
//! server sends it, never held whole. A loopback server sends objects of any size from a
//! pattern, a piece at a time, as fast as the client takes them (or pauses where a test says).
//! Pins: the call returns before the server has sent the body; a large object passes without
//! the client's memory growing by its size; the object's checksum is checked as it streams
//! (a wrong one fails the last piece); a body that stops moving fails within the read timeout.

use std::sync::Arc;
use std::time::Duration;

use aws_services::s3;
use s3::service::AmazonS3;
use smithy_runtime::auth::Credentials;
use smithy_runtime::checksum::ChecksumAlgorithm;
use smithy_runtime::client::{Config, HyperTransport, RetryConfig};
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

/// Serves `object` to every GET on `127.0.0.1:0`; returns the endpoint.
async fn serve(object: Object) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let object = object.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => head.push(byte[0]),
                    }
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
                // The pattern from any of its positions, a piece long.
                let pattern: Vec<u8> = (0..(PIECE + 251) as u64).map(byte_at).collect();
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

fn client(endpoint: &str, read_timeout: Duration) -> s3::client::Client {
    let transport = HyperTransport::builder()
        .read_timeout(read_timeout)
        .build()
        .expect("the transport builds");
    let config = Config::new(transport, endpoint)
        .with_region("us-east-1")
        .with_credentials(Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ))
        .with_retry(RetryConfig::disabled());
    s3::client::Client::new(&config)
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
