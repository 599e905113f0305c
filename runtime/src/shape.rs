//! How codecs see values: the traits generated types implement so that one codec per wire
//! format, in this crate, reads and writes every type with its [`Schema`].
//!
//! - Writing: a [`Value`] shows itself as a [`View`]; structures, unions, lists and maps give
//!   their parts by index, as `&dyn Value`.
//! - Reading: a [`Decoder`] (a JSON body, a header, a query string, ...) is driven by
//!   [`Decode`] impls: a structure's builder takes each member the decoder finds by index
//!   ([`StructBuilder`]), a union builds the variant found ([`Union`]).
//!
//! Everything here is object-safe and non-generic where it matters, so a generated crate holds a
//! few lines per type and the codecs are compiled once.

use std::collections::HashMap;
use std::hash::Hash;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::primitives::{BigDecimal, BigInteger, Blob, ByteStream, DateTime, Document, EventStream, EventStreamError};
use crate::schema::{Flags, Member, Schema};

/// A value a codec can write.
pub trait Value {
    /// What the value is.
    fn view(&self) -> View<'_>;

    /// For a structure: the member at `index` of its schema, or `None` when it is not set.
    fn member(&self, index: usize) -> Option<&dyn Value> {
        let _ = index;
        None
    }

    /// For a union: which member is set.
    fn variant(&self) -> Variant<'_> {
        Variant::Unknown("")
    }

    /// For an event stream: its events, which no codec writes as a value (a protocol frames
    /// them as messages, [`crate::event_stream`]).
    fn events(&self) -> Option<&dyn EventsValue> {
        None
    }

    /// For a `@streaming` blob: the body, which the protocol layer sends or fills as a stream.
    fn byte_stream(&self) -> Option<&ByteStream> {
        None
    }
}

