/// The body of an operation with a `@streaming` blob member. It holds the bytes in memory; the
/// protocol layer sends and receives it as the raw HTTP body.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ByteStream(Vec<u8>);

impl ByteStream {
    /// A body of these bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ByteStream({} bytes)", self.0.len())
    }
}

/// An event stream: a sequence of `T` events (the members of a `@streaming` union). It holds the
/// events in memory; the protocol layer frames them on the wire.
#[derive(Clone, PartialEq)]
pub struct EventStream<T> {
    events: Vec<T>,
}

impl<T> EventStream<T> {
    /// A stream of these events.
    pub fn new(events: impl Into<Vec<T>>) -> Self {
        Self { events: events.into() }
    }

    /// The events, in order.
    pub fn events(&self) -> &[T] {
        &self.events
    }

    /// The events, owned.
    pub fn into_events(self) -> Vec<T> {
        self.events
    }
}

impl<T> Default for EventStream<T> {
    fn default() -> Self {
        Self { events: Vec::new() }
    }
}

impl<T> From<Vec<T>> for EventStream<T> {
    fn from(events: Vec<T>) -> Self {
        Self { events }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.events).finish()
    }
}
