//! Bytes from the network through the readers of streams: event-stream messages (whole, and
//! split into pieces of any size by `MessageReader`) and `aws-chunked` content. Nothing may
//! panic; a message that reads must write back to the same bytes and read again the same, and
//! the reader must find in pieces what it finds whole.

#![no_main]

use smithy_runtime::auth::sigv4::streaming::AwsChunkedReader;
use smithy_runtime::checksum::ChecksumAlgorithm;
use smithy_runtime::event_stream::{Message, MessageReader};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&split, data)) = data.split_first() else {
        return;
    };
    if let Ok(message) = Message::decode(data) {
        let encoded = message.encode().expect("a message that reads writes");
        let again = Message::decode(&encoded).expect("what was written reads");
        assert_eq!(again.headers(), message.headers());
        assert_eq!(again.payload(), message.payload());
    }
    // Whole, then in pieces of 1 to 256 bytes: the same messages, then the same end.
    let read = |piece: usize| {
        let mut reader = MessageReader::new();
        let mut messages = Vec::new();
        for chunk in data.chunks(piece) {
            reader.push(chunk);
            loop {
                match reader.next_message() {
                    Ok(Some(message)) => messages.push(message.encode().expect("a message that reads writes")),
                    Ok(None) => break,
                    Err(_) => return (messages, false),
                }
            }
        }
        (messages, reader.finish().is_ok())
    };
    let whole = read(data.len().max(1));
    let pieces = read(usize::from(split) + 1);
    assert_eq!(whole, pieces);
    let mut chunked = AwsChunkedReader::new(None, &[ChecksumAlgorithm::Crc32]);
    let mut out = Vec::new();
    for chunk in data.chunks(usize::from(split) + 1) {
        if chunked.read(chunk, &mut out).is_err() {
            break;
        }
    }
    assert!(out.len() <= data.len());
});
