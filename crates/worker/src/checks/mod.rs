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
use spotcheck_core::outcome::Outcome;

use crate::RoundContext;

/// Runs the check a job asks for.
pub async fn run(ctx: &RoundContext, job: &Job) -> Outcome {
    let reg = &ctx.round.registry;
    match &job.task {
        Task::Visit { site, .. } => match reg.website(site) {
            Some(w) => Outcome::Visit(visit::visit(ctx, &w.url).await),
            None => unknown_target("website", site),
        },
        Task::Page { url, .. } => Outcome::Page(page::read(ctx, url).await),
        Task::Link { url } => Outcome::Link(link::check(ctx, url).await),
        Task::Column { site, column } => {
            match reg.website(site).and_then(|w| w.columns.get(*column)) {
                Some(c) => Outcome::Column(column::read(ctx, c).await),
                None => unknown_target("column", &format!("{site}#{column}")),
            }
        }
        Task::Menu { account } => match reg.account(account) {
            Some(a) => Outcome::Menu(menu::read(ctx, a).await),
            None => unknown_target("account", account),
        },
        Task::Ipv6 { site } => match reg.website(site) {
            Some(w) => Outcome::Ipv6(ipv6::check(ctx, w).await),
            None => unknown_target("website", site),
        },
        Task::Tls { site } => match reg.website(site) {
            Some(w) => Outcome::Tls(tls::check(ctx, w).await),
            None => unknown_target("website", site),
        },
    }
}

/// A job naming something its round does not have was forged or corrupted; it is recorded
/// as dead so the round can still complete.
fn unknown_target(kind: &str, id: &str) -> Outcome {
    Outcome::Dead {
        reason: format!("the round has no {kind} `{id}`"),
    }
}
