//! The `application/vnd.amazon.eventstream` message: a prelude (total length, headers length,
//! the prelude's CRC32), typed headers, a payload, and the CRC32 of all before it.
//!
//! ```text
//! | total length: u32 | headers length: u32 | prelude CRC: u32 | headers | payload | message CRC: u32 |
//! ```
//!
//! A header is its name's length (`u8`), its name (UTF-8), a type byte and a value: `0` true,
//! `1` false, `2` byte, `3` short, `4` int, `5` long (big-endian), `6` bytes and `7` string (a
//! `u16` length, then the bytes), `8` timestamp (milliseconds since the epoch, `i64`), `9` UUID
//! (16 bytes).

use std::fmt;

use crate::primitives::DateTime;

/// The most bytes a message may take, whole: 16 MiB, what AWS services send and accept.
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;
/// The most bytes a message's headers may take: 128 KiB.
pub const MAX_HEADERS: usize = 128 * 1024;
/// The prelude: total length, headers length, prelude CRC.
const PRELUDE: usize = 12;
/// The prelude and the message CRC: the size of a message without headers or payload.
const FRAMING: usize = PRELUDE + 4;

/// A header's value, of one of the format's nine types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderValue {
    Bool(bool),
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    Bytes(Vec<u8>),
    String(String),
    /// Written to the millisecond.
    Timestamp(DateTime),
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The text of a string header.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(text) => Some(text),
            _ => None,
        }
    }

    /// The format's name of the value's type, for errors.
    pub fn type_name(&self) -> &'static str {
        match self {
            HeaderValue::Bool(_) => "boolean",
            HeaderValue::Byte(_) => "byte",
            HeaderValue::Short(_) => "short",
            HeaderValue::Int(_) => "int",
            HeaderValue::Long(_) => "long",
            HeaderValue::Bytes(_) => "bytes",
            HeaderValue::String(_) => "string",
            HeaderValue::Timestamp(_) => "timestamp",
            HeaderValue::Uuid(_) => "uuid",
        }
    }
}

/// One message of an event stream: headers, in order, and a payload.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Message {
    headers: Vec<(String, HeaderValue)>,
    payload: Vec<u8>,
}

/// Why bytes are not a message, or a message cannot be written: what is wrong, and the byte
/// it was found at (from the start of the stream, for a [`MessageReader`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameError {
    message: String,
    at: u64,
}

impl FrameError {
    fn new(at: u64, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            at,
        }
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte it was found at.
    pub fn at(&self) -> u64 {
        self.at
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid event stream message at byte {}: {}", self.at, self.message)
    }
}

impl std::error::Error for FrameError {}

impl Message {
    /// A message of this payload, without headers.
    pub fn new(payload: impl Into<Vec<u8>>) -> Self {
        Self {
            headers: Vec::new(),
            payload: payload.into(),
        }
    }

    /// The message with header `name` added (after those it has).
    pub fn with_header(mut self, name: impl Into<String>, value: HeaderValue) -> Self {
        self.headers.push((name.into(), value));
        self
    }

    /// Adds header `name` (after those it has).
    pub fn push_header(&mut self, name: impl Into<String>, value: HeaderValue) {
        self.headers.push((name.into(), value));
    }

