//! Event streams on the wire: the events of a body read as its messages arrive
//! ([`Incoming`]), and a body written as its events come ([`outgoing_body`]).

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::{event_message, EventDecoder, HeaderValue, Message, MessageReader, MessageType};
use crate::codec::Side;
use crate::primitives::{ByteStream, EventStreamError, StreamError};
use crate::schema::{Member, Schema, ServiceSchema};
use crate::shape::{DecodeError, Decoder, EncodeError, EventSource, ListValue, OutgoingEvents};

/// The `:event-type` of the message that carries an RPC protocol's initial request or response
/// (the members of the input or output beside its stream).
pub const INITIAL_RESPONSE: &str = "initial-response";
/// See [`INITIAL_RESPONSE`].
pub const INITIAL_REQUEST: &str = "initial-request";

/// The events of a body, read as its messages arrive: each message is read into the stream's
/// union ([`EventDecoder`]) when the stream asks for its next event, so that a body of any
/// length is read in the memory of one message.
pub struct Incoming {
    body: ByteStream,
    reader: MessageReader,
    service: &'static ServiceSchema,
    member: &'static Member,
    side: Side,
    /// A message read ahead (looking for an initial message) and not yet handed on.
    pending: Option<Message>,
    ended: bool,
}

impl Incoming {
    /// The events of `body`, of the event stream `member` (whose target is the stream's
    /// union), as `service`'s protocol frames them, read by a client or a server (`side`).
    pub fn new(service: &'static ServiceSchema, member: &'static Member, side: Side, body: ByteStream) -> Self {
        Self {
            body,
            reader: MessageReader::new(),
            service,
            member,
            side,
            pending: None,
            ended: false,
        }
    }

    /// The next message of the body; `None` at its end. A signed message (a client's, with
    /// `:chunk-signature`) is opened: its payload is the message, and an empty one ends the
    /// stream. (A server in front, such as AWS's, checks the signatures.)
    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, EventStreamError>>> {
        if let Some(message) = self.pending.take() {
            return Poll::Ready(Some(Ok(message)));
        }
        loop {
            match self.reader.next_message() {
                Ok(Some(message))
                    if message.header(":chunk-signature").is_some() && message.header(":message-type").is_none() =>
                {
                    if message.payload().is_empty() {
                        self.ended = true;
                        return Poll::Ready(None);
                    }
                    return match Message::decode(message.payload()) {
                        Ok(inner) => Poll::Ready(Some(Ok(inner))),
                        Err(error) => self.fail(EventStreamError::from_source(
                            "a signed message holds no message",
                            error,
                        )),
                    };
                }
                Ok(Some(message)) => return Poll::Ready(Some(Ok(message))),
                Ok(None) => {}
                Err(error) => return self.fail(EventStreamError::from_source("a message could not be read", error)),
            }
            match Pin::new(&mut self.body).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => self.reader.push(&chunk),
                Poll::Ready(Some(Err(error))) => {
                    return self.fail(EventStreamError::from_source("the stream broke off", error))
                }
                Poll::Ready(None) => {
                    self.ended = true;
                    return match self.reader.finish() {
                        Ok(()) => Poll::Ready(None),
                        Err(error) => Poll::Ready(Some(Err(EventStreamError::from_source(
                            "the stream ended inside a message",
                            error,
                        )))),
                    };
                }
            }
        }
    }

    fn fail<T>(&mut self, error: EventStreamError) -> Poll<Option<Result<T, EventStreamError>>> {
        self.ended = true;
        Poll::Ready(Some(Err(error)))
    }

    /// Reads the first message when it is the initial message of an RPC protocol's stream
    /// (`:event-type` `event_type`, [`INITIAL_RESPONSE`] or [`INITIAL_REQUEST`]) and returns
    /// it; any other first message is kept as the stream's first event.
    pub async fn initial(&mut self, event_type: &str) -> Result<Option<Message>, EventStreamError> {
        let Some(message) = std::future::poll_fn(|cx| self.poll_message(cx)).await.transpose()? else {
            return Ok(None);
        };
        if matches!(MessageType::of(&message), Ok(MessageType::Event(name)) if name == event_type) {
            return Ok(Some(message));
        }
        self.pending = Some(message);
        Ok(None)
    }
}

impl EventSource for Incoming {
    fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
        read: &mut dyn FnMut(&'static Member, &mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Poll<Option<Result<(), EventStreamError>>> {
        loop {
            if self.ended && self.pending.is_none() {
                return Poll::Ready(None);
            }
            let message = match self.poll_message(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(message))) => message,
            };
            match MessageType::of(&message) {
                Err(error) => return self.fail(EventStreamError::from_source("a message is not an event", error)),
                Ok(MessageType::Error { code, message }) => {
                    return self.fail(EventStreamError::service(code, message));
                }
                // An initial message (read by the call for an RPC protocol) is not an event.
                Ok(MessageType::Event(INITIAL_RESPONSE | INITIAL_REQUEST)) => continue,
                // A modelled error is read as its member of the union, and ends the stream.
                Ok(MessageType::Exception(_)) => self.ended = true,
                Ok(MessageType::Event(_)) => {}
            }
            let decoded = EventDecoder::new(self.service, &message, self.side)
                .and_then(|mut decoder| read(self.member, &mut decoder));
            return match decoded {
                Ok(()) => Poll::Ready(Some(Ok(()))),
                Err(error) => self.fail(EventStreamError::from_source(
                    format!("an event of `{}` could not be read", self.member.target.id),
                    error,
                )),
            };
        }
    }
}

