//! Counting reconnects from what the RabbitMQ queue already says.
//!
//! `spotcheck_bus` reconnects by itself and logs each step; it has no metrics of its own. This
//! layer listens to those events (target `spotcheck_bus`, whatever the log filter lets through
//! to the terminal) and counts:
//!
//! - `connection to RabbitMQ lost; reconnecting` as `spotcheck_reconnects_total{link="broker"}`,
//! - `consumer resubscribed` as `spotcheck_reconnects_total{link="consumer"}`.
//!
//! The messages are the contract: `crates/cli/tests/ops_metrics.rs` closes a worker's
//! connection on the broker and expects both counters to move.

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer};

const BROKER_LOST: &str = "connection to RabbitMQ lost; reconnecting";
const RESUBSCRIBED: &str = "consumer resubscribed";

/// A tracing layer that turns the queue's reconnect events into counters.
pub struct ReconnectCounter;

impl ReconnectCounter {
    /// The layer with its own filter: it sees the queue's info events even when the log
    /// shows only warnings.
    pub fn layer<S>() -> impl Layer<S>
    where
        S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    {
        ReconnectCounter.with_filter(Targets::new().with_target("spotcheck_bus", Level::INFO))
    }
}

impl<S: Subscriber> Layer<S> for ReconnectCounter {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut message = Message(None);
        event.record(&mut message);
        let link = match message.0.as_deref() {
            Some(BROKER_LOST) => "broker",
            Some(RESUBSCRIBED) => "consumer",
            _ => return,
        };
        metrics::counter!("spotcheck_reconnects_total", "link" => link).increment(1);
    }
}

struct Message(Option<String>);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}
