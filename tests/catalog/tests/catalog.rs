//! The generated `Catalog` client against its generated server on a loopback socket:
//! - paginators follow tokens (top-level and nested), give pages and items (of a list and of a
//!   map), send the page size (an integer and a long member), and stop when the token is
//!   absent, empty or repeated, and after an error;
//! - `@requestCompression` bodies are gzip from the size threshold on, `gzip` is appended to a
//!   `Content-Encoding` the input sets, the server reads them back (and refuses one that grows
//!   past its body limit with `413`);
//! - `httpChecksum` requests carry the checksum of the algorithm the input names (CRC32 when it
//!   names none), and responses whose body does not match their checksum fail, as the
//!   validation setting says.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use catalog::client::{
    Client, Compression, Config, HyperTransport, Interceptor, RequestChecksumCalculation, RequestContext,
    ResponseChecksumValidation, RetryConfig,
};
use catalog::operation::list_items::{ListItemsError, ListItemsInput, ListItemsOutput};
use catalog::operation::list_tags::{ListTagsError, ListTagsInput, ListTagsOutput};
use catalog::operation::put_document::{PutDocumentError, PutDocumentInput, PutDocumentOutput};
use catalog::operation::put_object::{PutObjectError, PutObjectInput, PutObjectOutput};
use catalog::operation::put_records::{PutRecordsError, PutRecordsInput, PutRecordsOutput};
use catalog::primitives::Blob;
use catalog::server::Limits;
use catalog::types::error::BadPage;
use catalog::types::{ChecksumAlgorithm, ChecksumMode, Item, TagPage};
use catalog::Catalog;
use smithy_runtime::checksum::ChecksumAlgorithm as Algorithm;

/// How long any test's exchanges may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The service: `ITEMS` items paged by `max` (3 by default), tags paged two at a time, documents
/// measured, objects echoed with their checksums. It records what each call was asked.
#[derive(Default)]
struct Service {
    item_calls: Mutex<Vec<ListItemsInput>>,
    tag_calls: Mutex<Vec<ListTagsInput>>,
    documents: Mutex<Vec<PutDocumentInput>>,
    objects: Mutex<Vec<PutObjectInput>>,
    records: Mutex<Vec<PutRecordsInput>>,
}

const ITEMS: usize = 7;

impl Catalog for Service {
    async fn list_items(&self, input: ListItemsInput) -> Result<ListItemsOutput, ListItemsError> {
        self.item_calls.lock().unwrap().push(input.clone());
        let start: usize = match input.next_token.as_deref() {
            None => 0,
            // A token the service answers with itself: a paginator must stop.
            Some("loop") => {
                return Ok(ListItemsOutput::builder()
                    .items(vec![item(0)])
                    .next_token("loop")
                    .build()
                    .expect("a valid page"))
            }
            Some("fail") => return Err(BadPage::builder().message("no such page").build().into()),
            Some(token) => token
                .parse()
                .map_err(|_| BadPage::builder().message("bad token").build())?,
        };
        let size = input.max_results.unwrap_or(3) as usize;
        let end = (start + size).min(ITEMS);
        let items: Vec<Item> = (start..end).map(item).collect();
        let next = match end {
            end if end == ITEMS => None,
            // The page before the last ends with an empty token, which also ends a paginator.
            end if input.max_results == Some(6) => Some(if end > 3 { String::new() } else { end.to_string() }),
            end => Some(end.to_string()),
        };
        let mut output = ListItemsOutput::builder().items(items);
        if let Some(next) = next {
            output = output.next_token(next);
        }
        Ok(output.build().expect("a valid page"))
    }

    async fn list_tags(&self, input: ListTagsInput) -> Result<ListTagsOutput, ListTagsError> {
        self.tag_calls.lock().unwrap().push(input.clone());
        let all: Vec<(String, String)> = (0..5).map(|n| (format!("key{n}"), format!("value{n}"))).collect();
        let start: usize = input.token.as_deref().map_or(0, |token| token.parse().unwrap_or(0));
        let size = input.limit.unwrap_or(2) as usize;
        let end = (start + size).min(all.len());
        let mut page = TagPage::builder().tags(
            all[start..end]
                .iter()
                .cloned()
                .collect::<std::collections::HashMap<_, _>>(),
        );
        if end < all.len() {
            page = page.next(end.to_string());
        }
        Ok(ListTagsOutput::builder().page(page.build()).build())
    }

