//! Events per second through an event stream, ours (the generated Bedrock Runtime client on
//! the hyper transport) against `aws-sdk-bedrockruntime` (its default HTTP client): a
//! `ConverseStream` whose response carries EVENTS `contentBlockDelta` events (default 200,000),
//! sent over loopback HTTP/1.1 by a server in the same process as fast as the client reads
//! them. Each client reads every event into its union and takes its text. Prints the events per
//! second and the process's peak resident memory.
//!
//! Run once per client, so that each process's peak memory is its own: `events ours|sdk`.
//! Built and run by `scripts/bench-events.sh`.

use std::time::Instant;

use smithy_runtime::event_stream::{HeaderValue, Message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The messages of the response, in HTTP/1.1 chunks of about 64 KiB.
fn body(events: usize) -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    let mut chunk = Vec::new();
    for index in 0..events {
        let payload = format!(r#"{{"contentBlockIndex":0,"delta":{{"text":"token{index} "}},"p":"abcdefghijkl"}}"#);
        let message = Message::new(payload.into_bytes())
            .with_header(":message-type", HeaderValue::String("event".into()))
            .with_header(":event-type", HeaderValue::String("contentBlockDelta".into()))
            .with_header(":content-type", HeaderValue::String("application/json".into()));
        message.write_to(&mut chunk).expect("the message encodes");
        if chunk.len() >= 64 * 1024 {
            chunks.push(std::mem::take(&mut chunk));
        }
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks
}

/// Serves the stream to every request; returns the endpoint.
async fn serve(events: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let chunks = std::sync::Arc::new(body(events));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let chunks = chunks.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = vec![0u8; 64 * 1024];
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
                let declared: usize = text
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .and_then(|value| value.trim().parse().ok())
                    .unwrap_or(0);
                let mut read = head.len() - end;
                while read < declared {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\nTransfer-Encoding: chunked\r\nx-amzn-RequestId: r\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for chunk in chunks.iter() {
                    let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                    framed.extend_from_slice(chunk);
                    framed.extend_from_slice(b"\r\n");
                    if stream.write_all(&framed).await.is_err() {
                        return;
                    }
                }
                let _ = stream.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    endpoint
}

/// The peak resident memory of this process, in MiB (Linux).
fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Reads every event with our client; returns how many and the bytes of text.
async fn ours(endpoint: &str) -> (usize, usize) {
    use bench_bedrock::service::AmazonBedrockFrontendService;
    use bench_bedrock::types::{ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput, Message};
    let config = smithy_runtime::client::Config::new(smithy_runtime::client::HyperTransport::new(), endpoint)
        .with_region("us-east-1")
        .with_credentials(smithy_runtime::auth::Credentials::from_keys("AKID", "SECRET"));
    let client = bench_bedrock::client::Client::new(&config);
    let input = bench_bedrock::operation::converse_stream::ConverseStreamInput::builder()
        .model_id("model")
        .messages(vec![Message::builder()
            .role(ConversationRole::User)
            .content(vec![ContentBlock::Text("hi".into())])
            .build()
            .unwrap()])
        .build()
        .unwrap();
    let mut output = client.converse_stream(input).await.unwrap();
    let (mut events, mut text) = (0, 0);
    while let Some(event) = output.stream.recv().await.unwrap() {
        events += 1;
        if let ConverseStreamOutput::ContentBlockDelta(delta) = event {
            if let ContentBlockDelta::Text(delta) = delta.delta {
                text += delta.len();
            }
        }
    }
    (events, text)
}

/// Reads every event with the SDK's client.
async fn sdk(endpoint: &str) -> (usize, usize) {
    use aws_sdk_bedrockruntime::types::{ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput, Message};
    let config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(aws_sdk_bedrockruntime::config::BehaviorVersion::latest())
        .region(aws_sdk_bedrockruntime::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_bedrockruntime::config::Credentials::new("AKID", "SECRET", None, None, "bench"))
        .endpoint_url(endpoint)
        .build();
    let client = aws_sdk_bedrockruntime::Client::from_conf(config);
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("hi".into()))
        .build()
        .unwrap();
    let mut output = client
        .converse_stream()
        .model_id("model")
        .messages(message)
        .send()
        .await
        .unwrap();
    let (mut events, mut text) = (0, 0);
    while let Some(event) = output.stream.recv().await.unwrap() {
        events += 1;
        if let ConverseStreamOutput::ContentBlockDelta(delta) = event {
            if let Some(ContentBlockDelta::Text(delta)) = delta.delta {
                text += delta.len();
            }
        }
    }
    (events, text)
}

fn main() {
    let client = std::env::args().nth(1).unwrap_or_else(|| "ours".into());
    let events: usize = std::env::var("EVENTS").ok().and_then(|value| value.parse().ok()).unwrap_or(200_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let endpoint = serve(events).await;
        let start = Instant::now();
        let (read, text) = match client.as_str() {
            "sdk" => sdk(&endpoint).await,
            _ => ours(&endpoint).await,
        };
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(read, events, "every event was read");
        assert!(text > 0);
        println!("{client} {read} {:.0} {:.1}", read as f64 / seconds, peak_memory_mib());
    });
}
