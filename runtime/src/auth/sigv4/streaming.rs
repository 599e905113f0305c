//! Bodies signed piece by piece after their request (SigV4 streaming): each piece's signature
//! covers the piece and the signature before it, starting from the request's own, so a body of
//! any size is signed without being held or read twice.
//!
//! - `aws-chunked` content ([`AwsChunked`]): the body in chunks, each with its length and (when
//!   signed) its signature, ended by an empty chunk and, with a checksum, trailing headers that
//!   carry it (S3 uploads: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`,
//!   `...-PAYLOAD-TRAILER`, `STREAMING-UNSIGNED-PAYLOAD-TRAILER`). [`AwsChunkedReader`] reads
//!   such a body back and checks every signature and the checksum, as a server does.
//! - event-stream messages ([`ChunkSigner::sign_message`]): each message wrapped in one whose
//!   `:date` and `:chunk-signature` headers sign it (`STREAMING-AWS4-HMAC-SHA256-EVENTS`).

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hmac::Mac;
use sha2::{Digest, Sha256};

use super::{credential_scope, hex, signing_key, SigningError, SigningParams, SigningTime};
use crate::auth::Credentials;
use crate::checksum::{ChecksumAlgorithm, Hasher};
use crate::event_stream::{HeaderValue, Message};
use crate::primitives::{ByteStream, DateTime, StreamError};

/// The SHA-256 of nothing, which a chunk's string to sign holds in place of headers.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// What a chunk's string to sign starts with.
const PAYLOAD_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";
/// What the trailing headers' string to sign starts with.
const TRAILER_ALGORITHM: &str = "AWS4-HMAC-SHA256-TRAILER";
/// The chunk extension that carries a chunk's signature.
const CHUNK_SIGNATURE: &str = ";chunk-signature=";
/// The trailing header that carries the trailing headers' signature.
const TRAILER_SIGNATURE: &str = "x-amz-trailer-signature";

/// Signs the pieces of a body after the request that announced them, each signature chained to
/// the one before. `Debug` shows neither the credentials nor the signatures.
#[derive(Clone)]
pub struct ChunkSigner {
    credentials: Credentials,
    region: String,
    service: String,
    /// The request's signing time, which chunks repeat.
    time: SystemTime,
    /// The signature before the next piece's: the request's, at first.
    previous: String,
}

impl fmt::Debug for ChunkSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkSigner")
            .field("region", &self.region)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl ChunkSigner {
    /// The signer of the pieces that follow a request signed with `params`, whose signature
    /// (hex) was `seed`.
    pub fn new(params: &SigningParams<'_>, seed: &str) -> Self {
        Self {
            credentials: params.credentials.clone(),
            region: params.region.to_owned(),
            service: params.service.to_owned(),
            time: params.time,
            previous: seed.to_owned(),
        }
    }

    /// The signature of the last piece signed (the request's, before the first).
    pub fn previous(&self) -> &str {
        &self.previous
    }

    /// Signs `lines` (joined with line ends) at `time`: the hex signature, which the next
    /// piece chains to.
    fn sign(&mut self, algorithm: &str, time: SystemTime, hashes: &[&str]) -> Result<String, SigningError> {
        let signing_time = SigningTime::new(time)?;
        let params = SigningParams {
            credentials: &self.credentials,
            region: &self.region,
            service: &self.service,
            time,
            settings: Default::default(),
        };
        let scope = credential_scope(&signing_time, &params)?;
        let mut string_to_sign = String::with_capacity(256);
        for part in [algorithm, &signing_time.date_time, &scope, &self.previous] {
            string_to_sign.push_str(part);
            string_to_sign.push('\n');
        }
        for (index, hash) in hashes.iter().enumerate() {
            if index > 0 {
                string_to_sign.push('\n');
            }
            string_to_sign.push_str(hash);
        }
        let mut mac = signing_key(
            self.credentials.secret_access_key(),
            &signing_time.date,
            &self.region,
            &self.service,
        )?;
        mac.update(string_to_sign.as_bytes());
        self.previous = hex(&mac.finalize().into_bytes());
        Ok(self.previous.clone())
    }

    /// The signature of the next `aws-chunked` chunk, `data` (empty for the last).
    pub fn sign_chunk(&mut self, data: &[u8]) -> Result<String, SigningError> {
        self.sign_chunk_hash(&hex(&Sha256::digest(data)))
    }

    /// The signature of the next `aws-chunked` chunk, by the hex SHA-256 of its data.
    fn sign_chunk_hash(&mut self, hash: &str) -> Result<String, SigningError> {
        self.sign(PAYLOAD_ALGORITHM, self.time, &[EMPTY_SHA256, hash])
    }

    /// The signature of the trailing headers after the last chunk: `trailer` is their text,
    /// `name:value` and a line feed each.
    pub fn sign_trailer(&mut self, trailer: &str) -> Result<String, SigningError> {
        let hash = hex(&Sha256::digest(trailer.as_bytes()));
        self.sign(TRAILER_ALGORITHM, self.time, &[&hash])
    }

    /// The next message of a signed event stream: `message` (an encoded message; empty for
    /// the last, which ends the stream) as the payload of a message whose `:date` (`time`, to
    /// the millisecond) and `:chunk-signature` headers sign it.
    pub fn sign_message(&mut self, message: &[u8], time: SystemTime) -> Result<Message, SigningError> {
        let since = time
            .duration_since(UNIX_EPOCH)
            .map_err(|_| SigningError::new("the signing time is before 1970"))?;
        let seconds =
            i64::try_from(since.as_secs()).map_err(|_| SigningError::new("the signing time is after the year 9999"))?;
        // Signed to the millisecond the header carries (and the second the scope names).
        let millis = since.subsec_millis();
        let date = HeaderValue::Timestamp(DateTime::from_secs_and_nanos(seconds, millis * 1_000_000));
        let time = UNIX_EPOCH + std::time::Duration::new(since.as_secs(), millis * 1_000_000);
        let date_header = Message::new(Vec::new())
            .with_header(":date", date.clone())
            .encode_headers()
            .map_err(|error| SigningError::new(error.to_string()))?;
        let headers_hash = hex(&Sha256::digest(&date_header));
        let payload_hash = hex(&Sha256::digest(message));
        let signature = self.sign(PAYLOAD_ALGORITHM, time, &[&headers_hash, &payload_hash])?;
        let raw = (0..signature.len() / 2)
            .map(|index| u8::from_str_radix(&signature[index * 2..index * 2 + 2], 16).unwrap_or_default())
            .collect();
        Ok(Message::new(message.to_vec())
            .with_header(":date", date)
            .with_header(":chunk-signature", HeaderValue::Bytes(raw)))
    }
}

