//! Operating a pool: what a long-running role (`worker`, `collector`, `scheduler`) shows to its operators.
//!
//! With `--metrics-listen ADDR` (or `SPOTCHECK_METRICS_LISTEN`) a role serves, on that address:
//!
//! | path | answer |
//! | --- | --- |
//! | `/metrics` | Prometheus text format, the catalogue below |
//! | `/healthz` | readiness: `200` when the broker and the store both answer now (a store read and a queue depth, each within 2 s), `503` with the reason otherwise, `503` while a collector holds results the store or the queue refused (Redis full or read-only), and `503` once the role is draining after SIGTERM; JSON body |
//! | `/livez` | liveness: `200` while the process runs (a broker outage is not cured by a restart) |
//!
//! It is off by default, so several roles on one machine (and the tests) never fight over a
//! port; the deployments in `deploy/` turn it on at `0.0.0.0:9464`. The address the server
//! really bound (useful with port 0) is logged at start: `serving /metrics, /healthz and
//! /livez` with the field `listen`.
//!
//! # Metrics
//!
//! No metric has a URL or a host as a label: hosts are unbounded. Labels are the job kind
//! (`probe`, `page`, `check`, `column`, `menu`, `unknown`), a failure reason, a lane or a link.
//!
//! | name | type | labels | meaning |
//! | --- | --- | --- | --- |
//! | `spotcheck_worker_jobs_consumed_total` | counter | kind | deliveries taken from the jobs queue |
//! | `spotcheck_worker_jobs_succeeded_total` | counter | kind | jobs whose result the broker confirmed and that were acknowledged |
//! | `spotcheck_worker_jobs_failed_total` | counter | kind, reason | jobs returned or dead-lettered: `unreadable`, `unknown_round`, `unknown_target` (dropped: the round has no such website, column or account), `store_unavailable`, `panicked`, `unconfirmed`, `unsettled`, `interrupted` (aborted at the end of the grace period) |
//! | `spotcheck_worker_jobs_in_flight` | gauge | | jobs taken and not yet settled |
//! | `spotcheck_worker_job_duration_seconds` | histogram | kind | time of a check, from start to result |
//! | `spotcheck_fetch_duration_seconds` | histogram | | one HTTP request (a redirect hop), from the host's permit to the end of the body |
//! | `spotcheck_throttle_wait_seconds` | histogram | | time a request waited for its host's rate, concurrency or back-off (pool-wide limits) |
//! | `spotcheck_throttled_requests_total` | counter | | requests that waited 10 ms or more for their host |
//! | `spotcheck_host_backoffs_total` | counter | | 429/503 answers that paused a host |
//! | `spotcheck_collector_messages_received_total` | counter | lane | deliveries from the results and dead lanes (each carries the results, or jobs, of one batch) |
//! | `spotcheck_collector_results_written_total` | counter | kind | results stored for the first time (one per job of every round) |
//! | `spotcheck_collector_results_duplicate_total` | counter | kind | redelivered results that changed nothing |
//! | `spotcheck_collector_dead_letters_total` | counter | kind | jobs dead-lettered after every delivery attempt |
//! | `spotcheck_collector_foreign_jobs_total` | counter | kind | dead-lettered jobs their round never had (forged), dropped after a few seconds' wait |
//! | `spotcheck_collector_follow_ups_published_total` | counter | | follow-up jobs (pages, links) published |
//! | `spotcheck_collector_retries_total` | counter | | attempts at writing a result that the store or the queue refused (the result is held and written again) |
//! | `spotcheck_collector_results_held` | gauge | | result messages held unacknowledged while the store or the queue refuses writes (`/healthz` is 503 meanwhile) |
//! | `spotcheck_collector_unreadable_total` | counter | lane | messages that could never be read |
//! | `spotcheck_collector_rounds_completed_total` | counter | | rounds this collector saw complete |
//! | `spotcheck_reconnects_total` | counter | link | `broker`: the RabbitMQ connection was lost and opened again; `consumer`: a subscription was re-established |
//! | `spotcheck_ready` | gauge | | 1 when the last readiness check passed |
//! | `spotcheck_queue_ready_messages` | gauge | lane | jobs waiting in `{namespace}.jobs` at the last check (what KEDA scales on) |
//! | `spotcheck_build_info` | gauge | role, version | always 1 |
//!
//! The worker and collector crates only call the `metrics` facade; this module installs the
//! Prometheus recorder (with histogram buckets, so histograms export as histograms) and serves
//! it. Without `--metrics-listen` no recorder is installed and the calls cost next to nothing.

mod gate;
mod health;
mod reconnects;
mod recorder;
mod server;

pub use gate::MeteredGates;
pub use health::{Health, PoolProbe};
pub use reconnects::ReconnectCounter;
pub use server::{Role, serve};
