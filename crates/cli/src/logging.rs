//! Logging: human lines or JSON lines on stderr, and the reconnect counter beside them.

use crate::args::{Cli, LogFormat};

/// Logs to stderr, filtered by RUST_LOG or `--log`. JSON lines carry the event's fields at the
/// top level (`timestamp`, `level`, `target`, `message`, …), the current span's
/// fields under `span` (e.g. `{"name":"job","round":…,"job":…,"kind":…}`) and every enclosing
/// span under `spans`. Beside the log, the queue's reconnect events are counted for
/// `/metrics` (see [`crate::ops`]).
pub fn init_logging(cli: &Cli) {
    use std::io::IsTerminal;
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&cli.log))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let log = match cli.log_format {
        LogFormat::Human => fmt
            .with_ansi(std::io::stderr().is_terminal())
            .with_filter(filter)
            .boxed(),
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .with_filter(filter)
            .boxed(),
    };
    let _ = tracing_subscriber::registry()
        .with(log)
        .with(crate::ops::ReconnectCounter::layer())
        .try_init();
}