/// The initial message of an RPC protocol's stream (`event_type` [`INITIAL_REQUEST`] or
/// [`INITIAL_RESPONSE`]): the body `message` holds (the input's or output's other members) as
/// its payload, which it takes, with the message's content type.
pub fn initial_message<T>(event_type: &str, message: &mut T) -> Message
where
    T: HasBody,
{
    let (payload, media_type) = message.take_body();
    Message::new(payload)
        .with_header(":message-type", HeaderValue::String("event".into()))
        .with_header(":event-type", HeaderValue::String(event_type.into()))
        .with_header(":content-type", HeaderValue::String(media_type))
}

/// A request or response whose body an initial message takes.
pub trait HasBody {
    /// Its body, taken, and its media type.
    fn take_body(&mut self) -> (Vec<u8>, String);
}

fn media_type(headers: &http::HeaderMap) -> String {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("application/json")
        .to_owned()
}

impl HasBody for http::Request<Vec<u8>> {
    fn take_body(&mut self) -> (Vec<u8>, String) {
        (std::mem::take(self.body_mut()), media_type(self.headers()))
    }
}

impl HasBody for http::Response<Vec<u8>> {
    fn take_body(&mut self) -> (Vec<u8>, String) {
        (std::mem::take(self.body_mut()), media_type(self.headers()))
    }
}

/// The messages of the events an event stream holds in memory.
pub fn messages_of(
    service: &'static ServiceSchema,
    schema: &'static Schema,
    events: &dyn ListValue,
) -> Result<Vec<Message>, EncodeError> {
    (0..events.len())
        .filter_map(|index| events.get(index))
        .map(|event| event_message(service, schema, event))
        .collect()
}

/// Signs each message of an outgoing stream: gives the message that wraps an encoded one (an
/// empty one for the signed end of the stream).
pub type SignMessage = Box<dyn FnMut(&[u8]) -> Result<Message, String> + Send>;

/// A body of the events of `schema` (a stream's union), as `service`'s protocol frames them:
/// first the messages `ready` (an RPC protocol's initial request, events held in memory), then
/// the events of `live` as they come. With `sign`, each message is wrapped in a signed one and
/// the body ends with a signed empty message.
pub fn outgoing_body(
    service: &'static ServiceSchema,
    schema: &'static Schema,
    ready: Vec<Message>,
    live: Option<OutgoingEvents>,
    sign: Option<SignMessage>,
) -> Result<ByteStream, EventStreamError> {
    Ok(ByteStream::from_stream(
        Outgoing {
            service,
            schema,
            ready: ready.into(),
            live,
            sign,
            ended: false,
        },
        None,
    ))
}

/// The body [`outgoing_body`] writes.
struct Outgoing {
    service: &'static ServiceSchema,
    schema: &'static Schema,
    ready: std::collections::VecDeque<Message>,
    live: Option<OutgoingEvents>,
    sign: Option<SignMessage>,
    ended: bool,
}

impl Outgoing {
    /// The bytes of `message`, signed when the stream is.
    fn frame(&mut self, message: &Message) -> Result<Vec<u8>, StreamError> {
        let encoded = message
            .encode()
            .map_err(|error| StreamError::from_source("an event could not be written", error))?;
        match &mut self.sign {
            None => Ok(encoded),
            Some(sign) => sign(&encoded)
                .map_err(|error| StreamError::new(format!("an event could not be signed: {error}")))?
                .encode()
                .map_err(|error| StreamError::from_source("an event could not be written", error)),
        }
    }
}

impl Stream for Outgoing {
    type Item = Result<Vec<u8>, StreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(message) = this.ready.pop_front() {
            return Poll::Ready(Some(this.frame(&message)));
        }
        if this.ended {
            return Poll::Ready(None);
        }
        let next = match &mut this.live {
            Some(live) => live.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        };
        match next {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(event))) => {
                let message = event_message(this.service, this.schema, &*event);
                Poll::Ready(Some(
                    message
                        .map_err(|error| StreamError::from_source("an event could not be written", error))
                        .and_then(|message| this.frame(&message)),
                ))
            }
            Poll::Ready(Some(Err(error))) => {
                this.ended = true;
                Poll::Ready(Some(Err(StreamError::from_source("the events to send failed", error))))
            }
            Poll::Ready(None) => {
                this.ended = true;
                this.live = None;
                // A signed stream ends with a signed empty message.
                match &mut this.sign {
                    Some(sign) => Poll::Ready(Some(
                        sign(&[])
                            .map_err(|error| StreamError::new(format!("the stream's end could not be signed: {error}")))
                            .and_then(|message| {
                                message.encode().map_err(|error| {
                                    StreamError::from_source("the stream's end could not be written", error)
                                })
                            }),
                    )),
                    None => Poll::Ready(None),
                }
            }
        }
    }
}
