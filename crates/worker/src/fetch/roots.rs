//! The certificates a fetcher trusts: the platform's roots, read once per process.
//!
//! Reading the system's roots means reading and parsing every certificate under
//! `/etc/ssl/certs` (about 150): some milliseconds of CPU, and an HTTP client built the
//! default way does it for each client. A worker builds a fetcher for every round it sees,
//! and the first job of a round waits for it, so the verifier over the platform's roots is
//! built once and shared by every fetcher of the process. A change to the system's roots is
//! seen when the worker restarts. A round that trusts extra roots (`FetchConfig::extra_roots`)
//! gets a verifier of its own.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::CertificateDer;
use rustls_platform_verifier::Verifier;

/// The platform's verifier, with `extra` roots trusted beside the system's.
pub(super) fn verifier(extra: &[CertificateDer<'static>]) -> Result<Arc<Verifier>, String> {
    static PLATFORM: OnceLock<Arc<Verifier>> = OnceLock::new();
    if extra.is_empty()
        && let Some(v) = PLATFORM.get()
    {
        return Ok(v.clone());
    }
    let v = Verifier::new_with_extra_roots(extra.iter().cloned(), provider())
        .map(Arc::new)
        .map_err(|e| {
            if extra.is_empty() {
                format!("cannot read the system's trusted certificates: {e}")
            } else {
                format!("a trusted CA certificate is unreadable: {e}")
            }
        })?;
    Ok(if extra.is_empty() {
        PLATFORM.get_or_init(|| v).clone()
    } else {
        v
    })
}

/// The TLS settings of the worker's connections: TLS 1.2 and 1.3, judged by `verifier` (a
/// fetcher's client adds its ALPN; the HTTPS inspection records the judgement instead).
pub(super) fn tls_config(
    verifier: Arc<dyn ServerCertVerifier>,
) -> Result<rustls::ClientConfig, String> {
    Ok(rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// The cryptography every TLS connection of the worker uses.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_verifier_is_built_once_per_process() {
        let a = verifier(&[]).expect("the system's roots");
        let b = verifier(&[]).expect("the system's roots");
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn an_unreadable_extra_root_is_refused_in_words() {
        let junk = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        let e = verifier(&[junk]).expect_err("not a certificate");
        assert!(e.contains("a trusted CA certificate is unreadable"), "{e}");
    }
}
