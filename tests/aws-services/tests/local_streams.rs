//! Generated servers that stream, called by the generated clients over loopback: what a team
//! that serves a model with streams (or a local stand-in of an AWS service) gets.
//!
//! Pins:
//! - S3: a PutObject of 96 MiB reaches the implementation as it arrives (the server undoes the
//!   client's `aws-chunked` encoding and checks its CRC64NVME trailer) and a GetObject of 256 MiB
//!   goes out as the implementation makes it, neither held whole by the server;
//! - Bedrock Runtime: `ConverseStream`'s events reach the client as the implementation sends
//!   them (the first before the implementation has made the last);
//! - Transcribe Streaming, over HTTP/2: the implementation reads the client's signed audio
//!   events as they come and answers each with a transcript while the client still sends.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_services::{bedrock, s3_local as s3, transcribe};
use smithy_runtime::auth::Credentials;
use smithy_runtime::checksum::RequestChecksumCalculation;
use smithy_runtime::client::{Config, HyperTransport, RetryConfig};
use smithy_runtime::error::UnhandledError;
use smithy_runtime::primitives::{ByteStream, EventStream};
use tokio::net::TcpListener;
use tokio::sync::Notify;

const TIMEOUT: Duration = Duration::from_secs(60);

async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .expect("the call finished in time")
}

fn config(endpoint: &str, transport: HyperTransport) -> Config {
    Config::new(transport, endpoint)
        .with_region("us-east-1")
        .with_credentials(Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ))
        .with_retry(RetryConfig::disabled())
}

/// Serves `handler` on `127.0.0.1:0`; returns the endpoint.
async fn serve(handler: impl smithy_runtime::server::Handler) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    tokio::spawn(async move {
        let limits = smithy_runtime::server::Limits::default().with_handler_timeout(Duration::from_secs(60));
        let result = smithy_runtime::server::serve_with_limits(listener, handler, limits).await;
        panic!("the server stopped: {result:?}");
    });
    endpoint
}

/// The peak resident memory of this process so far, in bytes (Linux; `None` elsewhere).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}

/// The object's byte at `position`.
fn byte_at(position: u64) -> u8 {
    (position % 251) as u8
}

/// `length` bytes of the pattern, in pieces of 64 KiB, made as they are asked for.
fn pattern_stream(length: u64) -> ByteStream {
    struct Pattern {
        sent: u64,
        length: u64,
    }
    impl futures_core::Stream for Pattern {
        type Item = Result<Vec<u8>, std::io::Error>;

        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.sent >= self.length {
                return std::task::Poll::Ready(None);
            }
            let piece = (self.length - self.sent).min(64 * 1024);
            let start = self.sent;
            self.sent += piece;
            std::task::Poll::Ready(Some(Ok((start..start + piece).map(byte_at).collect())))
        }
    }
    ByteStream::from_stream(Pattern { sent: 0, length }, Some(length))
}

/// S3 whose objects are the pattern: PutObject checks and counts what it reads, GetObject
/// makes what it sends.
#[derive(Default)]
struct PatternS3 {
    received: AtomicU64,
}

impl s3::service::AmazonS3 for PatternS3 {
    async fn put_object(
        &self,
        mut input: s3::operation::put_object::PutObjectInput,
    ) -> Result<s3::operation::put_object::PutObjectOutput, s3::operation::put_object::PutObjectError> {
        assert!(input.body.is_streaming(), "the body reaches the implementation unread");
        let mut read = 0u64;
        while let Some(piece) = input.body.next_chunk().await {
            let piece = piece.map_err(|error| {
                s3::operation::put_object::PutObjectError::Unhandled(UnhandledError::invalid_input(error))
            })?;
            if piece
                .iter()
                .enumerate()
                .any(|(offset, byte)| *byte != byte_at(read + offset as u64))
            {
                return Err(s3::operation::put_object::PutObjectError::Unhandled(
                    UnhandledError::invalid_input("the body is not the pattern"),
                ));
            }
            read += piece.len() as u64;
        }
        self.received.store(read, Ordering::SeqCst);
        Ok(s3::operation::put_object::PutObjectOutput::builder()
            .e_tag(format!("\"{read}\""))
            .build())
    }

    async fn get_object(
        &self,
        input: s3::operation::get_object::GetObjectInput,
    ) -> Result<s3::operation::get_object::GetObjectOutput, s3::operation::get_object::GetObjectError> {
        let length: u64 = input.key.parse().unwrap_or(0);
        Ok(s3::operation::get_object::GetObjectOutput::builder()
            .content_length(length as i64)
            .body(pattern_stream(length))
            .build())
    }

    async fn list_objects_v2(
        &self,
        _: s3::operation::list_objects_v2::ListObjectsV2Input,
    ) -> Result<s3::operation::list_objects_v2::ListObjectsV2Output, s3::operation::list_objects_v2::ListObjectsV2Error>
    {
        Ok(s3::operation::list_objects_v2::ListObjectsV2Output::builder().build())
    }
}

