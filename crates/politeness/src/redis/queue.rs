//! A host's queue in one process: the requests waiting for the host, the leases and rate
//! cells held for them, and the task that asks Redis for more.
//!
//! One task per host asks for as many leases and cells as requests are waiting, pairs what
//! it is granted into go-aheads, and sleeps as long as Redis says when it grants nothing. A
//! lease that comes back while another request waits goes to that request (for at most
//! [`LEASE_REUSE`] after Redis granted it); one nobody wants goes back after [`LINGER`].

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::coordinator::Coordinator;
use super::jitter::jitter;
use super::lease::{Cell, GoAhead, Lease};
use super::script::{AskOutcome, WaitReason};
use super::{BATCH, LEASE_REUSE, LINGER};
use crate::lock;

/// Shortest and longest wait between two asks while every slot of a host is taken. Another
/// worker's lease ends when its request ends, which Redis does not announce: the gate asks
/// again, sooner at first and then less often, never more often than [`SLOT_POLL_MIN`] — or
/// at once when one of its own leases comes back.
const SLOT_POLL_MIN: Duration = Duration::from_millis(10);
const SLOT_POLL_MAX: Duration = Duration::from_millis(250);
/// Between asks while Redis cannot be reached (a silent Redis already makes each ask last
/// its calls' response timeouts).
const UNREACHABLE_RETRY: Duration = Duration::from_secs(1);

/// One host's queue in this process: the requests waiting for it and the leases held for it.
pub(super) struct HostQueue {
    host: String,
    /// Rate (GCRA arrival time), pause, leases.
    pub(super) keys: [String; 3],
    state: Mutex<QueueState>,
    /// A go-ahead is ready: the waiting requests look.
    pub(super) ready: Notify,
    /// A lease came back: the queue's asking task looks.
    pub(super) returned: Notify,
}

/// What a host's queue holds and who is working on it.
#[derive(Default)]
pub(super) struct QueueState {
    /// Requests of this process waiting for the host.
    pub(super) waiting: usize,
    /// Go-aheads granted and not yet taken by a waiting request.
    pub(super) go_aheads: Vec<GoAhead>,
    /// Leases held and not in use.
    pub(super) idle: Vec<Lease>,
    /// Rate cells granted ahead of demand, by their time, oldest first.
    cells: VecDeque<Cell>,
    /// A prepaid cell went unused: the next ask prepays none.
    wasted: bool,
    /// When this queue's latest go-aheads were handed out (at most [`BATCH`]): the demand a
    /// prepaid ask sizes itself to.
    paired_at: VecDeque<Instant>,
    /// Leases held: idle, in a go-ahead or in use.
    pub(super) held: usize,
    /// A task asks Redis for the waiting requests.
    pub(super) asking: bool,
    /// A task returns leases idle for longer than [`LINGER`].
    lingering: bool,
}

impl QueueState {
    pub(super) fn is_empty(&self) -> bool {
        self.waiting == 0
            && self.go_aheads.is_empty()
            && self.held == 0
            && !self.asking
            && !self.lingering
    }

    /// Takes out the idle leases that `stale` says should go back to Redis.
    fn take_idle(&mut self, stale: impl Fn(&Lease) -> bool) -> Vec<Lease> {
        let (back, keep) = std::mem::take(&mut self.idle).into_iter().partition(stale);
        self.idle = keep;
        self.held -= back.len();
        back
    }

    /// Go-aheads nobody waits for any more (their requests were abandoned): their leases
    /// become idle.
    pub(super) fn settle_surplus(&mut self) {
        while self.go_aheads.len() > self.waiting {
            if let Some(GoAhead {
                lease: Some(mut l), ..
            }) = self.go_aheads.pop()
            {
                l.idle_since = Instant::now();
                self.idle.push(l);
            }
        }
    }

    /// Has the idle leases go back to Redis after [`LINGER`]; true when no task does that yet
    /// and the caller must start one ([`spawn_lingering`]).
    pub(super) fn linger(&mut self) -> bool {
        let start = !self.idle.is_empty() && !self.lingering;
        self.lingering |= start;
        start
    }

