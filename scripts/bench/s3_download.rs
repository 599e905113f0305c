//! A large S3 object over loopback HTTP/1.1, ours (the generated client on the hyper transport)
//! against `aws-sdk-s3` (its default HTTP client): a GetObject, each client reading the body
//! piece by piece and dropping it, and a PutObject of a file, each client streaming it from
//! disk with a CRC64NVME checksum in an `aws-chunked` trailer. A server in a child process (this
//! program, run with the argument `serve`) sends the object from a pattern, or reads and drops the
//! upload, as fast as the client goes. Prints the throughput, the client process's peak
//! resident memory (the server's is its own process's, not counted), the most heap the client
//! held at once (counted by the allocator, from before the client is made), and the processor
//! seconds the client process took per GiB moved.
//!
//! Built twice, as a user builds each client: with the feature `ours` (the binary
//! `download-ours`, which links only our client) and with `sdk` (`download-sdk`, only the SDK),
//! so that neither process carries the other client's code. Run once per direction:
//! `download-ours|download-sdk [get|put]`; `DOWNLOAD_BYTES` sets the object's size (default
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

/// The system allocator, counting the bytes allocated now and at most: the heap a client holds,
/// apart from the code and libraries every process maps.
struct Counting;

static HEAP_NOW: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static HEAP_PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let pointer = unsafe { std::alloc::System.alloc(layout) };
        if !pointer.is_null() {
            let now = HEAP_NOW.fetch_add(layout.size(), std::sync::atomic::Ordering::Relaxed) + layout.size();
            HEAP_PEAK.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(pointer, layout) };
        HEAP_NOW.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        let moved = unsafe { std::alloc::System.realloc(pointer, layout, size) };
        if !moved.is_null() {
            if size >= layout.size() {
                let now = HEAP_NOW.fetch_add(size - layout.size(), std::sync::atomic::Ordering::Relaxed) + size
                    - layout.size();
                HEAP_PEAK.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
            } else {
                HEAP_NOW.fetch_sub(layout.size() - size, std::sync::atomic::Ordering::Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The processor time this process has taken (user and system, all its threads), in seconds
/// (Linux: `/proc/self/stat`, in clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's name, which is in parentheses: utime and stime are the
    // 12th and 13th of them.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |at: usize| fields.get(at).and_then(|field| field.parse::<f64>().ok()).unwrap_or_default();
    (ticks(11) + ticks(12)) / 100.0
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
#[cfg(feature = "ours")]
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
#[cfg(feature = "sdk")]
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

#[cfg(feature = "ours")]
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

#[cfg(feature = "sdk")]
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

#[cfg(feature = "ours")]
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

#[cfg(feature = "sdk")]
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

/// The object's size: `DOWNLOAD_BYTES`, 1 GiB by default.
fn object_length() -> u64 {
    std::env::var("DOWNLOAD_BYTES")
        .ok()
        .and_then(|bytes| bytes.parse().ok())
        .unwrap_or(1 << 30)
}

/// Starts the server in a child process; the child and its endpoint.
fn spawn_server() -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("serve")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_owned())
}

fn main() {
    let which = if cfg!(feature = "sdk") { "sdk" } else { "ours" };
    let direction = std::env::args().nth(1).unwrap_or_else(|| "get".to_owned());
    if direction == "serve" {
        // The server: prints its endpoint, then serves until its parent closes its input.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            println!("{}", serve(object_length()).await);
            let mut input = tokio::io::stdin();
            let mut byte = [0u8; 1];
            let _ = input.read(&mut byte).await;
        });
        return;
    }
    let length = object_length();
    let path = (direction == "put").then(|| file(length));
    let (mut server, endpoint) = spawn_server();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // The heap before the client is made (the runtime's, the file's path): not the client's.
        let before = HEAP_NOW.load(std::sync::atomic::Ordering::Relaxed);
        HEAP_PEAK.store(before, std::sync::atomic::Ordering::Relaxed);
        let (start, cpu) = (Instant::now(), cpu_seconds());
        #[cfg(feature = "sdk")]
        let moved = match &path {
            Some(path) => sdk_put(&endpoint, path).await,
            None => sdk(&endpoint).await,
        };
        #[cfg(not(feature = "sdk"))]
        let moved = match &path {
            Some(path) => ours_put(&endpoint, path).await,
            None => ours(&endpoint).await,
        };
        let seconds = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu;
        assert_eq!(moved, length, "the whole object was moved");
        let heap = HEAP_PEAK.load(std::sync::atomic::Ordering::Relaxed) - before;
        println!(
            "{which}-{direction} {length} {:.0} {:.1} {:.0} {:.2}",
            length as f64 / seconds / 1e6,
            peak_memory() as f64 / 1048576.0,
            heap as f64 / 1024.0,
            cpu / (length as f64 / (1u64 << 30) as f64)
        );
    });
    drop(server.stdin.take());
    let _ = server.wait();
    if let Some(path) = path {
        let _ = std::fs::remove_file(path);
    }
}