#[tokio::test]
async fn a_generated_s3_server_streams_uploads_and_downloads() {
    if !aws_services::models_found() {
        return;
    }
    use s3::service::AmazonS3;
    let service = Arc::new(PatternS3::default());
    let endpoint = serve(s3::server::Server::from_arc(service.clone())).await;
    let client = s3::client::Client::new(
        &config(&endpoint, HyperTransport::new())
            .with_request_checksum_calculation(RequestChecksumCalculation::WhenSupported),
    );
    let before = peak_memory();

    let length: u64 = 96 * 1024 * 1024;
    let put = s3::operation::put_object::PutObjectInput::builder()
        .bucket("b")
        .key("pattern")
        .checksum_algorithm(s3::types::ChecksumAlgorithm::Crc64Nvme)
        .body(pattern_stream(length))
        .build()
        .expect("the input is complete");
    let output = within(client.put_object(put)).await.expect("PutObject succeeds");
    assert_eq!(output.e_tag, Some(format!("\"{length}\"")));
    assert_eq!(service.received.load(Ordering::SeqCst), length);

    let length: u64 = 256 * 1024 * 1024;
    let get = s3::operation::get_object::GetObjectInput::builder()
        .bucket("b")
        .key(length.to_string())
        .build()
        .expect("the input is complete");
    let mut output = within(client.get_object(get)).await.expect("GetObject succeeds");
    assert_eq!(output.body.length(), Some(length));
    let mut read = 0u64;
    while let Some(piece) = within(output.body.next_chunk()).await {
        let piece = piece.expect("the piece is read");
        assert_eq!(piece.first().copied(), Some(byte_at(read)));
        assert_eq!(piece.last().copied(), Some(byte_at(read + piece.len() as u64 - 1)));
        read += piece.len() as u64;
    }
    assert_eq!(read, length);
    if let (Some(before), Some(after)) = (before, peak_memory()) {
        // Client and server in one process, other tests beside them: the bound is loose, but
        // far below the 352 MiB that went through.
        let grown = after.saturating_sub(before);
        assert!(grown < 128 * 1024 * 1024, "peak memory grew by {} MiB", grown >> 20);
    }
}

/// Bedrock whose model says "Hello!" in three deltas, the last two only once `go_on` is told.
struct TalkingBedrock {
    go_on: Arc<Notify>,
}