    /// Requests waiting without a go-ahead.
    pub(super) fn unserved(&self) -> usize {
        self.waiting.saturating_sub(self.go_aheads.len())
    }

    /// Gives waiting requests go-aheads from idle leases and prepaid cells, dropping cells
    /// past their time; true when it gave any.
    pub(super) fn pair(&mut self) -> bool {
        let now = Instant::now();
        while self.cells.front().is_some_and(|c| c.until < now) {
            self.cells.pop_front();
            self.wasted = true;
        }
        let mut paired = false;
        while self.unserved() > 0 && !self.idle.is_empty() {
            let Some(cell) = self.cells.pop_front() else {
                break;
            };
            let lease = self.idle.pop();
            self.go_aheads.push(GoAhead { lease, cell });
            if self.paired_at.len() == BATCH {
                self.paired_at.pop_front();
            }
            self.paired_at.push_back(now);
            paired = true;
        }
        paired
    }

    /// Cells to prepay: as many as this queue's requests took over the last `span` (a
    /// prepaid cell is usable that long), or one for each lease in use when that is more;
    /// none right after prepaid cells went unused. A busy queue at a fast rate so asks once
    /// per span rather than once per handful of requests, and an idle one prepays little.
    fn prepay(&mut self, in_use: usize, span: Duration) -> usize {
        if std::mem::take(&mut self.wasted) {
            return 0;
        }
        let now = Instant::now();
        while self
            .paired_at
            .front()
            .is_some_and(|t| now.duration_since(*t) > span)
        {
            self.paired_at.pop_front();
        }
        in_use.max(self.paired_at.len())
    }

    /// A request came to its go-ahead after the cell's time: the cell is spent, its lease
    /// idle for the next request (or the same one asking again), and the next ask prepays
    /// none.
    pub(super) fn spoiled(&mut self, lease: Option<Lease>) {
        self.wasted = true;
        if let Some(mut l) = lease {
            l.idle_since = Instant::now();
            self.idle.push(l);
        }
    }
}

impl HostQueue {
    /// The queue of `host` (or address), whose keys start with `key_base`.
    pub(super) fn new(key_base: &str, host: &str) -> HostQueue {
        let base = format!("{key_base}{host}");
        HostQueue {
            host: host.to_string(),
            keys: [
                base.clone(),
                format!("{base}:pause"),
                format!("{base}:leases"),
            ],
            state: Mutex::new(QueueState::default()),
            ready: Notify::new(),
            returned: Notify::new(),
        }
    }

