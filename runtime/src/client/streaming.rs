//! What a call does when its operation's input or output streams
//! ([`OperationSchema::streams`](crate::schema::OperationSchema::streams)): a body sent as it
//! is read, in `aws-chunked` pieces when it carries a trailing checksum; events sent as they
//! come, each signed; a body or events handed on as they arrive.
//!
//! The call reaches it only through [`STREAMING`], which only the calls of operations that
//! stream name: a program none of whose operations stream links none of it.

use super::signing;
use super::{Config, Delivered, Received, RequestContext, Streamed};
use crate::auth::sigv4::streaming::AwsChunked;
use crate::auth::sigv4::StreamingPayload;
use crate::checksum::{ChecksumAlgorithm, ChecksumCode, Hasher};
use crate::codec::Side;
use crate::error::UnhandledError;
use crate::event_stream::{Incoming, Message, SignMessage, INITIAL_REQUEST, INITIAL_RESPONSE};
use crate::primitives::ByteStream;
use crate::schema::{Flags, Schema, ServiceSchema};
use crate::server::BoxFuture;
use crate::shape::Value;
use crate::transport::{TransportError, TransportFailure, TransportFailureKind};

/// Takes what of an input streams: see [`take`].
type Take = fn(&RequestContext, &dyn Value, &mut http::Request<Vec<u8>>) -> Result<Uploads, UnhandledError>;

/// Sends a request whose body or response's body streams: see [`receive`].
type Receive =
    for<'a> fn(&'a Config, http::Request<ByteStream>, bool) -> BoxFuture<'a, Result<Received, TransportError>>;

/// The steps of a call that streams, each reached through this table.
pub(super) struct Streaming {
    /// The input's body that streams and its events, taken from the input; sets the request's
    /// headers for them.
    pub(super) take: Take,
    /// What an attempt sends of them; `last` when no attempt follows.
    pub(super) attempt: fn(&mut Uploads, bool) -> Result<AttemptBody, UnhandledError>,
    /// The signer of an event stream's messages, chained to the request's signature.
    pub(super) message_signer: signing::MessageSigner,
    /// The request's body of events, each signed with the signer when the request is.
    pub(super) events_body: fn(EventsUpload, Option<SignMessage>) -> Result<ByteStream, UnhandledError>,
    /// Sends a request whose body or response's body streams: see [`receive`].
    pub(super) receive: Receive,
    /// A body that streams, checked against its checksum as it is read.
    pub(super) checked: fn(ByteStream, Hasher, String) -> ByteStream,
    /// The response as the operation reads it: see [`deliver`].
    pub(super) deliver: fn(RequestContext, Received) -> BoxFuture<'static, Result<Delivered, UnhandledError>>,
}

/// The steps of every call that streams.
pub(super) static STREAMING: Streaming = Streaming {
    take,
    attempt,
    message_signer: signing::message_signer,
    events_body: EventsUpload::body,
    receive: |config, request, streams_output| Box::pin(receive(config, request, streams_output)),
    checked: ByteStream::checked,
    deliver: |context, received| Box::pin(deliver(context, received)),
};

/// The most bytes of an error response read when the operation's output streams (an error's
/// body is read whole, to be parsed).
const MAX_STREAMED_ERROR_BODY: usize = 16 * 1024 * 1024;

/// The size of the `aws-chunked` chunks of a body that streams with a trailing checksum.
const UPLOAD_CHUNK: usize = 64 * 1024;

/// What of a call's input streams: its body, its events, or neither.
pub(super) struct Uploads {
    upload: Option<Upload>,
    events: Option<EventsUpload>,
}

impl Uploads {
    /// Whether the input has an event stream still to send.
    pub(super) fn has_events(&self) -> bool {
        self.events.is_some()
    }
}

/// What an attempt sends of a call's input that streams.
pub(super) struct AttemptBody {
    /// The body, unless the request's own (held in memory) goes.
    pub(super) body: Option<ByteStream>,
    /// The events, whose body is made once the request is signed.
    pub(super) events: Option<EventsUpload>,
    /// What the request's signature covers of the body.
    pub(super) payload: signing::Payload,
    /// Why this attempt is the last, when it has to be: what it sends cannot be sent again.
    pub(super) once: Option<&'static str>,
}

