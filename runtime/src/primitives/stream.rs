use std::fmt;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::checksum::{ChecksumAlgorithm, Hasher};
use crate::error::BoxError;

/// The body of an operation with a `@streaming` blob member: bytes held in memory, or a body
/// that streams, read piece by piece ([`ByteStream::next_chunk`], or as a [`Stream`]) without
/// being held whole, such as the object of an S3 `GetObject`. [`ByteStream::collect`] reads a
/// small one whole.
///
/// Cloning copies bytes held in memory; a body that streams can be read once, so its clone is
/// empty. Two bodies are equal when they hold the same bytes in memory and neither streams.
#[derive(Default)]
pub struct ByteStream {
    /// The bytes held in memory (none for a body that streams).
    bytes: Vec<u8>,
    /// The body that streams, with its length when known; a lock so that the protocol layer
    /// can hand it over through a shared reference to the value that holds it.
    stream: Mutex<Option<Streaming>>,
}

/// A body that streams, its length when known, and how to make it again (for a retry), when
/// it can be.
struct Streaming {
    chunks: Pin<Box<dyn Stream<Item = Result<Bytes, StreamError>> + Send>>,
    length: Option<u64>,
    replay: Option<Replay>,
}

/// Makes a body that streams again from its start.
type Replay = std::sync::Arc<dyn Fn() -> Streaming + Send + Sync>;

/// Why a body that streams could not be read: the connection failed or stalled, or its
/// checksum did not match once read.
#[derive(Debug)]
pub struct StreamError {
    message: String,
    source: Option<BoxError>,
}