    /// The value of the first header named `name`.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|(found, _)| found == name)
            .map(|(_, value)| value)
    }

    /// The headers, in order.
    pub fn headers(&self) -> &[(String, HeaderValue)] {
        &self.headers
    }

    /// The payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload, to write into.
    pub fn payload_mut(&mut self) -> &mut Vec<u8> {
        &mut self.payload
    }

    /// The payload, owned.
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }

    /// The bytes of its headers alone, as the message carries them (what a signature of an
    /// event stream's message hashes).
    pub fn encode_headers(&self) -> Result<Vec<u8>, FrameError> {
        let mut out = Vec::new();
        for (name, value) in &self.headers {
            write_header(&mut out, name, value).map_err(|message| FrameError::new(0, message))?;
        }
        Ok(out)
    }

    /// The message's bytes.
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Appends the message's bytes to `out` (nothing when it cannot be written).
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), FrameError> {
        let start = out.len();
        out.extend_from_slice(&[0; PRELUDE]);
        for (name, value) in &self.headers {
            if let Err(message) = write_header(out, name, value) {
                out.truncate(start);
                return Err(FrameError::new(0, message));
            }
        }
        let headers = out.len() - start - PRELUDE;
        let total = out.len() - start + self.payload.len() + 4;
        let refused = if headers > MAX_HEADERS {
            Some(format!("its headers take {headers} bytes, more than {MAX_HEADERS}"))
        } else if total > MAX_MESSAGE {
            Some(format!("it takes {total} bytes, more than {MAX_MESSAGE}"))
        } else {
            None
        };
        if let Some(message) = refused {
            out.truncate(start);
            return Err(FrameError::new(0, message));
        }
        out.extend_from_slice(&self.payload);
        // Both lengths are below 16 MiB, checked above.
        out[start..start + 4].copy_from_slice(&(total as u32).to_be_bytes());
        out[start + 4..start + 8].copy_from_slice(&(headers as u32).to_be_bytes());
        let prelude_crc = crc32fast::hash(&out[start..start + 8]);
        out[start + 8..start + PRELUDE].copy_from_slice(&prelude_crc.to_be_bytes());
        let message_crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&message_crc.to_be_bytes());
        Ok(())
    }

    /// The message `bytes` hold, all of them.
    pub fn decode(bytes: &[u8]) -> Result<Self, FrameError> {
        let total = total_length(bytes, 0, MAX_MESSAGE)?
            .ok_or_else(|| FrameError::new(bytes.len() as u64, "the message ends inside its prelude"))?;
        if bytes.len() != total {
            return Err(FrameError::new(
                0,
                format!("the prelude says {total} bytes, the message has {}", bytes.len()),
            ));
        }
        decode_frame(bytes, 0)
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("headers", &self.headers)
            .field("payload", &format_args!("{} bytes", self.payload.len()))
            .finish()
    }
}

fn write_header(out: &mut Vec<u8>, name: &str, value: &HeaderValue) -> Result<(), String> {
    let length = u8::try_from(name.len())
        .ok()
        .filter(|length| *length > 0)
        .ok_or_else(|| format!("a header name must take 1 to 255 bytes, `{name}` takes {}", name.len()))?;
    out.push(length);
    out.extend_from_slice(name.as_bytes());
    let variable = |out: &mut Vec<u8>, kind: u8, bytes: &[u8]| {
        let length = u16::try_from(bytes.len())
            .map_err(|_| format!("header `{name}` holds {} bytes, more than 65535", bytes.len()))?;
        out.push(kind);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(bytes);
        Ok::<_, String>(())
    };
    match value {
        HeaderValue::Bool(true) => out.push(0),
        HeaderValue::Bool(false) => out.push(1),
        HeaderValue::Byte(value) => {
            out.push(2);
            out.extend_from_slice(&value.to_be_bytes());
        }
        HeaderValue::Short(value) => {
            out.push(3);
            out.extend_from_slice(&value.to_be_bytes());
        }
        HeaderValue::Int(value) => {
            out.push(4);
            out.extend_from_slice(&value.to_be_bytes());
        }
        HeaderValue::Long(value) => {
            out.push(5);
            out.extend_from_slice(&value.to_be_bytes());
        }
        HeaderValue::Bytes(bytes) => variable(out, 6, bytes)?,
        HeaderValue::String(text) => variable(out, 7, text.as_bytes())?,
        HeaderValue::Timestamp(time) => {
            let millis = time
                .secs()
                .checked_mul(1000)
                .and_then(|millis| millis.checked_add(i64::from(time.subsec_nanos() / 1_000_000)))
                .ok_or_else(|| format!("header `{name}`: the timestamp is out of range"))?;
            out.push(8);
            out.extend_from_slice(&millis.to_be_bytes());
        }
        HeaderValue::Uuid(uuid) => {
            out.push(9);
            out.extend_from_slice(uuid);
        }
    }
    Ok(())
}

