//! A ready transport on hyper (feature `hyper-client`): HTTPS through rustls, and plain HTTP.

use std::sync::Arc;
use std::time::Duration;

use super::{Transport, TransportError, TransportFuture};

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
/// a transport error, as does a connection not made within the connect timeout (10 seconds).
/// It spawns its connections on the current tokio runtime, so calls must run inside one.
#[derive(Clone)]
pub struct HyperTransport {
    client: hyper_util::client::legacy::Client<Connector, http_body_util::Full<bytes::Bytes>>,
    timeout: Duration,
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
        let timeout = self.timeout;
        Box::pin(async move {
            let exchange = async move {
                let (parts, body) = response.await.map_err(with_causes)?.into_parts();
                let body = http_body_util::BodyExt::collect(body)
                    .await
                    .map_err(with_causes)?
                    .to_bytes();
                Ok::<_, TransportError>(http::Response::from_parts(parts, Vec::from(body)))
            };
            match tokio::time::timeout(timeout, exchange).await {
                Ok(result) => result,
                Err(_) => Err(format!("no whole response within {timeout:?}").into()),
            }
        })
    }
}

/// An error with the chain of its causes in its message (`client error (Connect): dns error:
/// failed to lookup address`), since hyper's own message names only the stage that failed.
fn with_causes(error: impl std::error::Error + Send + Sync + 'static) -> TransportError {
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
    message.into()
}
