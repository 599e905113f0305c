//! What a response's declared `Content-Length` makes the hyper client allocate: a peer that
//! declares a large body and sends a few bytes costs the client no large buffer.
#![cfg(feature = "hyper-client")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use smithy_runtime::client::{HyperTransport, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The system allocator, noting the largest single allocation.
struct Largest;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

#[tokio::test(flavor = "current_thread")]
async fn a_declared_length_is_not_allocated_before_the_body_arrives() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let address = listener.local_addr().expect("an address");
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("a connection");
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request).await.expect("the request");
        // 90 MB declared (under the client's 100 MiB limit), 5 bytes sent.
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 90000000\r\n\r\nshort")
            .await
            .expect("the answer");
        stream.shutdown().await.expect("closed");
    });
    let request = http::Request::get(format!("http://{address}/"))
        .body(Vec::new())
        .expect("a request");
    let before = LARGEST.load(Ordering::Relaxed);
    let result = HyperTransport::new().send(request).await;
    server.await.expect("the server ran");
    assert!(result.is_err(), "a body cut short is an error");
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(
        largest < 8 << 20,
        "an allocation of {largest} bytes (before the request: {before})"
    );
}
