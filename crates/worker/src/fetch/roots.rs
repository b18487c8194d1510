//! The certificates a fetcher trusts: the platform's roots, read once per process.
//!
//! Reading the system's roots means reading and parsing every certificate under
//! `/etc/ssl/certs` (about 150): some milliseconds of CPU, and an HTTP client built the
//! default way does it for each client. A worker builds a fetcher for every round it sees,
//! and the first job of a round waits for it, so the verifier over the platform's roots is
//! built once and shared by every fetcher of the process. A change to the system's roots is
//! seen when the worker restarts. A round that trusts extra roots (`FetchConfig::extra_roots`)
//! gets a verifier of its own.

use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::CertificateDer;
use rustls_platform_verifier::Verifier;

/// The platform's verifier, once built. Behind a lock, not a once-cell that lets each early
/// caller build its own: a one-process run warms it up while the round's first job may already
/// be asking for it, and that job then waits for the one being built instead of reading the
/// ~150 certificates again beside it.
static PLATFORM: Mutex<Option<Arc<Verifier>>> = Mutex::new(None);

/// The platform's verifier, with `extra` roots trusted beside the system's.
pub(super) fn verifier(extra: &[CertificateDer<'static>]) -> Result<Arc<Verifier>, String> {
    if !extra.is_empty() {
        return build(extra);
    }
    let mut platform = PLATFORM.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(v) = platform.as_ref() {
        return Ok(v.clone());
    }
    let v = build(extra)?;
    *platform = Some(v.clone());
    Ok(v)
}

fn build(extra: &[CertificateDer<'static>]) -> Result<Arc<Verifier>, String> {
    #[cfg(test)]
    tests::BUILT.fetch_add(
        usize::from(extra.is_empty()),
        std::sync::atomic::Ordering::SeqCst,
    );
    Verifier::new_with_extra_roots(extra.iter().cloned(), provider())
        .map(Arc::new)
        .map_err(|e| {
            if extra.is_empty() {
                format!("cannot read the system's trusted certificates: {e}")
            } else {
                format!("a trusted CA certificate is unreadable: {e}")
            }
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
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Platform verifiers built in this test process.
    pub(super) static BUILT: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn the_platform_verifier_is_built_once_per_process() {
        // Asked for from several threads at once, as a run's warm-up and its first jobs do.
        let asked: Vec<Arc<Verifier>> = std::thread::scope(|s| {
            let askers: Vec<_> = (0..4)
                .map(|_| s.spawn(|| verifier(&[]).expect("the system's roots")))
                .collect();
            askers
                .into_iter()
                .map(|a| a.join().expect("no panic"))
                .collect()
        });
        let again = verifier(&[]).expect("the system's roots");
        assert!(asked.iter().all(|v| Arc::ptr_eq(v, &again)));
        assert_eq!(
            BUILT.load(Ordering::SeqCst),
            1,
            "built once, however many asked"
        );
    }

    #[test]
    fn an_unreadable_extra_root_is_refused_in_words() {
        let junk = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        let e = verifier(&[junk]).expect_err("not a certificate");
        assert!(e.contains("a trusted CA certificate is unreadable"), "{e}");
    }
}
