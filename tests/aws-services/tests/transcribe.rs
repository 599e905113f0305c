//! Transcribe Streaming `StartStreamTranscription` over loopback HTTP/2, both ways at once: the
//! generated client sends audio events from a channel while it reads transcript events, and a
//! stand-in server answers each audio event as it arrives. The server checks the framing and
//! every message's signature, chained from the request's (`STREAMING-AWS4-HMAC-SHA256-EVENTS`),
//! and the signed empty message that ends the stream.
//!
//! Pins: the call returns while audio is still to be sent; the second audio event is sent only
//! after the transcript of the first has arrived (so both directions are open at once), after a
//! pause longer than the transport's read timeout (which an event stream does not have).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_services::transcribe;
use bytes::Bytes;
use http_body_util::BodyExt;
use smithy_runtime::auth::sigv4::streaming::ChunkSigner;
use smithy_runtime::auth::sigv4::SigningParams;
use smithy_runtime::auth::Credentials;
use smithy_runtime::client::{Config, HyperTransport, RetryConfig};
use smithy_runtime::event_stream::{HeaderValue, Message, MessageReader};
use smithy_runtime::primitives::EventStream;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use transcribe::service::Transcribe;
use transcribe::types::{AudioEvent, AudioStream, LanguageCode, MediaEncoding, TranscriptResultStream};

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// What the server saw.
#[derive(Default, Debug)]
struct Seen {
    /// The request's `x-amz-content-sha256` and `content-type`.
    content_sha256: Option<String>,
    content_type: Option<String>,
    /// The audio bytes of each audio event, in order.
    audio: Vec<usize>,
    /// Whether the stream ended with a signed empty message.
    signed_end: bool,
    /// The problems found (a signature that does not chain, a malformed message).
    problems: Vec<String>,
}

/// A response body fed by a channel.
struct ChannelBody(mpsc::Receiver<Vec<u8>>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|piece| piece.map(|piece| Ok(http_body::Frame::data(Bytes::from(piece)))))
    }
}

fn string(text: &str) -> HeaderValue {
    HeaderValue::String(text.to_owned())
}

/// The transcript event the server sends after `heard` bytes of audio.
fn transcript(heard: usize) -> Vec<u8> {
    let json = format!(
        r#"{{"Transcript":{{"Results":[{{"Alternatives":[{{"Transcript":"heard {heard} bytes"}}],"IsPartial":false,"ResultId":"r","StartTime":0.0,"EndTime":1.0}}]}}}}"#
    );
    Message::new(json.into_bytes())
        .with_header(":message-type", string("event"))
        .with_header(":event-type", string("TranscriptEvent"))
        .with_header(":content-type", string("application/json"))
        .encode()
        .expect("the message encodes")
}

/// Serves `StartStreamTranscription` over HTTP/2 with prior knowledge on `127.0.0.1:0`.
async fn serve() -> (String, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let shared = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = shared.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let seen = seen.clone();
                    async move { Ok::<_, Infallible>(respond(request, seen)) }
                });
                let _ = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (endpoint, seen)
}

/// Answers at once with a response whose body carries a transcript event per audio event, as
/// the request's events arrive.
fn respond(request: http::Request<hyper::body::Incoming>, seen: Arc<Mutex<Seen>>) -> http::Response<ChannelBody> {
    let (parts, mut body) = request.into_parts();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    {
        let mut seen = seen.lock().unwrap();
        seen.content_sha256 = header("x-amz-content-sha256");
        seen.content_type = header("content-type");
    }
    let seed = header("authorization")
        .and_then(|value| value.split("Signature=").nth(1).map(str::to_owned))
        .unwrap_or_default();
    let (events, receiver) = mpsc::channel(16);
    tokio::spawn(async move {
        let credentials = Credentials::from_keys(ACCESS_KEY, SECRET_KEY);
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "transcribe",
            time: SystemTime::now(),
            settings: Default::default(),
        };
        let mut signer = ChunkSigner::new(&params, &seed);
        let mut reader = MessageReader::new();
        let mut heard = 0;
        let problem = |text: String| seen.lock().unwrap().problems.push(text);
        while let Some(Ok(frame)) = body.frame().await {
            let Ok(data) = frame.into_data() else { continue };
            reader.push(&data);
            loop {
                let outer = match reader.next_message() {
                    Ok(Some(message)) => message,
                    Ok(None) => break,
                    Err(error) => return problem(format!("a message could not be read: {error}")),
                };
                let Some(HeaderValue::Timestamp(date)) = outer.header(":date") else {
                    return problem("a message has no `:date`".into());
                };
                let time = UNIX_EPOCH + Duration::new(date.secs() as u64, date.subsec_nanos());
                let expected = signer.sign_message(outer.payload(), time).expect("the message signs");
                if expected.header(":chunk-signature") != outer.header(":chunk-signature") {
                    return problem(format!("message {} does not chain to the one before", heard));
                }
                if outer.payload().is_empty() {
                    seen.lock().unwrap().signed_end = true;
                    // The stream's end: the response ends too.
                    return;
                }
                let inner = match Message::decode(outer.payload()) {
                    Ok(inner) => inner,
                    Err(error) => return problem(format!("a signed message holds no message: {error}")),
                };
                if inner.header(":event-type").and_then(HeaderValue::as_str) != Some("AudioEvent") {
                    return problem(format!("not an audio event: {inner:?}"));
                }
                heard += inner.payload().len();
                seen.lock().unwrap().audio.push(inner.payload().len());
                if events.send(transcript(heard)).await.is_err() {
                    return;
                }
            }
        }
        problem("the request ended without its signed end".into());
    });
    http::Response::builder()
        .status(200)
        .header("content-type", "application/vnd.amazon.eventstream")
        .header("x-amzn-request-id", "req-1")
        .header("x-amzn-transcribe-language-code", "en-US")
        .header("x-amzn-transcribe-sample-rate", "16000")
        .header("x-amzn-transcribe-media-encoding", "pcm")
        .body(ChannelBody(receiver))
        .expect("the response builds")
}

