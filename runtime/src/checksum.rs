//! Body checksums and compression: the flexible checksums of `aws.protocols#httpChecksum`
//! (CRC32, CRC32C, CRC64/NVME, SHA-1, SHA-256, SHA-512, MD5, XXH64, XXH3 and XXH3-128, in
//! `x-amz-checksum-*` headers), and the gzip
//! bodies of `@requestCompression`.
//!
//! A client adds a request's checksum and compresses its body as the operation's schema and the
//! configuration's [`RequestChecksumCalculation`] and [`Compression`] say, and checks the
//! checksum of a response when [`ResponseChecksumValidation`] says so; a server reads a
//! compressed body back within its body limit.

use std::fmt;
use std::io::{Read, Write};

use crate::primitives::Blob;

/// A checksum algorithm of `aws.protocols#httpChecksum`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC, as zlib computes it).
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// CRC-64/NVME.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
    /// MD5.
    Md5,
    /// XXH64 (seed 0).
    XxHash64,
    /// XXH3, 64 bits (seed 0).
    XxHash3,
    /// XXH3, 128 bits (seed 0).
    XxHash128,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in the order a client prefers them when a response carries several:
    /// the CRCs the AWS SDKs check first, then the others, the fastest first.
    pub const PREFERENCE: [ChecksumAlgorithm; 10] = [
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
        ChecksumAlgorithm::XxHash3,
        ChecksumAlgorithm::XxHash64,
        ChecksumAlgorithm::XxHash128,
        ChecksumAlgorithm::Md5,
        ChecksumAlgorithm::Sha512,
    ];

    /// The names of every algorithm, for messages.
    pub const NAMES: &'static str = "CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128";

    /// The algorithm a model names (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`, `SHA512`,
    /// `MD5`, `XXHASH64`, `XXHASH3`, `XXHASH128`), in any case. A model may name others, which
    /// a client cannot compute: [`None`] here, refused when a caller asks for one and passed
    /// over when a response carries one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::PREFERENCE
            .into_iter()
            .find(|algorithm| algorithm.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The model's name of the algorithm.
    pub fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
            ChecksumAlgorithm::Sha512 => "SHA512",
            ChecksumAlgorithm::Md5 => "MD5",
            ChecksumAlgorithm::XxHash64 => "XXHASH64",
            ChecksumAlgorithm::XxHash3 => "XXHASH3",
            ChecksumAlgorithm::XxHash128 => "XXHASH128",
        }
    }

    /// The header that carries the checksum: `x-amz-checksum-crc32`, ...
    pub fn header(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
            ChecksumAlgorithm::Sha512 => "x-amz-checksum-sha512",
            ChecksumAlgorithm::Md5 => "x-amz-checksum-md5",
            ChecksumAlgorithm::XxHash64 => "x-amz-checksum-xxhash64",
            ChecksumAlgorithm::XxHash3 => "x-amz-checksum-xxhash3",
            ChecksumAlgorithm::XxHash128 => "x-amz-checksum-xxhash128",
        }
    }

    /// The checksum of `body`, base64-encoded as the header carries it (of the big-endian
    /// bytes, for the CRCs).
    pub fn checksum(self, body: &[u8]) -> String {
        CHECKSUMS.checksum(self, body)
    }

    /// The length of the checksum as the header carries it (base64 of the digest's bytes).
    pub fn encoded_len(self) -> usize {
        let bytes: usize = match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme | ChecksumAlgorithm::XxHash64 | ChecksumAlgorithm::XxHash3 => 8,
            ChecksumAlgorithm::Md5 | ChecksumAlgorithm::XxHash128 => 16,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
            ChecksumAlgorithm::Sha512 => 64,
        };
        bytes.div_ceil(3) * 4
    }

    /// A checksum computed piece by piece, for a body that streams.
    pub fn hasher(self) -> Hasher {
        let state: Box<dyn Digest> = match self {
            ChecksumAlgorithm::Crc32 => Box::new(crc32fast::Hasher::new()),
            ChecksumAlgorithm::Crc32c => Box::new(Crc32c(0)),
            ChecksumAlgorithm::Crc64Nvme => Box::new(crc64fast_nvme::Digest::new()),
            ChecksumAlgorithm::Sha1 => Box::new(Hash(sha1::Sha1::default())),
            ChecksumAlgorithm::Sha256 => Box::new(Hash(sha2::Sha256::default())),
            ChecksumAlgorithm::Sha512 => Box::new(Hash(sha2::Sha512::default())),
            ChecksumAlgorithm::Md5 => Box::new(Hash(md5::Md5::default())),
            ChecksumAlgorithm::XxHash64 => Box::new(xxhash_rust::xxh64::Xxh64::new(0)),
            ChecksumAlgorithm::XxHash3 | ChecksumAlgorithm::XxHash128 => Box::new(XxHash3 {
                state: xxhash_rust::xxh3::Xxh3::new(),
                wide: self == ChecksumAlgorithm::XxHash128,
            }),
        };
        Hasher { algorithm: self, state }
    }
}