/// The input's body that streams (checked for `@requiresLength`) and its event stream, taken
/// from `input`; sets `request`'s headers for them.
fn take(
    context: &RequestContext,
    input: &dyn Value,
    request: &mut http::Request<Vec<u8>>,
) -> Result<Uploads, UnhandledError> {
    let streaming = context.operation.input.streaming_blob();
    let body = streaming
        .and_then(|index| input.member(index))
        .and_then(Value::byte_stream);
    // `@requiresLength`: the service must be told the length before the body comes.
    if let (Some(index), Some(body)) = (streaming, body) {
        let member = &context.operation.input.members[index];
        if member.traits.has(Flags::REQUIRES_LENGTH) && body.length().is_none() {
            return Err(UnhandledError::invalid_input(format!(
                "`{}` of `{}` must have a known length (`@requiresLength`): make it with \
                 `ByteStream::new`, `ByteStream::from_path`, or `ByteStream::from_stream` with its length",
                member.name, context.operation.id
            )));
        }
    }
    let upload = body
        .and_then(ByteStream::take_stream)
        .map(|body| Upload::new(request, body, context.operation.checksums));
    let events = EventsUpload::new(context, input, request)?;
    Ok(Uploads { upload, events })
}

/// What an attempt sends of `uploads`: the body, itself for the `last` attempt or made again
/// from its start for another (when it cannot be, this attempt takes it and is the last); the
/// events, which are sent once.
fn attempt(uploads: &mut Uploads, last: bool) -> Result<AttemptBody, UnhandledError> {
    let mut once = None;
    let body = match &mut uploads.upload {
        Some(upload) => match upload.body(last) {
            Some(body) => Some(body),
            None => {
                once = Some("the request body is a stream that can be read only once");
                Some(upload.body(true).ok_or_else(|| {
                    UnhandledError::invalid_input("the request body was sent and cannot be sent again")
                })?)
            }
        },
        None => None,
    };
    let events = uploads.events.take();
    if events.is_some() {
        once = Some("an event stream is sent once");
    }
    let payload = match (&uploads.upload, &events) {
        (_, Some(_)) => signing::Payload::Streaming(StreamingPayload::Events),
        (Some(upload), None) => upload.payload(),
        (None, None) => signing::Payload::Body,
    };
    Ok(AttemptBody {
        body,
        events,
        payload,
        once,
    })
}

/// The response of the last attempt as the operation reads it: a successful response's events,
/// when the output has an event stream, read from its body as they arrive; for an RPC
/// protocol, its initial response read first, whose payload holds the output's other members.
async fn deliver(context: RequestContext, (mut response, stream): Received) -> Result<Delivered, UnhandledError> {
    let Some(index) = context
        .operation
        .output
        .event_stream()
        .filter(|_| response.status().is_success())
    else {
        return Ok((response, stream.map(Streamed::Body)));
    };
    // A transport that holds bodies in memory gives the events whole.
    let body = stream.unwrap_or_else(|| ByteStream::new(std::mem::take(response.body_mut())));
    let member = &context.operation.output.members[index];
    let mut events = Incoming::new(context.service, member, Side::Client, body);
    if crate::protocol::wire(context.service).initial_messages() {
        let initial = events
            .initial(INITIAL_RESPONSE)
            .await
            .map_err(|error| UnhandledError::invalid_response(response.status().as_u16(), error.to_string()))?;
        if let Some(initial) = initial {
            *response.body_mut() = initial.into_payload();
        }
    }
    Ok((response, Some(Streamed::Events(events))))
}