impl StreamError {
    /// An error that says `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// An error caused by `source`.
    pub fn from_source(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => write!(f, "{}: {source}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|source| &**source as &(dyn std::error::Error + 'static))
    }
}

impl ByteStream {
    /// A body of these bytes, held in memory.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: bytes.into(),
            stream: Mutex::new(None),
        }
    }

    /// A body that streams the chunks of `chunks` (`Vec<u8>`, [`Bytes`], or anything else
    /// that becomes `Bytes`), `length` bytes in all when known.
    pub fn from_stream<S, B, E>(chunks: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<BoxError>,
    {
        struct Mapped<S>(Pin<Box<S>>);
        impl<S, B, E> Stream for Mapped<S>
        where
            S: Stream<Item = Result<B, E>>,
            B: Into<Bytes>,
            E: Into<BoxError>,
        {
            type Item = Result<Bytes, StreamError>;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.0.as_mut().poll_next(cx).map(|chunk| {
                    chunk.map(|chunk| {
                        chunk
                            .map(Into::into)
                            .map_err(|error| StreamError::from_source("the body could not be read", error))
                    })
                })
            }
        }
        Self::streaming(Box::pin(Mapped(Box::pin(chunks))), length)
    }

    fn streaming(chunks: Pin<Box<dyn Stream<Item = Result<Bytes, StreamError>> + Send>>, length: Option<u64>) -> Self {
        Self::from_streaming(Streaming {
            chunks,
            length,
            replay: None,
        })
    }

    fn from_streaming(streaming: Streaming) -> Self {
        Self {
            bytes: Vec::new(),
            stream: Mutex::new(Some(streaming)),
        }
    }

    /// A body that streams the file at `path`, in pieces of 64 KiB, as long as the file is when
    /// this is called (a file that shrinks meanwhile fails the read). It can be read again from
    /// its start, so a call that sends it can be retried.
    #[cfg(any(feature = "hyper-client", feature = "hyper-server"))]
    pub fn from_path(path: impl Into<std::path::PathBuf>) -> std::io::Result<Self> {
        let path = path.into();
        let length = std::fs::metadata(&path)?.len();
        let replay: Replay = std::sync::Arc::new(move || Streaming {
            chunks: Box::pin(file::Chunks::new(path.clone(), length)),
            length: Some(length),
            replay: None,
        });
        Ok(Self::replayed(&replay))
    }

    /// The body `replay` makes, which can be made again.
    fn replayed(replay: &Replay) -> Self {
        Self::from_streaming(Streaming {
            replay: Some(replay.clone()),
            ..replay()
        })
    }

    /// The same body again, from its start: a copy of bytes held in memory, or a body that
    /// streams made anew when it can be (a file); `None` for one that can be read only once.
    pub fn try_clone(&self) -> Option<ByteStream> {
        match &*self.lock() {
            None => Some(Self::new(self.bytes.clone())),
            Some(Streaming {
                replay: Some(replay), ..
            }) => Some(Self::replayed(replay)),
            Some(_) => None,
        }
    }

    /// The body that streams, handed over (the value keeps any bytes it holds in memory).
    pub(crate) fn take_stream(&self) -> Option<ByteStream> {
        self.lock().take().map(Self::from_streaming)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Streaming>> {
        self.stream.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether the body streams (rather than being held in memory).
    pub fn is_streaming(&self) -> bool {
        self.lock().is_some()
    }

    /// Its length in bytes, when known: the bytes held, or what the stream said it would give.
    pub fn length(&self) -> Option<u64> {
        match &*self.lock() {
            Some(streaming) => streaming.length,
            None => Some(self.bytes.len() as u64),
        }
    }

    /// The bytes held in memory: a body that streams holds none (read it with
    /// [`ByteStream::next_chunk`] or [`ByteStream::collect`]).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes held in memory, owned.
    pub fn into_inner(self) -> Vec<u8> {
        self.bytes
    }

    /// The next piece of the body; `None` at its end. A body held in memory is one piece.
    /// Pieces are [`Bytes`], handed over as the transport read them, without a copy.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, StreamError>> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, StreamError>>> {
        if !self.bytes.is_empty() {
            return Poll::Ready(Some(Ok(Bytes::from(std::mem::take(&mut self.bytes)))));
        }
        let stream = self.stream.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(streaming) = stream else {
            return Poll::Ready(None);
        };
        let next = streaming.chunks.as_mut().poll_next(cx);
        if let Poll::Ready(None | Some(Err(_))) = next {
            *stream = None;
        }
        next
    }

    /// The whole body, read into memory.
    pub async fn collect(mut self) -> Result<Vec<u8>, StreamError> {
        let mut all = std::mem::take(&mut self.bytes);
        while let Some(chunk) = self.next_chunk().await {
            let chunk = chunk?;
            if all.is_empty() {
                all = Vec::from(chunk);
            } else {
                all.extend_from_slice(&chunk);
            }
        }
        Ok(all)
    }

    /// Makes `body` the body, in place of what it held.
    pub(crate) fn replace_with(&self, body: ByteStream) -> bool {
        // The bytes in memory cannot change through a shared reference: only an empty value
        // takes a stream.
        if !self.bytes.is_empty() {
            return false;
        }
        let ByteStream { stream, .. } = body;
        *self.lock() = stream.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        true
    }

    /// The body, whose last piece fails unless the checksum `hasher` computes of all its bytes
    /// is `expected`.
    pub(crate) fn checked(self, hasher: Hasher, expected: String) -> ByteStream {
        struct Checked {
            body: ByteStream,
            hasher: Option<Hasher>,
            algorithm: ChecksumAlgorithm,
            expected: String,
        }
        impl Stream for Checked {
            type Item = Result<Bytes, StreamError>;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                let this = &mut *self;
                match this.body.poll_chunk(cx) {
                    Poll::Ready(Some(Ok(chunk))) => {
                        if let Some(hasher) = &mut this.hasher {
                            hasher.update(&chunk);
                        }
                        Poll::Ready(Some(Ok(chunk)))
                    }
                    Poll::Ready(None) => match this.hasher.take().map(Hasher::finish) {
                        Some(actual) if actual != this.expected => Poll::Ready(Some(Err(StreamError::new(format!(
                            "the body does not match its checksum: `{}` is `{}`, the body's {} is `{actual}`",
                            this.algorithm.header(),
                            this.expected,
                            this.algorithm
                        ))))),
                        _ => Poll::Ready(None),
                    },
                    other => other,
                }
            }
        }
        let length = self.length();
        Self::streaming(
            Box::pin(Checked {
                body: self,
                algorithm: hasher.algorithm(),
                hasher: Some(hasher),
                expected,
            }),
            length,
        )
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, StreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx)
    }
}

impl Clone for ByteStream {
    fn clone(&self) -> Self {
        Self::new(self.bytes.clone())
    }
}

impl PartialEq for ByteStream {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes && !self.is_streaming() && !other.is_streaming()
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(bytes: Vec<u8>) -> Self {
        Self::new(bytes)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.lock() {
            Some(Streaming {
                length: Some(length), ..
            }) => write!(f, "ByteStream(streaming, {length} bytes)"),
            Some(Streaming { length: None, .. }) => f.write_str("ByteStream(streaming)"),
            None => write!(f, "ByteStream({} bytes)", self.bytes.len()),
        }
    }
}

/// Files read piece by piece.
#[cfg(any(feature = "hyper-client", feature = "hyper-server"))]
mod file {
    use std::future::Future;
    use std::io::Read as _;
    use std::path::PathBuf;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use bytes::Bytes;
    use futures_core::Stream;
    use tokio::task::JoinHandle;

    use super::StreamError;

    /// How much of a file is read at a time.
    const PIECE: usize = 64 * 1024;

    /// The first `left` bytes of the file at `path`, opened when first polled. Each piece is read
    /// on one of tokio's blocking threads straight into the buffer it is handed over in: no copy
    /// is made of it, and nothing is held between pieces.
    pub(super) struct Chunks {
        path: PathBuf,
        left: u64,
        state: State,
    }

    /// A file read on a blocking thread: the file back, and what the read gave.
    type Read = (std::fs::File, std::io::Result<Vec<u8>>);

