//! Event streams: the messages of `application/vnd.amazon.eventstream` ([`Message`],
//! [`MessageReader`]) and the events of a `@streaming` union they carry, as the AWS protocols
//! frame them (<https://smithy.io/2.0/aws/amazon-eventstream.html>):
//!
//! - an event is a message with `:message-type` `event`, `:event-type` the union member's name,
//!   its `@eventHeader` members as headers, and as payload its `@eventPayload` member (a blob or
//!   string as it is, anything else in the protocol's codec) or else its other members as one
//!   structure in the codec, with `:content-type` saying which;
//! - a modelled error is a message with `:message-type` `exception` and `:exception-type` the
//!   union member's name, the error structure as payload;
//! - an error the model does not name is `:message-type` `error` with `:error-code` and
//!   `:error-message`.
//!
//! [`event_message`] writes an event; [`EventDecoder`] reads one into any generated union
//! through the runtime's [`Decoder`] interface.

mod live;
mod message;

pub use live::{
    initial_message, messages_of, outgoing_body, HasBody, Incoming, SignMessage, INITIAL_REQUEST, INITIAL_RESPONSE,
};
pub use message::{FrameError, HeaderValue, Message, MessageReader, MAX_HEADERS, MAX_MESSAGE};

use crate::codec::{Codec, Reading, Side};
use crate::primitives::DateTime;
use crate::schema::{Flags, Member, Schema, ServiceSchema, ShapeType};
use crate::shape::{read_member, DecodeError, Decoder, EncodeError, StructBuilder, UnionBuilder, Value, Variant, View};

/// What a message is, by its `:message-type` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageType<'m> {
    /// An event, of the union member named by `:event-type`.
    Event(&'m str),
    /// A modelled error, of the union member named by `:exception-type`: the stream ends.
    Exception(&'m str),
    /// An error the model does not name: the stream ends.
    Error { code: &'m str, message: &'m str },
}

impl<'m> MessageType<'m> {
    /// What `message` is; an error when its headers do not say, or say it as the wrong type.
    pub fn of(message: &'m Message) -> Result<Self, DecodeError> {
        let string = |name: &str| match message.header(name) {
            Some(HeaderValue::String(text)) => Ok(text.as_str()),
            Some(other) => Err(DecodeError::new(format!(
                "the event's `{name}` header is a {}, not a string",
                other.type_name()
            ))),
            None => Err(DecodeError::new(format!("the event has no `{name}` header"))),
        };
        match string(":message-type")? {
            "event" => string(":event-type").map(MessageType::Event),
            "exception" => string(":exception-type").map(MessageType::Exception),
            "error" => Ok(MessageType::Error {
                code: string(":error-code").unwrap_or_default(),
                message: string(":error-message").unwrap_or_default(),
            }),
            other => Err(DecodeError::new(format!("`{other}` is not a message type"))),
        }
    }
}

/// Whether a structure is an error (`@error`).
fn is_error(schema: &Schema) -> bool {
    schema.traits.has(Flags::CLIENT_ERROR) || schema.traits.has(Flags::SERVER_ERROR)
}

/// The codec a service's protocol writes event payloads with; an error for a protocol without
/// event streams.
fn codec_of(service: &ServiceSchema) -> Result<&'static dyn Codec, String> {
    crate::protocol::wire(service)
        .event_codec()
        .ok_or_else(|| format!("the protocol of `{}` has no event streams", service.id))
}

