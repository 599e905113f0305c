//! Operations: `PutTree` (bound directly to the service) and `StreamChunks` (reached only through
//! the service's resources), their HTTP bindings, the streaming blob input and the event-stream
//! output, the error enums, and the service trait implemented and called.

mod common;

use common::{block_on, to_json};
use features::error::{ErrorFault, UnhandledError};
use features::operation::list_trees::{ListTreesError, ListTreesInput, ListTreesOutput};
use features::operation::ping::{PingError, PingInput, PingOutput};
use features::operation::put_tree::{PutTree, PutTreeError, PutTreeInput, PutTreeOutput};
use features::operation::stream_chunks::{StreamChunks, StreamChunksError, StreamChunksInput, StreamChunksOutput};
use features::operation::Operation;
use features::primitives::{Blob, ByteStream, EventStream};
use features::types::error::{InvalidTree, ServiceFailure};
use features::types::{ChunkEvent, ChunkEvents, EndEvent, Node, PageInfo};
use features::Features;
use serde_json::json;

#[test]
fn http_bindings() {
    assert_eq!(PutTree::SHAPE_ID, "example.features#PutTree");
    assert_eq!(PutTree::NAME, "PutTree");
    assert_eq!(
        (PutTree::METHOD, PutTree::URI, PutTree::SUCCESS_CODE),
        ("PUT", "/trees/{name}", 201)
    );
    assert_eq!(StreamChunks::SHAPE_ID, "example.features#StreamChunks");
    assert_eq!(
        (StreamChunks::METHOD, StreamChunks::URI, StreamChunks::SUCCESS_CODE),
        ("POST", "/streams/{streamName}", 200)
    );
    assert_eq!(features::service::SHAPE_ID, "example.features#Features");
    assert_eq!(features::service::VERSION, "2026-01-01");
}

fn operation_types<O: Operation<Input = I, Output = P, Error = E>, I, P, E>() {}

#[test]
fn operation_types_are_the_generated_ones() {
    operation_types::<PutTree, PutTreeInput, PutTreeOutput, PutTreeError>();
    operation_types::<StreamChunks, StreamChunksInput, StreamChunksOutput, StreamChunksError>();
}