/// The total length a message's prelude at the start of `bytes` gives, once its first 12 bytes
/// are there (`None` before), checked against `max` and its CRC. `at` is where `bytes` start in
/// the stream.
fn total_length(bytes: &[u8], at: u64, max: usize) -> Result<Option<usize>, FrameError> {
    let Some(prelude) = bytes.get(..PRELUDE) else {
        return Ok(None);
    };
    let word = |index: usize| {
        u32::from_be_bytes([
            prelude[index],
            prelude[index + 1],
            prelude[index + 2],
            prelude[index + 3],
        ])
    };
    let (total, headers, crc) = (word(0) as usize, word(4) as usize, word(8));
    if crc32fast::hash(&prelude[..8]) != crc {
        return Err(FrameError::new(at + 8, "the prelude's CRC does not match"));
    }
    if total < FRAMING {
        return Err(FrameError::new(
            at,
            format!("a message of {total} bytes is shorter than its framing"),
        ));
    }
    if total > max {
        return Err(FrameError::new(
            at,
            format!("a message of {total} bytes is longer than {max}"),
        ));
    }
    if headers > total - FRAMING {
        return Err(FrameError::new(
            at + 4,
            format!("headers of {headers} bytes do not fit in a message of {total}"),
        ));
    }
    if headers > MAX_HEADERS {
        return Err(FrameError::new(
            at + 4,
            format!("headers of {headers} bytes are more than {MAX_HEADERS}"),
        ));
    }
    Ok(Some(total))
}

/// The message `bytes` frame, whose prelude has been checked and whose length is the prelude's.
fn decode_frame(bytes: &[u8], at: u64) -> Result<Message, FrameError> {
    let total = bytes.len();
    let crc = u32::from_be_bytes([bytes[total - 4], bytes[total - 3], bytes[total - 2], bytes[total - 1]]);
    if crc32fast::hash(&bytes[..total - 4]) != crc {
        return Err(FrameError::new(
            at + total as u64 - 4,
            "the message's CRC does not match",
        ));
    }
    let headers_length = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    let headers_end = PRELUDE + headers_length;
    let mut headers = Vec::new();
    let mut cursor = Cursor {
        bytes: &bytes[..headers_end],
        position: PRELUDE,
        at,
    };
    while cursor.position < headers_end {
        let start = cursor.position;
        let length = usize::from(cursor.take(1, "a header name's length")?[0]);
        if length == 0 {
            return Err(cursor.error(start, "a header with an empty name"));
        }
        let name = std::str::from_utf8(cursor.take(length, "a header name")?)
            .map_err(|_| cursor.error(start + 1, "a header name that is not UTF-8"))?
            .to_owned();
        let kind = cursor.take(1, "a header's type")?[0];
        let value = match kind {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(i8::from_be_bytes(cursor.array("a byte header")?)),
            3 => HeaderValue::Short(i16::from_be_bytes(cursor.array("a short header")?)),
            4 => HeaderValue::Int(i32::from_be_bytes(cursor.array("an int header")?)),
            5 => HeaderValue::Long(i64::from_be_bytes(cursor.array("a long header")?)),
            6 | 7 => {
                let length = usize::from(u16::from_be_bytes(cursor.array("a header value's length")?));
                let value_at = cursor.position;
                let value = cursor.take(length, "a header value")?;
                if kind == 6 {
                    HeaderValue::Bytes(value.to_vec())
                } else {
                    HeaderValue::String(
                        std::str::from_utf8(value)
                            .map_err(|_| cursor.error(value_at, "a string header that is not UTF-8"))?
                            .to_owned(),
                    )
                }
            }
            8 => {
                let millis = i64::from_be_bytes(cursor.array("a timestamp header")?);
                HeaderValue::Timestamp(DateTime::from_secs_and_nanos(
                    millis.div_euclid(1000),
                    (millis.rem_euclid(1000) * 1_000_000) as u32,
                ))
            }
            9 => HeaderValue::Uuid(cursor.array("a UUID header")?),
            other => return Err(cursor.error(start + 1 + length, &format!("a header of unknown type {other}"))),
        };
        headers.push((name, value));
    }
    Ok(Message {
        headers,
        payload: bytes[headers_end..total - 4].to_vec(),
    })
}

/// Reads a message's headers.
struct Cursor<'b> {
    bytes: &'b [u8],
    position: usize,
    at: u64,
}

impl<'b> Cursor<'b> {
    fn error(&self, position: usize, message: &str) -> FrameError {
        FrameError::new(self.at + position as u64, message)
    }

    fn take(&mut self, length: usize, what: &str) -> Result<&'b [u8], FrameError> {
        let end = self.position.saturating_add(length);
        let taken = self
            .bytes
            .get(self.position..end)
            .ok_or_else(|| self.error(self.position, &format!("the headers end inside {what}")))?;
        self.position = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], FrameError> {
        let taken = self.take(N, what)?;
        let mut array = [0; N];
        array.copy_from_slice(taken);
        Ok(array)
    }
}

