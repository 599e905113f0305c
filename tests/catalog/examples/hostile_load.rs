//! The ready server's memory under a hostile load, for `scripts/hostile-load.sh`.
//!
//! `hostile_load server PORT_FILE` serves the generated `Catalog` service on a loopback port
//! (written to `PORT_FILE`) within `Limits::default()` and 1,100 connections; `GET /__memory`
//! answers the process's peak and current resident memory (`VmHWM`, `VmRSS` of
//! `/proc/self/status`, KiB). `hostile_load load ADDR` then, from another process:
//! 1. opens 1,000 slow readers: each uploads a 1 MiB object (`PutObject`, which answers with it)
//!    and never reads the answer;
//! 2. while they hold their connections, sends 4 `PutDocument` bodies gzipped 1,250 times
//!    (`Content-Encoding: gzip, gzip, …`), each 8 MiB once decompressed;
//! 3. and 4 bodies of a list of about 3.5 million empty strings (10 MiB less 1 KiB) to
//!    `POST /records`;
//!
//! and prints what each got and the server's memory before and after.

use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog::operation::list_items::{ListItemsError, ListItemsInput, ListItemsOutput};
use catalog::operation::list_tags::{ListTagsError, ListTagsInput, ListTagsOutput};
use catalog::operation::put_document::{PutDocumentError, PutDocumentInput, PutDocumentOutput};
use catalog::operation::put_object::{PutObjectError, PutObjectInput, PutObjectOutput};
use catalog::operation::put_records::{PutRecordsError, PutRecordsInput, PutRecordsOutput};
use catalog::server::Limits;
use catalog::Catalog;
use smithy_runtime::server::{BoxFuture, Handler};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SLOW_READERS: usize = 1000;
const OBJECT_BYTES: usize = 1024 * 1024;
const GZIP_LAYERS: usize = 1250;
const GZIP_REQUESTS: usize = 4;
const LIST_REQUESTS: usize = 4;
const LIST_BYTES: usize = 10 * 1024 * 1024 - 1024;
const CONNECTIONS: usize = 1100;

/// Measures documents and echoes objects.
struct Service;

impl Catalog for Service {
    async fn list_items(&self, _: ListItemsInput) -> Result<ListItemsOutput, ListItemsError> {
        Ok(ListItemsOutput::builder()
            .items(Vec::new())
            .build()
            .expect("items are set"))
    }

    async fn list_tags(&self, _: ListTagsInput) -> Result<ListTagsOutput, ListTagsError> {
        Ok(ListTagsOutput::builder().build())
    }

    async fn put_document(&self, input: PutDocumentInput) -> Result<PutDocumentOutput, PutDocumentError> {
        let length = input.text.len();
        Ok(PutDocumentOutput::builder()
            .length(i32::try_from(length).unwrap_or(i32::MAX))
            .build()
            .expect("length is set"))
    }

    async fn put_object(&self, input: PutObjectInput) -> Result<PutObjectOutput, PutObjectError> {
        Ok(PutObjectOutput::builder().data(input.data.unwrap_or_default()).build())
    }

    async fn put_records(&self, input: PutRecordsInput) -> Result<PutRecordsOutput, PutRecordsError> {
        let count = input.unique.as_ref().map_or(0, Vec::len);
        Ok(PutRecordsOutput::builder()
            .count(i32::try_from(count).unwrap_or(i32::MAX))
            .build())
    }
}

/// A field of `/proc/self/status` in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

/// The service, and the process's memory at `/__memory`.
struct Measured<H>(H);

impl<H: Handler> Handler for Measured<H> {
    fn handle(&self, request: http::Request<Vec<u8>>) -> BoxFuture<'_, http::Response<Vec<u8>>> {
        if request.uri().path() == "/__memory" {
            let body = format!("VmHWM={} VmRSS={}", status_kib("VmHWM:"), status_kib("VmRSS:"));
            return Box::pin(std::future::ready(http::Response::new(body.into_bytes())));
        }
        self.0.handle(request)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match args.get(1).map(String::as_str) {
        Some("server") => runtime.block_on(server(args.get(2).expect("a file for the port"))),
        Some("load") => runtime.block_on(load(args.get(2).expect("the server's address"))),
        _ => eprintln!("usage: hostile_load server PORT_FILE | load ADDR"),
    }
}

async fn server(port_file: &str) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    let limits = Limits::default().with_max_connections(CONNECTIONS);
    eprintln!(
        "server: {addr}, max_in_flight_bytes {} MiB, max_connections {}, documented bound {} MiB",
        limits.max_in_flight_bytes >> 20,
        limits.max_connections,
        (limits.max_in_flight_bytes + limits.max_connections * 150 * 1024) >> 20
    );
    std::fs::write(port_file, addr.to_string()).expect("the port file is written");
    let server = Measured(catalog::server::Server::new(Service));
    let result = catalog::server::serve_with_limits(listener, server, limits).await;
    eprintln!("server stopped: {result:?}");
}