/// A value as a codec sees it. Enums show their wire value as a string, intEnums as an integer.
#[derive(Clone, Copy)]
pub enum View<'a> {
    /// Nothing: an unset item of a sparse list or map, or a value with nothing to write.
    Null,
    Boolean(bool),
    Byte(i8),
    Short(i16),
    Integer(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    String(&'a str),
    Blob(&'a [u8]),
    Timestamp(DateTime),
    /// A big integer or decimal, as its exact decimal text.
    BigNumber(&'a str),
    Document(&'a Document),
    List(&'a dyn ListValue),
    Map(&'a dyn MapValue),
    /// A structure, whose members [`Value::member`] gives.
    Structure(&'a dyn Value),
    /// A union, whose member [`Value::variant`] gives.
    Union(&'a dyn Value),
}

/// The member a union holds.
#[derive(Clone, Copy)]
pub enum Variant<'a> {
    /// The member at this index of the union's schema, with its value (`None` for a member that
    /// targets `smithy.api#Unit`).
    Member(usize, Option<&'a dyn Value>),
    /// A member this version did not know, by its name on the wire; it cannot be written.
    Unknown(&'a str),
}

/// A list's items.
pub trait ListValue {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn get(&self, index: usize) -> Option<&dyn Value>;
}

/// Events still to be sent, each a value of the stream's union, as the protocol layer takes
/// them from an input's live [`EventStream`].
pub type OutgoingEvents = Pin<Box<dyn Stream<Item = Result<Box<dyn Value + Send>, EventStreamError>> + Send>>;

/// An event stream, as the protocol layer reaches it: the events held in memory (as a list),
/// and the events that arrive or are to be sent.
pub trait EventsValue: ListValue {
    /// The events still to come of a live stream (an input's, to be sent), handed over.
    fn take_outgoing(&self) -> Option<OutgoingEvents>;

    /// Makes the events of this (empty) stream those `source` reads as they arrive; `false`
    /// when it is not empty.
    fn attach(&self, source: Box<dyn EventSource>) -> bool;
}

/// Reads the events of a stream as they arrive (from the messages of a response or request
/// body), for [`EventsValue::attach`].
pub trait EventSource: Send {
    /// Reads the next event: calls `read` with the stream's member and a decoder positioned on
    /// the event (its union); `None` at the stream's end.
    fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
        read: &mut dyn FnMut(&'static Member, &mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Poll<Option<Result<(), EventStreamError>>>;
}

/// A map's entries.
pub trait MapValue {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Every entry, sorted by key, so that what is written does not depend on hashing.
    fn entries(&self) -> Vec<(&str, &dyn Value)>;
}

/// Why a value cannot be read. Boxed, so that a reader's `Result` is a word wide (readers return
/// one for every value).
#[derive(Clone, PartialEq, Eq)]
pub struct DecodeError(Box<DecodeErrorParts>);

#[derive(Clone, PartialEq, Eq)]
struct DecodeErrorParts {
    message: String,
    /// The value was not refused: the server had no memory left for it.
    over_budget: bool,
}

impl DecodeError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(Box::new(DecodeErrorParts {
            message: message.into(),
            over_budget: false,
        }))
    }

    /// The error of a value the server's memory budget has no room for now.
    pub fn over_budget(bytes: usize) -> Self {
        Self(Box::new(DecodeErrorParts {
            message: format!("the server has no memory left for {bytes} more bytes of this request; retry later"),
            over_budget: true,
        }))
    }

    /// Whether the value could not be read for want of memory, not for what it is.
    pub fn is_over_budget(&self) -> bool {
        self.0.over_budget
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl std::fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodeError")
            .field("message", &self.0.message)
            .field("over_budget", &self.0.over_budget)
            .finish()
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for DecodeError {}

/// Why a value cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    message: String,
}

impl EncodeError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EncodeError {}

/// A source of values in some wire format. Each method reads one value for `member` (whose
/// traits say, for instance, how a timestamp is written) or fails.
pub trait Decoder {
    /// The error of a read this decoder cannot make (a list where it holds a blob, ...): what
    /// every read it does not implement returns.
    fn mismatch(&self) -> DecodeError {
        DecodeError::new("the value is not of the kind the model says")
    }
    /// Reads a structure of `schema`, handing each member found to `builder` by index.
    fn structure(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        let _ = (schema, builder);
        Err(self.mismatch())
    }
    /// Reads a union of `schema`: exactly one member, handed to `builder`.
    fn union(&mut self, schema: &'static Schema, builder: &mut dyn UnionBuilder) -> Result<(), DecodeError> {
        let _ = (schema, builder);
        Err(self.mismatch())
    }
    /// How many items the list it is on holds, when a reader knows that before reading them
    /// (so that room for them is made once), at most as many as it will read.
    fn list_len(&mut self, member: &'static Member) -> Option<usize> {
        let _ = member;
        None
    }
    /// Reads the whole list `member` into `items` in one call, when the decoder has a way to
    /// for that kind of item: `None` when it has not (nothing is read), and the caller reads
    /// the list item by item. The result must be the one [`Decoder::list`] would give.
    fn list_of(&mut self, member: &'static Member, items: ListOf<'_>) -> Option<Result<(), DecodeError>> {
        let _ = (member, items);
        None
    }
    /// Reads a list, calling `item` once per item with the decoder positioned on it.
    fn list(
        &mut self,
        member: &'static Member,
        item: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let _ = (member, item);
        Err(self.mismatch())
    }
    /// Reads a map, calling `entry` once per entry with its key and the decoder positioned on
    /// its value.
    fn map(
        &mut self,
        member: &'static Member,
        entry: &mut dyn FnMut(&str, &mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let _ = (member, entry);
        Err(self.mismatch())
    }
    /// Reads a null if one comes next: `true` when it did.
    fn null(&mut self) -> Result<bool, DecodeError> {
        Ok(false)
    }
    fn boolean(&mut self, member: &'static Member) -> Result<bool, DecodeError> {
        let _ = member;
        Err(self.mismatch())
    }
    /// An integer of any width; the caller checks its range.
    fn integer(&mut self, member: &'static Member) -> Result<i64, DecodeError> {
        let _ = member;
        Err(self.mismatch())
    }
    fn float(&mut self, member: &'static Member) -> Result<f64, DecodeError> {
        let _ = member;
        Err(self.mismatch())
    }
    fn string(&mut self, member: &'static Member) -> Result<String, DecodeError> {
        let _ = member;
        Err(self.mismatch())
    }
    /// A string handed to `read` as it lies in the input when it can be (an enum's value, which
    /// is matched, not kept), else copied.
    fn string_with(&mut self, member: &'static Member, read: &mut dyn FnMut(&str)) -> Result<(), DecodeError> {
        self.string(member).map(|value| read(&value))
    }
    fn blob(&mut self, member: &'static Member) -> Result<Vec<u8>, DecodeError> {
        let _ = member;
        Err(self.mismatch())
    }
    fn timestamp(&mut self, member: &'static Member) -> Result<DateTime, DecodeError> {
        let _ = member;
        Err(self.mismatch())
    }
    /// A big integer (`integer`) or decimal, as its exact text.
    fn big_number(&mut self, member: &'static Member, integer: bool) -> Result<String, DecodeError> {
        let _ = (member, integer);
        Err(self.mismatch())
    }
    fn document(&mut self, member: &'static Member) -> Result<Document, DecodeError> {
        let _ = member;
        Err(self.mismatch())
    }
    /// Skips a value.
    fn skip(&mut self) -> Result<(), DecodeError> {
        Ok(())
    }
    /// Reads the events of an event stream `member`, calling `event` once per event with the
    /// decoder positioned on it (on the union of its events). A wire codec holds none (the
    /// protocol frames events as messages): by default the value is skipped.
    fn events(
        &mut self,
        member: &'static Member,
        event: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let _ = (member, event);
        self.skip()
    }
    /// Counts `bytes` of memory that the value being read takes (a list's or map's storage as
    /// it grows, a string's text) against the budget of the request it comes from, if it has
    /// one; fails ([`DecodeError::is_over_budget`]) when the budget has no room for them.
    fn reserve(&mut self, bytes: usize) -> Result<(), DecodeError> {
        let _ = bytes;
        Ok(())
    }
}

/// A structure's builder, which a decoder fills member by member.
pub trait StructBuilder {
    /// The builder's slot of the member at `index` of the structure's schema.
    fn slot(&mut self, index: usize) -> Option<&mut dyn Slot>;
}

/// Where a builder keeps a member's value: the decoder reads the member into it.
pub trait Slot {
    /// Reads a value for `member` from `decoder` into the slot.
    fn read(&mut self, member: &'static Member, decoder: &mut dyn Decoder) -> Result<(), DecodeError>;
}

impl<T: Decode> Slot for Option<T> {
    fn read(&mut self, member: &'static Member, decoder: &mut dyn Decoder) -> Result<(), DecodeError> {
        *self = Some(T::decode(member, decoder)?);
        Ok(())
    }
}

/// Reads the member at `index` of `schema` into `builder`'s slot for it; a member the builder
/// has no slot for is skipped.
pub fn read_member(
    schema: &'static Schema,
    index: usize,
    builder: &mut dyn StructBuilder,
    decoder: &mut dyn Decoder,
) -> Result<(), DecodeError> {
    match (schema.members.get(index), builder.slot(index)) {
        (Some(member), Some(slot)) => slot.read(member, decoder),
        _ => decoder.skip(),
    }
}

/// What a decoder hands a union's member to.
pub trait UnionBuilder {
    /// Reads the member at `index` of the union's schema from `decoder`.
    fn member(&mut self, index: usize, decoder: &mut dyn Decoder) -> Result<(), DecodeError>;
    /// A member this version does not know, by its name on the wire (its value was skipped).
    fn unknown(&mut self, name: &str);
}

/// A value that can be read.
pub trait Decode: Sized {
    /// Reads a value for `member` from `decoder`.
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError>;

    /// Reads a list of such values (for the list `member`): item by item, unless the type and
    /// the decoder have a way to read the whole list at once.
    #[doc(hidden)]
    fn decode_list(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Vec<Self>, DecodeError> {
        decode_items(member, decoder)
    }
}

/// A whole list of one kind of value, which a decoder may read in one call
/// ([`Decoder::list_of`]) rather than through a call per item.
#[doc(hidden)]
pub enum ListOf<'a> {
    Doubles(&'a mut Vec<f64>),
    Timestamps(&'a mut Vec<DateTime>),
}

/// Reads a list item by item.
fn decode_items<T: Decode>(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Vec<T>, DecodeError> {
    let item = member
        .target
        .item()
        .ok_or_else(|| DecodeError::new("a list schema needs its member"))?;
    let mut items = Vec::new();
    if let Some(len) = decoder.list_len(member) {
        decoder.reserve(len.saturating_mul(std::mem::size_of::<T>()))?;
        items.reserve_exact(len);
    }
    decoder.list(member, &mut |decoder| {
        let capacity = items.capacity();
        items.push(T::decode(item, decoder)?);
        if items.capacity() > capacity {
            decoder.reserve((items.capacity() - capacity).saturating_mul(std::mem::size_of::<T>()))?;
        }
        Ok(())
    })?;
    Ok(items)
}

/// The value a client fills in for a required member that a response lacks (Smithy's client
/// error correction): false, zero, empty, the epoch, a structure of zero values, an enum's or a
/// union's unknown variant.
pub trait Zero {
    fn zero() -> Self;
}

/// A generated structure.
pub trait Structure: Sized + Value + Send + Sync + 'static {
    /// Its schema.
    const SCHEMA: &'static Schema;
    /// Its builder.
    type Builder: StructBuilder + Default;
    /// The value of a builder that a decoder filled: members left unset take their default or
    /// zero value (whether that is allowed was decided by the decoder).
    fn finish(builder: Self::Builder) -> Self;

    /// Sets the members that are unset but have a default to it: what a server does with an
    /// operation's input, whose members a client may leave unset (`@input`). Other members take
    /// their defaults in [`Structure::finish`].
    fn apply_defaults(&mut self) {}
}

/// A generated union.
pub trait Union: Sized + Value + Send + Sync + 'static {
    /// Its schema.
    const SCHEMA: &'static Schema;
    /// Reads `member`, at `index` of the schema.
    fn decode_member(index: usize, member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError>;
    /// The unknown variant, for a member named `name` on the wire.
    fn unknown(name: &str) -> Self;
}

/// A generated error structure: it keeps what the response said of it.
pub trait ErrorStructure: Structure {
    /// Records what the response said of the error.
    fn set_meta(&mut self, meta: crate::error::ErrorMeta);
}

/// Reads an error structure of type `T` from `decoder`, with what its response said of it.
pub fn decode_error<T: ErrorStructure>(
    decoder: &mut dyn Decoder,
    meta: crate::error::ErrorMeta,
) -> Result<T, DecodeError> {
    let mut error = decode_structure::<T>(decoder)?;
    error.set_meta(meta);
    Ok(error)
}

/// Reads a string enum: a listed value or, for any other, the enum's unknown variant.
#[inline]
pub fn decode_enum<T: for<'a> From<&'a str>>(
    member: &'static Member,
    decoder: &mut dyn Decoder,
) -> Result<T, DecodeError> {
    let mut value = None;
    decoder.string_with(member, &mut |text| value = Some(T::from(text)))?;
    value.ok_or_else(|| DecodeError::new("an enum's value was not read"))
}

/// Reads an intEnum: a listed value or, for any other `i32`, the enum's unknown variant.
#[inline]
pub fn decode_int_enum<T: From<i32>>(member: &'static Member, decoder: &mut dyn Decoder) -> Result<T, DecodeError> {
    let value = decoder.integer(member)?;
    i32::try_from(value)
        .map(T::from)
        .map_err(|_| DecodeError::new(format!("{value} is out of range for an intEnum")))
}

/// Reads a structure of type `T` from `decoder`.
pub fn decode_structure<T: Structure>(decoder: &mut dyn Decoder) -> Result<T, DecodeError> {
    let mut builder = T::Builder::default();
    decoder.structure(T::SCHEMA, &mut builder)?;
    Ok(T::finish(builder))
}

/// Reads a union of type `T` from `decoder`.
pub fn decode_union<T: Union>(decoder: &mut dyn Decoder) -> Result<T, DecodeError> {
    struct Slot<T>(Option<T>);
    impl<T: Union> UnionBuilder for Slot<T> {
        fn member(&mut self, index: usize, decoder: &mut dyn Decoder) -> Result<(), DecodeError> {
            self.0 = Some(match T::SCHEMA.members.get(index) {
                Some(member) => T::decode_member(index, member, decoder)?,
                None => {
                    decoder.skip()?;
                    T::unknown("")
                }
            });
            Ok(())
        }

        fn unknown(&mut self, name: &str) {
            self.0 = Some(T::unknown(name));
        }
    }
    let mut slot = Slot(None);
    decoder.union(T::SCHEMA, &mut slot)?;
    slot.0
        .ok_or_else(|| DecodeError::new(format!("a `{}` union needs exactly one member set", T::SCHEMA.name())))
}

/// `Some(value)` as a `&dyn Value`, for generated `Value::member` impls of optional members.
pub fn optional<T: Value>(value: &Option<T>) -> Option<&dyn Value> {
    value.as_ref().map(|value| value as &dyn Value)
}

macro_rules! simple_value {
    ($($ty:ty => $view:ident),* $(,)?) => {$(
        impl Value for $ty {
            fn view(&self) -> View<'_> {
                View::$view(*self)
            }
        }
    )*};
}

simple_value!(bool => Boolean, i8 => Byte, i16 => Short, i32 => Integer, i64 => Long, f32 => Float, f64 => Double, DateTime => Timestamp);

impl Value for String {
    fn view(&self) -> View<'_> {
        View::String(self)
    }
}

impl Value for Blob {
    fn view(&self) -> View<'_> {
        View::Blob(self.as_bytes())
    }
}

impl Value for ByteStream {
    fn view(&self) -> View<'_> {
        View::Blob(self.as_bytes())
    }

    fn byte_stream(&self) -> Option<&ByteStream> {
        Some(self)
    }
}

impl Value for BigInteger {
    fn view(&self) -> View<'_> {
        View::BigNumber(self.as_str())
    }
}

impl Value for BigDecimal {
    fn view(&self) -> View<'_> {
        View::BigNumber(self.as_str())
    }
}

impl Value for Document {
    fn view(&self) -> View<'_> {
        View::Document(self)
    }
}

/// Event streams are framed by the protocol layer, not written as values: a codec sees
/// nothing, the framing reaches the events through [`Value::events`].
impl<T: Value + Decode + Send + 'static> Value for EventStream<T> {
    fn view(&self) -> View<'_> {
        View::Null
    }

    fn events(&self) -> Option<&dyn EventsValue> {
        Some(self)
    }
}

impl<T: Value> ListValue for EventStream<T> {
    fn len(&self) -> usize {
        self.events().len()
    }

    fn get(&self, index: usize) -> Option<&dyn Value> {
        self.events().get(index).map(|event| event as &dyn Value)
    }
}

impl<T: Value + Decode + Send + 'static> EventsValue for EventStream<T> {
    fn take_outgoing(&self) -> Option<OutgoingEvents> {
        struct Boxed<T>(crate::primitives::LiveEvents<T>);
        impl<T: Value + Send + 'static> Stream for Boxed<T> {
            type Item = Result<Box<dyn Value + Send>, EventStreamError>;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.0
                    .as_mut()
                    .poll_next(cx)
                    .map(|event| event.map(|event| event.map(|event| Box::new(event) as Box<dyn Value + Send>)))
            }
        }
        let live = self.take_live()?;
        Some(Box::pin(Boxed(live)))
    }

    fn attach(&self, source: Box<dyn EventSource>) -> bool {
        struct Read<T> {
            source: Box<dyn EventSource>,
            event: std::marker::PhantomData<fn() -> T>,
        }
        impl<T: Decode> Stream for Read<T> {
            type Item = Result<T, EventStreamError>;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                let mut event = None;
                let polled = self.source.poll_event(cx, &mut |member, decoder| {
                    event = Some(T::decode(member, decoder)?);
                    Ok(())
                });
                polled.map(|next| {
                    next.map(|read| {
                        read.and_then(|()| {
                            event.ok_or_else(|| EventStreamError::new("the event's message held no event"))
                        })
                    })
                })
            }
        }
        self.replace_with(Box::pin(Read::<T> {
            source,
            event: std::marker::PhantomData,
        }))
    }
}

