//! Trends: 合格率 and problem counts quarter over quarter, from the complete spot rounds.

use maud::{Markup, html};
use spotcheck_core::round::RoundKind;
use spotcheck_report::notice::percent;

use crate::access::Who;
use crate::charts::{Series, lines};
use crate::engine::RoundView;

pub fn page(who: &Who, rounds: &[RoundView]) -> Markup {
    let mut spots: Vec<&RoundView> = rounds
        .iter()
        .filter(|v| v.round.kind == RoundKind::Spot && v.report.is_some())
        .collect();
    spots.sort_by_key(|v| (v.round.as_of, v.round.id.clone()));
    let labels: Vec<String> = spots.iter().map(|v| v.round.id.0.clone()).collect();
    let rate = |v: &&RoundView| v.report.as_ref().map_or(0.0, |r| r.summary.pass_rate);
    let problems = |v: &&RoundView| v.report.as_ref().map_or(0.0, |r| r.findings.len() as f64);
    let most = spots.iter().map(problems).fold(0.0, f64::max);
    let chart = lines(
        "合格率与问题数（按轮次）",
        &labels,
        &[
            (
                Series {
                    name: "合格率",
                    class: "s-rate",
                    values: spots.iter().map(rate).collect(),
                    format: percent,
                },
                1.0,
            ),
            (
                Series {
                    name: "问题数",
                    class: "s-count",
                    values: spots.iter().map(problems).collect(),
                    format: |v| format!("{v:.0}"),
                },
                most * 1.2,
            ),
        ],
    );
    super::layout::page(
        "趋势",
        who,
        html! {
            h1 { "趋势" }
            (chart)
            @if !spots.is_empty() {
                table.trends {
                    thead { tr { th { "轮次" } th { "检查时点" } th.num { "抽查率" } th.num { "合格率" } th.num { "问题数" } } }
                    tbody {
                        @for v in &spots {
                            @if let Some(r) = &v.report {
                                tr {
                                    td { a href=(format!("/rounds/{}", v.round.id)) { (v.round.id) } }
                                    td { (v.round.as_of) }
                                    td.num { (percent(r.summary.sample_rate)) }
                                    td.num { (percent(r.summary.pass_rate)) }
                                    td.num { (r.findings.len()) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