impl bedrock::service::AmazonBedrockFrontendService for TalkingBedrock {
    async fn converse_stream(
        &self,
        input: bedrock::operation::converse_stream::ConverseStreamInput,
    ) -> Result<
        bedrock::operation::converse_stream::ConverseStreamOutput,
        bedrock::operation::converse_stream::ConverseStreamError,
    > {
        use bedrock::types::{
            ContentBlockDelta, ContentBlockDeltaEvent, ConverseStreamOutput, MessageStopEvent, StopReason,
        };
        assert_eq!(input.model_id, "local-model");
        let (sender, stream) = EventStream::channel(1);
        let go_on = self.go_on.clone();
        tokio::spawn(async move {
            for (index, text) in ["Hel", "lo", "!"].into_iter().enumerate() {
                if index == 1 {
                    go_on.notified().await;
                }
                let delta = ContentBlockDeltaEvent::builder()
                    .content_block_index(0)
                    .delta(ContentBlockDelta::Text(text.into()))
                    .build()
                    .expect("the event is complete");
                if sender
                    .send(ConverseStreamOutput::ContentBlockDelta(delta))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            let stop = MessageStopEvent::builder()
                .stop_reason(StopReason::EndTurn)
                .build()
                .expect("the event is complete");
            let _ = sender.send(ConverseStreamOutput::MessageStop(stop)).await;
        });
        Ok(bedrock::operation::converse_stream::ConverseStreamOutput::builder()
            .stream(stream)
            .build())
    }

    async fn invoke_model_with_response_stream(
        &self,
        _: bedrock::operation::invoke_model_with_response_stream::InvokeModelWithResponseStreamInput,
    ) -> Result<
        bedrock::operation::invoke_model_with_response_stream::InvokeModelWithResponseStreamOutput,
        bedrock::operation::invoke_model_with_response_stream::InvokeModelWithResponseStreamError,
    > {
        Err(UnhandledError::invalid_input("not served here").into())
    }
}

#[tokio::test]
async fn a_generated_bedrock_server_streams_events_as_they_are_made() {
    if !aws_services::models_found() {
        return;
    }
    use bedrock::service::AmazonBedrockFrontendService;
    use bedrock::types::{ContentBlockDelta, ConverseStreamOutput};
    let go_on = Arc::new(Notify::new());
    let endpoint = serve(bedrock::server::Server::new(TalkingBedrock { go_on: go_on.clone() })).await;
    let client = bedrock::client::Client::new(&config(&endpoint, HyperTransport::new()));
    let input = bedrock::operation::converse_stream::ConverseStreamInput::builder()
        .model_id("local-model")
        .messages(vec![bedrock::types::Message::builder()
            .role(bedrock::types::ConversationRole::User)
            .content(vec![bedrock::types::ContentBlock::Text("Hi".into())])
            .build()
            .expect("the message is complete")])
        .build()
        .expect("the input is complete");
    let mut output = within(client.converse_stream(input))
        .await
        .expect("ConverseStream succeeds");
    let text = |event: ConverseStreamOutput| match event {
        ConverseStreamOutput::ContentBlockDelta(delta) => match delta.delta {
            ContentBlockDelta::Text(text) => Some(text),
            _ => None,
        },
        _ => None,
    };
    let first = within(output.stream.recv())
        .await
        .expect("the event is read")
        .expect("an event");
    assert_eq!(text(first).as_deref(), Some("Hel"));
    // The implementation makes the rest only now.
    go_on.notify_one();
    let mut rest = String::new();
    let mut stopped = false;
    while let Some(event) = within(output.stream.recv()).await.expect("each event is read") {
        stopped |= matches!(event, ConverseStreamOutput::MessageStop(_));
        rest.push_str(&text(event).unwrap_or_default());
    }
    assert_eq!(rest, "lo!");
    assert!(stopped);
}

/// Transcribe that answers each audio event with the number of bytes heard so far.
struct CountingTranscribe;

impl transcribe::service::Transcribe for CountingTranscribe {
    async fn start_stream_transcription(
        &self,
        mut input: transcribe::operation::start_stream_transcription::StartStreamTranscriptionInput,
    ) -> Result<
        transcribe::operation::start_stream_transcription::StartStreamTranscriptionOutput,
        transcribe::operation::start_stream_transcription::StartStreamTranscriptionError,
    > {
        use transcribe::types::{
            Alternative, AudioStream, ResultValue, Transcript, TranscriptEvent, TranscriptResultStream,
        };
        assert!(input.audio_stream.is_live(), "the audio arrives as it is sent");
        let (sender, transcripts) = EventStream::channel(4);
        let mut audio = std::mem::take(&mut input.audio_stream);
        tokio::spawn(async move {
            let mut heard = 0;
            while let Ok(Some(event)) = audio.recv().await {
                let AudioStream::AudioEvent(event) = event else {
                    continue;
                };
                heard += event.audio_chunk.map_or(0, |chunk| chunk.as_ref().len());
                let alternative = Alternative::builder()
                    .transcript(format!("heard {heard} bytes"))
                    .build();
                let result = ResultValue::builder().alternatives(vec![alternative]).build();
                let event = TranscriptEvent::builder()
                    .transcript(Transcript::builder().results(vec![result]).build())
                    .build();
                if sender
                    .send(TranscriptResultStream::TranscriptEvent(event))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
        Ok(
            transcribe::operation::start_stream_transcription::StartStreamTranscriptionOutput::builder()
                .language_code(input.language_code.unwrap_or(transcribe::types::LanguageCode::EnUs))
                .transcript_result_stream(transcripts)
                .build(),
        )
    }
}

#[tokio::test]
async fn a_generated_transcribe_server_reads_audio_while_it_sends_transcripts() {
    if !aws_services::models_found() {
        return;
    }
    use transcribe::service::Transcribe;
    use transcribe::types::{AudioEvent, AudioStream, LanguageCode, MediaEncoding, TranscriptResultStream};
    let endpoint = serve(transcribe::server::Server::new(CountingTranscribe)).await;
    let transport = HyperTransport::builder()
        .http2_only()
        .build()
        .expect("the transport builds");
    let client = transcribe::client::Client::new(&config(&endpoint, transport));
    let (sender, audio) = EventStream::channel(2);
    let input = transcribe::operation::start_stream_transcription::StartStreamTranscriptionInput::builder()
        .language_code(LanguageCode::EnUs)
        .media_sample_rate_hertz(16_000)
        .media_encoding(MediaEncoding::Pcm)
        .audio_stream(audio)
        .build()
        .expect("the input is complete");
    let chunk = |bytes: usize| AudioStream::AudioEvent(AudioEvent::builder().audio_chunk(vec![1u8; bytes]).build());
    let text = |event: TranscriptResultStream| match event {
        TranscriptResultStream::TranscriptEvent(event) => event
            .transcript
            .and_then(|transcript| transcript.results)
            .and_then(|results| results.into_iter().next())
            .and_then(|result| result.alternatives)
            .and_then(|alternatives| alternatives.into_iter().next())
            .and_then(|alternative| alternative.transcript),
        _ => None,
    };
    sender.send(chunk(100)).await.expect("the stream takes the audio");
    let mut output = within(client.start_stream_transcription(input))
        .await
        .expect("StartStreamTranscription succeeds");
    assert_eq!(output.language_code, Some(LanguageCode::EnUs));
    let first = within(output.transcript_result_stream.recv())
        .await
        .expect("the transcript is read")
        .expect("a transcript");
    assert_eq!(text(first).as_deref(), Some("heard 100 bytes"));
    sender.send(chunk(50)).await.expect("the stream takes the audio");
    let second = within(output.transcript_result_stream.recv())
        .await
        .expect("the transcript is read")
        .expect("a transcript");
    assert_eq!(text(second).as_deref(), Some("heard 150 bytes"));
    drop(sender);
    assert!(within(output.transcript_result_stream.recv())
        .await
        .expect("the stream ends cleanly")
        .is_none());
}
