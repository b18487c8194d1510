//! Figures and findings of a round, from its stored results alone.
//!
//! Results are evidence; this module judges them with the round's plan. Everything is
//! ordered deterministically (indicator catalogue order, then the registry's unit order), so
//! the same results give the same report byte for byte, whichever process collected them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::Task;
use spotcheck_core::outcome::{
    ColumnOutcome, Item, JobResult, LinkState, MenuOutcome, MenuSource, Outcome, Verdict,
};
use spotcheck_core::registry::{ColumnType, Registry, Website};
use spotcheck_core::round::Round;

use crate::model::*;

/// Computes the report of a round from its results.
pub fn compute(round: &Round, results: &[JobResult]) -> Report {
    let (refusals, judged) = crate::refused::split(round, results);
    let mut c = Computation::new(round, judged.as_deref().unwrap_or(results));
    c.sites();
    c.links();
    c.accounts();
    c.dead_jobs();
    c.findings.extend(refusals);
    c.finish()
}

struct Computation<'a> {
    round: &'a Round,
    reg: &'a Registry,
    results: &'a [JobResult],
    /// Verdicts of fetched URLs (link checks and pages read beyond the homepage).
    verdicts: HashMap<&'a str, &'a Verdict>,
    findings: Vec<Finding>,
    vetoed_sites: HashSet<&'a str>,
    vetoed_accounts: HashSet<&'a str>,
    checked_sites: BTreeSet<&'a str>,
    checked_accounts: BTreeSet<&'a str>,
    updates: BTreeMap<String, u32>,
    letters: BTreeMap<String, (u32, u32)>,
    interviews: BTreeMap<String, u32>,
    /// The website carrying each unit's interview column (unit name → site id).
    interview_sites: HashMap<String, String>,
}

impl<'a> Computation<'a> {
    fn new(round: &'a Round, results: &'a [JobResult]) -> Self {
        let mut verdicts = HashMap::new();
        for r in results {
            match (&r.job.task, &r.outcome) {
                (Task::Check { url }, Outcome::Link(v)) => {
                    verdicts.insert(url.as_str(), v);
                }
                (Task::Page { url, depth, .. }, Outcome::Page(p)) if *depth > 0 => {
                    verdicts.insert(url.as_str(), &p.verdict);
                }
                _ => {}
            }
        }
        Computation {
            round,
            reg: &round.registry,
            results,
            verdicts,
            findings: Vec::new(),
            vetoed_sites: HashSet::new(),
            vetoed_accounts: HashSet::new(),
            checked_sites: BTreeSet::new(),
            checked_accounts: BTreeSet::new(),
            updates: BTreeMap::new(),
            letters: BTreeMap::new(),
            interviews: BTreeMap::new(),
            interview_sites: HashMap::new(),
        }
    }

    fn unit_name(&self, id: &str) -> String {
        self.reg.unit_name(id).to_string()
    }

