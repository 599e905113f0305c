//! A ready transport on hyper (feature `hyper-client`): HTTPS through rustls, and plain HTTP.

use std::sync::Arc;
use std::time::Duration;

use super::{Transport, TransportError, TransportFailure, TransportFailureKind, TransportFuture};

type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

/// A ready [`Transport`] on hyper's pooled client. It speaks HTTPS through rustls (with the
/// `ring` crypto provider), HTTP/2 or HTTP/1.1 as the server's ALPN answer picks, and plain
/// HTTP for `http://` endpoints (loopback servers, tests). Cloning it is cheap and shares one
/// connection pool, so one transport can serve the clients of several services.
///
/// Servers are trusted when their certificate chains to a root of the store the cargo
/// features pick: the Mozilla roots compiled into the program (`webpki-roots`, on by default),
/// the platform's store (`native-roots`), or both; [`HyperTransportBuilder::root_certificates_pem`]
/// adds more, such as a private CA.
///
/// A request that gets no whole response within its timeout (60 seconds unless set) fails with
/// a transport error, as does a connection not made within the connect timeout (10 seconds), a
/// response whose next part (its headers, or a piece of its body) does not come within the read
/// timeout (30 seconds), and a body larger than the largest read (100 MiB). Each is a
/// [`TransportFailure`] that says what failed. It spawns its connections on the current tokio runtime, so calls must run inside one.
#[derive(Clone)]
pub struct HyperTransport {
    client: hyper_util::client::legacy::Client<Connector, http_body_util::Full<bytes::Bytes>>,
    timeout: Duration,
    read_timeout: Duration,
    max_response_bytes: usize,
}

impl HyperTransport {
    /// A transport with a new connection pool, trusting the roots the cargo features pick.
    /// When those give no root (no store enabled, or an empty platform store), the transport
    /// still speaks plain HTTP and every HTTPS call fails; [`HyperTransport::builder`] reports
    /// that when building instead.
    pub fn new() -> Self {
        match Self::builder().build() {
            Ok(transport) => transport,
            Err(_) => Self::builder().without_default_roots().build_unchecked(),
        }
    }

    /// A builder, to add trusted roots or change the timeouts.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder {
            default_roots: true,
            extra_roots: Vec::new(),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_response_bytes: 100 * 1024 * 1024,
            http2: true,
        }
    }

    /// The same transport (the same pool) with another time limit for a whole request: sending
    /// it and receiving the whole response.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("timeout", &self.timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Builds a [`HyperTransport`]: which servers it trusts and how long it waits.
#[derive(Debug, Clone)]
pub struct HyperTransportBuilder {
    default_roots: bool,
    extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    timeout: Duration,
    connect_timeout: Duration,
    read_timeout: Duration,
    max_response_bytes: usize,
    http2: bool,
}

impl HyperTransportBuilder {
    /// Also trusts the certificates of `pem` (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks), such as the CA of a private service. Fails when `pem` holds no certificate or
    /// a malformed one.
    pub fn root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, TransportError> {
        let mut reader = pem;
        let mut found = 0;
        for certificate in rustls_pemfile::certs(&mut reader) {
            let certificate = certificate.map_err(|err| format!("malformed PEM certificate: {err}"))?;
            self.extra_roots.push(certificate);
            found += 1;
        }
        if found == 0 {
            return Err("the PEM text holds no certificate".into());
        }
        Ok(self)
    }

    /// Also trusts this DER-encoded certificate.
    pub fn root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots
            .push(rustls::pki_types::CertificateDer::from(der.into()));
        self
    }

    /// Trusts only the certificates added to this builder, not the default root store.
    pub fn without_default_roots(mut self) -> Self {
        self.default_roots = false;
        self
    }

    /// The time limit for a whole request: sending it and receiving the whole response.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time limit for making a TCP connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The time limit for each part of a response to arrive: its headers after the request was
    /// sent, and each piece of its body after the one before. Default 30 seconds.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// The largest response body read; a longer one fails the request, and no more of it is
    /// read. Default 100 MiB.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Offers only HTTP/1.1 to HTTPS servers (by default HTTP/2 is offered too).
    pub fn http1_only(mut self) -> Self {
        self.http2 = false;
        self
    }

    /// The transport. Fails when no root of trust is left: the enabled stores gave no
    /// certificate and none was added.
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let mut roots = rustls::RootCertStore::empty();
        if self.default_roots {
            add_default_roots(&mut roots);
        }
        for certificate in &self.extra_roots {
            roots
                .add(certificate.clone())
                .map_err(|err| format!("cannot trust the added certificate: {err}"))?;
        }
        if roots.is_empty() {
            return Err(
                "no trusted root certificates: enable the `webpki-roots` or `native-roots` feature \
                        of smithy-runtime, or add certificates with `root_certificates_pem`"
                    .into(),
            );
        }
        Ok(self.build_with(roots))
    }

    fn build_unchecked(self) -> HyperTransport {
        let mut roots = rustls::RootCertStore::empty();
        for certificate in &self.extra_roots {
            let _ = roots.add(certificate.clone());
        }
        self.build_with(roots)
    }

    fn build_with(self, roots: rustls::RootCertStore) -> HyperTransport {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|builder| builder.with_root_certificates(roots).with_no_client_auth());
        let tls = match tls {
            Ok(tls) => tls,
            // The ring provider supports the default protocol versions; this arm is not taken.
            Err(_) => rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        };
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_nodelay(true);
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        let connector = if self.http2 {
            builder.enable_all_versions().wrap_connector(http)
        } else {
            builder.enable_http1().wrap_connector(http)
        };
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
        HyperTransport {
            client,
            timeout: self.timeout,
            read_timeout: self.read_timeout,
            max_response_bytes: self.max_response_bytes,
        }
    }
}

