//! Event streams as values: the events of a `@streaming` union, held in memory, arriving from
//! the network, or given by the caller to be sent as they come.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;

use crate::error::BoxError;

/// Events that arrive one at a time: from the network, or from the caller to be sent.
pub(crate) type Live<T> = Pin<Box<dyn Stream<Item = Result<T, EventStreamError>> + Send>>;

/// An event stream: a sequence of `T` events (the members of a `@streaming` union).
///
/// An output's stream gives its events as they arrive, read with [`EventStream::recv`] (or as
/// a [`Stream`]):
///
/// ```no_run
/// # async fn f(mut stream: smithy_runtime::primitives::EventStream<String>) -> Result<(), smithy_runtime::primitives::EventStreamError> {
/// while let Some(event) = stream.recv().await? {
///     println!("{event:?}");
/// }
/// # Ok(()) }
/// ```
///
/// An input's stream is made from events in memory ([`EventStream::new`]), from any
/// [`Stream`] of events ([`EventStream::from_stream`]), or from a sender the caller keeps
/// ([`EventStream::channel`]); each event is sent as it comes. A stream whose events arrive
/// can be read once: its clone is empty, and two streams are equal when they hold the same
/// events in memory and neither is live.
pub struct EventStream<T> {
    /// The events held in memory, in order.
    events: Vec<T>,
    /// The events still to arrive; a lock so that the protocol layer can hand a stream over
    /// through a shared reference to the value that holds it.
    live: Mutex<Option<Live<T>>>,
}

impl<T> EventStream<T> {
    /// A stream of these events, held in memory.
    pub fn new(events: impl Into<Vec<T>>) -> Self {
        Self {
            events: events.into(),
            live: Mutex::new(None),
        }
    }

    /// A stream of the events `events` gives, each sent as it comes; the stream ends when
    /// `events` does.
    pub fn from_stream<S>(events: S) -> Self
    where
        S: Stream<Item = T> + Send + 'static,
    {
        struct Infallible<S>(Pin<Box<S>>);
        impl<S: Stream> Stream for Infallible<S> {
            type Item = Result<S::Item, EventStreamError>;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.0.as_mut().poll_next(cx).map(|event| event.map(Ok))
            }
        }
        Self::live(Box::pin(Infallible(Box::pin(events))))
    }

    /// A stream of the events sent through the [`EventSender`] returned beside it, which holds
    /// at most `capacity` (at least one) events not yet taken: [`EventSender::send`] waits for
    /// room. The stream ends when every sender is dropped.
    pub fn channel(capacity: usize) -> (EventSender<T>, Self)
    where
        T: Send + 'static,
    {
        let shared = Arc::new(Mutex::new(Channel {
            queue: VecDeque::new(),
            capacity: capacity.max(1),
            senders: 1,
            receiver_gone: false,
            receiver: None,
            waiting: Vec::new(),
        }));
        let receiver = Receiver(shared.clone());
        (EventSender(shared), Self::live(Box::pin(receiver)))
    }

    /// A stream of the events `live` gives.
    pub(crate) fn live(live: Live<T>) -> Self {
        Self {
            events: Vec::new(),
            live: Mutex::new(Some(live)),
        }
    }

    /// The events held in memory, in order (none for a live stream).
    pub fn events(&self) -> &[T] {
        &self.events
    }

    /// The events held in memory, owned.
    pub fn into_events(self) -> Vec<T> {
        self.events
    }

    /// Whether events are still to arrive (rather than all held in memory).
    pub fn is_live(&self) -> bool {
        self.lock().is_some()
    }

    /// The next event; `None` once the stream has ended. An error ends the stream: the
    /// connection failed, a message could not be read, or the service sent an error the model
    /// does not name. A modelled error arrives as its member of the union, and is the last.
    pub async fn recv(&mut self) -> Result<Option<T>, EventStreamError> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await.transpose()
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, EventStreamError>>> {
        if !self.events.is_empty() {
            return Poll::Ready(Some(Ok(self.events.remove(0))));
        }
        let live = self.live.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(events) = live else {
            return Poll::Ready(None);
        };
        let next = events.as_mut().poll_next(cx);
        if let Poll::Ready(None | Some(Err(_))) = next {
            *live = None;
        }
        next
    }

    /// The events still to arrive, handed over.
    pub(crate) fn take_live(&self) -> Option<Live<T>> {
        self.lock().take()
    }

    /// Makes the events of `live` this stream's; only an empty stream takes them.
    pub(crate) fn replace_with(&self, live: Live<T>) -> bool {
        if !self.events.is_empty() {
            return false;
        }
        let mut slot = self.lock();
        if slot.is_some() {
            return false;
        }
        *slot = Some(live);
        true
    }

    fn lock(&self) -> MutexGuard<'_, Option<Live<T>>> {
        self.live.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

