//! Event streams over loopback, through the generated clients and the hyper transport.
//!
//! Output streams: a server writes `application/vnd.amazon.eventstream` messages one at a
//! time, in HTTP/1.1 chunks, pausing where a test says. Pins: Bedrock `ConverseStream` gives
//! its text deltas as they arrive (the first before the server has sent the last); a modelled
//! error in mid-stream arrives as its member of the union and ends the stream; an error the
//! model does not name ends it with an error that carries its code; a message cut short is an
//! error, not an end; Lambda `InvokeWithResponseStream` gives its payload chunks raw and its
//! response's head members; Kinesis `SubscribeToShard` (awsJson1_1) reads the initial response
//! before the events; S3 `SelectObjectContent` (restXml) gives raw records and XML events.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_services::{bedrock, kinesis, lambda, s3};
use bedrock::service::AmazonBedrockFrontendService;
use kinesis::service::Kinesis20131202;
use lambda::service::AwsGirApiService;
use s3::service::AmazonS3;
use smithy_runtime::auth::Credentials;
use smithy_runtime::client::{Config, HyperTransport, RetryConfig};
use smithy_runtime::event_stream::{HeaderValue, Message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// What the server does, in order, after the response's head.
#[derive(Clone)]
enum Step {
    /// Sends a message, as one HTTP chunk.
    Send(Message),
    /// Sends these bytes as one HTTP chunk.
    Raw(Vec<u8>),
    /// Waits until the test says to go on.
    Wait(Arc<Notify>),
}

/// A request's head and body as the server read them.
#[derive(Default, Debug, Clone)]
struct Received {
    head: String,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Serves, to each request on `127.0.0.1:0`, a 200 response with `headers` and the messages of
/// `steps`; keeps what it read of the last request. Returns the endpoint.
async fn serve(headers: &'static str, steps: Vec<Step>) -> (String, Arc<Mutex<Received>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    let received = Arc::new(Mutex::new(Received::default()));
    let seen = received.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let steps = steps.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let Some(request) = read_request(&mut stream).await else {
                    return;
                };
                *seen.lock().unwrap() = request;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\nTransfer-Encoding: chunked\r\n{headers}\r\n"
                );
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for step in steps {
                    let bytes = match step {
                        Step::Send(message) => message.encode().expect("the message encodes"),
                        Step::Raw(bytes) => bytes,
                        Step::Wait(notify) => {
                            notify.notified().await;
                            continue;
                        }
                    };
                    let mut chunk = format!("{:x}\r\n", bytes.len()).into_bytes();
                    chunk.extend_from_slice(&bytes);
                    chunk.extend_from_slice(b"\r\n");
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
                let _ = stream.write_all(b"0\r\n\r\n").await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (endpoint, received)
}

/// A request's head, and its body by its `Content-Length`.
async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => head.push(byte[0]),
        }
    }
    let mut received = Received {
        head: String::from_utf8_lossy(&head).into_owned(),
        body: Vec::new(),
    };
    let length: usize = received
        .header("content-length")
        .and_then(|length| length.parse().ok())
        .unwrap_or(0);
    received.body = vec![0; length];
    stream.read_exact(&mut received.body).await.ok()?;
    Some(received)
}

fn config(endpoint: &str) -> Config {
    let transport = HyperTransport::builder()
        .read_timeout(Duration::from_secs(10))
        .build()
        .expect("the transport builds");
    Config::new(transport, endpoint)
        .with_region("us-east-1")
        .with_credentials(Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ))
        .with_retry(RetryConfig::disabled())
}

fn string(text: &str) -> HeaderValue {
    HeaderValue::String(text.to_owned())
}

/// An event message of type `event_type` with a JSON payload.
fn event(event_type: &str, json: &str) -> Message {
    Message::new(json.as_bytes().to_vec())
        .with_header(":message-type", string("event"))
        .with_header(":event-type", string(event_type))
        .with_header(":content-type", string("application/json"))
}

