//! Inspecting a site's HTTPS: one TLS handshake with a verifier that records the platform
//! verifier's judgement of the certificate instead of failing on it, so a bad certificate
//! becomes evidence. The session carries no request and is closed at once: nothing is ever
//! fetched over a connection whose certificate was not trusted.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio::net::TcpStream;
use url::Url;

use super::client::Fetcher;
use super::error::FetchError;
use super::roots;

/// The certificate a server presented and the platform verifier's judgement of it.
#[derive(Debug)]
pub struct Presented {
    /// The end-entity certificate.
    pub certificate: CertificateDer<'static>,
    /// The verifier's objection, `None` when it trusted the certificate for the name.
    pub objection: Option<rustls::Error>,
}

impl Presented {
    /// The objection unless it is about the certificate's dates or names, which the check
    /// reads from the certificate itself.
    pub fn untrusted(&self) -> Option<String> {
        use CertificateError as C;
        match &self.objection {
            None => None,
            Some(rustls::Error::InvalidCertificate(
                C::Expired
                | C::ExpiredContext { .. }
                | C::NotValidForName
                | C::NotValidForNameContext { .. },
            )) => None,
            Some(e) => Some(e.to_string()),
        }
    }
}

/// Asks the platform verifier and records its answer, letting the handshake finish.
#[derive(Debug)]
struct Recorder {
    inner: Arc<rustls_platform_verifier::Verifier>,
    seen: Mutex<Option<Presented>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let objection = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .err();
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(Presented {
            certificate: end_entity.clone().into_owned(),
            objection,
        });
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

impl Fetcher {
    /// The certificate `url`'s server presents, through the guard and the host gate, within
    /// the configured connect timeout and total timeout.
    pub async fn inspect_tls(&self, url: &Url) -> Result<Presented, FetchError> {
        let host = url.host_str().unwrap_or("").to_string();
        let name = match url.host() {
            Some(url::Host::Domain(d)) => ServerName::try_from(d.to_string())
                .map_err(|e| FetchError::Other(format!("{d}: {e}")))?,
            Some(url::Host::Ipv4(ip)) => ServerName::from(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => ServerName::from(std::net::IpAddr::V6(ip)),
            None => return Err(FetchError::Other(format!("{url} has no host"))),
        };
        let port = url.port_or_known_default().unwrap_or(443);
        let ips = match url.host() {
            Some(url::Host::Domain(d)) => self.resolver.admitted(d).await.map_err(|e| {
                match e.downcast_ref::<super::resolve::Refusal>() {
                    Some(r) => FetchError::Refused(r.to_string()),
                    None => FetchError::Dns(e.to_string()),
                }
            })?,
            _ => {
                self.check_literal(url)?;
                self.addresses(url).await?
            }
        };
        let recorder = Arc::new(Recorder {
            inner: self.verifier.clone(),
            seen: Mutex::new(None),
        });
        let config = roots::tls_config(recorder.clone()).map_err(FetchError::Other)?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        // The address gate sees the first address, the one `connect` tries first.
        let addr = ips
            .first()
            .copied()
            .filter(|_| self.config().limit_addresses);
        let _permit = self.gate().enter(&host, addr).await;
        let timeout = self.config().timeout;
        let connect_timeout = self.config().connect_timeout;
        let handshake = async {
            let tcp = connect(&ips, port, connect_timeout).await?;
            connector
                .connect(name, tcp)
                .await
                .map_err(|e| tls_failure(&e))
        };
        let session = tokio::time::timeout(timeout, handshake)
            .await
            .map_err(|_| FetchError::Timeout(timeout))??;
        drop(session);
        let seen = recorder
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        seen.ok_or_else(|| FetchError::Tls("the server presented no certificate".into()))
    }
}

/// The first address that accepts a connection within the timeout.
async fn connect(
    ips: &[std::net::IpAddr],
    port: u16,
    timeout: std::time::Duration,
) -> Result<TcpStream, FetchError> {
    let mut last = FetchError::Connect("no address".into());
    for ip in ips {
        match tokio::time::timeout(timeout, TcpStream::connect(SocketAddr::new(*ip, port))).await {
            Ok(Ok(tcp)) => return Ok(tcp),
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                last = FetchError::ConnectionRefused
            }
            Ok(Err(e)) => last = FetchError::Connect(e.to_string()),
            Err(_) => last = FetchError::Timeout(timeout),
        }
    }
    Err(last)
}

/// A failed handshake in words: the TLS error when there is one, else how the connection broke.
fn tls_failure(e: &io::Error) -> FetchError {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(tls) => FetchError::Tls(tls.to_string()),
        None if matches!(
            e.kind(),
            io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
        ) =>
        {
            FetchError::Dropped(e.to_string())
        }
        None => FetchError::Tls(e.to_string()),
    }
}
