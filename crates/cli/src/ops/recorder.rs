//! The Prometheus recorder: buckets for every histogram, descriptions, and series that exist
//! from the start (so a dashboard's `rate()` sees a zero rather than nothing).

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Seconds; from a fast local answer to the slowest fetch a plan allows.
const FETCH_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Seconds; a check may fetch many pages (a column with pagination, a menu's links).
const JOB_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];
/// Seconds; an unthrottled entry costs one Redis round trip.
const WAIT_BUCKETS: &[f64] = &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0];

/// The kinds of job, for series that exist before the first job (see `Task::kind`).
pub const KINDS: &[&str] = &["probe", "page", "check", "column", "menu"];

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the process-wide recorder once; later calls return the same handle.
pub fn install() -> Result<PrometheusHandle, String> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new();
            let with = |b: PrometheusBuilder, name: &str, buckets: &[f64]| {
                b.set_buckets_for_metric(Matcher::Full(name.into()), buckets)
                    .map_err(|e| format!("histogram buckets of {name}: {e}"))
            };
            let builder = with(builder, "spotcheck_fetch_duration_seconds", FETCH_BUCKETS)?;
            let builder = with(
                builder,
                "spotcheck_worker_job_duration_seconds",
                JOB_BUCKETS,
            )?;
            let builder = with(builder, "spotcheck_throttle_wait_seconds", WAIT_BUCKETS)?;
            let handle = builder
                .install_recorder()
                .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
            describe();
            Ok(handle)
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "spotcheck_worker_jobs_consumed_total",
        "Deliveries taken from the jobs queue"
    );
    describe_counter!(
        "spotcheck_worker_jobs_succeeded_total",
        "Jobs whose result the broker confirmed and that were acknowledged"
    );
    describe_counter!(
        "spotcheck_worker_jobs_failed_total",
        "Jobs returned to the queue or dead-lettered, by reason"
    );
    describe_gauge!(
        "spotcheck_worker_jobs_in_flight",
        "Jobs taken and not yet settled"
    );
    describe_histogram!(
        "spotcheck_worker_job_duration_seconds",
        metrics::Unit::Seconds,
        "Time of a check, from start to result"
    );
    describe_histogram!(
        "spotcheck_fetch_duration_seconds",
        metrics::Unit::Seconds,
        "One HTTP request (a redirect hop), from the host's permit to the end of the body"
    );
    describe_histogram!(
        "spotcheck_throttle_wait_seconds",
        metrics::Unit::Seconds,
        "Time a request waited for its host's pool-wide rate, concurrency or back-off"
    );
    describe_counter!(
        "spotcheck_throttled_requests_total",
        "Requests that waited 10 ms or more for their host"
    );
    describe_counter!(
        "spotcheck_host_backoffs_total",
        "429/503 answers that paused a host"
    );
    describe_counter!(
        "spotcheck_collector_messages_received_total",
        "Deliveries from the results and dead lanes (each carries the results, or jobs, of one batch)"
    );
    describe_counter!(
        "spotcheck_collector_results_written_total",
        "Results stored for the first time"
    );
    describe_counter!(
        "spotcheck_collector_results_duplicate_total",
        "Redelivered results that changed nothing"
    );
    describe_counter!(
        "spotcheck_collector_dead_letters_total",
        "Jobs dead-lettered after every delivery attempt"
    );
    describe_counter!(
        "spotcheck_collector_follow_ups_published_total",
        "Follow-up jobs published"
    );
    describe_counter!(
        "spotcheck_collector_retries_total",
        "Attempts at writing a result that the store or the queue refused"
    );
    describe_gauge!(
        "spotcheck_collector_results_held",
        "Result messages held unacknowledged because the store or the queue refuses writes"
    );
    describe_counter!(
        "spotcheck_collector_foreign_jobs_total",
        "Dead-lettered jobs their round never had, dropped"
    );
    describe_counter!(
        "spotcheck_collector_unreadable_total",
        "Messages that could never be read"
    );
    describe_counter!(
        "spotcheck_collector_rounds_completed_total",
        "Rounds this collector saw complete"
    );
    describe_counter!(
        "spotcheck_reconnects_total",
        "Broker connections and subscriptions re-established"
    );
    describe_gauge!("spotcheck_ready", "1 when the last readiness check passed");
    describe_gauge!(
        "spotcheck_queue_ready_messages",
        "Messages waiting in a lane's queue at the last readiness check"
    );
    describe_gauge!("spotcheck_build_info", "Always 1; the labels say what runs");
}

/// Creates the role's series at zero.
pub fn preregister(role: &'static str) {
    metrics::gauge!("spotcheck_build_info", "role" => role, "version" => env!("CARGO_PKG_VERSION"))
        .set(1.0);
    for link in ["broker", "consumer"] {
        metrics::counter!("spotcheck_reconnects_total", "link" => link).increment(0);
    }
    metrics::gauge!("spotcheck_ready").set(0.0);
    match role {
        "worker" => {
            for &kind in KINDS {
                metrics::counter!("spotcheck_worker_jobs_consumed_total", "kind" => kind)
                    .increment(0);
                metrics::counter!("spotcheck_worker_jobs_succeeded_total", "kind" => kind)
                    .increment(0);
            }
            metrics::gauge!("spotcheck_worker_jobs_in_flight").set(0.0);
            metrics::counter!("spotcheck_throttled_requests_total").increment(0);
            metrics::counter!("spotcheck_host_backoffs_total").increment(0);
        }
        "collector" => {
            for &kind in KINDS {
                metrics::counter!("spotcheck_collector_results_written_total", "kind" => kind)
                    .increment(0);
            }
            for lane in ["results", "dead"] {
                metrics::counter!("spotcheck_collector_messages_received_total", "lane" => lane)
                    .increment(0);
            }
            metrics::counter!("spotcheck_collector_rounds_completed_total").increment(0);
            metrics::counter!("spotcheck_collector_retries_total").increment(0);
            metrics::gauge!("spotcheck_collector_results_held").set(0.0);
        }
        _ => {}
    }
}
