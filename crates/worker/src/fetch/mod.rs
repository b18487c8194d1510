//! Fetching: one bounded, polite, guarded HTTP request path for every kind of job.
//!
//! [`client`] follows redirects itself so each hop is recorded, guarded and rate limited;
//! `transport` carries each request (pooled HTTP/1.1 connections, TLS, decompression);
//! `resolve` applies the registry's name overrides and the guard after resolution (one
//! address family when asked); `roots` holds the trusted certificates, read once per
//! process; `tls` inspects a site's certificate without trusting it; `error`
//! tells what went wrong from the error's types; [`guard`] (the registry's check too, so it
//! lives in core) refuses private targets; every request passes the round's host gate
//! ([`HostGate`](spotcheck_core::ports::HostGate)), which spaces requests per host.

pub mod client;
mod error;
mod resolve;
mod roots;
mod tls;
mod transport;

pub use spotcheck_core::guard;

pub use client::{FetchConfig, Fetched, Fetcher};
pub use error::FetchError;
pub use resolve::{Family, is_v4};
pub use tls::Presented;

/// Reads the platform's trusted roots now, off the path of a round's first job: a worker at
/// its start, a one-process run while it reads its inputs. A failure is left to the first
/// fetcher, which reports it.
pub fn warm_up() {
    let _ = roots::verifier(&[]);
}