/// The server's memory, as `/__memory` answers it.
async fn memory(addr: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return "unreachable (the server is gone)".to_owned();
    };
    let _ = stream
        .write_all(b"GET /__memory HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_string(&mut answer)).await;
    answer
        .split("\r\n\r\n")
        .nth(1)
        .map_or_else(|| format!("no answer: {answer:?}"), str::to_owned)
}

/// Sends `request` and returns the status line of the answer, or what went wrong.
async fn call(addr: &str, request: Arc<Vec<u8>>) -> String {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return "connect failed".to_owned();
    };
    if let Err(error) = stream.write_all(&request).await {
        return format!("send failed: {error}");
    }
    let mut answer = Vec::new();
    match tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer)).await {
        Err(_) => "no answer in 60 s".to_owned(),
        Ok(Err(error)) if answer.is_empty() => format!("read failed: {error}"),
        Ok(_) if answer.is_empty() => "closed without an answer".to_owned(),
        Ok(_) => String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn tally(results: &[String]) -> String {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for result in results {
        *counts.entry(result.as_str()).or_default() += 1;
    }
    counts
        .iter()
        .map(|(result, count)| format!("{count} × {result}"))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn load(addr: &str) {
    println!("before: {}", memory(addr).await);
    let started = Instant::now();

    // 1. Slow readers: small receive buffers, uploads sent, answers never read.
    let object = Arc::new({
        let mut request = format!(
            "PUT /objects/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: {OBJECT_BYTES}\r\n\r\n"
        )
        .into_bytes();
        request.resize(request.len() + OBJECT_BYTES, b'o');
        request
    });
    let mut readers = Vec::new();
    for _ in 0..SLOW_READERS {
        let object = object.clone();
        let addr = addr.to_owned();
        readers.push(tokio::spawn(async move {
            let socket = tokio::net::TcpSocket::new_v4().ok()?;
            socket.set_recv_buffer_size(4096).ok()?;
            let mut stream = socket.connect(addr.parse().ok()?).await.ok()?;
            let sent = tokio::time::timeout(Duration::from_secs(20), stream.write_all(&object)).await;
            Some((stream, matches!(sent, Ok(Ok(())))))
        }));
    }
    let mut held = Vec::new();
    let mut uploaded = 0;
    for reader in readers {
        if let Ok(Some((stream, sent))) = reader.await {
            uploaded += usize::from(sent);
            held.push(stream);
        }
    }
    println!(
        "slow readers: {} connected, {uploaded} uploads sent whole, {:.1} s",
        held.len(),
        started.elapsed().as_secs_f64()
    );
    println!("with the slow readers: {}", memory(addr).await);

    // 2. A body gzipped 1,250 times.
    let mut body = format!("{{\"text\":\"{}\"}}", "a".repeat(8 * 1024 * 1024)).into_bytes();
    for _ in 0..GZIP_LAYERS {
        body = smithy_runtime::checksum::gzip(&body);
    }
    let encoding = vec!["gzip"; GZIP_LAYERS].join(", ");
    let mut gzipped = format!(
        "POST /documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: {encoding}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    gzipped.extend_from_slice(&body);
    println!(
        "nested gzip body: {} bytes, {} header bytes",
        body.len(),
        encoding.len()
    );
    let gzipped = Arc::new(gzipped);

    // 3. A list of empty strings.
    let mut list = String::from("{\"unique\":[");
    while list.len() + 4 < LIST_BYTES {
        list.push_str("\"\",");
    }
    list.push_str("\"\"]}");
    let mut listed = format!(
        "POST /records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        list.len()
    )
    .into_bytes();
    listed.extend_from_slice(list.as_bytes());
    let listed = Arc::new(listed);

    let mut calls = Vec::new();
    for _ in 0..GZIP_REQUESTS {
        let (addr, request) = (addr.to_owned(), gzipped.clone());
        calls.push(("nested gzip", tokio::spawn(async move { call(&addr, request).await })));
    }
    for _ in 0..LIST_REQUESTS {
        let (addr, request) = (addr.to_owned(), listed.clone());
        calls.push((
            "list of empty strings",
            tokio::spawn(async move { call(&addr, request).await }),
        ));
    }
    let mut gzip_results = Vec::new();
    let mut list_results = Vec::new();
    for (kind, task) in calls {
        let result = task.await.unwrap_or_else(|error| format!("task failed: {error}"));
        if kind == "nested gzip" {
            gzip_results.push(result);
        } else {
            list_results.push(result);
        }
    }
    println!("nested gzip: {}", tally(&gzip_results));
    println!("list of empty strings: {}", tally(&list_results));
    println!("after: {}", memory(addr).await);
    // How many slow readers the server still holds open.
    let mut open = 0;
    for stream in &held {
        let mut byte = [0u8; 1];
        open += usize::from(match stream.try_read(&mut byte) {
            Ok(read) => read > 0,
            Err(error) => error.kind() == std::io::ErrorKind::WouldBlock,
        });
    }
    println!(
        "slow readers still connected: {open}; elapsed {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