/// The checksum algorithms' code, as an operation's schema names it
/// ([`OperationSchema::checksums`](crate::schema::OperationSchema::checksums)): a program
/// whose operations carry no checksum never refers to it, so the algorithms are not linked in.
#[derive(Debug)]
pub struct ChecksumCode {
    /// A hasher of the algorithm.
    pub hasher: fn(ChecksumAlgorithm) -> Hasher,
    /// The checksum a response of the operation must have, by its headers: the algorithm and
    /// the header's value ([`protocol::response_checksum`](crate::protocol::response_checksum)).
    pub expected: fn(&crate::schema::OperationSchema, &http::HeaderMap) -> Option<(ChecksumAlgorithm, String)>,
}

impl ChecksumCode {
    /// The checksum of `body`, base64-encoded as the header carries it.
    pub fn checksum(&self, algorithm: ChecksumAlgorithm, body: &[u8]) -> String {
        let mut hasher = (self.hasher)(algorithm);
        hasher.update(body);
        hasher.finish()
    }
}

/// Every algorithm of [`ChecksumAlgorithm`].
pub static CHECKSUMS: ChecksumCode = ChecksumCode {
    hasher: ChecksumAlgorithm::hasher,
    expected: crate::protocol::response_checksum,
};

/// A checksum of a body given piece by piece ([`ChecksumAlgorithm::hasher`]).
pub struct Hasher {
    algorithm: ChecksumAlgorithm,
    state: Box<dyn Digest>,
}

/// The state of one algorithm. Each is reached only through the [`Hasher`] made for it, so a
/// program links the algorithms it can make and no others.
trait Digest: Send + Sync {
    fn update(&mut self, bytes: &[u8]);
    /// The digest's bytes (big-endian, for the CRCs and xxHashes).
    fn finish(self: Box<Self>) -> Vec<u8>;
}

impl Digest for crc32fast::Hasher {
    fn update(&mut self, bytes: &[u8]) {
        crc32fast::Hasher::update(self, bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.finalize().to_be_bytes().to_vec()
    }
}

struct Crc32c(u32);

impl Digest for Crc32c {
    fn update(&mut self, bytes: &[u8]) {
        self.0 = crc32c::crc32c_append(self.0, bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.0.to_be_bytes().to_vec()
    }
}

impl Digest for crc64fast_nvme::Digest {
    fn update(&mut self, bytes: &[u8]) {
        self.write(bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.sum64().to_be_bytes().to_vec()
    }
}

/// A cryptographic hash (SHA-1, SHA-2, MD5).
struct Hash<D>(D);

impl<D: sha2::Digest + Send + Sync> Digest for Hash<D> {
    fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        sha2::Digest::finalize(self.0).to_vec()
    }
}

impl Digest for xxhash_rust::xxh64::Xxh64 {
    fn update(&mut self, bytes: &[u8]) {
        xxhash_rust::xxh64::Xxh64::update(self, bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.digest().to_be_bytes().to_vec()
    }
}

/// XXH3, of 128 bits when `wide`.
struct XxHash3 {
    state: xxhash_rust::xxh3::Xxh3,
    wide: bool,
}

impl Digest for XxHash3 {
    fn update(&mut self, bytes: &[u8]) {
        self.state.update(bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        if self.wide {
            self.state.digest128().to_be_bytes().to_vec()
        } else {
            self.state.digest().to_be_bytes().to_vec()
        }
    }
}

impl Hasher {
    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// Adds the body's next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.state.update(bytes);
    }