impl<T: Value> Value for Option<T> {
    fn view(&self) -> View<'_> {
        match self {
            Some(value) => value.view(),
            None => View::Null,
        }
    }

    fn member(&self, index: usize) -> Option<&dyn Value> {
        self.as_ref()?.member(index)
    }

    fn variant(&self) -> Variant<'_> {
        match self {
            Some(value) => value.variant(),
            None => Variant::Unknown(""),
        }
    }

    fn events(&self) -> Option<&dyn EventsValue> {
        self.as_ref()?.events()
    }

    fn byte_stream(&self) -> Option<&ByteStream> {
        self.as_ref()?.byte_stream()
    }
}

impl<T: Value + ?Sized> Value for Box<T> {
    fn view(&self) -> View<'_> {
        (**self).view()
    }

    fn member(&self, index: usize) -> Option<&dyn Value> {
        (**self).member(index)
    }

    fn variant(&self) -> Variant<'_> {
        (**self).variant()
    }

    fn events(&self) -> Option<&dyn EventsValue> {
        (**self).events()
    }

    fn byte_stream(&self) -> Option<&ByteStream> {
        (**self).byte_stream()
    }
}

impl<T: Value> Value for Vec<T> {
    fn view(&self) -> View<'_> {
        View::List(self)
    }
}