    enum State {
        Closed,
        Opening(JoinHandle<std::io::Result<std::fs::File>>),
        Open(std::fs::File),
        Reading(JoinHandle<Read>),
        Done,
    }

    impl Chunks {
        pub(super) fn new(path: PathBuf, left: u64) -> Self {
            Self {
                path,
                left,
                state: State::Closed,
            }
        }

        fn failed(&mut self, error: std::io::Error) -> Poll<Option<Result<Bytes, StreamError>>> {
            self.state = State::Done;
            let message = format!("the file {} could not be read", self.path.display());
            Poll::Ready(Some(Err(StreamError::from_source(message, error))))
        }
    }

    impl Stream for Chunks {
        type Item = Result<Bytes, StreamError>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let this = &mut *self;
            loop {
                match &mut this.state {
                    State::Done => return Poll::Ready(None),
                    State::Closed | State::Open(_) if this.left == 0 => {
                        this.state = State::Done;
                        return Poll::Ready(None);
                    }
                    State::Closed => {
                        let path = this.path.clone();
                        this.state = State::Opening(tokio::task::spawn_blocking(move || std::fs::File::open(path)));
                    }
                    State::Opening(opening) => {
                        match Pin::new(opening)
                            .poll(cx)
                            .map(|opened| opened.map_err(std::io::Error::other).and_then(|opened| opened))
                        {
                            Poll::Pending => return Poll::Pending,
                            Poll::Ready(Err(error)) => return this.failed(error),
                            Poll::Ready(Ok(file)) => this.state = State::Open(file),
                        }
                    }
                    State::Open(_) => {
                        let State::Open(file) = std::mem::replace(&mut this.state, State::Done) else {
                            continue;
                        };
                        let want = usize::try_from(this.left).unwrap_or(usize::MAX).min(PIECE);
                        // Allocated here, not on the blocking thread: tokio runs each read on
                        // whichever of its blocking threads is free, and memory allocated there
                        // would stay in a separate allocator arena for each of them.
                        let mut piece = Vec::with_capacity(want);
                        this.state = State::Reading(tokio::task::spawn_blocking(move || {
                            let read = (&file).take(want as u64).read_to_end(&mut piece).map(|_| piece);
                            (file, read)
                        }));
                    }
                    State::Reading(reading) => {
                        let (file, piece) = match Pin::new(reading).poll(cx) {
                            Poll::Pending => return Poll::Pending,
                            Poll::Ready(Err(error)) => return this.failed(std::io::Error::other(error)),
                            Poll::Ready(Ok(read)) => read,
                        };
                        let piece = match piece {
                            Ok(piece) => piece,
                            Err(error) => return this.failed(error),
                        };
                        if piece.is_empty() {
                            return this.failed(std::io::Error::new(
                                std::io::ErrorKind::UnexpectedEof,
                                "the file is shorter than it was when the body was made",
                            ));
                        }
                        this.left -= piece.len() as u64;
                        this.state = State::Open(file);
                        return Poll::Ready(Some(Ok(Bytes::from(piece))));
                    }
                }
            }
        }
    }
}

#[cfg(all(test, any(feature = "hyper-client", feature = "hyper-server")))]
mod tests {
    use super::ByteStream;

    fn file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("smithy-runtime-{name}-{}", std::process::id()));
        std::fs::write(&path, bytes).expect("the file is written");
        path
    }

    #[tokio::test]
    async fn a_file_streams_in_pieces_and_again_from_its_start() {
        let bytes: Vec<u8> = (0..200_001u32).map(|n| (n % 251) as u8).collect();
        let path = file("pieces", &bytes);
        let mut body = ByteStream::from_path(&path).expect("the file is there");
        assert_eq!(body.length(), Some(bytes.len() as u64));
        let again = body.try_clone().expect("a file is read again");
        let mut read = Vec::new();
        let mut pieces = 0;
        while let Some(piece) = body.next_chunk().await {
            let piece = piece.expect("the file is read");
            assert!(!piece.is_empty() && piece.len() <= 64 * 1024, "{}", piece.len());
            read.extend_from_slice(&piece);
            pieces += 1;
        }
        assert_eq!(read, bytes);
        assert_eq!(pieces, 4);
        assert_eq!(again.collect().await.expect("the file is read again"), bytes);
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn a_file_cut_short_after_the_body_was_made_is_an_error() {
        let path = file("short", &[7; 100_000]);
        let body = ByteStream::from_path(&path).expect("the file is there");
        std::fs::write(&path, [7; 70_000]).expect("the file is cut");
        let error = body.collect().await.expect_err("the file is shorter than its length");
        assert!(error.to_string().contains("could not be read"), "{error}");
        let _ = std::fs::remove_file(&path);
        let gone = ByteStream::from_path(&path);
        assert!(gone.is_err(), "a missing file is refused when the body is made");
    }
}
