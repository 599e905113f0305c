//! The ready server's memory under a body far over its limit: a 50 MB upload, declared and
//! chunked, is answered `413` and the server's memory stays near its 10 MiB limit. Alone in its
//! test binary, so that the process's peak memory (`VmHWM`) is the server's.

use std::time::Duration;

use amplifybackend::operation::get_backend_auth::{GetBackendAuthError, GetBackendAuthInput, GetBackendAuthOutput};
use amplifybackend::AmplifyBackend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Service;

impl AmplifyBackend for Service {
    async fn get_backend_auth(&self, _: GetBackendAuthInput) -> Result<GetBackendAuthOutput, GetBackendAuthError> {
        Ok(GetBackendAuthOutput::builder().build())
    }
}

/// A field of `/proc/self/status` in KiB, such as `VmHWM` (the peak resident memory).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

const PATH: &str = "/backend/d1abc/auth/staging/details";
const FIFTY_MB: usize = 50 * 1000 * 1000;

/// Sends `head`, then up to 50 MB of body (as chunks when `chunked`), and returns the status line.
async fn upload(stream: &mut TcpStream, head: &str, chunked: bool) -> String {
    stream.write_all(head.as_bytes()).await.expect("the head is sent");
    let piece = vec![b'x'; 64 * 1024];
    let framed = format!("{:x}\r\n{}\r\n", piece.len(), String::from_utf8_lossy(&piece));
    let mut sent = 0;
    while sent < FIFTY_MB {
        // The server closes the connection once it has answered; writing then fails.
        let written = if chunked {
            stream.write_all(framed.as_bytes()).await
        } else {
            stream.write_all(&piece).await
        };
        if written.is_err() {
            break;
        }
        sent += piece.len();
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_body_gets_413_and_the_servers_memory_stays_bounded() {
    let Some(before) = status_kib("VmRSS:") else {
        eprintln!("SKIPPED: /proc/self/status is not readable here, so memory cannot be measured");
        return;
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    tokio::spawn(amplifybackend::server::serve(
        listener,
        amplifybackend::server::Server::new(Service),
    ));

    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let declared = format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {FIFTY_MB}\r\n\r\n"
    );
    let status = upload(&mut stream, &declared, false).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");

    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let chunked = format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let status = upload(&mut stream, &chunked, true).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");

    let peak = status_kib("VmHWM:").expect("the peak is readable where the resident size is");
    let grown_mib = peak.saturating_sub(before) as f64 / 1024.0;
    println!(
        "memory: {:.1} MiB resident before, {:.1} MiB peak, {grown_mib:.1} MiB grown for 2 × 50 MB bodies",
        before as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    // The chunked body is read up to the 10 MiB limit, and no further.
    assert!(grown_mib < 40.0, "the server's memory grew by {grown_mib:.1} MiB");
}