    fn sites(&mut self) {
        let plan = &self.round.plan;
        // Every unit that owns a disclosure or interview column is listed, zeros included.
        for site in &self.reg.websites {
            for col in &site.columns {
                let unit = self.unit_name(col.unit_or(site));
                match col.kind {
                    ColumnType::Disclosure => {
                        self.updates.entry(unit).or_insert(0);
                    }
                    ColumnType::Interview => {
                        self.interview_sites
                            .entry(unit.clone())
                            .or_insert_with(|| site.id.clone());
                        self.interviews.entry(unit).or_insert(0);
                    }
                    _ => {}
                }
            }
        }
        for site in &self.reg.websites {
            let mine: Vec<&JobResult> = self
                .results
                .iter()
                .filter(|r| task_site(&r.job.task) == Some(site.id.as_str()))
                .collect();
            if mine.is_empty() {
                continue;
            }
            self.checked_sites.insert(&site.id);
            let unreachable = self.availability(site, &mine);
            if !unreachable {
                self.homepage(site, &mine);
            }
            let mut stale = Vec::new();
            let mut blank = Vec::new();
            for r in &mine {
                if let (Task::Column { column, .. }, Outcome::Column(out)) =
                    (&r.job.task, &r.outcome)
                {
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
                    };
                    if !out.verdict.is_ok() && out.items.is_empty() {
                        blank.push(finding(
                            Indicator::ColumnBlank,
                            format!("栏目页面无法打开（{}）", out.verdict.reason),
                        ));
                    } else if out.items.is_empty() {
                        blank.push(finding(Indicator::ColumnBlank, "栏目无任何信息".into()));
                    } else if let Some(limit) = plan.freshness.threshold(col.kind) {
                        let newest = out.items.iter().filter_map(item_date).max();
                        match newest {
                            None => stale.push(finding(
                                Indicator::ColumnStale,
                                "栏目信息均无发布日期".into(),
                            )),
                            Some(d) if (self.round.as_of - d).num_days() > limit.days() => stale
                                .push(finding(
                                    Indicator::ColumnStale,
                                    format!(
                                        "最新信息发布于{d}，截至{}已{}天未更新（要求{}天内）",
                                        self.round.as_of,
                                        (self.round.as_of - d).num_days(),
                                        limit.days()
                                    ),
                                )),
                            Some(_) => {}
                        }
                    }
                }
            }
            for (list, veto_at) in [
                (stale, plan.freshness.stale_columns_veto),
                (blank, plan.freshness.blank_columns_veto),
            ] {
                let veto = veto_at > 0 && list.len() as u32 >= veto_at;
                if veto {
                    self.vetoed_sites.insert(&site.id);
                }
                for mut f in list {
                    if veto {
                        f.severity = Severity::Veto;
                    }
                    self.findings.push(f);
                }
            }
        }
    }

    /// `site.unreachable` from the homepage visits; true when the site is unreachable.
    fn availability(&mut self, site: &'a Website, mine: &[&JobResult]) -> bool {
        let visits: Vec<_> = mine
            .iter()
            .filter_map(|r| match (&r.job.task, &r.outcome) {
                (Task::Probe { n, .. }, Outcome::Visit(v)) => Some((*n, v)),
                _ => None,
            })
            .collect();
        let failed: Vec<_> = visits.iter().filter(|(_, v)| !v.ok).collect();
        let ratio = self.round.plan.availability.fail_ratio;
        if visits.is_empty() || (failed.len() as f64) < ratio * visits.len() as f64 {
            return false;
        }
        let first = failed
            .iter()
            .min_by_key(|(n, _)| *n)
            .and_then(|(_, v)| v.error.clone())
            .unwrap_or_default();
        self.vetoed_sites.insert(&site.id);
        self.findings.push(Finding {
            indicator: Indicator::SiteUnreachable,
            severity: Severity::Veto,
            unit: self.unit_name(&site.unit),
            target: site.name.clone(),
            url: Some(site.url.to_string()),
            detail: format!("{}次访问中{}次失败（{first}）", visits.len(), failed.len()),
            pages: Vec::new(),
            menu_path: None,
            website: Some(site.id.clone()),
            account: None,
        });
        true
    }

    fn homepage(&mut self, site: &'a Website, mine: &[&JobResult]) {
        let limit = self.round.plan.freshness.homepage;
        for r in mine {
            let (Task::Page { depth: 0, .. }, Outcome::Page(p)) = (&r.job.task, &r.outcome) else {
                continue;
            };
            if !p.verdict.is_ok() {
                continue;
            }
            let detail = match p.newest {
                None => "首页无带日期的信息".to_string(),
                Some(d) if (self.round.as_of - d).num_days() > limit.days() => format!(
                    "首页最新信息发布于{d}，截至{}已{}天未更新（要求{}天内）",
                    self.round.as_of,
                    (self.round.as_of - d).num_days(),
                    limit.days()
                ),
                Some(_) => continue,
            };
            self.vetoed_sites.insert(&site.id);
            self.findings.push(Finding {
                indicator: Indicator::HomepageStale,
                severity: Severity::Veto,
                unit: self.unit_name(&site.unit),
                target: site.name.clone(),
                url: Some(site.url.to_string()),
                detail,
                pages: Vec::new(),
                menu_path: None,
                website: Some(site.id.clone()),
                account: None,
            });
        }
    }

    /// Update counts, letters and interviews from a column's items.
    fn column_figures(&mut self, site: &'a Website, column: usize, out: &ColumnOutcome) {
        let Some(col) = site.columns.get(column) else {
            return;
        };
        let window = self.round.window;
        let as_of = self.round.as_of;
        let unit = self.unit_name(col.unit_or(site));
        match col.kind {
            ColumnType::Disclosure => {
                let n = out
                    .items
                    .iter()
                    .filter(|i| i.date.is_some_and(|d| window.contains(d)))
                    .count() as u32;
                *self.updates.entry(unit).or_insert(0) += n;
            }
            ColumnType::Interview => {
                let n = out
                    .items
                    .iter()
                    .filter(|i| i.date.is_some_and(|d| window.contains(d)))
                    .count() as u32;
                *self.interviews.entry(unit).or_insert(0) += n;
            }
            ColumnType::Letters => {
                let limit = self.round.plan.letters.unanswered_veto.days();
                for item in &out.items {
                    let label = item.unit.as_deref().unwrap_or("").trim();
                    let handler = self
                        .reg
                        .unit_by_label(label)
                        .map(|u| u.name.clone())
                        .unwrap_or_else(|| {
                            if label.is_empty() {
                                unit.clone()
                            } else {
                                label.to_string()
                            }
                        });
                    let replied = letter_replied(item, as_of);
                    let received = item_date(item);
                    if let Some(d) = received {
                        if window.contains(d) {
                            let e = self.letters.entry(handler.clone()).or_insert((0, 0));
                            e.0 += 1;
                            if replied {
                                e.1 += 1;
                            }
                        }
                        if !replied && d <= as_of && (as_of - d).num_days() > limit {
                            self.vetoed_sites.insert(&site.id);
                            self.findings.push(Finding {
                                indicator: Indicator::LetterUnanswered,
                                severity: Severity::Veto,
                                unit: handler,
                                target: col.name.clone(),
                                url: item.url.as_ref().map(|u| u.to_string()),
                                detail: format!(
                                    "{}：留言“{}”于{d}收到，截至{as_of}已{}天未回复",
                                    site.name,
                                    item.title,
                                    (as_of - d).num_days()
                                ),
                                pages: Vec::new(),
                                menu_path: None,
                                website: Some(site.id.clone()),
                                account: None,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// One `links.broken` finding per broken URL and site, naming every page that links it.
    fn links(&mut self) {
        // (site id, url) → pages linking it
        let mut refs: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
        for r in self.results {
            if let (Task::Page { site, url, .. }, Outcome::Page(p)) = (&r.job.task, &r.outcome) {
                for l in &p.links {
                    refs.entry((site.as_str(), l.as_str()))
                        .or_default()
                        .insert(url.as_str());
                }
            }
        }
        for ((site_id, url), pages) in refs {
            let Some(v) = self.verdicts.get(url) else {
                continue;
            };
            let severity = match v.state {
                LinkState::Ok => continue,
                LinkState::Broken => Severity::Deduct,
                LinkState::Unknown => Severity::Notice,
            };
            let Some(site) = self.reg.website(site_id) else {
                continue;
            };
            let pages: Vec<String> = pages.into_iter().map(str::to_string).collect();
            let detail = match v.state {
                LinkState::Unknown => {
                    format!("无法判定（{}），见于{}个页面", v.reason, pages.len())
                }
                _ => format!("{}，见于{}个页面", v.reason, pages.len()),
            };
            self.findings.push(Finding {
                indicator: Indicator::LinkBroken,
                severity,
                unit: self.unit_name(&site.unit),
                target: site.name.clone(),
                url: Some(url.to_string()),
                detail,
                pages,
                menu_path: None,
                website: Some(site.id.clone()),
                account: None,
            });
        }
    }

    fn accounts(&mut self) {
        for r in self.results {
            let (Task::Menu { account }, Outcome::Menu(menu)) = (&r.job.task, &r.outcome) else {
                continue;
            };
            let Some(acc) = self.reg.account(account) else {
                continue;
            };
            self.checked_accounts.insert(&acc.id);
            self.menu(acc.id.as_str(), &acc.unit, &acc.name, menu);
        }
    }

    fn menu(&mut self, account: &'a str, unit: &str, name: &str, menu: &MenuOutcome) {
        let unit = self.unit_name(unit);
        if menu.source == MenuSource::None {
            self.findings.push(Finding {
                indicator: Indicator::WechatUnavailable,
                severity: Severity::Notice,
                unit: unit.clone(),
                target: name.to_string(),
                url: None,
                detail: menu
                    .problem
                    .clone()
                    .unwrap_or_else(|| "菜单无法读取".into()),
                pages: Vec::new(),
                menu_path: None,
                website: None,
                account: Some(account.to_string()),
            });
            return;
        }
        for button in &menu.buttons {
            for url in &button.urls {
                let Some(v) = self.verdicts.get(url.as_str()) else {
                    continue;
                };
                let (severity, detail) = match v.state {
                    LinkState::Ok => continue,
                    LinkState::Broken => (
                        Severity::Deduct,
                        format!("{}，菜单 {}", v.reason, button.path),
                    ),
                    LinkState::Unknown => (
                        Severity::Notice,
                        format!("无法判定（{}），菜单 {}", v.reason, button.path),
                    ),
                };
                self.findings.push(Finding {
                    indicator: Indicator::MenuLinkBroken,
                    severity,
                    unit: unit.clone(),
                    target: name.to_string(),
                    url: Some(url.to_string()),
                    detail,
                    pages: Vec::new(),
                    menu_path: Some(button.path.clone()),
                    website: None,
                    account: Some(account.to_string()),
                });
            }
        }
    }

    /// Jobs that no worker could process are reported, never silently missing.
    fn dead_jobs(&mut self) {
        for r in self.results {
            let Outcome::Dead { reason } = &r.outcome else {
                continue;
            };
            let (unit, target, url, website, account) = match &r.job.task {
                Task::Probe { site, .. } | Task::Page { site, .. } | Task::Column { site, .. } => {
                    match self.reg.website(site) {
                        Some(w) => (
                            self.unit_name(&w.unit),
                            w.name.clone(),
                            None,
                            Some(site.clone()),
                            None,
                        ),
                        None => continue,
                    }
                }
                Task::Menu { account } => match self.reg.account(account) {
                    Some(a) => (
                        self.unit_name(&a.unit),
                        a.name.clone(),
                        None,
                        None,
                        Some(account.clone()),
                    ),
                    None => continue,
                },
                Task::Check { url } => (
                    String::new(),
                    url.to_string(),
                    Some(url.to_string()),
                    None,
                    None,
                ),
            };
            let url = url.or_else(|| match &r.job.task {
                Task::Page { url, .. } => Some(url.to_string()),
                _ => None,
            });
            self.findings.push(Finding {
                indicator: Indicator::JobFailed,
                severity: Severity::Notice,
                unit,
                target,
                url,
                detail: format!("{}任务未能完成：{reason}", r.job.task.kind()),
                pages: Vec::new(),
                menu_path: None,
                website,
                account,
            });
        }
    }

    fn unit_rank(&self, name: &str) -> usize {
        self.reg
            .units
            .iter()
            .position(|u| u.name == name)
            .unwrap_or(usize::MAX)
    }

    fn finish(mut self) -> Report {
        let rank: HashMap<String, usize> = self
            .reg
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.name.clone(), i))
            .collect();
        let r = |n: &str| rank.get(n).copied().unwrap_or(usize::MAX);
        self.findings.sort_by(|a, b| {
            (
                a.indicator,
                a.severity,
                r(&a.unit),
                &a.unit,
                &a.target,
                &a.url,
                &a.detail,
            )
                .cmp(&(
                    b.indicator,
                    b.severity,
                    r(&b.unit),
                    &b.unit,
                    &b.target,
                    &b.url,
                    &b.detail,
                ))
        });

        let mut problems: Vec<Problem> = Vec::new();
        for f in self
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Notice)
        {
            match problems.last_mut() {
                Some(p) if p.indicator == f.indicator => {
                    if !p.units.contains(&f.unit) {
                        p.units.push(f.unit.clone());
                    }
                }
                _ => problems.push(Problem {
                    indicator: f.indicator,
                    units: vec![f.unit.clone()],
                }),
            }
        }

        let mut updates: Vec<UnitCount> = self
            .updates
            .iter()
            .map(|(u, c)| UnitCount {
                unit: u.clone(),
                count: *c,
            })
            .collect();
        updates.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(self.unit_rank(&a.unit).cmp(&self.unit_rank(&b.unit)))
                .then(a.unit.cmp(&b.unit))
        });

        let mut letters: Vec<UnitLetters> = self
            .letters
            .iter()
            .map(|(u, (rec, rep))| UnitLetters {
                unit: u.clone(),
                received: *rec,
                replied: *rep,
                reply_rate: rate(*rep, *rec),
            })
            .collect();
        letters.sort_by(|a, b| {
            b.received
                .cmp(&a.received)
                .then(self.unit_rank(&a.unit).cmp(&self.unit_rank(&b.unit)))
                .then(a.unit.cmp(&b.unit))
        });
        let received = letters.iter().map(|l| l.received).sum();
        let replied = letters.iter().map(|l| l.replied).sum();

        let mut interviews: Vec<UnitInterviews> = self
            .interviews
            .iter()
            .map(|(u, h)| UnitInterviews {
                unit: u.clone(),
                held: *h,
            })
            .collect();
        interviews.sort_by_key(|i| (self.unit_rank(&i.unit), i.unit.clone()));
        let required = self.round.plan.interview.required_per_window;
        let mut missing = Vec::new();
        for i in interviews.iter().filter(|i| i.held < required) {
            missing.push(Finding {
                indicator: Indicator::InterviewMissing,
                severity: Severity::Deduct,
                unit: i.unit.clone(),
                target: "在线访谈".into(),
                url: None,
                detail: format!(
                    "{}至{}开展在线访谈{}次（要求{}次）",
                    self.round.window.from, self.round.window.to, i.held, required
                ),
                pages: Vec::new(),
                menu_path: None,
                website: self.interview_sites.get(&i.unit).cloned(),
                account: None,
            });
        }
        if !missing.is_empty() {
            let units: Vec<String> = missing.iter().map(|f| f.unit.clone()).collect();
            let at = self
                .findings
                .iter()
                .position(|f| f.indicator > Indicator::InterviewMissing)
                .unwrap_or(self.findings.len());
            self.findings.splice(at..at, missing);
            let pat = problems
                .iter()
                .position(|p| p.indicator > Indicator::InterviewMissing)
                .unwrap_or(problems.len());
            problems.insert(
                pat,
                Problem {
                    indicator: Indicator::InterviewMissing,
                    units,
                },
            );
        }

        let sites = Counts {
            registered: self.reg.websites.len() as u32,
            checked: self.checked_sites.len() as u32,
            passed: self
                .checked_sites
                .iter()
                .filter(|s| !self.vetoed_sites.contains(*s))
                .count() as u32,
        };
        let accounts = Counts {
            registered: self.reg.accounts.len() as u32,
            checked: self.checked_accounts.len() as u32,
            passed: self
                .checked_accounts
                .iter()
                .filter(|a| !self.vetoed_accounts.contains(*a))
                .count() as u32,
        };
        let dead = self
            .results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Dead { .. }))
            .count() as u32;
        Report {
            schema: SCHEMA.to_string(),
            round: RoundInfo {
                id: self.round.id.0.clone(),
                kind: self.round.kind,
                parent: self.round.parent.as_ref().map(|p| p.0.clone()),
                window: WindowInfo {
                    from: self.round.window.from,
                    to: self.round.window.to,
                },
                as_of: self.round.as_of,
            },
            region: self.reg.meta.region.clone(),
            name: self.reg.meta.name.clone(),
            summary: Summary {
                websites: sites,
                accounts,
                sample_rate: rate(
                    sites.checked + accounts.checked,
                    sites.registered + accounts.registered,
                ),
                pass_rate: rate(
                    sites.passed + accounts.passed,
                    sites.checked + accounts.checked,
                ),
                letters: LettersTotal {
                    received,
                    replied,
                    reply_rate: rate(replied, received),
                },
                jobs: JobCounts {
                    total: self.results.len() as u32,
                    dead,
                },
            },
            updates,
            letters,
            interviews,
            findings: self.findings,
            problems,
            rectification: None,
        }
    }
}

/// `part / whole`; a whole of zero has nothing missing, so the rate is 1.
fn rate(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The date an item was published or a letter received.
fn item_date(item: &Item) -> Option<NaiveDate> {
    item.received.or(item.date)
}

/// A letter counts as replied when the board says so (or shows an answer date) by `as_of`.
fn letter_replied(item: &Item, as_of: NaiveDate) -> bool {
    let answered_in_time = item.answered.is_none_or(|d| d <= as_of);
    match item.replied {
        Some(true) => answered_in_time,
        Some(false) => false,
        None => item.answered.is_some_and(|d| d <= as_of),
    }
}

fn task_site(t: &Task) -> Option<&str> {
    match t {
        Task::Probe { site, .. } | Task::Page { site, .. } | Task::Column { site, .. } => {
            Some(site)
        }
        _ => None,
    }
}