/// Sends a request whose body or response's body may stream: a success's body is handed on as
/// it arrives when the output streams (`streams_output`); any other is read whole (an error's
/// at most [`MAX_STREAMED_ERROR_BODY`] bytes), to be parsed.
async fn receive(
    config: &Config,
    request: http::Request<ByteStream>,
    streams_output: bool,
) -> Result<Received, TransportError> {
    let response = config.transport.send_streaming(request).await?;
    let (parts, mut body) = response.into_parts();
    if !body.is_streaming() {
        // A transport that holds bodies in memory: the body is read as any other.
        return Ok((http::Response::from_parts(parts, body.into_inner()), None));
    }
    if parts.status.is_success() && streams_output {
        return Ok((http::Response::from_parts(parts, Vec::new()), Some(body)));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next_chunk().await {
        bytes.extend_from_slice(&chunk?);
        if bytes.len() > MAX_STREAMED_ERROR_BODY {
            return Err(Box::new(TransportFailure::new(
                TransportFailureKind::ResponseTooLarge,
                format!("the error response's body is larger than {MAX_STREAMED_ERROR_BODY} bytes"),
            )));
        }
    }
    Ok((http::Response::from_parts(parts, bytes), None))
}

/// An input body that streams, and how it goes on the wire: as it is, or in `aws-chunked`
/// chunks with a trailing checksum when the request asks for one.
struct Upload {
    /// The body as the caller gave it; the last attempt takes it.
    body: Option<ByteStream>,
    /// The checksum it carries in a trailer, and the code that computes it.
    trailer: Option<(ChecksumAlgorithm, &'static ChecksumCode)>,
}

impl Upload {
    /// Sets `request`'s headers for `body`: its length, or, when the request's steps asked for a
    /// checksum (which they computed of the empty body held in memory), `aws-chunked` with the
    /// checksum computed as the body streams and sent after it. Without a known length the body
    /// goes as it is (chunked by HTTP/1.1), without a checksum. `code` is the operation's
    /// checksum code, which computes the trailer.
    fn new(request: &mut http::Request<Vec<u8>>, body: ByteStream, code: Option<&'static ChecksumCode>) -> Self {
        let headers = request.headers_mut();
        let mut trailer = None;
        for algorithm in ChecksumAlgorithm::PREFERENCE {
            if headers.remove(algorithm.header()).is_some() {
                trailer = trailer.or(code.map(|code| (algorithm, code)));
            }
        }
        headers.remove(http::header::CONTENT_LENGTH);
        let length = body.length();
        let header = |value: String| http::HeaderValue::from_str(&value).ok();
        match (trailer, length) {
            (Some((algorithm, _)), Some(length)) => {
                let encoding = match headers
                    .get(http::header::CONTENT_ENCODING)
                    .and_then(|value| value.to_str().ok())
                {
                    Some(own) => format!("aws-chunked,{own}"),
                    None => "aws-chunked".to_owned(),
                };
                let encoded = AwsChunked::encoded_length(length, UPLOAD_CHUNK as u64, false, Some(algorithm));
                for (name, value) in [
                    (http::header::CONTENT_ENCODING.as_str(), encoding),
                    ("x-amz-decoded-content-length", length.to_string()),
                    ("x-amz-trailer", algorithm.header().to_owned()),
                    (http::header::CONTENT_LENGTH.as_str(), encoded.to_string()),
                ] {
                    if let (Ok(name), Some(value)) = (http::HeaderName::from_bytes(name.as_bytes()), header(value)) {
                        headers.insert(name, value);
                    }
                }
            }
            (_, Some(length)) => {
                trailer = None;
                if let Some(value) = header(length.to_string()) {
                    headers.insert(http::header::CONTENT_LENGTH, value);
                }
            }
            (_, None) => trailer = None,
        }
        Self {
            body: Some(body),
            trailer,
        }
    }

    /// What the request's signature covers of the body.
    fn payload(&self) -> signing::Payload {
        match self.trailer {
            Some(_) => signing::Payload::Streaming(StreamingPayload::UnsignedWithTrailer),
            None => signing::Payload::Unsigned,
        }
    }

    /// The body for an attempt, as it goes on the wire: the body itself for the `last`, else
    /// the body made again from its start; `None` when it cannot be made again.
    fn body(&mut self, last: bool) -> Option<ByteStream> {
        let body = if last {
            self.body.take()?
        } else {
            self.body.as_ref()?.try_clone()?
        };
        Some(match self.trailer {
            Some((algorithm, code)) => AwsChunked::new(None, Some((code.hasher)(algorithm))).encode(body, UPLOAD_CHUNK),
            None => body,
        })
    }
}

/// An input's event stream: its events in memory, written before the request is sent, and
/// those still to come, each written and signed as it comes.
pub(super) struct EventsUpload {
    service: &'static ServiceSchema,
    /// The stream's union.
    schema: &'static Schema,
    /// The messages ready: an RPC protocol's initial request, and the events held in memory.
    ready: Vec<Message>,
    live: Option<crate::shape::OutgoingEvents>,
}

impl EventsUpload {
    /// The event stream of `input`, if its operation has one; sets `request`'s headers for it.
    /// For an RPC protocol the request's body (the input's other members) becomes the
    /// stream's initial request.
    fn new(
        context: &RequestContext,
        input: &dyn Value,
        request: &mut http::Request<Vec<u8>>,
    ) -> Result<Option<Self>, UnhandledError> {
        let Some(index) = context.operation.input.event_stream() else {
            return Ok(None);
        };
        let schema = context.operation.input.members[index].target;
        let stream = input.member(index).and_then(Value::events);
        let mut ready = Vec::new();
        if crate::protocol::wire(context.service).initial_messages() {
            ready.push(crate::event_stream::initial_message(INITIAL_REQUEST, request));
        }
        if let Some(stream) = stream {
            ready.extend(
                crate::event_stream::messages_of(context.service, schema, stream)
                    .map_err(UnhandledError::invalid_input)?,
            );
        }
        let headers = request.headers_mut();
        headers.remove(http::header::CONTENT_LENGTH);
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/vnd.amazon.eventstream"),
        );
        Ok(Some(Self {
            service: context.service,
            schema,
            ready,
            live: stream.and_then(|stream| stream.take_outgoing()),
        }))
    }

    /// The request's body: the events as messages, each signed with `sign` when the request is.
    fn body(self, sign: Option<crate::event_stream::SignMessage>) -> Result<ByteStream, UnhandledError> {
        crate::event_stream::outgoing_body(self.service, self.schema, self.ready, self.live, sign)
            .map_err(UnhandledError::invalid_input)
    }
}
