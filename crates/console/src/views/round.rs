//! A round's page: live progress while it runs, then the figures, the charts, the findings
//! with their evidence, the downloads, and — for a re-check — what each unit rectified, side by
//! side with the spot round.

use std::collections::BTreeMap;

use maud::{Markup, html};
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::round::RoundKind;
use spotcheck_report::Report;
use spotcheck_report::model::{Finding, Rectification};
use spotcheck_report::notice::{percent, rectified_label, severity_label};

use super::{done_percent, kind_label, state_label};
use crate::access::Who;
use crate::charts::bars;
use crate::engine::RoundView;
use spotcheck_report::notice::units_with_problems;

/// The findings table's filter, from the query string.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Filter {
    pub unit: Option<String>,
    pub indicator: Option<String>,
    pub severity: Option<String>,
}

impl Filter {
    fn keeps(&self, f: &Finding) -> bool {
        let is = |want: &Option<String>, have: &str| {
            want.as_deref().is_none_or(|w| w.is_empty() || w == have)
        };
        is(&self.unit, &f.unit)
            && is(&self.indicator, f.indicator.code())
            && is(&self.severity, severity_code(f.severity))
    }
}

/// What the page shows besides the round itself.
pub struct Context<'a> {
    /// The re-checks started from this round.
    pub rechecks: Vec<&'a RoundView>,
    /// The as-of date the re-check form proposes.
    pub recheck_as_of: String,
    pub filter: Filter,
}

pub fn page(who: &Who, v: &RoundView, cx: &Context<'_>) -> Markup {
    let r = &v.round;
    let base = format!("/rounds/{}", r.id);
    super::layout::page(
        &format!("{}{}", kind_label(r.kind), r.id),
        who,
        html! {
            h1 { (kind_label(r.kind)) " " (r.id) }
            p.meta {
                "统计时段 " (r.window.from) " 至 " (r.window.to) "，检查时点 " (r.as_of)
                @if let Some(p) = &r.parent { "，复查对象 " a href=(format!("/rounds/{p}")) { (p) } }
                "，" span #state { (state_label(&v.progress)) }
            }
            section #progress data-events=(format!("{base}/events")) data-complete=(v.progress.complete) {
                progress #progress-bar max="100" value=(done_percent(&v.progress)) {}
                " "
                span #progress-percent { (done_percent(&v.progress)) "%" }
                " "
                span #progress-text.muted { (v.progress.done) " / " (v.progress.total) " 项任务，" (v.progress.dead) " 项失败" }
            }
            @if let Some(rep) = &v.report {
                (figures(rep))
                @if let Some(rect) = &rep.rectification { (rectification(rect, r.parent.as_ref().map(|p| p.0.as_str()))) }
                (downloads(&base, rep))
                @if r.kind == RoundKind::Spot { (recheck(who, &base, cx)) }
                (charts(&base, rep))
                (findings(&base, rep, &cx.filter))
            } @else {
                p.muted { "轮次完成后显示结果；本页会自动更新。" }
            }
        },
    )
}

fn figures(rep: &Report) -> Markup {
    let s = &rep.summary;
    html! {
        section.figures {
            div.figure {
                span.name { "抽查率" }
                a.value #sample-rate href="#findings" data-value=(s.sample_rate) { (percent(s.sample_rate)) }
                span.sub { "网站 " (s.websites.checked) "/" (s.websites.registered) "，新媒体 " (s.accounts.checked) "/" (s.accounts.registered) }
            }
            div.figure {
                span.name { "合格率" }
                a.value #pass-rate href="#findings" data-value=(s.pass_rate) { (percent(s.pass_rate)) }
                span.sub { "合格 网站 " (s.websites.passed) "、新媒体 " (s.accounts.passed) }
            }
            div.figure {
                span.name { "留言办结率" }
                span.value data-value=(s.letters.reply_rate) { (percent(s.letters.reply_rate)) }
                span.sub { "收到 " (s.letters.received) "，答复 " (s.letters.replied) }
            }
            div.figure {
                span.name { "问题" }
                a.value #problem-count href="#findings" { (rep.findings.len()) }
                span.sub { "涉及 " (units_with_problems(rep).len()) " 个单位" @if s.jobs.dead > 0 { "；" (s.jobs.dead) " 项任务未能完成" } }
            }
        }
    }
}

fn rectification(rect: &Rectification, parent: Option<&str>) -> Markup {
    html! {
        section.rectification #rectification {
            h2 { "整改情况" }
            div.columns {
                div {
                    h3 { "未整改单位（" (rect.not_rectified.len()) "）" }
                    ul #not-rectified-units { @for u in &rect.not_rectified { li { (u) } } }
                }
                div {
                    h3 { "已整改单位（" (rect.rectified.len()) "）" }
                    ul #rectified-units { @for u in &rect.rectified { li { (u) } } }
                }
            }
            table.side-by-side {
                thead { tr {
                    th { "单位" } th { "问题" } th { "检查对象" }
                    th { "抽查时" @if let Some(p) = parent { "（" a href=(format!("/rounds/{p}")) { (p) } "）" } }
                    th { "复查时" } th { "结论" }
                } }
                tbody {
                    @for i in &rect.items {
                        tr class=(if i.rectified { "fixed" } else { "open" }) {
                            td { (i.unit) }
                            td { (i.indicator.title()) }
                            td { (i.target) @if let Some(u) = &i.url { br; a href=(u) target="_blank" rel="noopener noreferrer" { (u) } } }
                            td { (i.before) }
                            td { (i.now) }
                            td.verdict { (rectified_label(i.rectified)) }
                        }
                    }
                }
            }
        }
    }
}