/// A modelled error's message.
fn exception(exception_type: &str, json: &str) -> Message {
    Message::new(json.as_bytes().to_vec())
        .with_header(":message-type", string("exception"))
        .with_header(":exception-type", string(exception_type))
        .with_header(":content-type", string("application/json"))
}

fn delta(text: &str) -> Message {
    event(
        "contentBlockDelta",
        &format!(r#"{{"contentBlockIndex":0,"delta":{{"text":"{text}"}},"p":"abcdef"}}"#),
    )
}

fn converse_input() -> bedrock::operation::converse_stream::ConverseStreamInput {
    use bedrock::types::{ContentBlock, ConversationRole, Message};
    bedrock::operation::converse_stream::ConverseStreamInput::builder()
        .model_id("anthropic.claude-3-haiku-20240307-v1:0")
        .messages(vec![Message::builder()
            .role(ConversationRole::User)
            .content(vec![ContentBlock::Text("Say hello".into())])
            .build()
            .expect("the message is complete")])
        .build()
        .expect("the input is complete")
}

/// The text of a `contentBlockDelta` event, if the event is one.
fn text_of(event: &bedrock::types::ConverseStreamOutput) -> Option<&str> {
    match event {
        bedrock::types::ConverseStreamOutput::ContentBlockDelta(delta) => match &delta.delta {
            bedrock::types::ContentBlockDelta::Text(text) => Some(text),
            _ => None,
        },
        _ => None,
    }
}

#[tokio::test]
async fn converse_stream_gives_each_delta_as_it_arrives() {
    if !aws_services::models_found() {
        return;
    }
    let go_on = Arc::new(Notify::new());
    let (endpoint, received) = serve(
        "x-amzn-RequestId: r-1\r\n",
        vec![
            Step::Send(event("messageStart", r#"{"role":"assistant"}"#)),
            Step::Send(delta("Hel")),
            // The rest waits until the client has the first delta.
            Step::Wait(go_on.clone()),
            Step::Send(delta("lo")),
            Step::Send(delta("!")),
            Step::Send(event("contentBlockStop", r#"{"contentBlockIndex":0}"#)),
            Step::Send(event("messageStop", r#"{"stopReason":"end_turn"}"#)),
            Step::Send(event(
                "metadata",
                r#"{"usage":{"inputTokens":3,"outputTokens":3,"totalTokens":6},"metrics":{"latencyMs":120}}"#,
            )),
        ],
    )
    .await;
    let client = bedrock::client::Client::new(&config(&endpoint));
    let mut output = tokio::time::timeout(Duration::from_secs(10), client.converse_stream(converse_input()))
        .await
        .expect("the call returns while the server holds back the rest")
        .expect("ConverseStream succeeds");
    assert!(output.stream.is_live());
    let first = output.stream.recv().await.expect("the first event is read");
    assert!(matches!(
        first,
        Some(bedrock::types::ConverseStreamOutput::MessageStart(_))
    ));
    let second = output
        .stream
        .recv()
        .await
        .expect("the second event is read")
        .expect("an event");
    assert_eq!(text_of(&second), Some("Hel"));
    // Only now does the server send the rest.
    go_on.notify_one();
    let mut text = String::from("Hel");
    let mut kinds = Vec::new();
    while let Some(event) = output.stream.recv().await.expect("each event is read") {
        if let Some(delta) = text_of(&event) {
            text.push_str(delta);
        }
        kinds.push(format!("{event:?}").split('(').next().unwrap_or_default().to_owned());
    }
    assert_eq!(text, "Hello!");
    assert_eq!(
        kinds,
        [
            "ContentBlockDelta",
            "ContentBlockDelta",
            "ContentBlockStop",
            "MessageStop",
            "Metadata"
        ]
    );
    let request = received.lock().unwrap().clone();
    assert!(request
        .head
        .starts_with("POST /model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream "));
    assert!(request
        .header("authorization")
        .is_some_and(|value| value.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
            && value.contains("/us-east-1/bedrock/aws4_request")));
    let body: serde_json::Value = serde_json::from_slice(&request.body).expect("the body is JSON");
    assert_eq!(body["messages"][0]["content"][0]["text"], "Say hello");
    // Once ended, the stream stays ended.
    assert!(output.stream.recv().await.expect("no error").is_none());
}

#[tokio::test]
async fn a_modelled_error_in_mid_stream_is_the_last_event() {
    if !aws_services::models_found() {
        return;
    }
    let (endpoint, _) = serve(
        "",
        vec![
            Step::Send(delta("Hel")),
            Step::Send(exception(
                "modelStreamErrorException",
                r#"{"message":"the model stopped","originalStatusCode":500}"#,
            )),
            // Nothing after an exception is read.
            Step::Send(delta("lo")),
        ],
    )
    .await;
    let client = bedrock::client::Client::new(&config(&endpoint));
    let mut output = client
        .converse_stream(converse_input())
        .await
        .expect("ConverseStream succeeds");
    let first = output
        .stream
        .recv()
        .await
        .expect("the delta is read")
        .expect("an event");
    assert_eq!(text_of(&first), Some("Hel"));
    match output.stream.recv().await.expect("the error is read as an event") {
        Some(bedrock::types::ConverseStreamOutput::ModelStreamErrorException(error)) => {
            assert_eq!(error.message.as_deref(), Some("the model stopped"));
            assert_eq!(error.original_status_code, Some(500));
        }
        other => panic!("expected the modelled error, got {other:?}"),
    }
    assert!(output.stream.recv().await.expect("no error").is_none());
}

#[tokio::test]
async fn an_error_the_model_does_not_name_ends_the_stream_with_its_code() {
    if !aws_services::models_found() {
        return;
    }
    let error = Message::new(Vec::new())
        .with_header(":message-type", string("error"))
        .with_header(":error-code", string("InternalFailure"))
        .with_header(":error-message", string("something broke"));
    let (endpoint, _) = serve("", vec![Step::Send(delta("Hel")), Step::Send(error)]).await;
    let client = bedrock::client::Client::new(&config(&endpoint));
    let mut output = client
        .converse_stream(converse_input())
        .await
        .expect("ConverseStream succeeds");
    assert!(output.stream.recv().await.expect("the delta is read").is_some());
    let error = output.stream.recv().await.expect_err("the stream ends with an error");
    assert_eq!(error.code(), Some("InternalFailure"));
    assert!(error.to_string().contains("something broke"), "{error}");
    assert!(output.stream.recv().await.expect("no error").is_none());
}

#[tokio::test]
async fn a_message_cut_short_or_corrupt_is_an_error() {
    if !aws_services::models_found() {
        return;
    }
    let whole = delta("Hel").encode().expect("the message encodes");
    let mut corrupt = whole.clone();
    let last = corrupt.len() - 5;
    corrupt[last] ^= 0xff;
    for (steps, expected) in [
        (vec![Step::Raw(whole[..whole.len() - 3].to_vec())], "inside a message"),
        (vec![Step::Raw(corrupt)], "could not be read"),
    ] {
        let (endpoint, _) = serve("", steps).await;
        let client = bedrock::client::Client::new(&config(&endpoint));
        let mut output = client
            .converse_stream(converse_input())
            .await
            .expect("ConverseStream succeeds");
        let error = output.stream.recv().await.expect_err("the stream fails");
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[tokio::test]
async fn invoke_with_response_stream_gives_raw_chunks_and_the_head() {
    if !aws_services::models_found() {
        return;
    }
    let chunk = |bytes: &[u8]| {
        Message::new(bytes.to_vec())
            .with_header(":message-type", string("event"))
            .with_header(":event-type", string("PayloadChunk"))
            .with_header(":content-type", string("application/octet-stream"))
    };
    let (endpoint, received) = serve(
        "X-Amz-Executed-Version: $LATEST\r\n",
        vec![
            Step::Send(chunk(b"{\"partial\":")),
            Step::Send(chunk(&[0, 159, 146, 150])),
            Step::Send(event("InvokeComplete", r#"{"LogResult":"bG9n"}"#)),
        ],
    )
    .await;
    let client = lambda::client::Client::new(&config(&endpoint));
    let input = lambda::operation::invoke_with_response_stream::InvokeWithResponseStreamInput::builder()
        .function_name("my-function")
        .payload(b"{}".to_vec())
        .build()
        .expect("the input is complete");
    let mut output = client
        .invoke_with_response_stream(input)
        .await
        .expect("the call succeeds");
    assert_eq!(output.status_code, 200);
    assert_eq!(output.executed_version.as_deref(), Some("$LATEST"));
    let mut payload = Vec::new();
    let mut complete = None;
    while let Some(event) = output.event_stream.recv().await.expect("each event is read") {
        match event {
            lambda::types::InvokeWithResponseStreamResponseEvent::PayloadChunk(update) => {
                payload.extend_from_slice(update.payload.as_ref().expect("a payload").as_ref());
            }
            lambda::types::InvokeWithResponseStreamResponseEvent::InvokeComplete(done) => complete = Some(done),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(payload, b"{\"partial\":\x00\x9f\x92\x96");
    assert_eq!(complete.and_then(|done| done.log_result).as_deref(), Some("bG9n"));
    let request = received.lock().unwrap().clone();
    assert!(request
        .head
        .starts_with("POST /2021-11-15/functions/my-function/response-streaming-invocations "));
    assert_eq!(request.body, b"{}");
}

#[tokio::test]
async fn subscribe_to_shard_reads_the_initial_response_then_the_events() {
    if !aws_services::models_found() {
        return;
    }
    let records = |sequence: &str| {
        event(
            "SubscribeToShardEvent",
            &format!(
                r#"{{"Records":[{{"Data":"aGVsbG8=","PartitionKey":"p","SequenceNumber":"{sequence}","ApproximateArrivalTimestamp":1.7E9}}],"ContinuationSequenceNumber":"{sequence}","MillisBehindLatest":0}}"#
            ),
        )
    };
    let (endpoint, received) = serve(
        "",
        vec![
            Step::Send(event("initial-response", "{}")),
            Step::Send(records("1")),
            Step::Send(records("2")),
            Step::Send(exception("ResourceInUseException", r#"{"message":"resharded"}"#)),
        ],
    )
    .await;
    let client = kinesis::client::Client::new(&config(&endpoint));
    let input = kinesis::operation::subscribe_to_shard::SubscribeToShardInput::builder()
        .consumer_arn("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1")
        .shard_id("shardId-000000000000")
        .starting_position(
            kinesis::types::StartingPosition::builder()
                .r#type(kinesis::types::ShardIteratorType::Latest)
                .build()
                .expect("the position is complete"),
        )
        .build()
        .expect("the input is complete");
    let mut output = client.subscribe_to_shard(input).await.expect("the call succeeds");
    let mut sequences = Vec::new();
    let mut ended_by = None;
    while let Some(event) = output.event_stream.recv().await.expect("each event is read") {
        match event {
            kinesis::types::SubscribeToShardEventStream::SubscribeToShardEvent(event) => {
                assert_eq!(event.records[0].data.as_ref(), b"hello");
                sequences.push(event.continuation_sequence_number);
            }
            kinesis::types::SubscribeToShardEventStream::ResourceInUseException(error) => ended_by = Some(error),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(sequences, ["1", "2"]);
    assert_eq!(ended_by.and_then(|error| error.message).as_deref(), Some("resharded"));
    let request = received.lock().unwrap().clone();
    assert_eq!(
        request.header("x-amz-target"),
        Some("Kinesis_20131202.SubscribeToShard")
    );
    let body: serde_json::Value = serde_json::from_slice(&request.body).expect("the body is JSON");
    assert_eq!(body["ShardId"], "shardId-000000000000");
}

#[tokio::test]
async fn select_object_content_gives_records_and_xml_events() {
    if !aws_services::models_found() {
        return;
    }
    // The messages S3 sends: records raw, statistics and progress as XML, then `Cont` and `End`
    // with no payload.
    let message = |event_type: &str, content_type: Option<&str>, payload: &[u8]| {
        let message = Message::new(payload.to_vec())
            .with_header(":message-type", string("event"))
            .with_header(":event-type", string(event_type));
        match content_type {
            Some(content_type) => message.with_header(":content-type", string(content_type)),
            None => message,
        }
    };
    let progress = b"<Progress><BytesScanned>512</BytesScanned><BytesProcessed>512</BytesProcessed><BytesReturned>22</BytesReturned></Progress>";
    let stats = b"<Stats><BytesScanned>1024</BytesScanned><BytesProcessed>1024</BytesProcessed><BytesReturned>36</BytesReturned></Stats>";
    let (endpoint, received) = serve(
        "x-amz-request-id: r-1\r\n",
        vec![
            Step::Send(message("Records", Some("application/octet-stream"), b"a,1\nb,2\n")),
            Step::Send(message("Cont", None, b"")),
            Step::Send(message("Progress", Some("text/xml"), progress)),
            Step::Send(message("Records", Some("application/octet-stream"), b"c,3\n")),
            Step::Send(message("Stats", Some("text/xml"), stats)),
            Step::Send(message("End", None, b"")),
        ],
    )
    .await;
    let client = s3::client::Client::new(&config(&endpoint));
    let input = s3::operation::select_object_content::SelectObjectContentInput::builder()
        .bucket("my-bucket")
        .key("data.csv")
        .expression("SELECT * FROM S3Object s")
        .expression_type(s3::types::ExpressionType::Sql)
        .input_serialization(s3::types::InputSerialization::builder().csv(s3::types::CsvInput::builder().build()))
        .output_serialization(s3::types::OutputSerialization::builder().csv(s3::types::CsvOutput::builder().build()))
        .build()
        .expect("the input is complete");
    let mut output = client.select_object_content(input).await.expect("the call succeeds");
    let mut records = Vec::new();
    let mut kinds = Vec::new();
    let mut returned = Vec::new();
    while let Some(event) = output.payload.recv().await.expect("each event is read") {
        use s3::types::SelectObjectContentEventStream as Event;
        match event {
            Event::Records(event) => {
                records.extend_from_slice(event.payload.as_ref().expect("records").as_ref());
                kinds.push("Records");
            }
            Event::Progress(event) => {
                let details = event.details.expect("progress details");
                assert_eq!(details.bytes_scanned, Some(512));
                returned.push(details.bytes_returned);
                kinds.push("Progress");
            }
            Event::Stats(event) => {
                let details = event.details.expect("statistics");
                assert_eq!(details.bytes_scanned, Some(1024));
                assert_eq!(details.bytes_processed, Some(1024));
                returned.push(details.bytes_returned);
                kinds.push("Stats");
            }
            Event::Cont(_) => kinds.push("Cont"),
            Event::End(_) => kinds.push("End"),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(records, b"a,1\nb,2\nc,3\n");
    assert_eq!(kinds, ["Records", "Cont", "Progress", "Records", "Stats", "End"]);
    assert_eq!(returned, [Some(22), Some(36)]);
    let request = received.lock().unwrap().clone();
    // The endpoint is an IP address, so the rules address the bucket by path.
    assert!(
        request
            .head
            .starts_with("POST /my-bucket/data.csv?select&select-type=2 "),
        "{}",
        request.head
    );
    let body = String::from_utf8(request.body).expect("the body is text");
    assert!(
        body.starts_with("<SelectObjectContentRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"),
        "{body}"
    );
    assert!(
        body.contains("<Expression>SELECT * FROM S3Object s</Expression>"),
        "{body}"
    );
    assert!(body.contains("<ExpressionType>SQL</ExpressionType>"), "{body}");
    assert!(body.contains("<InputSerialization><CSV"), "{body}");
}