/// Adds the roots of the stores the cargo features enable.
fn add_default_roots(roots: &mut rustls::RootCertStore) {
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        let found = rustls_native_certs::load_native_certs();
        for certificate in found.certs {
            let _ = roots.add(certificate);
        }
    }
    let _ = roots;
}

impl Transport for HyperTransport {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let request = request.map(|body| http_body_util::Full::new(bytes::Bytes::from(body)));
        let response = self.client.request(request);
        let (timeout, read_timeout, limit) = (self.timeout, self.read_timeout, self.max_response_bytes);
        Box::pin(async move {
            let exchange = async move {
                let response = tokio::time::timeout(read_timeout, response)
                    .await
                    .map_err(|_| stalled("the response headers", read_timeout))?
                    .map_err(client_failure)?;
                let (parts, body) = response.into_parts();
                let body = read_body(body, read_timeout, limit).await?;
                Ok::<_, TransportError>(http::Response::from_parts(parts, body))
            };
            match tokio::time::timeout(timeout, exchange).await {
                Ok(result) => result,
                Err(_) => Err(failure(
                    TransportFailureKind::Timeout,
                    format!("no whole response within {timeout:?}"),
                )),
            }
        })
    }
}

/// A response body, piece by piece, each within `read_timeout`, at most `limit` bytes.
async fn read_body(
    mut body: hyper::body::Incoming,
    read_timeout: Duration,
    limit: usize,
) -> Result<Vec<u8>, TransportError> {
    use http_body_util::BodyExt;
    let declared = hyper::body::Body::size_hint(&body).exact();
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::with_capacity(declared.map_or(0, |length| length as usize));
    loop {
        let frame = tokio::time::timeout(read_timeout, body.frame())
            .await
            .map_err(|_| stalled("a piece of the response body", read_timeout))?;
        let Some(frame) = frame else {
            return Ok(bytes);
        };
        let frame = frame.map_err(|error| failure(TransportFailureKind::Io, with_causes(&error)))?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                return Err(too_large(limit));
            }
            bytes.extend_from_slice(&data);
        }
    }
}

fn failure(kind: TransportFailureKind, message: impl Into<String>) -> TransportError {
    Box::new(TransportFailure::new(kind, message.into()))
}

fn stalled(part: &str, timeout: Duration) -> TransportError {
    failure(
        TransportFailureKind::Timeout,
        format!("{part} did not arrive within the read timeout of {timeout:?}"),
    )
}

fn too_large(limit: usize) -> TransportError {
    failure(
        TransportFailureKind::ResponseTooLarge,
        format!("the response body is larger than the {limit} bytes read"),
    )
}

/// A failure of hyper's client, by what failed: a connection that could not be made (or whose
/// TLS handshake failed), or one that broke.
fn client_failure(error: hyper_util::client::legacy::Error) -> TransportError {
    let message = with_causes(&error);
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&error);
    let mut tls = false;
    while let Some(inner) = cause {
        // An `io::Error` leaves the error it wraps out of the chain of sources.
        let wrapped = inner
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .is_some_and(|wrapped| wrapped.is::<rustls::Error>());
        tls |= wrapped || inner.is::<rustls::Error>();
        cause = inner.source();
    }
    let kind = if tls {
        TransportFailureKind::Tls
    } else if error.is_connect() {
        TransportFailureKind::Connect
    } else {
        TransportFailureKind::Io
    };
    failure(kind, message)
}

/// An error with the chain of its causes in its message (`client error (Connect): dns error:
/// failed to lookup address`), since hyper's own message names only the stage that failed.
fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = inner.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::protocol::rest_json::tests::{Nothing, POST, SERVICE};

    /// The head of the request the transport sends for a POST of an operation without a body,
    /// read by a bare TCP server on the loopback.
    async fn sent_head() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let address = listener.local_addr().expect("a bound listener has an address");
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("the client connects");
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|window| window == b"\r\n\r\n") && head.len() < 16 * 1024 {
                let read = stream.read(&mut buffer).await.expect("the request arrives");
                if read == 0 {
                    break;
                }
                head.extend_from_slice(&buffer[..read]);
            }
            let response = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}";
            stream.write_all(response).await.expect("the client reads the response");
            String::from_utf8_lossy(&head).into_owned()
        });
        let request = crate::protocol::serialize_request(&SERVICE, &POST, &Nothing, &format!("http://{address}"))
            .expect("the input is complete");
        let transport = HyperTransport::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("the transport builds");
        let response = transport.send(request).await.expect("the server answers");
        assert_eq!(response.status(), 200);
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the server finishes")
            .expect("the server does not panic")
    }

    #[test]
    fn a_post_without_a_body_has_a_content_length_of_zero_on_the_wire() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime starts");
        let head = runtime.block_on(sent_head()).to_ascii_lowercase();
        assert!(head.starts_with("post /things http/1.1\r\n"), "{head}");
        assert!(head.contains("\r\ncontent-length: 0\r\n"), "{head}");
    }
}
