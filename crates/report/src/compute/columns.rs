//! Columns: `column.stale` and `column.blank` per column, vetoes once a site has the plan's
//! count of either, warnings for a column near its limit and a site near either count;
//! every column's items also feed the figures.

use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::Task;
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::registry::Website;

use super::warnings::days_left;
use super::{Computation, item_date};
use crate::model::Finding;

impl<'a> Computation<'a> {
    /// Judges the columns of a checked site; an unreachable site's columns only count.
    pub(super) fn columns(&mut self, site: &'a Website, mine: &[&JobResult], unreachable: bool) {
        let plan = &self.round.plan;
        let mut stale = Vec::new();
        let mut blank = Vec::new();
        // Columns within their limit but past the warning line.
        let mut near = Vec::new();
        for r in mine {
            if let (Task::Column { column, .. }, Outcome::Column(out)) = (&r.job.task, &r.outcome) {
                let Some(col) = site.columns.get(*column) else {
                    continue;
                };
                let unit = col.unit_or(site).to_string();
                self.column_figures(site, *column, out);
                if unreachable {
                    continue;
                }
                let finding = |indicator, detail: String| Finding {
                    indicator,
                    severity: indicator.severity(),
                    unit: self.unit_name(&unit),
                    target: col.name.clone(),
                    url: Some(col.url.to_string()),
                    detail: format!("{}：{detail}", site.name),
                    pages: Vec::new(),
                    menu_path: None,
                    website: Some(site.id.clone()),
                    account: None,
                    margin: None,
                    wording: None,
                };
                if !out.verdict.is_ok() && out.items.is_empty() {
                    blank.push(finding(
                        Indicator::ColumnBlank,
                        format!("栏目页面无法打开（{}）", out.verdict.reason),
                    ));
                } else if out.items.is_empty() {
                    blank.push(finding(Indicator::ColumnBlank, "栏目无任何信息".into()));
                } else if let Some(limit) = plan.freshness.threshold(col.kind) {
                    let Some(d) = out.items.iter().filter_map(item_date).max() else {
                        stale.push(finding(
                            Indicator::ColumnStale,
                            "栏目信息均无发布日期".into(),
                        ));
                        continue;
                    };
                    let age = (self.round.as_of - d).num_days();
                    let detail = format!(
                        "最新信息发布于{d}，截至{}已{age}天未更新（要求{}天内）",
                        self.round.as_of,
                        limit.days()
                    );
                    if age > limit.days() {
                        stale.push(finding(Indicator::ColumnStale, detail));
                    } else if age >= plan.warnings.column_days(limit) {
                        let mut w = finding(Indicator::ColumnStale, detail);
                        w.severity = Severity::Warning;
                        w.margin = Some(days_left(age, limit.days()));
                        near.push(w);
                    }
                }
            }
        }
        for (indicator, list, veto_at) in [
            (
                Indicator::ColumnStale,
                stale,
                plan.freshness.stale_columns_veto,
            ),
            (
                Indicator::ColumnBlank,
                blank,
                plan.freshness.blank_columns_veto,
            ),
        ] {
            let veto = veto_at > 0 && list.len() as u32 >= veto_at;
            if veto {
                self.vetoed_sites.insert(&site.id);
            }
            self.column_count_warning(indicator, site, list.len());
            for mut f in list {
                if veto {
                    f.severity = Severity::Veto;
                }
                self.findings.push(f);
            }
        }
        self.findings.extend(near);
    }
}
