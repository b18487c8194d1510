//! Fetching: one bounded, polite, guarded HTTP request path for every kind of job.
//!
//! [`client`] follows redirects itself so each hop is recorded, guarded and rate limited;
//! [`guard`] refuses private targets; every request passes the round's host gate
//! ([`HostGate`](spotcheck_core::ports::HostGate)), which spaces requests per host.

pub mod client;
pub mod guard;

pub use client::{FetchConfig, FetchError, Fetched, Fetcher};