    pub(super) fn state(&self) -> MutexGuard<'_, QueueState> {
        lock(&self.state)
    }

    /// Asks Redis for this process's waiting requests until none waits without a go-ahead.
    /// Runs as its own task, one per queue at a time, so an abandoned request never cuts an
    /// ask short (what it was granted goes to the next request, or back to the idle leases).
    pub(super) async fn ask_for_waiting(self: Arc<HostQueue>, coordinator: Arc<Coordinator>) {
        let limit = coordinator.limits.concurrency as usize;
        let mut poll = SLOT_POLL_MIN;
        loop {
            let (want, usable, extra) = {
                let mut st = self.state();
                let stale = st.take_idle(|l| l.granted.elapsed() >= LEASE_REUSE);
                if st.pair() {
                    self.ready.notify_waiters();
                }
                let unserved = st.unserved();
                // Done: leases nobody took (their requests were abandoned) go back in a while.
                let linger = unserved == 0 && st.linger();
                if unserved == 0 {
                    st.asking = false;
                }
                let usable = st.idle.len().min(unserved).min(BATCH);
                let want = (unserved.min(BATCH) - usable).min(limit.saturating_sub(st.held));
                // The leases in use and the requests behind them will want cells soon,
                // unless the last prepaid ones went unused.
                let in_use = st.held.saturating_sub(
                    st.idle.len() + st.go_aheads.iter().filter(|g| g.lease.is_some()).count(),
                );
                let extra = st
                    .prepay(in_use, coordinator.validity)
                    .min(coordinator.prepay)
                    .min(BATCH - usable - want);
                drop(st);
                coordinator.give_back(&self, stale);
                if linger {
                    spawn_lingering(&self, &coordinator);
                }
                if unserved == 0 {
                    return;
                }
                (want, usable, extra)
            };
            let first = coordinator
                .next_lease
                .fetch_add(want as u64, Ordering::Relaxed);
            let outcome = if want + usable == 0 {
                // Every slot the pool allows is this process's, in use: only its own
                // requests' ends free one.
                AskOutcome::Wait(WaitReason::SlotsFull, SLOT_POLL_MAX)
            } else {
                coordinator.ask(&self, first, want, usable, extra).await
            };
            match outcome {
                AskOutcome::Granted {
                    leases,
                    cells,
                    first_at_us,
                    asked,
                } => {
                    poll = SLOT_POLL_MIN;
                    self.granted(&coordinator, first, leases, cells, first_at_us, asked);
                }
                AskOutcome::Wait(reason, wait) => {
                    let wait = match reason {
                        WaitReason::Paused => {
                            coordinator.local.pause(&self.host, wait);
                            wait
                        }
                        // Leases usually end long before they would expire: ask again soon,
                        // then less often, or at once when one of ours comes back.
                        WaitReason::SlotsFull => {
                            let w = wait.min(poll).max(SLOT_POLL_MIN);
                            poll = (poll * 2).min(SLOT_POLL_MAX);
                            w
                        }
                        WaitReason::Rate => wait,
                    };
                    let sleep = tokio::time::sleep(wait + jitter(wait));
                    if reason == WaitReason::SlotsFull {
                        tokio::select! {
                            _ = sleep => {}
                            _ = self.returned.notified() => {}
                        }
                    } else {
                        sleep.await;
                    }
                }
                AskOutcome::Unreachable => {
                    // The pool's limits cannot be read: the waiting requests wait on, and the
                    // queue asks again (on a fresh connection once the old one went silent).
                    tokio::time::sleep(UNREACHABLE_RETRY + jitter(UNREACHABLE_RETRY)).await;
                }
            }
        }
    }

    /// Takes in what an ask Redis read no sooner than `asked` was granted: `new` leases numbered from `first`,
    /// and `cells` cells, the first `first_at_us` µs from Redis's now (≤ 0), the others an
    /// interval apart (see [`Cell`] for how their times are read).
    fn granted(
        &self,
        coordinator: &Coordinator,
        first: u64,
        new: usize,
        cells: usize,
        first_at_us: i64,
        asked: Instant,
    ) {
        let now = Instant::now();
        let interval = i64::try_from(coordinator.interval_us).unwrap_or(i64::MAX);
        let mut st = self.state();
        st.held += new;
        for n in 0..new as u64 {
            st.idle.push(Lease {
                id: coordinator.lease_id(first + n),
                granted: now,
                idle_since: now,
            });
        }
        for i in 0..cells {
            let offset = first_at_us.saturating_add(interval.saturating_mul(i as i64));
            let offset = Duration::from_micros(u64::try_from(offset).unwrap_or(0));
            st.cells.push_back(Cell {
                at: now + offset,
                until: asked + offset + coordinator.validity,
            });
        }
        st.pair();
        st.settle_surplus();
        drop(st);
        self.ready.notify_waiters();
    }

    /// Returns leases idle for [`LINGER`] to Redis, while there are idle leases and nobody
    /// asks for the waiting requests (which would use them).
    async fn return_lingering(self: Arc<HostQueue>, coordinator: Arc<Coordinator>) {
        loop {
            tokio::time::sleep(LINGER).await;
            let (back, done) = {
                let mut st = self.state();
                let back = if st.asking {
                    Vec::new()
                } else {
                    st.take_idle(|l| l.idle_since.elapsed() >= LINGER)
                };
                st.lingering = !st.idle.is_empty();
                (back, !st.lingering)
            };
            coordinator.give_back(&self, back);
            if done {
                return;
            }
        }
    }
}

/// Starts the task that returns `queue`'s lingering leases, when there is a runtime to run it.
pub(super) fn spawn_lingering(queue: &Arc<HostQueue>, coordinator: &Arc<Coordinator>) {
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        rt.spawn(queue.clone().return_lingering(coordinator.clone()));
    }
}