    /// The checksum of the bytes given, base64-encoded as the header carries it.
    pub fn finish(self) -> String {
        Blob::new(self.state.finish()).to_base64()
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Hasher").field(&self.algorithm).finish()
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// When a client adds a checksum to a request of an operation with `httpChecksum`
/// (`AWS_REQUEST_CHECKSUM_CALCULATION`, `request_checksum_calculation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestChecksumCalculation {
    /// Whenever the operation supports one: CRC32 unless the input names another algorithm.
    #[default]
    WhenSupported,
    /// Only when the operation requires one or the input names an algorithm.
    WhenRequired,
}

/// When a client checks the checksum of a response of an operation with `httpChecksum`
/// `responseAlgorithms` (`AWS_RESPONSE_CHECKSUM_VALIDATION`, `response_checksum_validation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseChecksumValidation {
    /// Whenever the response carries a checksum of an algorithm the operation names.
    #[default]
    WhenSupported,
    /// Only when the input's validation-mode member is `ENABLED`.
    WhenRequired,
}

impl RequestChecksumCalculation {
    /// The setting a configuration value names: `when_supported` or `when_required`.
    pub fn from_setting(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "when_supported" => Some(Self::WhenSupported),
            "when_required" => Some(Self::WhenRequired),
            _ => None,
        }
    }
}

impl ResponseChecksumValidation {
    /// The setting a configuration value names: `when_supported` or `when_required`.
    pub fn from_setting(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "when_supported" => Some(Self::WhenSupported),
            "when_required" => Some(Self::WhenRequired),
            _ => None,
        }
    }
}

/// How a client compresses the bodies of operations with `@requestCompression`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compression {
    /// No body is compressed (`AWS_DISABLE_REQUEST_COMPRESSION`).
    pub disabled: bool,
    /// Bodies shorter than this are sent as they are (`AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES`,
    /// at most [`Compression::MAX_MIN_SIZE`]). Default 10,240 bytes.
    pub min_size: usize,
}

impl Compression {
    /// The largest threshold a configuration may set: 10 MiB.
    pub const MAX_MIN_SIZE: usize = 10 * 1024 * 1024;

    /// Compression of bodies from 10,240 bytes.
    pub const fn standard() -> Self {
        Self {
            disabled: false,
            min_size: 10_240,
        }
    }

    /// No compression.
    pub const fn disabled() -> Self {
        Self {
            disabled: true,
            min_size: 10_240,
        }
    }

    /// Compression of bodies from `bytes` (at most [`Compression::MAX_MIN_SIZE`]).
    pub fn with_min_size(mut self, bytes: usize) -> Self {
        self.min_size = bytes.min(Self::MAX_MIN_SIZE);
        self
    }
}

impl Default for Compression {
    fn default() -> Self {
        Self::standard()
    }
}

/// What a client does to the requests of every operation beyond their protocol: compression
/// and checksums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestSettings {
    pub compression: Compression,
    pub checksum_calculation: RequestChecksumCalculation,
}

/// A content coding a client may compress a request's body with (`@requestCompression`), as
/// an operation's schema names it: a program links only the codings its operations name.
#[derive(Debug)]
pub struct RequestEncoding {
    /// Its name in `Content-Encoding`, as the model writes it.
    pub name: &'static str,
    /// The coded form of a body.
    pub encode: fn(&[u8]) -> Vec<u8>,
}

/// gzip, the coding Smithy defines for `@requestCompression`.
pub static GZIP: RequestEncoding = RequestEncoding {
    name: "gzip",
    encode: gzip,
};

/// The gzip form of `body`.
pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4 + 64), flate2::Compression::default());
    // Writing to a vector cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// Why a compressed body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GunzipError {
    /// The body is not gzip.
    Invalid(String),
    /// The body grows past this many bytes.
    TooLarge(usize),
    /// There is no memory for the body to grow to this many bytes now.
    OverBudget(usize),
}

impl fmt::Display for GunzipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GunzipError::Invalid(error) => write!(f, "the body is not valid gzip: {error}"),
            GunzipError::TooLarge(limit) => write!(f, "the decompressed body is larger than {limit} bytes"),
            GunzipError::OverBudget(bytes) => write!(
                f,
                "the server has no memory left to decompress the body to {bytes} bytes; retry later"
            ),
        }
    }
}

impl std::error::Error for GunzipError {}

/// The bytes that gzip `body` holds, refused beyond `limit` bytes (nothing past it is kept).
/// Concatenated gzip members are read as one body.
pub fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, GunzipError> {
    gunzip_charged(body, limit, &mut |_| true)
}