// Nothing in a stream is pinned in place: its events are moved out as they are read.
impl<T> Unpin for EventStream<T> {}

impl<T> Stream for EventStream<T> {
    type Item = Result<T, EventStreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<T> Default for EventStream<T> {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl<T: Clone> Clone for EventStream<T> {
    fn clone(&self) -> Self {
        Self::new(self.events.clone())
    }
}

impl<T: PartialEq> PartialEq for EventStream<T> {
    fn eq(&self, other: &Self) -> bool {
        self.events == other.events && !self.is_live() && !other.is_live()
    }
}

impl<T> From<Vec<T>> for EventStream<T> {
    fn from(events: Vec<T>) -> Self {
        Self::new(events)
    }
}

impl<T: fmt::Debug> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_live() {
            f.write_str("EventStream(live)")
        } else {
            f.debug_list().entries(&self.events).finish()
        }
    }
}

/// Why an event stream ended before its end: its connection failed, a message could not be
/// read or written, or the service sent an error the model does not name (its code and
/// message).
#[derive(Debug)]
pub struct EventStreamError {
    message: String,
    code: Option<String>,
    source: Option<BoxError>,
}

impl EventStreamError {
    /// An error that says `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: None,
            source: None,
        }
    }

    /// An error caused by `source`.
    pub fn from_source(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self {
            message: message.into(),
            code: None,
            source: Some(source.into()),
        }
    }

    /// The error the service sent in the stream, with its code.
    pub fn service(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: Some(code.into()),
            source: None,
        }
    }

    /// The code of the error the service sent in the stream (`:error-code`), if it sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EventStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(code) = &self.code {
            write!(f, "the service ended the event stream with `{code}`: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for EventStreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|source| &**source as &(dyn std::error::Error + 'static))
    }
}

/// Sends events into the [`EventStream`] made with it ([`EventStream::channel`]). Clones send
/// into the same stream, which ends when every sender is dropped.
pub struct EventSender<T>(Arc<Mutex<Channel<T>>>);

/// An event that could not be sent, because the stream it was for is gone (its request
/// ended); the event is given back.
#[derive(Debug, Clone, PartialEq)]
pub struct SendError<T>(pub T);

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the event stream is closed: its request ended")
    }
}

impl<T: fmt::Debug> std::error::Error for SendError<T> {}

/// What an [`EventSender`] and its stream share.
struct Channel<T> {
    queue: VecDeque<T>,
    capacity: usize,
    senders: usize,
    receiver_gone: bool,
    /// The stream waiting for an event.
    receiver: Option<Waker>,
    /// Senders waiting for room.
    waiting: Vec<Waker>,
}

fn lock<T>(channel: &Mutex<Channel<T>>) -> MutexGuard<'_, Channel<T>> {
    channel.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<T> EventSender<T> {
    /// Sends `event`, once the stream has room for it; an error (with the event) when the
    /// stream is gone.
    pub async fn send(&self, event: T) -> Result<(), SendError<T>> {
        let mut event = Some(event);
        std::future::poll_fn(|cx| {
            let mut channel = lock(&self.0);
            let Some(next) = event.take() else {
                return Poll::Ready(Ok(()));
            };
            if channel.receiver_gone {
                return Poll::Ready(Err(SendError(next)));
            }
            if channel.queue.len() >= channel.capacity {
                event = Some(next);
                // Polled again while waiting: one waker per task, not one per poll.
                if !channel.waiting.iter().any(|waiting| waiting.will_wake(cx.waker())) {
                    channel.waiting.push(cx.waker().clone());
                }
                return Poll::Pending;
            }
            channel.queue.push_back(next);
            if let Some(receiver) = channel.receiver.take() {
                receiver.wake();
            }
            Poll::Ready(Ok(()))
        })
        .await
    }

    /// Whether the stream is gone, so that nothing more can be sent.
    pub fn is_closed(&self) -> bool {
        lock(&self.0).receiver_gone
    }
}

