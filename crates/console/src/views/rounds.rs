//! The rounds page: every round, spot and re-check, at a glance.

use maud::{Markup, html};
use spotcheck_report::notice::percent;

use super::{done_percent, kind_label, state_label};
use crate::access::Who;
use crate::engine::RoundView;

/// Newest first.
pub fn page(who: &Who, rounds: &[RoundView]) -> Markup {
    super::layout::page(
        "轮次",
        who,
        html! {
            div.title-row {
                h1 { "抽查轮次" }
                @if who.role == crate::Role::Operator { a.button href="/rounds/new" { "发起抽查" } }
            }
            @if rounds.is_empty() {
                p.muted { "还没有轮次。" }
            } @else {
                @let running = rounds.iter().any(|v| !v.progress.complete);
                table.rounds data-events=[running.then_some("/rounds/events")] {
                    thead { tr {
                        th { "轮次" } th { "类型" } th { "统计时段" } th { "检查时点" }
                        th { "状态" } th { "进度" } th.num { "抽查率" } th.num { "合格率" }
                    } }
                    tbody {
                        @for v in rounds.iter().rev() {
                            @let r = &v.round;
                            tr data-round=(r.id) data-complete=(v.progress.complete) {
                                td { a href=(format!("/rounds/{}", r.id)) { (r.id) } }
                                td {
                                    (kind_label(r.kind))
                                    @if let Some(p) = &r.parent { " （" a href=(format!("/rounds/{p}")) { (p) } "）" }
                                }
                                td { (r.window.from) " 至 " (r.window.to) }
                                td { (r.as_of) }
                                td.state { (state_label(&v.progress)) }
                                td { progress max="100" value=(done_percent(&v.progress)) {} " " span.pct { (done_percent(&v.progress)) "%" } }
                                @if let Some(rep) = &v.report {
                                    td.num { (percent(rep.summary.sample_rate)) }
                                    td.num { (percent(rep.summary.pass_rate)) }
                                } @else {
                                    td.num { "—" } td.num { "—" }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