/// The most a chunk's content adds to its data: its length in hex (at most 16 digits), its
/// signature, and two line ends.
const CHUNK_OVERHEAD: usize = 16 + CHUNK_SIGNATURE.len() + 64 + 4;

/// Writes a body as `aws-chunked` content, chunk by chunk: each chunk's length in hex (with its
/// signature, when signed), the chunk, and at the end an empty chunk and, with a checksum, the
/// trailing header that carries it (signed too, when the chunks are).
#[derive(Debug)]
pub struct AwsChunked {
    signer: Option<ChunkSigner>,
    checksum: Option<(ChecksumAlgorithm, Hasher)>,
}

impl AwsChunked {
    /// An encoder whose chunks `signer` signs (none: unsigned chunks), with the trailing
    /// checksum `checksum` computes of the body, if any.
    pub fn new(signer: Option<ChunkSigner>, checksum: Option<Hasher>) -> Self {
        Self {
            signer,
            checksum: checksum.map(|hasher| (hasher.algorithm(), hasher)),
        }
    }

    /// Appends the chunk `data` (empty data writes nothing: only [`AwsChunked::finish`] writes
    /// the empty chunk).
    pub fn chunk(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), SigningError> {
        if data.is_empty() {
            return Ok(());
        }
        self.begin(data, out)?;
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// Takes the chunk `data` into the checksum and appends the line before it.
    fn begin(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), SigningError> {
        if let Some((_, hasher)) = &mut self.checksum {
            hasher.update(data);
        }
        self.head(data, out)
    }

    /// The line before a chunk: its length, and its signature when signed.
    fn head(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), SigningError> {
        out.extend_from_slice(format!("{:x}", data.len()).as_bytes());
        if let Some(signer) = &mut self.signer {
            out.extend_from_slice(CHUNK_SIGNATURE.as_bytes());
            out.extend_from_slice(signer.sign_chunk(data)?.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// Appends the empty last chunk and the trailing headers.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), SigningError> {
        self.head(&[], out)?;
        if let Some((algorithm, hasher)) = self.checksum.take() {
            let trailer = format!("{}:{}", algorithm.header(), hasher.finish());
            out.extend_from_slice(trailer.as_bytes());
            out.extend_from_slice(b"\r\n");
            if let Some(signer) = &mut self.signer {
                let signature = signer.sign_trailer(&format!("{trailer}\n"))?;
                out.extend_from_slice(format!("{TRAILER_SIGNATURE}:{signature}\r\n").as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// `body` written as `aws-chunked` content, as it streams: chunks of `chunk_size` bytes
    /// (the last shorter), then the empty chunk and the trailer. A chunk that lies whole in a
    /// piece of `body` is handed over as it lies, between its line and its line end, without a
    /// copy; bytes short of a whole chunk wait for the next piece, and only a chunk made up
    /// from several pieces is copied.
    pub fn encode(self, body: ByteStream, chunk_size: usize) -> ByteStream {
        struct Encoded {
            body: ByteStream,
            encoder: Option<AwsChunked>,
            chunk_size: usize,
            /// Bytes of the body short of a whole chunk.
            pending: Vec<u8>,
            /// Content encoded and not yet handed over.
            ready: VecDeque<Bytes>,
        }
        impl Encoded {
            /// Encodes `piece`: what waits first, filled up from it to a chunk, then its own
            /// whole chunks where they lie; its rest waits.
            fn take(&mut self, mut piece: Bytes) -> Result<(), SigningError> {
                let Some(encoder) = &mut self.encoder else {
                    return Ok(());
                };
                let size = self.chunk_size;
                if !self.pending.is_empty() {
                    let taken = (size - self.pending.len()).min(piece.len());
                    self.pending.extend_from_slice(&piece.split_to(taken));
                    if self.pending.len() < size {
                        return Ok(());
                    }
                    let mut out = Vec::with_capacity(size + CHUNK_OVERHEAD);
                    encoder.chunk(&self.pending, &mut out)?;
                    self.pending.clear();
                    self.ready.push_back(out.into());
                }
                while piece.len() >= size {
                    let chunk = piece.split_to(size);
                    let mut head = Vec::with_capacity(CHUNK_OVERHEAD);
                    encoder.begin(&chunk, &mut head)?;
                    self.ready.extend([head.into(), chunk, Bytes::from_static(b"\r\n")]);
                }
                self.pending.extend_from_slice(&piece);
                Ok(())
            }
        }
        impl futures_core::Stream for Encoded {
            type Item = Result<Bytes, StreamError>;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                let this = &mut *self;
                loop {
                    if let Some(content) = this.ready.pop_front() {
                        return Poll::Ready(Some(Ok(content)));
                    }
                    if this.encoder.is_none() {
                        return Poll::Ready(None);
                    }
                    let encoded = match Pin::new(&mut this.body).poll_next(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                        Poll::Ready(Some(Ok(piece))) => this.take(piece),
                        Poll::Ready(None) => {
                            let Some(mut encoder) = this.encoder.take() else {
                                return Poll::Ready(None);
                            };
                            let mut out = Vec::with_capacity(this.pending.len() + 2 * CHUNK_OVERHEAD + 256);
                            let encoded = encoder
                                .chunk(&this.pending, &mut out)
                                .and_then(|()| encoder.finish(&mut out));
                            this.pending = Vec::new();
                            this.ready.push_back(out.into());
                            encoded
                        }
                    };
                    if let Err(error) = encoded {
                        this.encoder = None;
                        this.ready.clear();
                        return Poll::Ready(Some(Err(StreamError::new(format!(
                            "the body could not be encoded: {error}"
                        )))));
                    }
                }
            }
        }
        let length = body.length().map(|length| {
            let signed = self.signer.is_some();
            Self::encoded_length(
                length,
                chunk_size as u64,
                signed,
                self.checksum.as_ref().map(|(algorithm, _)| *algorithm),
            )
        });
        ByteStream::from_stream(
            Encoded {
                body,
                encoder: Some(self),
                chunk_size: chunk_size.max(1),
                pending: Vec::new(),
                ready: VecDeque::new(),
            },
            length,
        )
    }

    /// The length of the content written for a body of `decoded` bytes sent in chunks of
    /// `chunk_size` (the last one shorter), signed or not, with a trailing `checksum`: the
    /// request's `Content-Length` (its `x-amz-decoded-content-length` is `decoded`).
    pub fn encoded_length(decoded: u64, chunk_size: u64, signed: bool, checksum: Option<ChecksumAlgorithm>) -> u64 {
        let signature = if signed { (CHUNK_SIGNATURE.len() + 64) as u64 } else { 0 };
        let head = |size: u64| u64::from(size.max(1).ilog(16) + 1) + signature + 2;
        let chunk_size = chunk_size.max(1);
        let (full, rest) = (decoded / chunk_size, decoded % chunk_size);
        let mut length = full * (head(chunk_size) + chunk_size + 2);
        if rest > 0 {
            length += head(rest) + rest + 2;
        }
        // The empty chunk, then the trailer, then the blank line.
        length += head(0) + 2;
        if let Some(algorithm) = checksum {
            length += (algorithm.header().len() + 1 + algorithm.encoded_len() + 2) as u64;
            if signed {
                length += (TRAILER_SIGNATURE.len() + 1 + 64 + 2) as u64;
            }
        }
        length
    }
}

/// Reads `aws-chunked` content back, as it arrives in pieces of any size: the body's bytes,
/// each chunk's signature checked against the chain `signer` computes (when the content is
/// signed), and the trailing checksum (and its signature) checked at the end. A chunk line or
/// trailer longer than 4 KiB is refused, and a signed chunk is hashed as it arrives, so a
/// reader holds at most a chunk line beside the bytes it hands over.
#[derive(Debug)]
pub struct AwsChunkedReader {
    signer: Option<ChunkSigner>,
    /// Where it is: a chunk's line, inside a chunk (bytes left, the chunk's expected
    /// signature and the hash of its bytes so far), after a chunk (its line end), or the
    /// trailer.
    state: ReadState,
    /// Bytes of a line not yet complete.
    line: Vec<u8>,
    /// The checksum of the bytes read, for each trailing checksum the content may carry.
    hashers: Vec<(ChecksumAlgorithm, Hasher)>,
    /// The trailing headers read, for the trailer's signature.
    trailer: String,
    /// The checksum headers the trailer had: their values, checked at the end.
    checksums: Vec<(ChecksumAlgorithm, String)>,
    done: bool,
}

#[derive(Debug)]
enum ReadState {
    Line,
    Data {
        left: u64,
        signature: Option<String>,
        hash: Option<Sha256>,
    },
    LineEnd,
    Trailer,
}

/// The longest chunk line or trailing header a reader takes.
const MAX_LINE: usize = 4096;

impl AwsChunkedReader {
    /// A reader of content whose chunks `signer` checks (none: unsigned content, whose
    /// chunk signatures, if any, are refused), which may end with a trailing `checksum`.
    pub fn new(signer: Option<ChunkSigner>, checksums: &[ChecksumAlgorithm]) -> Self {
        Self {
            signer,
            state: ReadState::Line,
            line: Vec::new(),
            hashers: checksums
                .iter()
                .map(|algorithm| (*algorithm, algorithm.hasher()))
                .collect(),
            trailer: String::new(),
            checksums: Vec::new(),
            done: false,
        }
    }

    /// Reads the next `input` bytes, appending the body's bytes among them to `out`.
    pub fn read(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), SigningError> {
        while !input.is_empty() {
            if self.done {
                return Err(SigningError::new("aws-chunked content goes on after its end"));
            }
            match &mut self.state {
                ReadState::Data { left, hash, .. } => {
                    let take = (*left).min(input.len() as u64) as usize;
                    let (piece, rest) = input.split_at(take);
                    out.extend_from_slice(piece);
                    for (_, hasher) in &mut self.hashers {
                        hasher.update(piece);
                    }
                    if let Some(hash) = hash {
                        hash.update(piece);
                    }
                    *left -= take as u64;
                    input = rest;
                    if *left == 0 {
                        if let ReadState::Data { signature, hash, .. } =
                            std::mem::replace(&mut self.state, ReadState::LineEnd)
                        {
                            let hash = hex(&hash.unwrap_or_default().finalize());
                            self.check_chunk(signature.as_deref(), &hash)?;
                        }
                    }
                }
                _ => {
                    let Some(end) = input.iter().position(|byte| *byte == b'\n') else {
                        self.line.extend_from_slice(input);
                        if self.line.len() > MAX_LINE {
                            return Err(SigningError::new("an aws-chunked line is too long"));
                        }
                        return Ok(());
                    };
                    self.line.extend_from_slice(&input[..=end]);
                    input = &input[end + 1..];
                    if self.line.len() > MAX_LINE + 2 {
                        return Err(SigningError::new("an aws-chunked line is too long"));
                    }
                    let line = std::mem::take(&mut self.line);
                    let line = line
                        .strip_suffix(b"\r\n")
                        .ok_or_else(|| SigningError::new("an aws-chunked line does not end with CRLF"))?;
                    let line = std::str::from_utf8(line)
                        .map_err(|_| SigningError::new("an aws-chunked line is not text"))?
                        .to_owned();
                    self.line_read(&line)?;
                }
            }
        }
        Ok(())
    }

    /// Checks a chunk's signature (the chain's next) when the content is signed, by the hex
    /// SHA-256 of its data.
    fn check_chunk(&mut self, signature: Option<&str>, hash: &str) -> Result<(), SigningError> {
        match (&mut self.signer, signature) {
            (Some(signer), Some(signature)) => {
                if !same_signature(&signer.sign_chunk_hash(hash)?, signature) {
                    return Err(SigningError::new("an aws-chunked chunk's signature does not match"));
                }
                Ok(())
            }
            (Some(_), None) => Err(SigningError::new("an aws-chunked chunk has no signature")),
            (None, Some(_)) => Err(SigningError::new("an unsigned aws-chunked body has a chunk signature")),
            (None, None) => Ok(()),
        }
    }

    fn line_read(&mut self, line: &str) -> Result<(), SigningError> {
        match self.state {
            ReadState::LineEnd => {
                if !line.is_empty() {
                    return Err(SigningError::new("an aws-chunked chunk is longer than its length"));
                }
                self.state = ReadState::Line;
            }
            ReadState::Line => {
                let (size, signature) = match line.split_once(CHUNK_SIGNATURE) {
                    Some((size, signature)) => (size, Some(signature.to_owned())),
                    None => (line, None),
                };
                let size = u64::from_str_radix(size, 16)
                    .map_err(|_| SigningError::new(format!("`{size}` is not an aws-chunked chunk length")))?;
                let signed = self.signer.is_some();
                if size == 0 {
                    self.check_chunk(signature.as_deref(), EMPTY_SHA256)?;
                    self.state = ReadState::Trailer;
                } else {
                    self.state = ReadState::Data {
                        left: size,
                        signature,
                        hash: signed.then(Sha256::new),
                    };
                }
            }
            ReadState::Trailer if line.is_empty() => self.end()?,
            ReadState::Trailer => {
                let (name, value) = line
                    .split_once(':')
                    .ok_or_else(|| SigningError::new("a trailing header without `:`"))?;
                let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
                if name == TRAILER_SIGNATURE {
                    let signer = self
                        .signer
                        .as_mut()
                        .ok_or_else(|| SigningError::new("an unsigned aws-chunked body has a trailer signature"))?;
                    if !same_signature(&signer.sign_trailer(&self.trailer)?, value) {
                        return Err(SigningError::new("the trailing headers' signature does not match"));
                    }
                    self.trailer.clear();
                    self.signer = None;
                } else {
                    if self.trailer.len() + line.len() > MAX_LINE {
                        return Err(SigningError::new("the aws-chunked trailing headers are too long"));
                    }
                    self.trailer.push_str(&format!("{name}:{value}\n"));
                    if let Some(algorithm) = ChecksumAlgorithm::PREFERENCE
                        .into_iter()
                        .find(|algorithm| algorithm.header() == name)
                    {
                        self.checksums.push((algorithm, value.to_owned()));
                    }
                }
            }
            ReadState::Data { .. } => return Err(SigningError::new("a line inside an aws-chunked chunk")),
        }
        Ok(())
    }

    /// The end: the trailer's signature was there (when signed) and its checksums match.
    fn end(&mut self) -> Result<(), SigningError> {
        if self.signer.is_some() && !self.trailer.is_empty() {
            return Err(SigningError::new("the trailing headers are not signed"));
        }
        for (algorithm, expected) in std::mem::take(&mut self.checksums) {
            let Some(index) = self.hashers.iter().position(|(found, _)| *found == algorithm) else {
                continue;
            };
            let (_, hasher) = self.hashers.swap_remove(index);
            let actual = hasher.finish();
            if actual != expected {
                return Err(SigningError::new(format!(
                    "the body's {algorithm} checksum is {actual}, its trailer says {expected}"
                )));
            }
        }
        self.done = true;
        Ok(())
    }

    /// Whether the content ended (its empty chunk and trailer were read).
    pub fn is_done(&self) -> bool {
        self.done
    }
}

/// A request's body as its sender meant it: content sent `aws-chunked` (its `Content-Encoding`
/// says so) is decoded as it arrives, its trailing checksum (named by `x-amz-trailer`) checked
/// at its end, and its length is `x-amz-decoded-content-length`; any other body is as it is.
/// Signed chunks are refused: a server that checks signatures decodes them with an
/// [`AwsChunkedReader`] of its own.
pub fn decode_aws_chunked(headers: &http::HeaderMap, body: ByteStream) -> ByteStream {
    let chunked = headers
        .get_all(http::header::CONTENT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| coding.trim().eq_ignore_ascii_case("aws-chunked"));
    if !chunked {
        return body;
    }
    let trailer = headers
        .get("x-amz-trailer")
        .and_then(|value| value.to_str().ok())
        .map(str::trim);
    let checksums: Vec<ChecksumAlgorithm> = ChecksumAlgorithm::PREFERENCE
        .into_iter()
        .filter(|algorithm| trailer.is_some_and(|name| name.eq_ignore_ascii_case(algorithm.header())))
        .collect();
    let length = headers
        .get("x-amz-decoded-content-length")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse().ok());
    struct Decoded {
        body: ByteStream,
        reader: AwsChunkedReader,
        ended: bool,
    }
    impl futures_core::Stream for Decoded {
        type Item = Result<Vec<u8>, StreamError>;

        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            use std::task::Poll;
            let this = &mut *self;
            while !this.ended {
                match std::pin::Pin::new(&mut this.body).poll_next(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Some(Ok(piece))) => {
                        let mut out = Vec::with_capacity(piece.len());
                        if let Err(error) = this.reader.read(&piece, &mut out) {
                            this.ended = true;
                            return Poll::Ready(Some(Err(StreamError::from_source(
                                "the aws-chunked body is malformed",
                                error,
                            ))));
                        }
                        if !out.is_empty() {
                            return Poll::Ready(Some(Ok(out)));
                        }
                    }
                    Poll::Ready(Some(Err(error))) => {
                        this.ended = true;
                        return Poll::Ready(Some(Err(error)));
                    }
                    Poll::Ready(None) => {
                        this.ended = true;
                        if !this.reader.is_done() {
                            return Poll::Ready(Some(Err(StreamError::new(
                                "the aws-chunked body ended before its last chunk",
                            ))));
                        }
                    }
                }
            }
            Poll::Ready(None)
        }
    }
    ByteStream::from_stream(
        Decoded {
            body,
            reader: AwsChunkedReader::new(None, &checksums),
            ended: false,
        },
        length,
    )
}

/// Two hex signatures compared in time that does not depend on where they differ.
fn same_signature(expected: &str, actual: &str) -> bool {
    expected.len() == actual.len()
        && expected
            .bytes()
            .zip(actual.bytes())
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{sign, SigningSettings, StreamingPayload};
    use super::*;

    /// The example of S3's documentation of signed `aws-chunked` uploads: 66,560 bytes of `a`
    /// put to `examplebucket/chunkObject.txt` on 2013-05-24, in chunks of 64 KiB.
    fn example() -> (Credentials, SystemTime, http::Request<Vec<u8>>) {
        let credentials = Credentials::from_keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        let time = UNIX_EPOCH + Duration::from_secs(1_369_353_600);
        let request = http::Request::put("https://s3.amazonaws.com/examplebucket/chunkObject.txt")
            .header("host", "s3.amazonaws.com")
            .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
            .header("content-encoding", "aws-chunked")
            .header("x-amz-decoded-content-length", "66560")
            .header("content-length", "66824")
            .body(Vec::new())
            .unwrap();
        (credentials, time, request)
    }

    fn params(credentials: &Credentials, time: SystemTime, streaming: StreamingPayload) -> SigningParams<'_> {
        SigningParams {
            credentials,
            region: "us-east-1",
            service: "s3",
            time,
            settings: SigningSettings {
                streaming: Some(streaming),
                ..SigningSettings::s3()
            },
        }
    }

    #[test]
    fn the_published_signed_upload_is_signed_chunk_by_chunk() {
        let (credentials, time, mut request) = example();
        let params = params(&credentials, time, StreamingPayload::SignedChunks);
        let seed = sign(&mut request, &params).unwrap();
        assert_eq!(
            seed.signature,
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
        );
        assert_eq!(
            request.headers()["x-amz-content-sha256"],
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        );
        let mut chunked = AwsChunked::new(Some(ChunkSigner::new(&params, &seed.signature)), None);
        let body = vec![b'a'; 66_560];
        let mut out = Vec::new();
        for chunk in body.chunks(65_536) {
            chunked.chunk(chunk, &mut out).unwrap();
        }
        chunked.finish(&mut out).unwrap();
        let text = String::from_utf8_lossy(&out);
        for line in [
            "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n",
            "400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n",
            "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n",
        ] {
            assert!(text.contains(line), "{line:?}");
        }
        // The Content-Length the example sends.
        assert_eq!(out.len(), 66_824);
        assert_eq!(AwsChunked::encoded_length(66_560, 65_536, true, None), 66_824);

        // A server reads it back, in pieces of any size, and checks every signature.
        for piece in [1, 5, 4096, 70_000] {
            let mut reader = AwsChunkedReader::new(Some(ChunkSigner::new(&params, &seed.signature)), &[]);
            let mut read = Vec::new();
            for input in out.chunks(piece) {
                reader.read(input, &mut read).unwrap();
            }
            assert!(reader.is_done());
            assert_eq!(read, body);
        }
        // A changed byte, or a signature from another chain, is refused.
        let mut corrupt = out.clone();
        corrupt[66_000] = b'b';
        let mut reader = AwsChunkedReader::new(Some(ChunkSigner::new(&params, &seed.signature)), &[]);
        assert!(reader
            .read(&corrupt, &mut Vec::new())
            .unwrap_err()
            .message()
            .contains("does not match"));
        let mut reader = AwsChunkedReader::new(Some(ChunkSigner::new(&params, &"0".repeat(64))), &[]);
        assert!(reader.read(&out, &mut Vec::new()).is_err());
    }

    #[test]
    fn trailing_checksums_are_written_and_checked() {
        let (credentials, time, mut request) = example();
        let body: Vec<u8> = (0..200_000u32).map(|n| (n % 253) as u8).collect();
        for (streaming, checksum) in [
            (StreamingPayload::UnsignedWithTrailer, ChecksumAlgorithm::Crc64Nvme),
            (StreamingPayload::SignedChunksWithTrailer, ChecksumAlgorithm::Crc32c),
            (StreamingPayload::UnsignedWithTrailer, ChecksumAlgorithm::Sha256),
        ] {
            let params = params(&credentials, time, streaming);
            let seed = sign(&mut request, &params).unwrap().signature;
            let signed = streaming == StreamingPayload::SignedChunksWithTrailer;
            let signer = || signed.then(|| ChunkSigner::new(&params, &seed));
            let mut chunked = AwsChunked::new(signer(), Some(checksum.hasher()));
            let mut out = Vec::new();
            for chunk in body.chunks(65_536) {
                chunked.chunk(chunk, &mut out).unwrap();
            }
            chunked.finish(&mut out).unwrap();
            assert_eq!(
                out.len() as u64,
                AwsChunked::encoded_length(body.len() as u64, 65_536, signed, Some(checksum))
            );
            let text = String::from_utf8_lossy(&out);
            let trailer = format!("{}:{}\r\n", checksum.header(), checksum.checksum(&body));
            assert!(text.contains(&trailer), "{streaming:?}: {trailer:?}");
            assert_eq!(text.contains("x-amz-trailer-signature:"), signed);

            let mut reader = AwsChunkedReader::new(signer(), &[checksum]);
            let mut read = Vec::new();
            for input in out.chunks(1000) {
                reader.read(input, &mut read).unwrap();
            }
            assert!(reader.is_done());
            assert_eq!(read, body);
            // A body whose checksum differs from its trailer's is refused at the end.
            let mut corrupt = out.clone();
            let at = out.len() / 2;
            corrupt[at] ^= 1;
            let mut reader = AwsChunkedReader::new(signer(), &[checksum]);
            assert!(reader.read(&corrupt, &mut Vec::new()).is_err(), "{streaming:?}");
        }
    }

    #[test]
    fn mangled_content_is_read_or_refused_without_a_panic() {
        let (credentials, time, _) = example();
        let params = params(&credentials, time, StreamingPayload::SignedChunksWithTrailer);
        let mut chunked = AwsChunked::new(
            Some(ChunkSigner::new(&params, "seed")),
            Some(ChecksumAlgorithm::Crc32.hasher()),
        );
        let mut seed = Vec::new();
        chunked.chunk(b"hello, world", &mut seed).unwrap();
        chunked.chunk(&[9; 300], &mut seed).unwrap();
        chunked.finish(&mut seed).unwrap();
        let pieces: [&[u8]; 6] = [
            b"\r\n",
            b";chunk-signature=",
            b"ffffffffffffffff",
            b"0\r\n",
            b":",
            b"\n",
        ];
        let mut mangler = crate::codec::Mangler::new(0x5851_f42d_4c95_7f2d);
        let mut counts = [0; 2];
        for _ in 0..5_000 {
            let mut content = seed.clone();
            mangler.mangle(&mut content, &pieces, true);
            let signed = mangler.below(2) == 0;
            let mut reader = AwsChunkedReader::new(
                signed.then(|| ChunkSigner::new(&params, "seed")),
                &[ChecksumAlgorithm::Crc32],
            );
            let mut out = Vec::new();
            let read = content.chunks(7).try_for_each(|piece| reader.read(piece, &mut out));
            counts[usize::from(read.is_ok() && reader.is_done())] += 1;
        }
        assert!(counts[0] > 1000, "{counts:?}");
    }

    #[test]
    fn a_body_is_encoded_as_it_streams_in_pieces_of_any_size() {
        let body: Vec<u8> = (0..300_001u32).map(|n| (n % 241) as u8).collect();
        let (credentials, time, _) = example();
        let params = params(&credentials, time, StreamingPayload::SignedChunks);
        for signed in [false, true] {
            let encoder = || {
                AwsChunked::new(
                    signed.then(|| ChunkSigner::new(&params, "seed")),
                    Some(ChecksumAlgorithm::Crc32.hasher()),
                )
            };
            let mut whole = Vec::new();
            let mut direct = encoder();
            for chunk in body.chunks(65_536) {
                direct.chunk(chunk, &mut whole).unwrap();
            }
            direct.finish(&mut whole).unwrap();
            for piece in [1, 1000, 65_535, 65_536, 65_537, 100_000, 131_072, 400_000] {
                let pieces: Vec<Bytes> = body.chunks(piece).map(Bytes::copy_from_slice).collect();
                let places: Vec<std::ops::Range<usize>> = pieces
                    .iter()
                    .map(|piece| piece.as_ptr_range())
                    .map(|r| r.start as usize..r.end as usize)
                    .collect();
                let items: Vec<Result<Bytes, std::io::Error>> = pieces.into_iter().map(Ok).collect();
                let stream = ByteStream::from_stream(Iter(items.into_iter()), Some(body.len() as u64));
                let encoded = encoder().encode(stream, 65_536);
                assert_eq!(encoded.length(), Some(whole.len() as u64));
                let mut out = Vec::new();
                let mut in_place = 0;
                let mut encoded = encoded;
                let waker = std::task::Waker::noop();
                let mut cx = Context::from_waker(waker);
                while let Poll::Ready(Some(content)) = futures_core::Stream::poll_next(Pin::new(&mut encoded), &mut cx)
                {
                    let content = content.unwrap();
                    let at = content.as_ptr() as usize;
                    in_place += usize::from(content.len() == 65_536 && places.iter().any(|place| place.contains(&at)));
                    out.extend_from_slice(&content);
                }
                assert_eq!(out, whole, "pieces of {piece}, signed {signed}");
                // Pieces of whole chunks are handed over where they lie, every chunk of them;
                // otherwise at least the first piece's first chunk is.
                let expected = match piece {
                    _ if piece % 65_536 == 0 => body.len() / 65_536,
                    _ if piece > 65_536 => 1,
                    _ => 0,
                };
                assert!(in_place >= expected, "pieces of {piece}: {in_place} chunks in place");
            }
        }
    }

    /// A stream of an iterator's items, each ready at once.
    struct Iter<I>(I);

    impl<I: Iterator + Unpin> futures_core::Stream for Iter<I> {
        type Item = I::Item;

        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
            Poll::Ready(self.0.next())
        }
    }

    #[test]
    fn the_encoded_length_is_the_length_written() {
        for decoded in [0u64, 1, 15, 16, 255, 256, 4095, 4096, 65_535, 65_536, 65_537, 200_000] {
            for chunk_size in [1u64, 16, 1000, 8192, 65_536] {
                if decoded / chunk_size > 20_000 {
                    continue;
                }
                for (signed, checksum) in [
                    (false, None),
                    (false, Some(ChecksumAlgorithm::Crc32)),
                    (true, None),
                    (true, Some(ChecksumAlgorithm::Sha1)),
                ] {
                    let (credentials, time, _) = example();
                    let params = params(&credentials, time, StreamingPayload::SignedChunks);
                    let mut chunked = AwsChunked::new(
                        signed.then(|| ChunkSigner::new(&params, "seed")),
                        checksum.map(ChecksumAlgorithm::hasher),
                    );
                    let body = vec![7u8; decoded as usize];
                    let mut out = Vec::new();
                    for chunk in body.chunks(chunk_size as usize) {
                        chunked.chunk(chunk, &mut out).unwrap();
                    }
                    chunked.finish(&mut out).unwrap();
                    assert_eq!(
                        out.len() as u64,
                        AwsChunked::encoded_length(decoded, chunk_size, signed, checksum),
                        "{decoded} bytes in chunks of {chunk_size}, signed {signed}, {checksum:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn event_messages_are_signed_in_a_chain() {
        let (credentials, time, _) = example();
        let params = params(&credentials, time, StreamingPayload::Events);
        let mut signer = ChunkSigner::new(
            &params,
            "6c5b8ef5f0fdc8ea3d0bc0e0b5d3b0a8cb09e4ab5d3e4b7b0b6d2c07a6a1fd6a",
        );
        let inner = Message::new(b"audio".to_vec()).encode().unwrap();
        let at = time + Duration::from_millis(1_500);
        let first = signer.sign_message(&inner, at).unwrap();
        assert_eq!(first.payload(), inner);
        assert_eq!(
            first.header(":date"),
            Some(&HeaderValue::Timestamp(DateTime::from_secs_and_nanos(
                1_369_353_601,
                500_000_000
            )))
        );
        let Some(HeaderValue::Bytes(signature)) = first.header(":chunk-signature") else {
            panic!("no signature: {first:?}")
        };
        assert_eq!(hex(signature), signer.previous());

        // The signature, computed here from the format's definition: the string to sign holds
        // the prior signature, the hash of the encoded `:date` header and the hash of the
        // message, under the key of the message's date.
        let date_header = Message::new(Vec::new())
            .with_header(":date", first.header(":date").unwrap().clone())
            .encode_headers()
            .unwrap();
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n20130524T000001Z\n20130524/us-east-1/s3/aws4_request\n\
             6c5b8ef5f0fdc8ea3d0bc0e0b5d3b0a8cb09e4ab5d3e4b7b0b6d2c07a6a1fd6a\n{}\n{}",
            hex(&Sha256::digest(&date_header)),
            hex(&Sha256::digest(&inner))
        );
        let mut mac = signing_key(credentials.secret_access_key(), "20130524", "us-east-1", "s3").unwrap();
        mac.update(string_to_sign.as_bytes());
        assert_eq!(hex(signature), hex(&mac.finalize().into_bytes()));

        // The next message chains to it; the empty last one ends the stream.
        let previous = signer.previous().to_owned();
        let last = signer.sign_message(&[], at).unwrap();
        assert!(last.payload().is_empty());
        assert_ne!(signer.previous(), previous);
    }

    /// Reads a body that streams whole, polling without a runtime (its pieces are ready).
    fn read_all(mut body: ByteStream) -> Result<Vec<u8>, StreamError> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut all = Vec::new();
        loop {
            match futures_core::Stream::poll_next(Pin::new(&mut body), &mut cx) {
                Poll::Ready(Some(piece)) => all.extend_from_slice(&piece?),
                Poll::Ready(None) => return Ok(all),
                Poll::Pending => panic!("the pieces are ready"),
            }
        }
    }

    #[test]
    fn a_server_undoes_aws_chunked_and_checks_the_trailer() {
        let body: Vec<u8> = (0..300_000u32).map(|n| (n % 251) as u8).collect();
        let mut encoded = Vec::new();
        let mut chunked = AwsChunked::new(None, Some(ChecksumAlgorithm::Crc64Nvme.hasher()));
        for chunk in body.chunks(65_536) {
            chunked.chunk(chunk, &mut encoded).unwrap();
        }
        chunked.finish(&mut encoded).unwrap();
        let mut headers = http::HeaderMap::new();
        headers.insert("content-encoding", http::HeaderValue::from_static("aws-chunked"));
        headers.insert(
            "x-amz-trailer",
            http::HeaderValue::from_static("x-amz-checksum-crc64nvme"),
        );
        headers.insert("x-amz-decoded-content-length", http::HeaderValue::from(body.len()));
        let pieces = |bytes: Vec<u8>| {
            let pieces: Vec<Result<Vec<u8>, StreamError>> =
                bytes.chunks(7_000).map(|piece| Ok(piece.to_vec())).collect();
            struct Ready(std::vec::IntoIter<Result<Vec<u8>, StreamError>>);
            impl futures_core::Stream for Ready {
                type Item = Result<Vec<u8>, StreamError>;
                fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                    Poll::Ready(self.0.next())
                }
            }
            ByteStream::from_stream(Ready(pieces.into_iter()), None)
        };
        let decoded = decode_aws_chunked(&headers, pieces(encoded.clone()));
        assert_eq!(decoded.length(), Some(body.len() as u64));
        assert_eq!(read_all(decoded).unwrap(), body);
        // A changed byte of the body fails at the end, against the trailer's checksum.
        let mut corrupt = encoded.clone();
        corrupt[100_000] ^= 1;
        let error = read_all(decode_aws_chunked(&headers, pieces(corrupt))).unwrap_err();
        assert!(error.to_string().contains("checksum"), "{error}");
        // Cut short: an error, not a short body.
        let short = encoded[..encoded.len() - 40].to_vec();
        assert!(read_all(decode_aws_chunked(&headers, pieces(short))).is_err());
        // Without `aws-chunked`, the body is as it is.
        let plain = decode_aws_chunked(&http::HeaderMap::new(), pieces(b"as it is".to_vec()));
        assert_eq!(read_all(plain).unwrap(), b"as it is");
    }
}