fn downloads(base: &str, rep: &Report) -> Markup {
    let units = units_with_problems(rep);
    html! {
        section.downloads {
            h2 { "下载" }
            p {
                a #download-docx href=(format!("{base}/report.docx")) download { "通报（Word）" } " · "
                a href=(format!("{base}/report.xlsx")) download { "附件表格（Excel）" } " · "
                a href=(format!("{base}/report.html")) { "通报（网页）" } " · "
                a href=(format!("{base}/report.md")) download { "通报（Markdown）" } " · "
                a href=(format!("{base}/report.json")) download { "数据（JSON）" }
            }
            @if !units.is_empty() {
                details {
                    summary { "各单位整改通知单（" (units.len()) "）" " · " a href=(format!("{base}/notices.zip")) download { "全部打包下载（zip）" } }
                    ul.notices {
                        @for (i, u) in units.iter().enumerate() {
                            li { a href=(format!("{base}/notices/{i}")) download { (u) } }
                        }
                    }
                }
            }
        }
    }
}

fn recheck(who: &Who, base: &str, cx: &Context<'_>) -> Markup {
    html! {
        section.recheck {
            h2 { "整改复查" }
            @if !cx.rechecks.is_empty() {
                ul {
                    @for c in &cx.rechecks {
                        li { a href=(format!("/rounds/{}", c.round.id)) { "复查 " (c.round.id) } "（检查时点 " (c.round.as_of) "，" (state_label(&c.progress)) "）" }
                    }
                }
            }
            @if who.role == crate::Role::Operator {
                form.inline method="post" action=(format!("{base}/recheck")) {
                    (super::layout::csrf_field(who))
                    label { "复查时点 " input #recheck-as-of name="as_of" type="date" value=(cx.recheck_as_of); }
                    " "
                    button #start-recheck type="submit" { "发起复查" }
                }
            }
        }
    }
}

fn charts(base: &str, rep: &Report) -> Markup {
    let mut by_indicator: BTreeMap<Indicator, u32> = BTreeMap::new();
    let mut by_unit: BTreeMap<&str, u32> = BTreeMap::new();
    for f in &rep.findings {
        *by_indicator.entry(f.indicator).or_default() += 1;
        *by_unit.entry(f.unit.as_str()).or_default() += 1;
    }
    let link = |k: &str, v: &str| Some(format!("{base}?{k}={}#findings", esc_query(v)));
    let indicators: Vec<(String, u32, Option<String>)> = by_indicator
        .into_iter()
        .map(|(i, n)| (i.title().to_string(), n, link("indicator", i.code())))
        .collect();
    let mut units: Vec<(String, u32, Option<String>)> = by_unit
        .into_iter()
        .map(|(u, n)| (u.to_string(), n, link("unit", u)))
        .collect();
    units.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    html! {
        section.charts {
            (bars("按问题类型", &indicators))
            (bars("按单位", &units))
        }
    }
}

fn findings(base: &str, rep: &Report, filter: &Filter) -> Markup {
    let units = units_with_problems(rep);
    let shown: Vec<&Finding> = rep.findings.iter().filter(|f| filter.keeps(f)).collect();
    let selected = |want: &Option<String>, v: &str| want.as_deref() == Some(v);
    html! {
        section #findings {
            h2 { "问题清单（" (shown.len()) " / " (rep.findings.len()) "）" }
            form.filter method="get" action=(format!("{base}#findings")) {
                select #filter-unit name="unit" {
                    option value="" { "全部单位" }
                    @for u in &units { option value=(u) selected[selected(&filter.unit, u)] { (u) } }
                }
                select #filter-indicator name="indicator" {
                    option value="" { "全部问题类型" }
                    @for i in Indicator::ALL { option value=(i.code()) selected[selected(&filter.indicator, i.code())] { (i.title()) } }
                }
                select #filter-severity name="severity" {
                    option value="" { "全部性质" }
                    @for s in [Severity::Veto, Severity::Deduct, Severity::Notice] {
                        option value=(severity_code(s)) selected[selected(&filter.severity, severity_code(s))] { (severity_label(s)) }
                    }
                }
                button #filter-apply type="submit" { "筛选" }
                " " a href=(format!("{base}#findings")) { "清除" }
            }
            table.findings {
                thead { tr { th { "单位" } th { "问题" } th { "性质" } th { "检查对象" } th { "证据" } } }
                tbody {
                    @for f in shown {
                        tr data-unit=(f.unit) {
                            td { (f.unit) }
                            td { (f.indicator.title()) }
                            td class=(format!("sev {}", severity_code(f.severity))) { (severity_label(f.severity)) }
                            td { (f.target) }
                            td.evidence {
                                (f.detail)
                                @if let Some(m) = &f.menu_path { div { "菜单：" (m) } }
                                @if let Some(u) = &f.url { div { a href=(u) target="_blank" rel="noopener noreferrer" { (u) } } }
                                @if !f.pages.is_empty() {
                                    div { "所在页面："
                                        @for p in f.pages.iter().take(3) { a href=(p) target="_blank" rel="noopener noreferrer" { (p) } " " }
                                        @if f.pages.len() > 3 { "等" (f.pages.len()) "个页面" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Veto => "veto",
        Severity::Deduct => "deduct",
        Severity::Warning => "warning",
        Severity::Notice => "notice",
    }
}

fn esc_query(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
