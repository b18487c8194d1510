//! Faults that kill no process, on a pool on the real RabbitMQ and Redis, each compared with
//! the same round run alone: poison messages in the queues, two collectors at once, a full
//! Redis, network black holes, many rounds at once across two namespaces.
//!
//! The services must be running (`./tests/run` starts them); these tests fail loudly when they
//! are not. Every test uses its own namespace.

#[path = "../support/mod.rs"]
mod support;

mod black_holes;
mod collectors;
mod concurrent;
mod full_redis;
mod poison;

use support::{Metrics, Role};

/// Sums a metric over several roles' scrapes.
pub fn total(scrapes: &[Metrics], name: &str, labels: &[(&str, &str)]) -> f64 {
    scrapes.iter().map(|m| m.sum(name, labels)).sum()
}

/// How many log lines of `roles` have a message starting with `start`.
pub fn lines_starting(roles: &[&Role], start: &str) -> usize {
    roles
        .iter()
        .flat_map(|r| r.log())
        .filter(|l| l["message"].as_str().is_some_and(|m| m.starts_with(start)))
        .count()
}