    async fn put_document(&self, input: PutDocumentInput) -> Result<PutDocumentOutput, PutDocumentError> {
        self.documents.lock().unwrap().push(input.clone());
        let mut output = PutDocumentOutput::builder().length(input.text.len() as i32);
        if let Some(encoding) = input.encoding {
            output = output.encoding(encoding);
        }
        Ok(output.build().expect("a valid output"))
    }

    async fn put_records(&self, input: PutRecordsInput) -> Result<PutRecordsOutput, PutRecordsError> {
        self.records.lock().unwrap().push(input.clone());
        let mut output = PutRecordsOutput::builder().count(input.records.unwrap_or_default().len() as i32);
        if let Some(label) = input.label {
            output = output.label(label);
        }
        if let Some(names) = input.names {
            output = output.names(names);
        }
        Ok(output.build())
    }

    async fn put_object(&self, input: PutObjectInput) -> Result<PutObjectOutput, PutObjectError> {
        self.objects.lock().unwrap().push(input.clone());
        let data = input.data.clone().unwrap_or_default();
        let mut output = PutObjectOutput::builder().data(data.clone());
        // Answers with the checksum of every algorithm, or with a wrong CRC32 for `corrupt`.
        let sum = |algorithm: Algorithm| algorithm.checksum(data.as_ref());
        let corrupt = input.key == "corrupt";
        let crc32 = sum(Algorithm::Crc32);
        output = output
            .checksum_crc32(if corrupt {
                Algorithm::Crc32.checksum(b"another body")
            } else {
                crc32
            })
            .checksum_sha256(sum(Algorithm::Sha256));
        if !corrupt {
            output = output.checksum_crc64_nvme(sum(Algorithm::Crc64Nvme));
        }
        Ok(output.build())
    }
}

fn item(n: usize) -> Item {
    Item::builder().id(format!("item{n}")).size(n as i32).build().unwrap()
}

/// Serves a fresh service within `limits`; the server stops with the test's runtime.
async fn start(limits: Limits) -> (SocketAddr, Arc<Service>) {
    let service = Arc::new(Service::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = catalog::server::Server::from_arc(service.clone());
    tokio::spawn(async move {
        let result = catalog::server::serve_with_limits(listener, server, limits).await;
        panic!("the server stopped: {result:?}");
    });
    (addr, service)
}

/// What the client sent: each request's headers and body length, as the wire saw them.
#[derive(Default, Clone)]
struct Recorder(Arc<Mutex<Vec<Sent>>>);

/// A request's headers and body.
type Sent = (http::HeaderMap, Vec<u8>);

impl Interceptor for Recorder {
    fn modify_request(
        &self,
        request: &mut http::Request<Vec<u8>>,
        _context: &RequestContext,
    ) -> Result<(), smithy_runtime::error::BoxError> {
        self.0
            .lock()
            .unwrap()
            .push((request.headers().clone(), request.body().clone()));
        Ok(())
    }
}

impl Recorder {
    fn last(&self) -> Sent {
        self.0.lock().unwrap().last().cloned().expect("a request was sent")
    }
}

fn config(addr: SocketAddr) -> (Config, Recorder) {
    let recorder = Recorder::default();
    let config = Config::new(HyperTransport::new(), format!("http://{addr}"))
        .with_retry(RetryConfig::disabled())
        .with_interceptor(recorder.clone());
    (config, recorder)
}

async fn timed<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .expect("the test finished in time")
}

fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|value| value.to_str().unwrap())
}

// ---------------------------------------------------------------------------------------------
// Paginators
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_paginator_follows_the_tokens_to_the_last_page() {
    let (addr, service) = start(Limits::default()).await;
    let client = Client::new(&config(addr).0);
    let pages = timed(client.list_items_paginator(ListItemsInput::builder().build()).collect())
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|page| page.items.len()).collect();
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(pages.last().unwrap().next_token, None);
    let tokens: Vec<Option<String>> = service
        .item_calls
        .lock()
        .unwrap()
        .iter()
        .map(|call| call.next_token.clone())
        .collect();
    assert_eq!(tokens, [None, Some("3".to_owned()), Some("6".to_owned())]);
}

#[tokio::test]
async fn items_come_in_order_and_the_page_size_is_sent() {
    let (addr, service) = start(Limits::default()).await;
    let client = Client::new(&config(addr).0);
    let items = timed(
        client
            .list_items_paginator(ListItemsInput::builder().build())
            .page_size(2)
            .items()
            .collect(),
    )
    .await
    .unwrap();
    assert_eq!(items, (0..ITEMS).map(item).collect::<Vec<_>>());
    let calls = service.item_calls.lock().unwrap();
    assert_eq!(calls.len(), 4, "pages of 2, 2, 2 and 1");
    assert!(calls.iter().all(|call| call.max_results == Some(2)));
}

