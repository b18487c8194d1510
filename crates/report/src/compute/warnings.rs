//! Early warnings (预警): a site or column past the plan's `[warnings]` line but short of its
//! veto line. A warning names what it measured and how far the target is from the veto; it
//! never fails a target (合格率 is untouched) and is never a problem of the notice.

use chrono::NaiveDate;
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::registry::Website;

use super::Computation;
use crate::model::Finding;

/// Whether `value` has reached `line`, forgiving the noise of a product of shares.
fn reaches(value: f64, line: f64) -> bool {
    value >= line - 1e-9
}

/// A warning's words for the days left before a freshness limit.
pub(super) fn days_left(age: i64, limit: i64) -> String {
    format!("距{limit}天时限还剩{}天", limit - age)
}

impl Computation<'_> {
    fn site_warning(
        &self,
        indicator: Indicator,
        site: &Website,
        detail: String,
        margin: String,
    ) -> Finding {
        Finding {
            margin: Some(margin),
            ..self.site_finding(indicator, Severity::Warning, site, detail)
        }
    }

    /// `site.unreachable` as a warning: some visits failed, fewer than the veto's share.
    pub(super) fn unreachable_warning(
        &mut self,
        site: &Website,
        visits: usize,
        failed: usize,
        first: &str,
    ) {
        let plan = &self.round.plan;
        let veto = plan.availability.fail_ratio * visits as f64;
        let line = plan.warnings.unreachable_ratio(&plan.availability);
        if failed == 0 || !reaches(failed as f64 / visits as f64, line) {
            return;
        }
        // The failures still missing before the veto, counted as the veto counts them.
        let more = (1..=visits - failed)
            .find(|k| ((failed + k) as f64) >= veto)
            .unwrap_or(visits - failed);
        let w = self.site_warning(
            Indicator::SiteUnreachable,
            site,
            format!("{visits}次访问中{failed}次失败（{first}）"),
            format!("再失败{more}次即单项否决"),
        );
        self.findings.push(w);
    }

    /// `site.homepage_stale` as a warning: the homepage's newest item is within the limit
    /// but past the warning line.
    pub(super) fn homepage_warning(&mut self, site: &Website, newest: NaiveDate) {
        let plan = &self.round.plan;
        let limit = plan.freshness.homepage.days();
        let age = (self.round.as_of - newest).num_days();
        if age > limit || age < plan.warnings.homepage_days(&plan.freshness) {
            return;
        }
        let w = self.site_warning(
            Indicator::HomepageStale,
            site,
            format!(
                "首页最新信息发布于{newest}，截至{}已{age}天未更新（要求{limit}天内）",
                self.round.as_of
            ),
            days_left(age, limit),
        );
        self.findings.push(w);
    }

    /// A site-wide count of stale or blank columns past the warning line, short of the veto.
    pub(super) fn column_count_warning(
        &mut self,
        indicator: Indicator,
        site: &Website,
        count: usize,
    ) {
        let plan = &self.round.plan;
        let (veto, line, what) = match indicator {
            Indicator::ColumnBlank => (
                plan.freshness.blank_columns_veto,
                plan.warnings.blank_columns_count(&plan.freshness),
                "空白栏目",
            ),
            _ => (
                plan.freshness.stale_columns_veto,
                plan.warnings.stale_columns_count(&plan.freshness),
                "栏目超过期限未更新",
            ),
        };
        let count = count as u32;
        if veto == 0 || line == 0 || count < line || count >= veto {
            return;
        }
        let w = self.site_warning(
            indicator,
            site,
            format!("网站有{count}个{what}（{veto}个即单项否决）"),
            format!("再有{}个即单项否决", veto - count),
        );
        self.findings.push(w);
    }
}
