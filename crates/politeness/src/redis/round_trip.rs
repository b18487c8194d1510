//! The usual round trip of a gate's calls to Redis, which tells a link that is far from one
//! whose answer waited in a busy process.
//!
//! A cell's true time lies somewhere between sending the ask and reading the answer
//! ([`Cell`](super::lease::Cell)). On a link that always takes 80 ms, most of that is the way
//! there and back, and counting the cell's time from the ask sent would spend every cell of a
//! fast host without a request. So the cell's last moment allows for half the link's usual
//! round trip — the shortest of the last minute or so, which a process busy now and then does
//! not lengthen: its answers wait sometimes, not always.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::lock;

/// The shortest round trip is kept per span this long; the usual one is the shorter of the
/// current and the last span's, so a link that became slower is learned within two spans.
const SPAN: Duration = Duration::from_secs(30);

/// The shortest round trips of the current and the last span.
pub(super) struct RoundTrips(Mutex<Spans>);

struct Spans {
    started: Instant,
    current: Option<Duration>,
    last: Option<Duration>,
}

impl RoundTrips {
    pub(super) fn new() -> RoundTrips {
        RoundTrips(Mutex::new(Spans {
            started: Instant::now(),
            current: None,
            last: None,
        }))
    }

    /// Half the usual round trip: how long after an ask was sent Redis can be taken to have
    /// read it. Zero before the first call has come back, so a process busy from its start
    /// spends its first cells strictly.
    pub(super) fn one_way(&self) -> Duration {
        let mut s = lock(&self.0);
        s.turn();
        match (s.current, s.last) {
            (Some(a), Some(b)) => a.min(b) / 2,
            (Some(a), None) | (None, Some(a)) => a / 2,
            (None, None) => Duration::ZERO,
        }
    }

    /// One call's round trip.
    pub(super) fn record(&self, took: Duration) {
        let mut s = lock(&self.0);
        s.turn();
        s.current = Some(s.current.map_or(took, |c| c.min(took)));
    }
}

impl Spans {
    /// Starts a new span once the current one is over.
    fn turn(&mut self) {
        if self.started.elapsed() >= SPAN {
            self.last = self.current.take();
            self.started = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_round_trip_is_the_shortest_and_none_before_the_first() {
        let r = RoundTrips::new();
        assert_eq!(r.one_way(), Duration::ZERO);
        r.record(Duration::from_millis(300));
        r.record(Duration::from_millis(4));
        r.record(Duration::from_millis(250));
        assert_eq!(r.one_way(), Duration::from_millis(2));
    }

    #[test]
    fn a_link_that_became_slower_is_learned_after_two_spans() {
        let r = RoundTrips::new();
        r.record(Duration::from_millis(2));
        lock(&r.0).started -= SPAN;
        r.record(Duration::from_millis(80));
        assert_eq!(
            r.one_way(),
            Duration::from_millis(1),
            "the last span still counts"
        );
        lock(&r.0).started -= SPAN;
        r.record(Duration::from_millis(90));
        assert_eq!(r.one_way(), Duration::from_millis(40));
    }
}