/// The message of `event`, a value of `schema` (the `@streaming` union of a stream's events),
/// as `service`'s protocol frames it.
pub fn event_message(
    service: &'static ServiceSchema,
    schema: &'static Schema,
    event: &dyn Value,
) -> Result<Message, EncodeError> {
    let codec = codec_of(service).map_err(EncodeError::new)?;
    let (index, value) = match event.variant() {
        Variant::Member(index, value) => (index, value),
        Variant::Unknown(name) => {
            return Err(EncodeError::new(format!(
                "an event of a member this version does not know (`{name}`) cannot be sent"
            )))
        }
    };
    let member = schema
        .members
        .get(index)
        .ok_or_else(|| EncodeError::new(format!("`{}` has no member {index}", schema.id)))?;
    let target = member.target;
    if is_error(target) {
        let mut payload = Vec::new();
        if let Some(value) = value {
            codec.write_structure(&mut payload, value, target, &|_| true)?;
        }
        return Ok(Message::new(payload)
            .with_header(":message-type", HeaderValue::String("exception".into()))
            .with_header(":exception-type", HeaderValue::String(member.name.into()))
            .with_header(":content-type", HeaderValue::String(codec.media_type().into())));
    }
    let mut message = Message::new(Vec::new())
        .with_header(":message-type", HeaderValue::String("event".into()))
        .with_header(":event-type", HeaderValue::String(member.name.into()));
    let Some(value) = value else {
        return Ok(message);
    };
    let mut payload = None;
    let mut implicit = false;
    for (position, field) in target.members.iter().enumerate() {
        if field.traits.has(Flags::EVENT_HEADER) {
            if let Some(header) = value.member(position).and_then(|value| header_value(value.view())) {
                message.push_header(field.name, header);
            }
        } else if field.traits.has(Flags::EVENT_PAYLOAD) {
            payload = Some((position, field));
        } else {
            implicit = true;
        }
    }
    let (content_type, bytes) = match payload {
        Some((position, field)) => match (field.target.shape_type, value.member(position).map(Value::view)) {
            (_, None | Some(View::Null)) => (None, Vec::new()),
            (ShapeType::Blob, Some(View::Blob(bytes))) => (Some("application/octet-stream"), bytes.to_vec()),
            (ShapeType::String | ShapeType::Enum, Some(View::String(text))) => {
                (Some("text/plain"), text.as_bytes().to_vec())
            }
            (_, Some(_)) => {
                let mut out = Vec::new();
                if let Some(field_value) = value.member(position) {
                    codec.write_value(&mut out, field_value, field, field.target)?;
                }
                (Some(codec.media_type()), out)
            }
        },
        None if implicit => {
            let mut out = Vec::new();
            codec.write_structure(&mut out, value, target, &|field| !field.traits.has(Flags::EVENT_HEADER))?;
            (Some(codec.media_type()), out)
        }
        None => (None, Vec::new()),
    };
    if let Some(content_type) = content_type {
        message.push_header(":content-type", HeaderValue::String(content_type.into()));
    }
    message.payload_mut().extend_from_slice(&bytes);
    Ok(message)
}

/// The header value of an `@eventHeader` member's value (`None` when it is unset).
fn header_value(view: View<'_>) -> Option<HeaderValue> {
    Some(match view {
        View::Boolean(value) => HeaderValue::Bool(value),
        View::Byte(value) => HeaderValue::Byte(value),
        View::Short(value) => HeaderValue::Short(value),
        View::Integer(value) => HeaderValue::Int(value),
        View::Long(value) => HeaderValue::Long(value),
        View::Blob(bytes) => HeaderValue::Bytes(bytes.to_vec()),
        View::String(text) => HeaderValue::String(text.to_owned()),
        View::Timestamp(time) => HeaderValue::Timestamp(time),
        _ => return None,
    })
}

/// Reads the event a [`Message`] carries into a generated union (`decode_union`), as
/// `service`'s protocol frames it. A modelled error (`:message-type` `exception`) is read as
/// its union member; [`MessageType::of`] tells the two apart. An error the model does not name
/// is a [`DecodeError`].
pub struct EventDecoder<'m> {
    message: &'m Message,
    codec: &'static dyn Codec,
    side: Side,
}

impl<'m> EventDecoder<'m> {
    /// A reader of `message`, for a client (`Side::Client`) or a server.
    pub fn new(service: &'static ServiceSchema, message: &'m Message, side: Side) -> Result<Self, DecodeError> {
        let codec = codec_of(service).map_err(DecodeError::new)?;
        Ok(Self { message, codec, side })
    }
}

impl Decoder for EventDecoder<'_> {
    fn union(&mut self, schema: &'static Schema, builder: &mut dyn UnionBuilder) -> Result<(), DecodeError> {
        let (name, exception) = match MessageType::of(self.message)? {
            MessageType::Event(name) => (name, false),
            MessageType::Exception(name) => (name, true),
            MessageType::Error { code, message } => {
                return Err(DecodeError::new(format!(
                    "the stream ended with an error: `{code}`: {message}"
                )))
            }
        };
        let Some(index) = schema.members.iter().position(|member| member.name == name) else {
            if exception {
                return Err(DecodeError::new(format!(
                    "the stream ended with an error the model does not name: `{name}`"
                )));
            }
            builder.unknown(name);
            return Ok(());
        };
        if exception != is_error(schema.members[index].target) {
            let what = if exception { "an exception" } else { "an event" };
            return Err(DecodeError::new(format!("`{name}` is not {what} of `{}`", schema.id)));
        }
        builder.member(
            index,
            &mut EventMembers {
                message: self.message,
                codec: self.codec,
                side: self.side,
            },
        )
    }
}