fn client(endpoint: &str) -> transcribe::client::Client {
    let transport = HyperTransport::builder()
        .http2_only()
        .read_timeout(Duration::from_secs(2))
        .build()
        .expect("the transport builds");
    let config = Config::new(transport, endpoint)
        .with_region("us-east-1")
        .with_credentials(Credentials::from_keys(ACCESS_KEY, SECRET_KEY))
        .with_retry(RetryConfig::disabled());
    transcribe::client::Client::new(&config)
}

fn audio(bytes: usize) -> AudioStream {
    AudioStream::AudioEvent(AudioEvent::builder().audio_chunk(vec![7u8; bytes]).build())
}

/// The text of a transcript event.
fn text_of(event: &TranscriptResultStream) -> Option<String> {
    let TranscriptResultStream::TranscriptEvent(event) = event else {
        return None;
    };
    let result = event.transcript.as_ref()?.results.as_ref()?.first()?;
    result.alternatives.as_ref()?.first()?.transcript.clone()
}

#[tokio::test]
async fn audio_goes_out_while_transcripts_come_in_over_http2() {
    if !aws_services::models_found() {
        return;
    }
    let (endpoint, seen) = serve().await;
    let (sender, audio_stream) = EventStream::channel(4);
    let input = transcribe::operation::start_stream_transcription::StartStreamTranscriptionInput::builder()
        .language_code(LanguageCode::EnUs)
        .media_sample_rate_hertz(16_000)
        .media_encoding(MediaEncoding::Pcm)
        .audio_stream(audio_stream)
        .build()
        .expect("the input is complete");
    sender.send(audio(3200)).await.expect("the stream takes the audio");
    let mut output = tokio::time::timeout(
        Duration::from_secs(10),
        client(&endpoint).start_stream_transcription(input),
    )
    .await
    .expect("the call returns while audio is still to come")
    .expect("StartStreamTranscription succeeds");
    assert_eq!(output.request_id.as_deref(), Some("req-1"));
    assert_eq!(output.media_sample_rate_hertz, Some(16_000));
    let first = output
        .transcript_result_stream
        .recv()
        .await
        .expect("the transcript is read")
        .expect("a transcript");
    assert_eq!(text_of(&first).as_deref(), Some("heard 3200 bytes"));
    // Sent only now, after the first transcript arrived: both directions are open. The pause
    // is longer than the transport's read timeout, which an event stream does not have.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    sender.send(audio(1600)).await.expect("the stream takes the audio");
    let second = output
        .transcript_result_stream
        .recv()
        .await
        .expect("the transcript is read")
        .expect("a transcript");
    assert_eq!(text_of(&second).as_deref(), Some("heard 4800 bytes"));
    // Dropping the sender ends the audio; the server then ends the transcripts.
    drop(sender);
    assert!(output
        .transcript_result_stream
        .recv()
        .await
        .expect("the stream ends cleanly")
        .is_none());
    let seen = seen.lock().unwrap();
    assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    assert_eq!(seen.audio, [3200, 1600]);
    assert!(seen.signed_end);
    assert_eq!(
        seen.content_sha256.as_deref(),
        Some("STREAMING-AWS4-HMAC-SHA256-EVENTS")
    );
    assert_eq!(seen.content_type.as_deref(), Some("application/vnd.amazon.eventstream"));
}
