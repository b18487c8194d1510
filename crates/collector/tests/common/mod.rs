//! What the collector's tests share: a store that runs a test's hook before it answers, and
//! the wait for a round's results to be recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::future::BoxFuture;
use spotcheck_core::Plan;
use spotcheck_core::job::JobId;
use spotcheck_core::outcome::JobResult;
use spotcheck_core::ports::{HostPermit, PortError, Progress, Recorded, Store};
use spotcheck_core::round::{Round, RoundId};
use spotcheck_testkit::rounds::{RegistryText, round};

/// Run before a store call: a delay, or a wait until the test has seen something.
pub type Hook = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// A store answering as `inner` does, after its hooks: one slow to record, as a store under
/// load is, or one that holds the collector's questions until the test lets them through.
pub struct Hooked {
    pub inner: Arc<dyn Store>,
    pub before_new_jobs: Option<Hook>,
    pub before_record: Option<Hook>,
}

impl Hooked {
    pub fn new(inner: Arc<dyn Store>) -> Hooked {
        Hooked {
            inner,
            before_new_jobs: None,
            before_record: None,
        }
    }
}

async fn run(hook: &Option<Hook>) {
    if let Some(h) = hook {
        h().await;
    }
}

#[async_trait]
impl Store for Hooked {
    async fn create_round(&self, round: &Round) -> Result<(), PortError> {
        self.inner.create_round(round).await
    }
    async fn round(&self, id: &RoundId) -> Result<Option<Round>, PortError> {
        self.inner.round(id).await
    }
    async fn rounds(&self) -> Result<Vec<RoundId>, PortError> {
        self.inner.rounds().await
    }
    async fn add_jobs(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError> {
        self.inner.add_jobs(round, ids).await
    }
    async fn new_jobs(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError> {
        run(&self.before_new_jobs).await;
        self.inner.new_jobs(round, ids).await
    }
    async fn seal(&self, round: &RoundId) -> Result<bool, PortError> {
        self.inner.seal(round).await
    }
    async fn record(&self, result: &JobResult, follow: &[JobId]) -> Result<Recorded, PortError> {
        run(&self.before_record).await;
        self.inner.record(result, follow).await
    }
    async fn progress(&self, round: &RoundId) -> Result<Progress, PortError> {
        self.inner.progress(round).await
    }
    async fn follow_up_turn(&self, round: &RoundId) -> Result<HostPermit, PortError> {
        self.inner.follow_up_turn(round).await
    }
    async fn results(&self, round: &RoundId) -> Result<Vec<JobResult>, PortError> {
        self.inner.results(round).await
    }
}

/// Waits until `done` of the round's jobs have their results, within `within`, and checks
/// that the round then has `total` jobs.
pub async fn wait_recorded(
    store: &dyn Store,
    round: &RoundId,
    done: u64,
    total: u64,
    within: Duration,
) {
    let start = Instant::now();
    loop {
        let p = store.progress(round).await.unwrap();
        if p.done == done {
            assert_eq!(p.total, total, "{p:?}");
            return;
        }
        assert!(start.elapsed() < within, "results not recorded: {p:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A round of one site, `portal` at `http://www.a.gov.cn/`, and the depth of its pages whose
/// links are checked rather than read as pages.
pub fn portal_round(id: &str) -> (Round, u8) {
    let registry = RegistryText::new("测试市", "测试")
        .unit("szf", "市政府办")
        .website("portal", "szf", "门户", "http://www.a.gov.cn/")
        .parse();
    let plan = Plan::default();
    let depth = plan.links.depth;
    (round(id, registry, plan), depth)
}