/// [`gunzip`], asking `charge` for each growth of the output's storage, in bytes, before it is
/// made; when `charge` refuses, so does this ([`GunzipError::OverBudget`]).
pub fn gunzip_charged(
    body: &[u8],
    limit: usize,
    charge: &mut dyn FnMut(usize) -> bool,
) -> Result<Vec<u8>, GunzipError> {
    const CHUNK: usize = 16 * 1024;
    let mut decoder = flate2::read::MultiGzDecoder::new(body);
    let mut out = Vec::new();
    let mut chunk = [0u8; CHUNK];
    loop {
        let read = match decoder.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(GunzipError::Invalid(error.to_string())),
        };
        let needed = out.len().saturating_add(read);
        if needed > limit {
            return Err(GunzipError::TooLarge(limit));
        }
        if needed > out.capacity() {
            let target = needed.max(out.capacity().saturating_mul(2)).max(CHUNK).min(limit);
            if !charge(target - out.capacity()) {
                return Err(GunzipError::OverBudget(target));
            }
            out.reserve_exact(target - out.len());
        }
        out.extend_from_slice(&chunk[..read]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_of_known_values() {
        let body = b"Hello world";
        assert_eq!(ChecksumAlgorithm::Crc32.checksum(body), "i9aeUg==");
        assert_eq!(ChecksumAlgorithm::Crc32c.checksum(body), "crUfeA==");
        assert_eq!(ChecksumAlgorithm::Crc64Nvme.checksum(body), "OOJZ0D8xKts=");
        assert_eq!(ChecksumAlgorithm::Sha1.checksum(body), "e1AsOh9IyGCa4hLN+2Od7jlnP14=");
        assert_eq!(
            ChecksumAlgorithm::Sha256.checksum(body),
            "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw="
        );
        assert_eq!(
            ChecksumAlgorithm::Sha512.checksum(body),
            "t/eDuu2Cl/DbkXRiGE/08I5pwtXl95qUJgD5cl9Yzh8pwYE5v4CwbA//K900c4RS7PQMSIwip+PYDN9vnBwNRw=="
        );
        assert_eq!(ChecksumAlgorithm::Md5.checksum(body), "PiWWCnnbxptnTNTsZ6csYg==");
        assert_eq!(ChecksumAlgorithm::XxHash64.checksum(body), "xQCwyRKzdtg=");
        assert_eq!(ChecksumAlgorithm::XxHash3.checksum(body), "tqy52Eo4/3Q=");
        assert_eq!(ChecksumAlgorithm::XxHash128.checksum(body), "c1H4mBL5c4K5HQWzHgTdfw==");
        assert_eq!(ChecksumAlgorithm::Crc32.checksum(b""), "AAAAAA==");
    }

    #[test]
    fn encoded_len_is_the_length_of_every_checksum() {
        for algorithm in ChecksumAlgorithm::PREFERENCE {
            for body in [&b""[..], b"Hello world"] {
                assert_eq!(algorithm.checksum(body).len(), algorithm.encoded_len(), "{algorithm}");
            }
            assert_eq!((CHECKSUMS.hasher)(algorithm).algorithm(), algorithm);
        }
        assert_eq!((GZIP.encode)(b"Hello world"), gzip(b"Hello world"));
    }

    #[test]
    fn a_checksum_taken_piece_by_piece_is_the_checksum_of_the_whole() {
        let body: Vec<u8> = (0..5000u32).map(|n| (n * 31 % 251) as u8).collect();
        for algorithm in ChecksumAlgorithm::PREFERENCE {
            for piece in [1, 7, 64, 1000, 5000] {
                let mut hasher = algorithm.hasher();
                for chunk in body.chunks(piece) {
                    hasher.update(chunk);
                }
                assert_eq!(
                    hasher.finish(),
                    algorithm.checksum(&body),
                    "{algorithm} in pieces of {piece}"
                );
            }
        }
    }

    #[test]
    fn names() {
        for algorithm in ChecksumAlgorithm::PREFERENCE {
            assert_eq!(ChecksumAlgorithm::from_name(algorithm.name()), Some(algorithm));
        }
        assert_eq!(ChecksumAlgorithm::from_name("crc32c"), Some(ChecksumAlgorithm::Crc32c));
        assert_eq!(
            ChecksumAlgorithm::from_name("xxhash128"),
            Some(ChecksumAlgorithm::XxHash128)
        );
        assert_eq!(ChecksumAlgorithm::from_name("BLAKE3"), None);
        for algorithm in ChecksumAlgorithm::PREFERENCE {
            assert!(ChecksumAlgorithm::NAMES.contains(algorithm.name()));
            assert_eq!(
                algorithm.header(),
                format!("x-amz-checksum-{}", algorithm.name().to_lowercase())
            );
        }
    }

    #[test]
    fn gzip_round_trip_and_limits() {
        let body = vec![b'a'; 100_000];
        let compressed = gzip(&body);
        assert!(compressed.len() < 1_000, "{}", compressed.len());
        assert_eq!(gunzip(&compressed, 100_000).unwrap(), body);
        assert_eq!(gunzip(&compressed, 99_999), Err(GunzipError::TooLarge(99_999)));
        assert!(matches!(gunzip(b"not gzip", 100), Err(GunzipError::Invalid(_))));
        let mut twice = gzip(b"ab");
        twice.extend(gzip(b"cd"));
        assert_eq!(gunzip(&twice, 10).unwrap(), b"abcd");
        // No limit at all is no overflow.
        assert_eq!(gunzip(&compressed, usize::MAX).unwrap(), body);
    }
}