impl<T: Value> ListValue for Vec<T> {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }

    fn get(&self, index: usize) -> Option<&dyn Value> {
        <[T]>::get(self, index).map(|value| value as &dyn Value)
    }
}

impl<K: AsRef<str>, V: Value> Value for HashMap<K, V> {
    fn view(&self) -> View<'_> {
        View::Map(self)
    }
}

impl<K: AsRef<str>, V: Value> MapValue for HashMap<K, V> {
    fn len(&self) -> usize {
        HashMap::len(self)
    }

    fn entries(&self) -> Vec<(&str, &dyn Value)> {
        let mut entries: Vec<(&str, &dyn Value)> = self
            .iter()
            .map(|(key, value)| (key.as_ref(), value as &dyn Value))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        entries
    }
}

fn narrow<T: TryFrom<i64>>(value: i64, what: &str) -> Result<T, DecodeError> {
    T::try_from(value).map_err(|_| DecodeError::new(format!("{value} is out of range for a {what}")))
}

impl Decode for bool {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        decoder.boolean(member)
    }
}

macro_rules! integer_decode {
    ($($ty:ty => $what:literal),*) => {$(
        impl Decode for $ty {
            fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
                narrow(decoder.integer(member)?, $what)
            }
        }
    )*};
}

integer_decode!(i8 => "byte", i16 => "short", i32 => "integer", i64 => "long");

