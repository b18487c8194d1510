//! The checks, one per kind of job. Each returns an outcome — evidence for the report —
//! and never fails: whatever a site does becomes a verdict, not an error.

pub mod column;
pub mod ipv6;
pub mod link;
pub mod menu;
pub mod page;
pub mod tls;
pub mod visit;

use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{Outcome, WordingHit};

use crate::RoundContext;

/// Runs the check a job asks for: its outcome, and what the text of the pages it read says
/// wrong; `Err` says what the round's registry lacks when the job names a website, column or
/// account it does not have.
pub async fn run(ctx: &RoundContext, job: &Job) -> Result<(Outcome, Vec<WordingHit>), String> {
    let reg = &ctx.round.registry;
    let mut said = Vec::new();
    let outcome = match &job.task {
        Task::Visit { site, .. } => match reg.website(site) {
            Some(w) => Outcome::Visit(visit::visit(ctx, &w.url).await),
            None => return Err(unknown_target("website", site)),
        },
        Task::Page { site, url, .. } => match reg.website(site) {
            Some(_) => Outcome::Page(page::read(ctx, url, &mut said).await),
            None => return Err(unknown_target("website", site)),
        },
        Task::Link { url } => Outcome::Link(link::check(ctx, url).await),
        Task::Column { site, column } => {
            match reg.website(site).and_then(|w| w.columns.get(*column)) {
                Some(c) => Outcome::Column(column::read(ctx, c, &mut said).await),
                None => return Err(unknown_target("column", &format!("{site}#{column}"))),
            }
        }
        Task::Menu { account } => match reg.account(account) {
            Some(a) => {
                let m = menu::read(ctx, a).await;
                menu::articles(ctx, &m, &mut said).await;
                Outcome::Menu(m)
            }
            None => return Err(unknown_target("account", account)),
        },
        Task::Ipv6 { site } => match reg.website(site) {
            Some(w) => Outcome::Ipv6(Box::new(ipv6::check(ctx, w).await)),
            None => return Err(unknown_target("website", site)),
        },
        Task::Tls { site } => match reg.website(site) {
            Some(w) => Outcome::Tls(Box::new(tls::check(ctx, w).await)),
            None => return Err(unknown_target("website", site)),
        },
    };
    Ok((outcome, said))
}

/// A job naming something its round does not have was forged or corrupted: no scheduler of
/// the round sent it, so the round neither waits for it nor may its report show it.
fn unknown_target(kind: &str, id: &str) -> String {
    format!("the round has no {kind} `{id}`")
}

/// Runs CPU work on the blocking pool. A panic in it goes on in the check (which returns the
/// job to the queue), as if it had run in place.
pub(crate) async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(v) => v,
        Err(e) => match e.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(_) => panic!("reading the page was cancelled: the runtime is shutting down"),
        },
    }
}
