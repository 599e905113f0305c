//! Codecs: JSON (bodies of the JSON protocols, and the serde document form), XML, query forms,
//! CBOR (bodies of rpcv2Cbor), the text forms of values in URIs and headers, and the serde
//! bridge. Each walks values with their schemas.

pub mod cbor;
pub(crate) mod form;
pub mod json;
pub mod serde;
pub mod text;
pub mod xml;

/// A body format: how a message body holds a structure's members, or one payload value, for
/// the protocols that put values in bodies: JSON ([`json::JSON`] with `@jsonName`,
/// [`json::JSON_MEMBER_NAMES`] without), XML, query forms and CBOR ([`cbor::CBOR`]); each
/// protocol names the codec of its bodies, and the HTTP-binding layer works through this trait
/// only.
pub(crate) trait Codec: Sync {
    /// The media type of its bodies.
    fn media_type(&self) -> &'static str;

    /// The body of a structure payload that is unset, which a request still sends.
    fn empty_structure(&self) -> &'static [u8];

    /// Writes the members of `value` (of structure `schema`) for which `include` holds, as one
    /// document.
    fn write_structure(
        &self,
        out: &mut Vec<u8>,
        value: &dyn crate::shape::Value,
        schema: &'static crate::schema::Schema,
        include: &dyn Fn(&crate::schema::Member) -> bool,
    ) -> Result<(), crate::shape::EncodeError>;

    /// Writes one value (of `schema`, held by `member`) as a whole document: a payload.
    fn write_value(
        &self,
        out: &mut Vec<u8>,
        value: &dyn crate::shape::Value,
        member: &'static crate::schema::Member,
        schema: &'static crate::schema::Schema,
    ) -> Result<(), crate::shape::EncodeError>;

    /// Reads the members of structure `schema` for which `include` holds from `body` into
    /// `builder`: which members were found, and the required ones a strict reader missed.
    fn read_structure(
        &self,
        body: &[u8],
        reading: Reading<'_>,
        schema: &'static crate::schema::Schema,
        builder: &mut dyn crate::shape::StructBuilder,
        include: &dyn Fn(&crate::schema::Member) -> bool,
    ) -> Result<(Vec<bool>, Vec<crate::validate::Violation>), crate::shape::DecodeError>;

    /// Reads member `index` of structure `schema` from the whole of `body` (a payload) into
    /// `builder`: the required members a strict reader missed inside it.
    fn read_member(
        &self,
        body: &[u8],
        reading: Reading<'_>,
        schema: &'static crate::schema::Schema,
        index: usize,
        builder: &mut dyn crate::shape::StructBuilder,
    ) -> Result<Vec<crate::validate::Violation>, crate::shape::DecodeError>;
}

/// Who reads a body, and what it is charged to.
#[derive(Clone, Copy)]
pub(crate) struct Reading<'a> {
    pub side: Side,
    /// The request's share of the server's memory.
    pub memory: Option<&'a crate::memory::RequestMemory>,
}

/// The most items or entries a reader on `side` takes of a list or map `member`: a server
/// stops at its `@length` maximum; a client keeps what a service sends.
pub(crate) fn max_items(side: Side, member: &crate::schema::Member) -> u64 {
    match (side, member.traits.length) {
        (Side::Server, Some(length)) => length.max.unwrap_or(u64::MAX),
        _ => u64::MAX,
    }
}

/// The `@length` violation (at `path`) of a list or map `member` that had `count` items or
/// entries, when a reader on `side` took only up to its maximum.
pub(crate) fn items_violation(
    side: Side,
    member: &crate::schema::Member,
    count: u64,
    path: impl FnOnce() -> String,
) -> Option<crate::validate::Violation> {
    let length = member.traits.length.filter(|_| count > max_items(side, member))?;
    Some(crate::validate::length_violation(&path(), count, length))
}

/// Who reads, which decides how strictly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// A client reads responses leniently: Smithy's error correction fills in required members
    /// a response lacks, a null in a dense list or map is skipped, a timestamp may come in any
    /// of the three formats.
    Client,
    /// A server reads requests strictly: a missing required member is a violation, a null in a
    /// dense list or map is refused, a timestamp must be in its member's format.
    Server,
    /// The serde document form: strict like a server, but timestamps in any format.
    Document,
}

/// Documents corrupted at random for the readers' tests: cut, spliced with pieces of markup,
/// shortened and bit-flipped, from a fixed seed so that a failure repeats.
#[cfg(test)]
pub(crate) struct Mangler(u64);

#[cfg(test)]
impl Mangler {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A number below `bound` (0 when `bound` is 0), by xorshift.
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound.max(1) as u64) as usize
    }

    /// Changes `document` one to four times: cut, a piece spliced in, a bit flipped and, with
    /// `drains`, up to 15 bytes taken out.
    pub(crate) fn mangle(&mut self, document: &mut Vec<u8>, pieces: &[&[u8]], drains: bool) {
        for _ in 0..1 + self.below(4) {
            let at = self.below(document.len() + 1);
            match self.below(if drains { 4 } else { 3 }) {
                0 => document.truncate(at),
                1 => {
                    let piece = pieces[self.below(pieces.len())];
                    document.splice(at..at, piece.iter().copied());
                }
                2 if drains => {
                    let end = (at + self.below(16)).min(document.len());
                    document.drain(at..end);
                }
                _ => {
                    if let Some(byte) = document.get_mut(at) {
                        *byte ^= 1 << self.below(8);
                    }
                }
            }
        }
    }
}