/// Reads an event's structure from its message: `@eventHeader` members from headers, the rest
/// from the payload.
struct EventMembers<'m> {
    message: &'m Message,
    codec: &'static dyn Codec,
    side: Side,
}

impl Decoder for EventMembers<'_> {
    fn structure(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        let reading = Reading {
            side: self.side,
            memory: None,
        };
        let payload = self.message.payload();
        let mut implicit = false;
        let mut explicit = false;
        for (index, member) in schema.members.iter().enumerate() {
            if member.traits.has(Flags::EVENT_HEADER) {
                if let Some(value) = self.message.header(member.name) {
                    read_member(
                        schema,
                        index,
                        builder,
                        &mut HeaderDecoder {
                            value,
                            name: member.name,
                        },
                    )?;
                }
            } else if member.traits.has(Flags::EVENT_PAYLOAD) {
                explicit = true;
                match member.target.shape_type {
                    ShapeType::Blob | ShapeType::String | ShapeType::Enum => {
                        read_member(schema, index, builder, &mut RawPayload(payload))?;
                    }
                    _ if payload.is_empty() => {}
                    _ => {
                        let violations = self.codec.read_member(payload, reading, schema, index, builder)?;
                        refuse_violations(self.side, violations)?;
                    }
                }
            } else {
                implicit = true;
            }
        }
        if implicit && !explicit {
            let (_, violations) = self
                .codec
                .read_structure(payload, reading, schema, builder, &|member| {
                    !member.traits.has(Flags::EVENT_HEADER)
                })?;
            refuse_violations(self.side, violations)?;
        }
        Ok(())
    }
}

/// A server refuses an event that breaks the model's constraints.
fn refuse_violations(side: Side, violations: Vec<crate::validate::Violation>) -> Result<(), DecodeError> {
    match violations.first() {
        Some(violation) if side == Side::Server => Err(DecodeError::new(format!(
            "the event breaks a constraint at `{}`",
            violation.path
        ))),
        _ => Ok(()),
    }
}

/// Reads an `@eventPayload` blob or string: the payload as it is.
struct RawPayload<'m>(&'m [u8]);

impl Decoder for RawPayload<'_> {
    fn blob(&mut self, _: &'static Member) -> Result<Vec<u8>, DecodeError> {
        Ok(self.0.to_vec())
    }

    fn string(&mut self, _: &'static Member) -> Result<String, DecodeError> {
        String::from_utf8(self.0.to_vec()).map_err(|_| DecodeError::new("the event's payload is not UTF-8 text"))
    }
}

/// Reads an `@eventHeader` member from its header.
struct HeaderDecoder<'m> {
    value: &'m HeaderValue,
    name: &'static str,
}

impl Decoder for HeaderDecoder<'_> {
    fn mismatch(&self) -> DecodeError {
        DecodeError::new(format!(
            "the event's `{}` header is a {}, which its member cannot hold",
            self.name,
            self.value.type_name()
        ))
    }

    fn boolean(&mut self, _: &'static Member) -> Result<bool, DecodeError> {
        match self.value {
            HeaderValue::Bool(value) => Ok(*value),
            _ => Err(self.mismatch()),
        }
    }

    fn integer(&mut self, _: &'static Member) -> Result<i64, DecodeError> {
        match *self.value {
            HeaderValue::Byte(value) => Ok(i64::from(value)),
            HeaderValue::Short(value) => Ok(i64::from(value)),
            HeaderValue::Int(value) => Ok(i64::from(value)),
            HeaderValue::Long(value) => Ok(value),
            _ => Err(self.mismatch()),
        }
    }

    fn string(&mut self, _: &'static Member) -> Result<String, DecodeError> {
        match self.value {
            HeaderValue::String(text) => Ok(text.clone()),
            _ => Err(self.mismatch()),
        }
    }

    fn blob(&mut self, _: &'static Member) -> Result<Vec<u8>, DecodeError> {
        match self.value {
            HeaderValue::Bytes(bytes) => Ok(bytes.clone()),
            _ => Err(self.mismatch()),
        }
    }

    fn timestamp(&mut self, _: &'static Member) -> Result<DateTime, DecodeError> {
        match self.value {
            HeaderValue::Timestamp(time) => Ok(*time),
            _ => Err(self.mismatch()),
        }
    }
}
