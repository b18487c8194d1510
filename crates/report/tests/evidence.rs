//! A report from what it reads of the results (`Evidence`: link checks that found their link
//! fine kept as ids only) equals the report from every result — a spot round's, and a
//! re-check's on top of its parent — while the fine link checks are not kept.

use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, PageOutcome, Verdict};
use spotcheck_core::round::{Round, RoundId, RoundKind, Scope};
use spotcheck_core::{Plan, Registry};
use spotcheck_report::{Evidence, Finished, Report, report_of};
use spotcheck_testkit::outcomes::visit;
use spotcheck_testkit::rounds::{self, RegistryText};
use url::Url;

/// Pages read beyond the homepage that a link check of the same URL found fine: with this
/// many, both orders of their job ids occur (asserted below).
const SHARED: usize = 20;

fn registry() -> Registry {
    RegistryText::new("测试市", "测试")
        .unit("szf", "市政府办")
        .unit("jyj", "市教育局")
        .website("portal", "szf", "门户", "http://www.a.gov.cn/")
        .website("jyj", "jyj", "教育局网站", "http://jyj.a.gov.cn/")
        .parse()
}

fn u(s: &str) -> Url {
    s.parse().unwrap()
}

fn link(r: &Round, url: &str, verdict: Verdict) -> JobResult {
    JobResult::new(
        Job::new(&r.id, Task::Link { url: u(url) }),
        Outcome::Link(verdict),
    )
}

fn page(
    r: &Round,
    site: &str,
    url: &str,
    depth: u8,
    verdict: Verdict,
    links: &[String],
) -> JobResult {
    JobResult::new(
        Job::new(
            &r.id,
            Task::Page {
                site: site.into(),
                url: u(url),
                depth,
            },
        ),
        Outcome::Page(PageOutcome {
            verdict,
            links: links.iter().map(|l| u(l)).collect(),
            newest: None,
        }),
    )
}

/// A site's visit, its homepage linking `fine` URLs found fine and `broken` found broken,
/// and the shared pages (read as pages, broken, and checked as links, fine).
fn site_results(r: &Round, site: &str, home: &str, fine: usize, broken: &[&str]) -> Vec<JobResult> {
    let mut links: Vec<String> = (0..fine).map(|n| format!("{home}ok/{n}.html")).collect();
    links.extend(broken.iter().map(|b| b.to_string()));
    let shared: Vec<String> = (0..SHARED).map(|n| format!("{home}p/{n}.html")).collect();
    links.extend(shared.iter().cloned());
    let mut out = vec![
        JobResult::new(
            Job::new(
                &r.id,
                Task::Visit {
                    site: site.into(),
                    n: 0,
                },
            ),
            visit(true),
        ),
        page(r, site, home, 0, Verdict::ok(200), &links),
    ];
    for l in &links[..fine] {
        out.push(link(r, l, Verdict::ok(200)));
    }
    for b in broken {
        out.push(link(r, b, Verdict::broken(Some(404), "HTTP 404")));
    }
    for s in &shared {
        out.push(page(
            r,
            site,
            s,
            1,
            Verdict::broken(Some(404), "HTTP 404"),
            &[],
        ));
        out.push(link(r, s, Verdict::ok(200)));
    }
    out.sort_by(|a, b| a.job.id.cmp(&b.job.id));
    out
}

/// What a report of a stored round keeps, given the results a few at a time as a store does.
fn evidence(results: &[JobResult]) -> Evidence {
    let mut e = Evidence::default();
    for batch in results.chunks(7) {
        e.add(batch.to_vec());
    }
    e
}

fn whole<'a>(round: &'a Round, results: &'a [JobResult]) -> Finished<'a> {
    Finished {
        round,
        results,
        unread: &[],
    }
}

fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap()
}