#[tokio::test]
async fn pages_are_a_stream() {
    use futures_core::Stream;
    let (addr, _) = start(Limits::default()).await;
    let client = Client::new(&config(addr).0);
    let mut pages = client.list_items_paginator(ListItemsInput::builder().build());
    let mut count = 0;
    timed(async {
        while let Some(page) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut pages).poll_next(cx)).await {
            page.unwrap();
            count += 1;
        }
    })
    .await;
    assert_eq!(count, 3);
    // A finished stream stays finished.
    assert!(pages.next().await.is_none());
}

#[tokio::test]
async fn an_empty_token_ends_the_pages() {
    let (addr, service) = start(Limits::default()).await;
    let client = Client::new(&config(addr).0);
    let pages = timed(
        client
            .list_items_paginator(ListItemsInput::builder().build())
            .page_size(6)
            .collect(),
    )
    .await
    .unwrap();
    assert_eq!(pages.len(), 1, "the first page of 6 ends with an empty token");
    assert_eq!(pages[0].next_token.as_deref(), Some(""));
    assert_eq!(service.item_calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_repeated_token_ends_the_pages() {
    let (addr, service) = start(Limits::default()).await;
    let client = Client::new(&config(addr).0);
    let mut pages = client.list_items_paginator(ListItemsInput::builder().next_token("loop").build());
    let mut count = 0;
    while let Some(page) = timed(pages.next()).await {
        assert_eq!(page.unwrap().next_token.as_deref(), Some("loop"));
        count += 1;
        assert!(count < 10, "the paginator kept asking for the same page");
    }
    // The first call sends the caller's token and gets it back: the second asks with it, as
    // the paginator does not know the caller's token was the same; it stops once it sees the
    // token it sent come back.
    assert_eq!(count, 2);
    assert_eq!(service.item_calls.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn an_error_is_yielded_and_ends_the_pages() {
    let (addr, _) = start(Limits::default()).await;
    let client = Client::new(&config(addr).0);
    let mut items = client
        .list_items_paginator(ListItemsInput::builder().next_token("fail").build())
        .items();
    match timed(items.next()).await {
        Some(Err(ListItemsError::BadPage(error))) => assert_eq!(error.message.as_deref(), Some("no such page")),
        other => panic!("expected the modelled error, got {other:?}"),
    }
    assert!(items.next().await.is_none());
}

#[tokio::test]
async fn nested_tokens_map_items_and_a_long_page_size() {
    let (addr, service) = start(Limits::default()).await;
    let client = Client::new(&config(addr).0);
    let tags: BTreeMap<String, String> = timed(
        client
            .list_tags_paginator(ListTagsInput::builder().build())
            .items()
            .collect(),
    )
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert_eq!(tags.len(), 5);
    assert_eq!(tags["key4"], "value4");
    assert_eq!(service.tag_calls.lock().unwrap().len(), 3, "pages of 2, 2 and 1");
    service.tag_calls.lock().unwrap().clear();
    let pages = timed(
        client
            .list_tags_paginator(ListTagsInput::builder().build())
            .page_size(4)
            .collect(),
    )
    .await
    .unwrap();
    assert_eq!(pages.len(), 2);
    assert!(service
        .tag_calls
        .lock()
        .unwrap()
        .iter()
        .all(|call| call.limit == Some(4)));
}

// ---------------------------------------------------------------------------------------------
// Request compression
// ---------------------------------------------------------------------------------------------

fn document(length: usize) -> PutDocumentInput {
    let text: String = (0..length).map(|n| char::from(b'a' + (n % 26) as u8)).collect();
    PutDocumentInput::builder().text(text).build().unwrap()
}

#[tokio::test]
async fn a_large_body_travels_compressed_and_arrives_whole() {
    let (addr, service) = start(Limits::default()).await;
    let (config, recorder) = config(addr);
    let client = Client::new(&config);
    let output = timed(client.put_document(document(20_000))).await.unwrap();
    assert_eq!(output.length, 20_000);
    let (headers, body) = recorder.last();
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    assert!(body.len() < 2_000, "the body was compressed to {} bytes", body.len());
    assert_eq!(&body[..2], [0x1f, 0x8b], "a gzip body");
    // The server took `gzip` off: the input's own encoding member is unset.
    assert_eq!(service.documents.lock().unwrap()[0].encoding, None);
    assert_eq!(output.encoding, None);
}

#[tokio::test]
async fn a_small_body_or_a_disabled_setting_sends_the_body_as_it_is() {
    let (addr, _) = start(Limits::default()).await;
    let (config, recorder) = config(addr);
    let client = Client::new(&config);
    timed(client.put_document(document(10_200))).await.unwrap();
    let (headers, body) = recorder.last();
    assert_eq!(
        header(&headers, "content-encoding"),
        None,
        "below the 10,240-byte threshold"
    );
    assert!(body.len() > 10_200 && body.len() < 10_240);
    let client = Client::new(&config.clone().with_compression(Compression::disabled()));
    timed(client.put_document(document(50_000))).await.unwrap();
    assert_eq!(header(&recorder.last().0, "content-encoding"), None);
    let client = Client::new(&config.with_compression(Compression::standard().with_min_size(0)));
    let output = timed(client.put_document(document(10))).await.unwrap();
    assert_eq!(header(&recorder.last().0, "content-encoding"), Some("gzip"));
    assert_eq!(output.length, 10);
}

#[tokio::test]
async fn gzip_is_appended_to_the_inputs_encoding_and_taken_off_by_the_server() {
    let (addr, service) = start(Limits::default()).await;
    let (config, recorder) = config(addr);
    let client = Client::new(&config);
    let mut input = document(30_000);
    input.encoding = Some("custom".to_owned());
    let output = timed(client.put_document(input)).await.unwrap();
    assert_eq!(header(&recorder.last().0, "content-encoding"), Some("custom, gzip"));
    assert_eq!(output.length, 30_000);
    assert_eq!(service.documents.lock().unwrap()[0].encoding.as_deref(), Some("custom"));
}

#[tokio::test]
async fn a_body_that_decompresses_past_the_limit_is_refused() {
    let limits = Limits::default().with_max_body_bytes(1024 * 1024);
    let (addr, service) = start(limits).await;
    let (config, recorder) = config(addr);
    let client = Client::new(&config);
    // 2 MB of text compresses to a few kilobytes, within the limit on the wire.
    let error = timed(client.put_document(document(2_000_000))).await.unwrap_err();
    assert!(recorder.last().1.len() < 100_000);
    assert_eq!(error.status(), 413, "{error}");
    assert!(service.documents.lock().unwrap().is_empty());
    // A body that is not gzip is a serialization error.
    let request =
        "POST /documents HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: 8\r\nconnection: close\r\n\r\nnot gzip";
    let answer = raw(addr, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("SerializationException"), "{answer}");
}

/// A raw request of `method` on `path` with these extra header lines and body.
fn raw_request(method: &str, path: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: x\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

#[tokio::test]
async fn a_body_gzipped_a_thousand_times_is_decompressed_once_and_the_server_lives_on() {
    let (addr, service) = start(Limits::default()).await;
    let text = document(29_000).text;
    let mut body = format!("{{\"text\":\"{text}\"}}").into_bytes();
    let layers = 1_250;
    for _ in 0..layers {
        body = smithy_runtime::checksum::gzip(&body);
    }
    let encoding = vec!["gzip"; layers].join(", ");
    let headers = format!("content-type: application/json\r\ncontent-encoding: {encoding}\r\n");
    let answer = raw(addr, &raw_request("POST", "/documents", &headers, &body)).await;
    // One `gzip` is the protocol's; the rest is the input's encoding member, and the body,
    // still gzip, is not JSON.
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("SerializationException"), "{answer}");
    assert!(service.documents.lock().unwrap().is_empty());
    // The server is still there.
    let (config, _) = config(addr);
    let output = timed(Client::new(&config).put_document(document(20_000)))
        .await
        .unwrap();
    assert_eq!(output.length, 20_000);
}

#[tokio::test]
async fn a_gzip_of_the_inputs_own_encoding_is_kept() {
    let (addr, service) = start(Limits::default()).await;
    let (config, recorder) = config(addr);
    let mut input = document(30_000);
    input.encoding = Some("gzip".to_owned());
    let output = timed(Client::new(&config).put_document(input)).await.unwrap();
    assert_eq!(header(&recorder.last().0, "content-encoding"), Some("gzip, gzip"));
    assert_eq!(output.length, 30_000);
    assert_eq!(service.documents.lock().unwrap()[0].encoding.as_deref(), Some("gzip"));
    // Over two header lines, the last coding is still the protocol's.
    let body = smithy_runtime::checksum::gzip(br#"{"text":"abc"}"#);
    let headers = "content-type: application/json\r\ncontent-encoding: br\r\ncontent-encoding: gzip\r\n";
    let answer = raw(addr, &raw_request("POST", "/documents", headers, &body)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(service.documents.lock().unwrap()[1].encoding.as_deref(), Some("br"));
}

#[tokio::test]
async fn a_coding_the_operation_cannot_read_or_hand_on_is_refused_with_415() {
    let (addr, service) = start(Limits::default()).await;
    // PutObject neither decompresses nor has a member for `Content-Encoding`.
    let body = smithy_runtime::checksum::gzip(b"Hello world");
    let answer = raw(
        addr,
        &raw_request("PUT", "/objects/a", "content-encoding: gzip\r\n", &body),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 415"), "{answer}");
    assert!(answer.contains("UnsupportedMediaTypeException"), "{answer}");
    assert!(service.objects.lock().unwrap().is_empty());
    // `identity` is no coding.
    let answer = raw(
        addr,
        &raw_request("PUT", "/objects/a", "content-encoding: identity\r\n", b"Hello"),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // PutDocument takes `gzip` off, and `br` before it, for the input's member.
    let body = smithy_runtime::checksum::gzip(br#"{"text":"abc"}"#);
    let headers = "content-type: application/json\r\ncontent-encoding: br, gzip\r\n";
    let answer = raw(addr, &raw_request("POST", "/documents", headers, &body)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    timed(async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Flexible checksums
// ---------------------------------------------------------------------------------------------

fn object(key: &str) -> PutObjectInput {
    PutObjectInput::builder()
        .key(key)
        .data(Blob::new(b"Hello world".to_vec()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_request_carries_a_crc32_unless_the_input_names_another_algorithm() {
    let (addr, service) = start(Limits::default()).await;
    let (config, recorder) = config(addr);
    let client = Client::new(&config);
    timed(client.put_object(object("a"))).await.unwrap();
    let (headers, _) = recorder.last();
    assert_eq!(header(&headers, "x-amz-checksum-crc32"), Some("i9aeUg=="));
    assert_eq!(header(&headers, "x-amz-sdk-checksum-algorithm"), Some("CRC32"));
    // The server reads the checksum as the input's member.
    assert_eq!(
        service.objects.lock().unwrap()[0].checksum_crc32.as_deref(),
        Some("i9aeUg==")
    );

    let mut input = object("b");
    input.checksum_algorithm = Some(ChecksumAlgorithm::Sha256);
    timed(client.put_object(input)).await.unwrap();
    let (headers, _) = recorder.last();
    assert_eq!(
        header(&headers, "x-amz-checksum-sha256"),
        Some("ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=")
    );
    assert_eq!(header(&headers, "x-amz-checksum-crc32"), None);

    // A checksum the caller computed is sent as it is, and no other is added.
    let mut input = object("c");
    input.checksum_crc32_c = Some("crUfeA==".to_owned());
    timed(client.put_object(input)).await.unwrap();
    let (headers, _) = recorder.last();
    assert_eq!(header(&headers, "x-amz-checksum-crc32c"), Some("crUfeA=="));
    assert_eq!(header(&headers, "x-amz-checksum-crc32"), None);

    // `when_required`: no checksum unless the input names an algorithm. The response's checksum
    // is still asked for (`x-amz-checksum-mode`), as response validation is `when_supported`.
    let client = Client::new(
        &config
            .clone()
            .with_request_checksum_calculation(RequestChecksumCalculation::WhenRequired),
    );
    timed(client.put_object(object("d"))).await.unwrap();
    let (headers, _) = recorder.last();
    assert!(
        !headers
            .keys()
            .any(|name| name.as_str().starts_with("x-amz-checksum-") && name != "x-amz-checksum-mode"),
        "{headers:?}"
    );
    assert_eq!(header(&headers, "x-amz-checksum-mode"), Some("ENABLED"));
    let quiet = Client::new(
        &config
            .with_request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .with_response_checksum_validation(ResponseChecksumValidation::WhenRequired),
    );
    timed(quiet.put_object(object("d"))).await.unwrap();
    let (headers, _) = recorder.last();
    assert!(
        !headers.keys().any(|name| name.as_str().starts_with("x-amz-checksum-")),
        "{headers:?}"
    );
    let mut input = object("e");
    input.checksum_algorithm = Some(ChecksumAlgorithm::Crc64Nvme);
    timed(client.put_object(input)).await.unwrap();
    assert_eq!(
        header(&recorder.last().0, "x-amz-checksum-crc64nvme"),
        Some("OOJZ0D8xKts=")
    );
}

#[tokio::test]
async fn a_response_that_does_not_match_its_checksum_fails() {
    let (addr, _) = start(Limits::default()).await;
    let (config, _) = config(addr);
    let client = Client::new(&config);
    let output = timed(client.put_object(object("fine"))).await.unwrap();
    assert_eq!(output.data.unwrap().as_ref(), b"Hello world");
    // The wrong CRC32 is the response's preferred checksum (CRC64/NVME is absent).
    let error = timed(client.put_object(object("corrupt"))).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("does not match its checksum") && text.contains("x-amz-checksum-crc32"),
        "{text}"
    );

    // `when_required`: checked only when the input asks with its validation mode.
    let client = Client::new(&config.with_response_checksum_validation(ResponseChecksumValidation::WhenRequired));
    timed(client.put_object(object("corrupt"))).await.unwrap();
    let mut input = object("corrupt");
    input.checksum_mode = Some(ChecksumMode::Enabled);
    assert!(timed(client.put_object(input)).await.is_err());
}

#[tokio::test]
async fn an_unknown_algorithm_is_refused_before_sending() {
    let (addr, service) = start(Limits::default()).await;
    let client = Client::new(&config(addr).0);
    let mut input = object("x");
    input.checksum_algorithm = Some(ChecksumAlgorithm::from("BLAKE3"));
    let error = timed(client.put_object(input)).await.unwrap_err();
    assert!(error.to_string().contains("`BLAKE3` is not supported"), "{error}");
    assert!(service.objects.lock().unwrap().is_empty());
}

#[tokio::test]
async fn every_algorithm_s3_names_is_computed() {
    let (addr, _) = start(Limits::default()).await;
    let (config, recorder) = config(addr);
    let client = Client::new(&config);
    for (name, header_name, expected) in [
        ("MD5", "x-amz-checksum-md5", "PiWWCnnbxptnTNTsZ6csYg=="),
        ("XXHASH64", "x-amz-checksum-xxhash64", "xQCwyRKzdtg="),
        ("XXHASH3", "x-amz-checksum-xxhash3", "tqy52Eo4/3Q="),
        ("XXHASH128", "x-amz-checksum-xxhash128", "c1H4mBL5c4K5HQWzHgTdfw=="),
    ] {
        let mut input = object("a");
        input.checksum_algorithm = Some(ChecksumAlgorithm::from(name));
        timed(client.put_object(input)).await.unwrap();
        assert_eq!(header(&recorder.last().0, header_name), Some(expected), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Settings from the environment
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_environment_sets_compression_and_checksums() {
    use smithy_runtime::credentials::Env;
    let transport: Arc<dyn smithy_runtime::client::Transport> = Arc::new(HyperTransport::new());
    let from = |vars: &[(&str, &str)]| {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_env_with(Env::from_vars(vars), transport.clone(), None)
    };
    let defaults = from(&[]);
    assert_eq!(defaults.request_settings().compression, Compression::standard());
    assert_eq!(
        defaults.request_settings().checksum_calculation,
        RequestChecksumCalculation::WhenSupported
    );
    assert_eq!(
        defaults.response_checksum_validation(),
        ResponseChecksumValidation::WhenSupported
    );
    let set = from(&[
        ("AWS_DISABLE_REQUEST_COMPRESSION", "true"),
        ("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "128"),
        ("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED"),
        ("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required"),
    ]);
    assert_eq!(
        set.request_settings().compression,
        Compression {
            disabled: true,
            min_size: 128
        }
    );
    assert_eq!(
        set.request_settings().checksum_calculation,
        RequestChecksumCalculation::WhenRequired
    );
    assert_eq!(
        set.response_checksum_validation(),
        ResponseChecksumValidation::WhenRequired
    );

    // A setting that cannot be used fails every call with an error naming it.
    let (addr, service) = start(Limits::default()).await;
    for (variable, value) in [
        ("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "10485761"),
        ("AWS_REQUEST_CHECKSUM_CALCULATION", "always"),
    ] {
        let config = from(&[(variable, value), ("AWS_ENDPOINT_URL", &format!("http://{addr}"))]).without_credentials();
        let error = timed(Client::new(&config).put_object(object("x"))).await.unwrap_err();
        assert!(error.to_string().contains(variable), "{error}");
    }
    assert!(service.objects.lock().unwrap().is_empty());
}
