//! Fetching: one bounded, polite, guarded HTTP request path for every kind of job.
//!
//! [`client`] follows redirects itself so each hop is recorded, guarded and rate limited;
//! [`guard`] (the registry's check too, so it lives in core) refuses private targets; [`politeness`] spaces requests per host.

pub mod client;
pub mod politeness;

pub use spotcheck_core::guard;

pub use client::{FetchConfig, FetchError, Fetched, Fetcher};