impl Decode for f32 {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        decoder.float(member).map(|value| value as f32)
    }
}

impl Decode for f64 {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        decoder.float(member)
    }

    fn decode_list(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Vec<Self>, DecodeError> {
        let mut items = Vec::new();
        match decoder.list_of(member, ListOf::Doubles(&mut items)) {
            Some(read) => read.map(|()| items),
            None => decode_items(member, decoder),
        }
    }
}

impl Decode for String {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        let text = decoder.string(member)?;
        decoder.reserve(text.capacity())?;
        Ok(text)
    }
}

impl Decode for Blob {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        let bytes = decoder.blob(member)?;
        decoder.reserve(bytes.capacity())?;
        Ok(Blob::new(bytes))
    }
}

impl Decode for ByteStream {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        let bytes = decoder.blob(member)?;
        decoder.reserve(bytes.capacity())?;
        Ok(ByteStream::new(bytes))
    }
}

impl Decode for DateTime {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        decoder.timestamp(member)
    }

    fn decode_list(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Vec<Self>, DecodeError> {
        let mut items = Vec::new();
        match decoder.list_of(member, ListOf::Timestamps(&mut items)) {
            Some(read) => read.map(|()| items),
            None => decode_items(member, decoder),
        }
    }
}

impl Decode for BigInteger {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        let text = decoder.big_number(member, true)?;
        decoder.reserve(text.len())?;
        BigInteger::new(text.as_str()).ok_or_else(|| DecodeError::new(format!("`{text}` is not an integer")))
    }
}

