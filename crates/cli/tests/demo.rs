//! The demo city end to end in one process: the report's findings and figures are exactly
//! what the simulator serves (counted from its truth, never a second typed copy), and the
//! seed notice's totals hold.

use std::collections::BTreeSet;

use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_report::Report;
use spotcheck_sim::{Scenario, Sim, Truth};

/// The demo's spot round and re-check, with what the city served at each.
async fn demo_rounds() -> (Report, Truth, Report, Truth) {
    let sim = Sim::start(Scenario::seed(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let before = sim.truth();
    let (spot, recheck) = spotcheck::embedded::spot_and_recheck_on_sim(&sim)
        .await
        .unwrap();
    let after = sim.truth();
    sim.shutdown().await;
    (
        spot.report(None),
        before,
        recheck.report(Some(&spot)),
        after,
    )
}

type Key = (String, String);

fn findings(r: &Report, ind: Indicator, sev: Severity) -> BTreeSet<Key> {
    r.findings
        .iter()
        .filter(|f| f.indicator == ind && f.severity == sev)
        .map(|f| (f.unit.clone(), f.url.clone().unwrap_or_default()))
        .collect()
}

/// Every warning of a report: indicator, unit and target's URL.
fn warnings(r: &Report) -> BTreeSet<(Indicator, String, String)> {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| {
            (
                f.indicator,
                f.unit.clone(),
                f.url.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// The warnings the city's blank columns call for: each site with blank columns from the
/// plan's warning line up to (not at) the veto. The city has no site near any other line.
fn blank_column_warnings(truth: &Truth) -> BTreeSet<(Indicator, String, String)> {
    let plan = spotcheck_core::Plan::default();
    let line = plan.warnings.blank_columns_count(&plan.freshness) as usize;
    let veto = plan.freshness.blank_columns_veto as usize;
    truth
        .websites
        .iter()
        .filter(|w| {
            let blank = truth
                .blank_columns
                .iter()
                .filter(|b| {
                    truth
                        .columns
                        .iter()
                        .any(|c| c.url == b.url && c.site == w.id)
                })
                .count();
            (line..veto).contains(&blank)
        })
        .map(|w| (Indicator::ColumnBlank, w.unit_name.clone(), w.url.clone()))
        .collect()
}

fn host(url: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .host_str()
        .unwrap()
        .to_string()
}

/// The unit owning the website a page belongs to.
fn site_unit(truth: &Truth, page: &str) -> String {
    truth
        .websites
        .iter()
        .find(|w| host(&w.url) == host(page))
        .map(|w| w.unit_name.clone())
        .unwrap_or_else(|| panic!("no website serves {page}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_rounds_report_exactly_what_the_city_serves() {
    let (r, truth, recheck, after) = demo_rounds().await;
    spot_round(&r, &truth);
    recheck_round(&r, &recheck, &after);
}

/// The re-check names exactly the units whose problems persist, every other unit with a
/// problem in the spot round as rectified, and its figures cover the whole city again.
fn recheck_round(spot: &Report, r: &Report, after: &Truth) {
    let s = &r.summary;
    assert_eq!((s.websites.registered, s.websites.checked), (40, 40));
    assert_eq!((s.accounts.registered, s.accounts.checked), (56, 56));
    assert_eq!((s.sample_rate, s.pass_rate), (1.0, 1.0));
    assert_eq!((s.letters.received, s.letters.replied), (683, 683));
    assert_eq!(r.updates, spot.updates);
    assert_eq!(r.letters, spot.letters);
    assert_eq!(warnings(r), blank_column_warnings(after));
    let rect = r
        .rectification
        .as_ref()
        .expect("a re-check says what was rectified");
    let menus: BTreeSet<String> = after
        .broken_menu_links
        .iter()
        .map(|m| m.unit_name.clone())
        .collect();
    let wording: BTreeSet<String> = after
        .wording_errors
        .iter()
        .map(|w| w.unit_name.clone())
        .collect();
    assert_eq!(wording_findings(r), wording_errors(after));
    // The typo left uncorrected is at a unit whose menu is still broken too.
    assert!(!wording.is_empty() && wording.is_subset(&menus));
    let still: BTreeSet<String> = menus.union(&wording).cloned().collect();
    assert_eq!(
        menus,
        BTreeSet::from(
            [
                "高新区",
                "市瓷局",
                "市公安局",
                "市农业农村局",
                "市退役军人事务局",
                "市公路局"
            ]
            .map(String::from)
        )
    );
    assert_eq!(
        rect.not_rectified.iter().cloned().collect::<BTreeSet<_>>(),
        still
    );
    let had: BTreeSet<String> = spot
        .findings
        .iter()
        .filter(|f| f.severity.is_problem() && f.indicator.rectifiable())
        .map(|f| f.unit.clone())
        .collect();
    let fixed: BTreeSet<String> = had.difference(&still).cloned().collect();
    assert!(!fixed.is_empty());
    assert_eq!(
        rect.rectified.iter().cloned().collect::<BTreeSet<_>>(),
        fixed
    );
    let problems: Vec<(Indicator, BTreeSet<String>)> = r
        .problems
        .iter()
        .map(|p| (p.indicator, p.units.iter().cloned().collect()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (Indicator::WordingError, wording),
            (Indicator::MenuLinkBroken, menus),
            (
                Indicator::InterviewMissing,
                BTreeSet::from(["市教育局", "市公安局", "市民政局"].map(String::from))
            ),
        ]
    );
}

fn spot_round(r: &Report, truth: &Truth) {
    let truth = truth.clone();
    let s = &r.summary;
    assert_eq!((s.websites.registered, s.websites.checked), (40, 40));
    assert_eq!((s.accounts.registered, s.accounts.checked), (56, 56));
    assert_eq!(s.sample_rate, 1.0);
    assert_eq!(s.jobs.dead, 0, "no job may fail in the demo");

    // Sites that do not answer.
    let unreachable: BTreeSet<Key> = truth
        .unreachable
        .iter()
        .map(|t| (t.unit_name.clone(), t.url.clone()))
        .collect();
    assert!(!unreachable.is_empty());
    assert_eq!(
        findings(r, Indicator::SiteUnreachable, Severity::Veto),
        unreachable
    );

    // Broken links, each with every page that links it.
    let mut broken: BTreeSet<Key> = BTreeSet::new();
    for b in &truth.broken_links {
        for p in &b.pages {
            broken.insert((site_unit(&truth, p), b.url.clone()));
        }
    }
    assert!(!broken.is_empty());
    assert_eq!(findings(r, Indicator::LinkBroken, Severity::Deduct), broken);
    for b in &truth.broken_links {
        let pages: BTreeSet<&str> = r
            .findings
            .iter()
            .filter(|f| f.indicator == Indicator::LinkBroken && f.url.as_deref() == Some(&b.url))
            .flat_map(|f| f.pages.iter().map(String::as_str))
            .collect();
        let want: BTreeSet<&str> = b.pages.iter().map(String::as_str).collect();
        assert_eq!(pages, want, "pages linking {}", b.url);
    }
    let unjudged: BTreeSet<Key> = truth
        .unjudgeable_links
        .iter()
        .flat_map(|b| b.pages.iter().map(move |p| (p, b)))
        .map(|(p, b)| (site_unit(&truth, p), b.url.clone()))
        .collect();
    assert_eq!(
        findings(r, Indicator::LinkBroken, Severity::Notice),
        unjudged
    );

    // Columns.
    let blank: BTreeSet<Key> = truth
        .blank_columns
        .iter()
        .map(|c| (c.unit_name.clone(), c.url.clone()))
        .collect();
    let got_blank: BTreeSet<Key> = r
        .findings
        .iter()
        .filter(|f| f.indicator == Indicator::ColumnBlank && f.severity.is_problem())
        .map(|f| (f.unit.clone(), f.url.clone().unwrap_or_default()))
        .collect();
    assert_eq!(got_blank, blank);
    // The portal carries three blank columns of the disclosure platform: a warning, no veto.
    assert!(!blank_column_warnings(&truth).is_empty());
    assert_eq!(warnings(r), blank_column_warnings(&truth));
    let stale: BTreeSet<Key> = truth
        .stale_columns
        .iter()
        .map(|c| (c.column.unit_name.clone(), c.column.url.clone()))
        .collect();
    let got_stale: BTreeSet<Key> = r
        .findings
        .iter()
        .filter(|f| f.indicator == Indicator::ColumnStale && f.severity.is_problem())
        .map(|f| (f.unit.clone(), f.url.clone().unwrap_or_default()))
        .collect();
    assert_eq!(got_stale, stale);
    assert!(findings(r, Indicator::HomepageStale, Severity::Veto).is_empty());

    // 附件1: update counts per unit, as served; and the seed notice's totals.
    let updates: BTreeSet<(String, u32)> = r
        .updates
        .iter()
        .map(|u| (u.unit.clone(), u.count))
        .collect();
    let served: BTreeSet<(String, u32)> = truth
        .updates_in_window()
        .into_iter()
        .map(|(u, n)| (u, n as u32))
        .collect();
    assert_eq!(updates, served);
    assert!(r.updates.windows(2).all(|w| w[0].count >= w[1].count));
    assert_eq!(r.updates.len(), 48);
    assert_eq!(r.updates.iter().map(|u| u.count).sum::<u32>(), 1821);

    // 附件2: letters per handling unit.
    let letters: Vec<(String, u32, u32)> = r
        .letters
        .iter()
        .map(|l| (l.unit.clone(), l.received, l.replied))
        .collect();
    let served: BTreeSet<(String, u32, u32)> = truth
        .letters_in_window()
        .into_iter()
        .map(|l| (l.unit_name, l.received as u32, l.replied as u32))
        .collect();
    assert_eq!(letters.iter().cloned().collect::<BTreeSet<_>>(), served);
    assert!(r.letters.windows(2).all(|w| w[0].received >= w[1].received));
    assert_eq!(letters.len(), 33);
    assert_eq!((s.letters.received, s.letters.replied), (683, 683));
    assert_eq!(letters[0], ("市人社局".to_string(), 308, 308));

    // 在线访谈.
    let interviews: BTreeSet<(String, u32)> = r
        .interviews
        .iter()
        .map(|i| (i.unit.clone(), i.held))
        .collect();
    let served: BTreeSet<(String, u32)> = truth
        .interviews_in_window()
        .into_iter()
        .map(|(u, n)| (u, n as u32))
        .collect();
    assert_eq!(interviews, served);
    let missing: Vec<&str> = r
        .problems
        .iter()
        .find(|p| p.indicator == Indicator::InterviewMissing)
        .map(|p| p.units.iter().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        missing.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from(["市教育局", "市公安局", "市民政局"])
    );

    // WeChat menus: every broken button, with its menu path.
    let menu: BTreeSet<(String, String, String)> = truth
        .broken_menu_links
        .iter()
        .map(|m| (m.unit_name.clone(), m.url.clone(), m.menu_path.clone()))
        .collect();
    let got_menu: BTreeSet<(String, String, String)> = r
        .findings
        .iter()
        .filter(|f| f.indicator == Indicator::MenuLinkBroken && f.severity == Severity::Deduct)
        .map(|f| {
            (
                f.unit.clone(),
                f.url.clone().unwrap_or_default(),
                f.menu_path.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert!(!menu.is_empty());
    assert_eq!(got_menu, menu);
    assert!(findings(r, Indicator::WechatUnavailable, Severity::Notice).is_empty());

    // Wording errors: each planted one, on its page, with its correction and context.
    let wording = wording_errors(&truth);
    assert!(wording.iter().any(|w| w.4 == Severity::Veto));
    assert!(wording.iter().any(|w| w.4 == Severity::Deduct));
    assert_eq!(wording_findings(r), wording);
    for f in r
        .findings
        .iter()
        .filter(|f| f.indicator == Indicator::WordingError)
    {
        let evidence = f
            .wording
            .as_ref()
            .expect("a wording finding has its evidence");
        assert!(evidence.context.contains(&evidence.wrong), "{f:?}");
        assert!(evidence.context.chars().count() > evidence.wrong.chars().count() + 10);
    }
    // A veto fails its site: the spot round's 合格率 counts the two sites that did not
    // answer and the two with a serious wording error.
    let vetoed_sites = truth.unreachable.len()
        + wording
            .iter()
            .filter(|w| w.4 == Severity::Veto)
            .map(|w| host(&w.1))
            .collect::<BTreeSet<_>>()
            .len();
    assert_eq!(vetoed_sites, 4);
    assert_eq!(s.websites.passed as usize, 40 - vetoed_sites);
}

type Wording = (String, String, String, String, Severity);

/// The city's wording errors: unit, page, wrong and right text, severity.
fn wording_errors(truth: &Truth) -> BTreeSet<Wording> {
    truth
        .wording_errors
        .iter()
        .map(|w| {
            let severity = match w.severity.as_str() {
                "veto" => Severity::Veto,
                _ => Severity::Deduct,
            };
            let (unit, url) = (w.unit_name.clone(), w.url.clone());
            (unit, url, w.wrong.clone(), w.right.clone(), severity)
        })
        .collect()
}

fn wording_findings(r: &Report) -> BTreeSet<Wording> {
    r.findings
        .iter()
        .filter(|f| f.indicator == Indicator::WordingError)
        .map(|f| {
            let w = f
                .wording
                .clone()
                .expect("a wording finding has its evidence");
            let url = f.url.clone().unwrap_or_default();
            (f.unit.clone(), url, w.wrong, w.right, f.severity)
        })
        .collect()
}