fn spot() -> (Round, Vec<JobResult>) {
    let r = rounds::round("2020Q4-ev", registry(), Plan::default());
    let mut results = site_results(
        &r,
        "portal",
        "http://www.a.gov.cn/",
        30,
        &[
            "http://www.a.gov.cn/gone.html",
            "http://www.a.gov.cn/lost.html",
        ],
    );
    results.extend(site_results(&r, "jyj", "http://jyj.a.gov.cn/", 10, &[]));
    results.sort_by(|a, b| a.job.id.cmp(&b.job.id));
    (r, results)
}

#[test]
fn a_spot_rounds_report_from_its_evidence_is_the_report_from_every_result() {
    let (r, results) = spot();
    let e = evidence(&results);
    let fine = results
        .iter()
        .filter(|x| matches!(&x.outcome, Outcome::Link(v) if v.state == spotcheck_core::outcome::LinkState::Ok))
        .count();
    assert_eq!(
        e.unread.len(),
        fine,
        "every fine link check is kept as its id"
    );
    assert_eq!(e.results.len(), results.len() - fine);
    // The shared URLs' page verdicts (broken) stand only where the page's job comes later
    // than the link check's: both cases are here.
    let later = |x: &JobResult| {
        let Task::Page { url, depth: 1, .. } = &x.job.task else {
            return None;
        };
        Some(Task::Link { url: url.clone() }.id() > x.job.id)
    };
    let orders: Vec<bool> = results.iter().filter_map(later).collect();
    assert!(
        orders.contains(&true) && orders.contains(&false),
        "{orders:?}"
    );

    let from_all = report_of(whole(&r, &results), None);
    let from_evidence = report_of(e.of(&r), None);
    assert_eq!(json(&from_evidence), json(&from_all));
    assert_eq!(from_evidence.summary.jobs.total as usize, results.len());
    let broken = from_all
        .findings
        .iter()
        .filter(|f| f.indicator == spotcheck_core::indicator::Indicator::LinkBroken)
        .count();
    let shared_broken = orders.iter().filter(|later| !**later).count();
    assert_eq!(broken, 2 + shared_broken, "{:#?}", from_all.findings);
}

#[test]
fn a_rechecks_report_from_evidence_is_the_report_from_every_result() {
    let (parent, parent_results) = spot();
    let r = Round {
        id: RoundId("2021Q1-ev-re".into()),
        kind: RoundKind::Recheck,
        parent: Some(parent.id.clone()),
        scope: Some(Scope {
            websites: vec!["portal".into()],
            accounts: Vec::new(),
        }),
        ..rounds::round("2021Q1-ev-re", registry(), Plan::default())
    };
    // gone.html is fixed (its check now finds it fine, so only its id is kept); lost.html
    // is still broken; a new link appeared.
    let mut results = site_results(
        &r,
        "portal",
        "http://www.a.gov.cn/",
        31,
        &["http://www.a.gov.cn/lost.html"],
    );
    results.push(link(&r, "http://www.a.gov.cn/gone.html", Verdict::ok(200)));
    results.sort_by(|a, b| a.job.id.cmp(&b.job.id));

    let (pe, e) = (evidence(&parent_results), evidence(&results));
    let from_all = report_of(whole(&r, &results), Some(whole(&parent, &parent_results)));
    let from_evidence = report_of(e.of(&r), Some(pe.of(&parent)));
    assert_eq!(json(&from_evidence), json(&from_all));
    let rect = from_evidence
        .rectification
        .expect("a re-check says what was rectified");
    let gone = rect
        .items
        .iter()
        .find(|i| i.url.as_deref() == Some("http://www.a.gov.cn/gone.html"))
        .expect("gone.html was a problem");
    assert!(gone.rectified, "{gone:?}");
    let lost = rect
        .items
        .iter()
        .find(|i| i.url.as_deref() == Some("http://www.a.gov.cn/lost.html"))
        .expect("lost.html was a problem");
    assert!(!lost.rectified, "{lost:?}");
}