impl Decode for BigDecimal {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        let text = decoder.big_number(member, false)?;
        decoder.reserve(text.len())?;
        BigDecimal::new(text.as_str()).ok_or_else(|| DecodeError::new(format!("`{text}` is not a number")))
    }
}

impl Decode for Document {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        decoder.document(member)
    }
}

/// Event streams are framed by the protocol layer: a codec holds none ([`Decoder::events`]
/// skips the value), the framing hands over the events of messages.
impl<T: Decode + Send + 'static> Decode for EventStream<T> {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        let mut events = Vec::new();
        decoder.events(member, &mut |decoder| {
            events.push(T::decode(member, decoder)?);
            Ok(())
        })?;
        Ok(EventStream::new(events))
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        if decoder.null()? {
            Ok(None)
        } else {
            T::decode(member, decoder).map(Some)
        }
    }
}

impl<T: Structure> Decode for T {
    fn decode(_: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        decode_structure(decoder)
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        T::decode_list(member, decoder)
    }
}

impl<K, V> Decode for HashMap<K, V>
where
    K: for<'a> From<&'a str> + Eq + Hash,
    V: Decode,
{
    fn decode(member: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
        let value = member
            .target
            .item()
            .ok_or_else(|| DecodeError::new("a map schema needs its members"))?;
        let mut map = HashMap::new();
        // Each slot of a map's table holds a key and a value, and a control byte.
        let slot = std::mem::size_of::<(K, V)>() + 1;
        decoder.map(member, &mut |key, decoder| {
            let capacity = map.capacity();
            decoder.reserve(key.len())?;
            map.insert(K::from(key), V::decode(value, decoder)?);
            if map.capacity() > capacity {
                decoder.reserve((map.capacity() - capacity).saturating_mul(slot))?;
            }
            Ok(())
        })?;
        Ok(map)
    }
}