impl<T> Clone for EventSender<T> {
    fn clone(&self) -> Self {
        lock(&self.0).senders += 1;
        Self(self.0.clone())
    }
}

impl<T> Drop for EventSender<T> {
    fn drop(&mut self) {
        let mut channel = lock(&self.0);
        channel.senders -= 1;
        if channel.senders == 0 {
            if let Some(receiver) = channel.receiver.take() {
                receiver.wake();
            }
        }
    }
}

impl<T> fmt::Debug for EventSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventSender")
    }
}

/// The stream's end of a channel.
struct Receiver<T>(Arc<Mutex<Channel<T>>>);

impl<T> Stream for Receiver<T> {
    type Item = Result<T, EventStreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut channel = lock(&self.0);
        if let Some(event) = channel.queue.pop_front() {
            for sender in channel.waiting.drain(..) {
                sender.wake();
            }
            return Poll::Ready(Some(Ok(event)));
        }
        if channel.senders == 0 {
            return Poll::Ready(None);
        }
        channel.receiver = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut channel = lock(&self.0);
        channel.receiver_gone = true;
        channel.queue.clear();
        for sender in channel.waiting.drain(..) {
            sender.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        struct Noop;
        impl std::task::Wake for Noop {
            fn wake(self: Arc<Self>) {}
        }
        let waker = Waker::from(Arc::new(Noop));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
        }
    }

    #[test]
    fn events_in_memory_are_received_in_order() {
        let mut stream = EventStream::new(vec![1, 2, 3]);
        assert!(!stream.is_live());
        let mut got = Vec::new();
        while let Some(event) = block_on(stream.recv()).unwrap() {
            got.push(event);
        }
        assert_eq!(got, [1, 2, 3]);
    }

    #[test]
    fn a_channel_gives_what_was_sent_and_ends_with_its_senders() {
        let (sender, mut stream) = EventStream::channel(2);
        let other = sender.clone();
        block_on(sender.send(1)).unwrap();
        block_on(other.send(2)).unwrap();
        // Full: a third event waits for room.
        let mut third = Box::pin(sender.send(3));
        let waker = Waker::from(Arc::new(Flag::default()));
        assert!(third.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
        assert_eq!(block_on(stream.recv()).unwrap(), Some(1));
        assert!(block_on(third).is_ok());
        drop((sender, other));
        assert_eq!(block_on(stream.recv()).unwrap(), Some(2));
        assert_eq!(block_on(stream.recv()).unwrap(), Some(3));
        assert_eq!(block_on(stream.recv()).unwrap(), None);
        assert!(!stream.is_live());
    }

    #[test]
    fn a_sender_whose_stream_is_gone_gets_its_event_back() {
        let (sender, stream) = EventStream::<u8>::channel(1);
        drop(stream);
        assert!(sender.is_closed());
        assert_eq!(block_on(sender.send(7)), Err(SendError(7)));
    }

    #[test]
    fn a_live_stream_is_not_cloned_nor_equal() {
        let (_sender, stream) = EventStream::<u8>::channel(1);
        assert!(stream.is_live());
        assert!(!stream.clone().is_live());
        assert_ne!(stream, EventStream::default());
        assert_eq!(format!("{stream:?}"), "EventStream(live)");
        assert!(!stream.replace_with(Box::pin(EventStream::new(vec![1]))));
        let empty = EventStream::<u8>::default();
        assert!(empty.replace_with(Box::pin(EventStream::new(vec![1]))));
        assert!(empty.is_live());
    }

    #[derive(Default)]
    struct Flag(std::sync::atomic::AtomicBool);
    impl std::task::Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}