#[test]
fn a_streaming_blob_is_the_body_not_json() {
    let input = StreamChunksInput::builder()
        .stream_name("logs")
        .content_type("application/octet-stream")
        .body(ByteStream::new(b"\x00raw bytes\xff".to_vec()))
        .build()
        .unwrap();
    assert_eq!(input.body.as_bytes(), b"\x00raw bytes\xff");
    assert_eq!(format!("{:?}", input.body), "ByteStream(11 bytes)");
    // The body is sent as the HTTP payload, so the JSON document has no body member.
    assert_eq!(
        to_json(&input),
        json!({ "streamName": "logs", "contentType": "application/octet-stream" })
    );
    let read: StreamChunksInput = serde_json::from_str(r#"{"streamName": "logs", "body": "ignored"}"#).unwrap();
    assert!(read.body.as_bytes().is_empty());

    // Unset, the body is empty (its model default).
    let empty = StreamChunksInput::builder().stream_name("s").build().unwrap();
    assert_eq!(empty.body, ByteStream::default());
    assert_eq!(ByteStream::from(vec![1, 2]).into_inner(), [1, 2]);
}

#[test]
fn an_event_stream_output_holds_its_events_in_order() {
    let chunk = |seq| ChunkEvents::Chunk(ChunkEvent::builder().seq(seq).data(Blob::from("x")).build().unwrap());
    let events = vec![chunk(1), chunk(2), ChunkEvents::End(EndEvent::builder().build())];
    let output = StreamChunksOutput::builder()
        .events(EventStream::new(events.clone()))
        .build();
    assert_eq!(output.events.events(), events.as_slice());
    assert_eq!(
        to_json(&output),
        json!({}),
        "the event stream is the payload, not a JSON member"
    );
    assert_eq!(
        format!("{:?}", output.events),
        "[Chunk(ChunkEvent { seq: 1, data: Blob(1 bytes) }), Chunk(ChunkEvent { seq: 2, data: Blob(1 bytes) }), End(EndEvent)]"
    );
    let empty = StreamChunksOutput::builder().build();
    assert!(empty.events.events().is_empty());
    assert_eq!(output.events.clone().into_events(), events);
    assert_eq!(EventStream::from(events.clone()), output.events);
}

#[test]
fn modelled_errors() {
    let invalid = InvalidTree::builder().message("no root").path("/a").build().unwrap();
    assert_eq!(
        (InvalidTree::CODE, InvalidTree::STATUS, InvalidTree::FAULT),
        ("InvalidTree", 422, ErrorFault::Client)
    );
    assert_eq!(invalid.to_string(), "InvalidTree: no root");
    assert_eq!(
        InvalidTree::builder().build().unwrap_err(),
        features::error::BuildError::missing("InvalidTree", "message")
    );
    assert_eq!(
        (ServiceFailure::STATUS, ServiceFailure::FAULT),
        (500, ErrorFault::Server)
    );

    let error = PutTreeError::from(invalid.clone());
    assert_eq!(
        (error.code(), error.status(), error.message()),
        (Some("InvalidTree"), 422, Some("no root"))
    );
    assert_eq!(error, PutTreeError::InvalidTree(invalid));
    let error = PutTreeError::from(ServiceFailure::builder().build());
    assert_eq!(
        (error.code(), error.status(), error.message()),
        (Some("ServiceFailure"), 500, None)
    );
    // PutTree has no error named `Unhandled`: its catch-all variant is `Unhandled`.
    let error = PutTreeError::from(UnhandledError::new(418));
    assert!(matches!(error, PutTreeError::Unhandled(_)));
    assert_eq!((error.code(), error.status()), (None, 418));

    fn is_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    is_error(&error);
    is_error(&StreamChunksError::from(UnhandledError::new(500)));
}

/// A service implementation that answers from memory.
struct InMemory;

impl Features for InMemory {
    async fn list_trees(&self, input: ListTreesInput) -> Result<ListTreesOutput, ListTreesError> {
        // Three pages: tokens "1" and "2" lead to the next ones.
        let page = input.next_token.as_deref().unwrap_or("0").parse::<i32>().unwrap_or(0);
        let next = (page < 2).then(|| (page + 1).to_string());
        let mut info = PageInfo::builder();
        if let Some(next) = next {
            info = info.next_token(next);
        }
        Ok(ListTreesOutput::builder()
            .trees(vec![Node::builder().value(page).build().unwrap()])
            .page(info.build())
            .build())
    }

    async fn ping(&self, _input: PingInput) -> Result<PingOutput, PingError> {
        Ok(PingOutput::builder().build())
    }

    async fn put_tree(&self, input: PutTreeInput) -> Result<PutTreeOutput, PutTreeError> {
        let count = 1 + input.root.children.as_ref().map_or(0, Vec::len) as i32;
        Ok(PutTreeOutput::builder()
            .node_count(count)
            .self_(input.name)
            .build()
            .unwrap())
    }

    async fn stream_chunks(&self, input: StreamChunksInput) -> Result<StreamChunksOutput, StreamChunksError> {
        let events = input
            .body
            .as_bytes()
            .chunks(2)
            .zip(0..)
            .map(|(chunk, seq)| {
                ChunkEvents::Chunk(ChunkEvent::builder().seq(seq).data(chunk.to_vec()).build().unwrap())
            })
            .chain([ChunkEvents::End(EndEvent::builder().build())])
            .collect::<Vec<_>>();
        Ok(StreamChunksOutput::builder().events(events).build())
    }
}

#[test]
fn the_service_trait_reaches_both_operations() {
    let service = InMemory;
    let root = Node::builder()
        .value(1)
        .children(vec![Node::builder().value(2).build().unwrap()])
        .build()
        .unwrap();
    let input = PutTreeInput::builder().name("oak").root(root).build().unwrap();
    let output = block_on(service.put_tree(input)).unwrap();
    assert_eq!(
        (output.node_count, output.self_.as_deref(), output.depth),
        (2, Some("oak"), 1)
    );

    let input = StreamChunksInput::builder()
        .stream_name("s")
        .body(ByteStream::new(b"abcde".to_vec()))
        .build()
        .unwrap();
    let output = block_on(service.stream_chunks(input)).unwrap();
    let events = output.events.into_events();
    assert_eq!(events.len(), 4);
    assert!(matches!(&events[2], ChunkEvents::Chunk(event) if event.seq == 2 && event.data == Some(Blob::from("e"))));
    assert_eq!(events[3], ChunkEvents::End(EndEvent::builder().build()));
}

/// An operation with `smithy.api#Unit` input and output gets empty input and output structures
/// and its HTTP binding.
#[test]
fn unit_input_and_output_are_empty_structures() {
    use features::operation::ping::Ping;
    use features::operation::Operation;
    assert_eq!(<Ping as Operation>::METHOD, "GET");
    assert_eq!(<Ping as Operation>::URI, "/ping");
    assert_eq!(serde_json::to_string(&PingInput::builder().build()).unwrap(), "{}");
    let output = block_on(InMemory.ping(PingInput::default())).unwrap();
    assert_eq!(output, PingOutput::default());
}

/// `@paginated`, merged with the service's defaults: the operation knows its tokens, items and
/// page size, reads the next token (nested in the output here) and sets it on the next input.
#[test]
fn paginated_operations_walk_their_pages() {
    use features::operation::list_trees::ListTrees;
    use features::operation::Paginated;
    assert_eq!(<ListTrees as Paginated>::INPUT_TOKEN, "nextToken");
    assert_eq!(<ListTrees as Paginated>::OUTPUT_TOKEN, "page.nextToken");
    assert_eq!(<ListTrees as Paginated>::ITEMS, Some("trees"));
    assert_eq!(<ListTrees as Paginated>::PAGE_SIZE, Some("maxResults"));
    let service = InMemory;
    let mut input = ListTreesInput::builder().build();
    let mut seen = Vec::new();
    loop {
        let output = block_on(service.list_trees(input.clone())).unwrap();
        seen.extend(output.trees.iter().flatten().map(|node| node.value));
        match <ListTrees as Paginated>::next_token(&output) {
            Some(token) => <ListTrees as Paginated>::set_token(&mut input, Some(token.to_owned())),
            None => break,
        }
    }
    assert_eq!(seen, [0, 1, 2]);
}