macro_rules! zero_default {
    ($($ty:ty),*) => {$(
        impl Zero for $ty {
            fn zero() -> Self {
                <$ty>::default()
            }
        }
    )*};
}

zero_default!(bool, i8, i16, i32, i64, f32, f64, String, Blob, ByteStream, DateTime, BigInteger, BigDecimal, Document);

impl<T> Zero for Vec<T> {
    fn zero() -> Self {
        Vec::new()
    }
}

impl<K, V> Zero for HashMap<K, V> {
    fn zero() -> Self {
        HashMap::new()
    }
}

impl<T> Zero for Option<T> {
    fn zero() -> Self {
        None
    }
}

/// A structure's zero value: every member unset, required ones at their zero value.
impl<T: Structure> Zero for T {
    fn zero() -> Self {
        T::finish(T::Builder::default())
    }
}

impl<T> Zero for EventStream<T> {
    fn zero() -> Self {
        EventStream::default()
    }
}

/// What `Debug` prints in place of a `@sensitive` value.
pub const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// `Debug` for a generated structure, from its schema: `name { Member: value, .. }` with the
/// members that are set, by their names in the model, and every `@sensitive` value (the
/// member's, its target's, or anything's below) redacted. Generated structures and builders
/// call it instead of each deriving a formatter of their own.
pub fn debug_structure<T: Structure>(value: &T, name: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    std::fmt::Debug::fmt(
        &DebugStructure {
            value,
            schema: T::SCHEMA,
            name,
        },
        f,
    )
}