/// Splits a stream's bytes, as they arrive in chunks of any size, into messages. It keeps at
/// most one message's bytes (and the chunk that completes it), and refuses a message longer
/// than its limit as soon as the prelude says so.
#[derive(Debug)]
pub struct MessageReader {
    buffer: Vec<u8>,
    /// Where the unread bytes start in `buffer`.
    start: usize,
    /// Where `buffer` starts in the stream.
    offset: u64,
    max_message: usize,
}

impl Default for MessageReader {
    fn default() -> Self {
        Self::new()
    }
}

impl MessageReader {
    /// A reader of messages up to [`MAX_MESSAGE`] bytes.
    pub fn new() -> Self {
        Self::with_max_message(MAX_MESSAGE)
    }

    /// A reader of messages up to `max` bytes (at most [`MAX_MESSAGE`]).
    pub fn with_max_message(max: usize) -> Self {
        Self {
            buffer: Vec::new(),
            start: 0,
            offset: 0,
            max_message: max.min(MAX_MESSAGE),
        }
    }

    /// Adds the stream's next bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buffer.len() {
            self.offset += self.start as u64;
            self.buffer.clear();
            self.start = 0;
        } else if self.start > self.buffer.len() / 2 {
            self.offset += self.start as u64;
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole message, `None` until its last byte has arrived.
    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        let unread = &self.buffer[self.start..];
        let at = self.offset + self.start as u64;
        let Some(total) = total_length(unread, at, self.max_message)? else {
            return Ok(None);
        };
        let Some(frame) = unread.get(..total) else {
            return Ok(None);
        };
        let message = decode_frame(frame, at)?;
        self.start += total;
        Ok(Some(message))
    }

    /// Whether bytes of an unfinished message are waiting (a stream that ends here was cut).
    pub fn has_partial(&self) -> bool {
        self.start < self.buffer.len()
    }

    /// At the end of the stream: an error if it ended inside a message.
    pub fn finish(&self) -> Result<(), FrameError> {
        if self.has_partial() {
            let waiting = self.buffer.len() - self.start;
            return Err(FrameError::new(
                self.offset + self.buffer.len() as u64,
                format!("the stream ends inside a message ({waiting} bytes of it arrived)"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::Blob;

    fn every_type() -> Message {
        Message::new(b"{\"a\":1}".to_vec())
            .with_header(":message-type", HeaderValue::String("event".into()))
            .with_header("yes", HeaderValue::Bool(true))
            .with_header("no", HeaderValue::Bool(false))
            .with_header("byte", HeaderValue::Byte(-2))
            .with_header("short", HeaderValue::Short(-300))
            .with_header("int", HeaderValue::Int(70_000))
            .with_header("long", HeaderValue::Long(-4_294_967_294))
            .with_header("bytes", HeaderValue::Bytes(vec![0, 255, 7]))
            .with_header(
                "time",
                HeaderValue::Timestamp(DateTime::from_secs_and_nanos(1_576_540_098, 123_000_000)),
            )
            .with_header(
                "before",
                HeaderValue::Timestamp(DateTime::from_secs_and_nanos(-2, 999_000_000)),
            )
            .with_header("uuid", HeaderValue::Uuid(*b"0123456789abcdef"))
    }

    #[test]
    fn a_message_of_every_header_type_is_written_and_read_back() {
        let message = every_type();
        let bytes = message.encode().unwrap();
        assert_eq!(Message::decode(&bytes).unwrap(), message);
        assert_eq!(u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize, bytes.len());
    }

    #[test]
    fn published_messages_are_read() {
        // From the restJson1 event stream tests: a boolean header, and an exception whose
        // payload is JSON.
        let bytes = Blob::from_base64(
            "AAAASwAAADv7Cl8VDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMNYm9vbGVhbkhlYWRlcgC4J9Ws",
        )
        .unwrap()
        .into_inner();
        let message = Message::decode(&bytes).unwrap();
        assert_eq!(
            message.header(":event-type").and_then(HeaderValue::as_str),
            Some("headers")
        );
        assert_eq!(message.header("booleanHeader"), Some(&HeaderValue::Bool(true)));
        assert!(message.payload().is_empty());
        // Written again, the same bytes.
        assert_eq!(message.encode().unwrap(), bytes);
        let bytes = Blob::from_base64("AAAAdAAAAFObEpkoDTptZXNzYWdlLXR5cGUHAAlleGNlcHRpb24POmV4Y2VwdGlvbi10eXBlBwAFZXJyb3INOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb257Im1lc3NhZ2UiOiJmb28ifTua1S8=").unwrap().into_inner();
        let message = Message::decode(&bytes).unwrap();
        assert_eq!(message.payload(), b"{\"message\":\"foo\"}");
        assert_eq!(message.encode().unwrap(), bytes);
    }

    #[test]
    fn what_cannot_be_written_is_refused_whole() {
        let mut out = b"kept".to_vec();
        let long_name = Message::new(Vec::new()).with_header("n".repeat(256), HeaderValue::Bool(true));
        assert!(long_name.write_to(&mut out).is_err());
        let long_value = Message::new(Vec::new()).with_header("v", HeaderValue::Bytes(vec![0; 65_536]));
        assert!(long_value.write_to(&mut out).is_err());
        let big = Message::new(vec![0; MAX_MESSAGE]);
        assert!(big.write_to(&mut out).unwrap_err().message().contains("more than"));
        assert_eq!(out, b"kept");
    }

    #[test]
    fn a_stream_in_chunks_of_any_size_gives_its_messages() {
        let messages: Vec<Message> = (0..5)
            .map(|n| every_type().with_header("n", HeaderValue::Int(n)))
            .chain([Message::new(Vec::new())])
            .collect();
        let mut stream = Vec::new();
        for message in &messages {
            message.write_to(&mut stream).unwrap();
        }
        for chunk in [1, 2, 7, 16, 100, stream.len()] {
            let mut reader = MessageReader::new();
            let mut read = Vec::new();
            for piece in stream.chunks(chunk) {
                reader.push(piece);
                while let Some(message) = reader.next_message().unwrap() {
                    read.push(message);
                }
            }
            reader.finish().unwrap();
            assert_eq!(read, messages, "chunks of {chunk}");
        }
        let mut reader = MessageReader::new();
        reader.push(&stream[..stream.len() - 1]);
        while reader.next_message().unwrap().is_some() {}
        assert!(reader.finish().unwrap_err().message().contains("ends inside a message"));
    }

    #[test]
    fn a_message_longer_than_the_limit_is_refused_from_its_prelude() {
        let bytes = Message::new(vec![7; 5000]).encode().unwrap();
        let mut reader = MessageReader::with_max_message(4096);
        reader.push(&bytes[..PRELUDE]);
        let error = reader.next_message().unwrap_err();
        assert!(error.message().contains("longer than 4096"), "{error}");
    }

    #[test]
    fn mangled_messages_are_read_or_refused_without_a_panic() {
        let mut mangler = crate::codec::Mangler::new(0x9e37_79b9_7f4a_7c15);
        let seed = every_type().encode().unwrap();
        let pieces: [&[u8]; 6] = [
            b"\x00",
            b"\xff\xff",
            b"\x07\x00\x05",
            b"\x00\x00\x00\x10",
            b"\x09",
            b"\x80",
        ];
        let mut counts = [0; 2];
        for round in 0..20_000 {
            let mut bytes = seed.clone();
            mangler.mangle(&mut bytes, &pieces, true);
            // Half the time the CRCs are made right again, so that what follows them is read.
            if round % 2 == 0 && bytes.len() >= FRAMING {
                let total = bytes.len() as u32;
                bytes[..4].copy_from_slice(&total.to_be_bytes());
                let crc = crc32fast::hash(&bytes[..8]);
                bytes[8..12].copy_from_slice(&crc.to_be_bytes());
                let end = bytes.len() - 4;
                let crc = crc32fast::hash(&bytes[..end]);
                bytes[end..].copy_from_slice(&crc.to_be_bytes());
            }
            let outcome = Message::decode(&bytes);
            counts[usize::from(outcome.is_ok())] += 1;
            if let Ok(message) = outcome {
                // What is read is written back as the same message.
                assert_eq!(Message::decode(&message.encode().unwrap()).unwrap(), message);
            }
            let mut reader = MessageReader::new();
            for piece in bytes.chunks(5) {
                reader.push(piece);
                if reader.next_message().is_err() {
                    break;
                }
            }
        }
        assert!(counts.iter().all(|count| *count > 400), "{counts:?}");
    }
}