/// A structure's set members, each formatted from its schema.
struct DebugStructure<'a> {
    value: &'a dyn Value,
    schema: &'static Schema,
    name: &'a str,
}

impl std::fmt::Debug for DebugStructure<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct(self.name);
        // A `@sensitive` structure shows which members are set, not what they hold.
        let sensitive = self.schema.traits.has(Flags::SENSITIVE);
        for (index, member) in self.schema.members.iter().enumerate() {
            if let Some(value) = self.value.member(index) {
                if sensitive {
                    out.field(member.name, &REDACTED);
                } else {
                    out.field(member.name, &DebugValue { value, member });
                }
            }
        }
        out.finish()
    }
}

/// One value, formatted from the schema of the member that holds it.
struct DebugValue<'a> {
    value: &'a dyn Value,
    member: &'static Member,
}

impl std::fmt::Debug for DebugValue<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let target = self.member.target;
        if self.member.traits.has(Flags::SENSITIVE) || target.traits.has(Flags::SENSITIVE) {
            return std::fmt::Debug::fmt(REDACTED, f);
        }
        if let Some(stream) = self.value.byte_stream() {
            return stream.fmt(f);
        }
        if let Some(events) = self.value.events() {
            return write!(f, "EventStream({} events in memory)", events.len());
        }
        match self.value.view() {
            View::Null => f.write_str("None"),
            View::Boolean(value) => value.fmt(f),
            View::Byte(value) => value.fmt(f),
            View::Short(value) => value.fmt(f),
            View::Integer(value) => value.fmt(f),
            View::Long(value) => value.fmt(f),
            View::Float(value) => value.fmt(f),
            View::Double(value) => value.fmt(f),
            View::String(value) => value.fmt(f),
            View::Blob(bytes) => write!(f, "Blob({} bytes)", bytes.len()),
            View::Timestamp(value) => value.fmt(f),
            View::BigNumber(text) => f.write_str(text),
            View::Document(document) => document.fmt(f),
            View::List(list) => {
                let mut out = f.debug_list();
                for index in 0..list.len() {
                    match (list.get(index), target.item()) {
                        (Some(value), Some(member)) => out.entry(&DebugValue { value, member }),
                        _ => out.entry(&None::<()>),
                    };
                }
                out.finish()
            }
            View::Map(map) => {
                let mut out = f.debug_map();
                for (key, value) in map.entries() {
                    match target.map_entry() {
                        Some((key_member, member)) if key_member.target.traits.has(Flags::SENSITIVE) => {
                            out.entry(&REDACTED, &DebugValue { value, member })
                        }
                        Some((_, member)) => out.entry(&key, &DebugValue { value, member }),
                        None => out.entry(&key, &"?"),
                    };
                }
                out.finish()
            }
            View::Structure(value) => DebugStructure {
                value,
                schema: target,
                name: target.name(),
            }
            .fmt(f),
            View::Union(value) => match value.variant() {
                Variant::Member(index, value) => {
                    let Some(member) = target.members.get(index) else {
                        return f.write_str("?");
                    };
                    match value {
                        Some(value) => f.debug_tuple(member.name).field(&DebugValue { value, member }).finish(),
                        None => f.write_str(member.name),
                    }
                }
                Variant::Unknown(name) => f.debug_tuple("Unknown").field(&name).finish(),
            },
        }
    }
}
