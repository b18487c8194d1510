//! Early warnings (预警) from hand-made rounds: each warning from its line up to its veto
//! line and not at the veto, never counted against 合格率, never a problem, and listed in the
//! notice's 预警清单 in every format.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Days, NaiveDate};
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::*;
use spotcheck_core::round::{Round, RoundId, RoundKind};
use spotcheck_core::{Plan, Registry};
use spotcheck_report::model::Finding;
use spotcheck_report::{Finished, Report, compute, recheck_scope, render, report_of};
use spotcheck_testkit::outcomes::{column_read, visit};
use spotcheck_testkit::rounds::{self, RegistryText};
use url::Url;

/// Columns on the one site of the test city, all news (freshness limit 14 days).
const COLUMNS: usize = 6;

fn registry() -> Registry {
    let site = RegistryText::new("测试市", "测试市政府网站与政务新媒体")
        .unit("szf", "市政府办")
        .website(
            "portal",
            "szf",
            "测试市人民政府网站",
            "http://www.test.gov.cn/",
        );
    (0..COLUMNS)
        .fold(site, |site, c| {
            site.column(
                &format!("动态{c}"),
                &format!("http://www.test.gov.cn/c{c}/"),
                "news",
            )
        })
        .parse()
}

fn as_of() -> NaiveDate {
    rounds::AS_OF.parse().unwrap()
}

/// A round over the quarter itself (2020 Q4), as of mid-December.
fn round(plan: Plan) -> Round {
    Round {
        window: "2020-10-01..2020-12-31".parse().unwrap(),
        ..rounds::round("2020Q4-warn", registry(), plan)
    }
}

/// What the one site looks like to a round.
struct Site {
    visits: u32,
    failed: u32,
    /// Days since the homepage's newest item.
    homepage: i64,
    /// Per column: `None` blank, `Some(days)` the age of its newest item.
    columns: Vec<Option<i64>>,
}

impl Site {
    /// Reachable, fresh homepage, fresh columns: nothing to say.
    fn fine() -> Site {
        Site {
            visits: 20,
            failed: 0,
            homepage: 1,
            columns: vec![Some(1); COLUMNS],
        }
    }
}

fn ago(days: i64) -> NaiveDate {
    as_of().checked_sub_days(Days::new(days as u64)).unwrap()
}

fn results(r: &Round, s: &Site) -> Vec<JobResult> {
    let job = |t: Task| Job::new(&r.id, t);
    let mut out = Vec::new();
    for n in 0..s.visits {
        let ok = n >= s.failed;
        out.push(JobResult::new(
            job(Task::Visit {
                site: "portal".into(),
                n,
            }),
            visit(ok),
        ));
    }
    out.push(JobResult::new(
        job(Task::Page {
            site: "portal".into(),
            url: Url::parse("http://www.test.gov.cn/").unwrap(),
            depth: 0,
        }),
        Outcome::Page(PageOutcome {
            verdict: Verdict::ok(200),
            links: vec![],
            newest: Some(ago(s.homepage)),
        }),
    ));
    for (c, age) in s.columns.iter().enumerate() {
        let items = age
            .map(|a| {
                vec![Item {
                    title: "信息".into(),
                    url: None,
                    date: Some(ago(a)),
                    unit: None,
                    received: None,
                    replied: None,
                    answered: None,
                }]
            })
            .unwrap_or_default();
        out.push(JobResult::new(
            job(Task::Column {
                site: "portal".into(),
                column: c,
            }),
            column_read(items),
        ));
    }
    out
}

fn report_with(plan: Plan, site: Site) -> Report {
    let r = round(plan);
    compute(&r, &results(&r, &site))
}

fn report(site: Site) -> Report {
    report_with(Plan::default(), site)
}

fn of(r: &Report, ind: Indicator, sev: Severity) -> Vec<&Finding> {
    r.findings
        .iter()
        .filter(|f| f.indicator == ind && f.severity == sev)
        .collect()
}

/// The one warning of a report, checked to be no problem and not held against the site.
fn the_warning(r: &Report, ind: Indicator) -> &Finding {
    let w: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    assert_eq!(w.len(), 1, "one warning expected: {w:#?}");
    assert_eq!(w[0].indicator, ind);
    // A warning alone puts its indicator among no problems.
    let problem = r
        .findings
        .iter()
        .any(|f| f.indicator == ind && f.severity.is_problem());
    assert_eq!(r.problems.iter().any(|p| p.indicator == ind), problem);
    w[0]
}

fn no_warning(r: &Report) {
    let w: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    assert!(w.is_empty(), "no warning expected: {w:#?}");
}

#[test]
fn a_homepage_warns_from_10_days_until_the_veto_at_14() {
    let at = |days| {
        report(Site {
            homepage: days,
            ..Site::fine()
        })
    };
    no_warning(&at(9));
    for days in [10, 11, 14] {
        let r = at(days);
        let w = the_warning(&r, Indicator::HomepageStale);
        assert_eq!(
            (w.unit.as_str(), w.target.as_str()),
            ("市政府办", "测试市人民政府网站")
        );
        assert!(
            w.detail.contains(&format!("已{days}天未更新")),
            "{}",
            w.detail
        );
        assert_eq!(
            w.margin.as_deref(),
            Some(format!("距14天时限还剩{}天", 14 - days).as_str())
        );
        assert_eq!(r.summary.pass_rate, 1.0);
        assert!(r.problems.is_empty());
    }
    let r = at(15);
    no_warning(&r);
    assert_eq!(of(&r, Indicator::HomepageStale, Severity::Veto).len(), 1);
    assert_eq!(r.summary.pass_rate, 0.0);
}

#[test]
fn failed_visits_warn_from_3_percent_until_the_veto_at_5() {
    let at = |failed| {
        report(Site {
            visits: 100,
            failed,
            ..Site::fine()
        })
    };
    no_warning(&at(2));
    let r = at(3);
    let w = the_warning(&r, Indicator::SiteUnreachable);
    assert_eq!(w.detail, "100次访问中3次失败（connection refused）");
    assert_eq!(w.margin.as_deref(), Some("再失败2次即单项否决"));
    assert_eq!(r.summary.pass_rate, 1.0);
    assert_eq!(
        the_warning(&at(4), Indicator::SiteUnreachable)
            .margin
            .as_deref(),
        Some("再失败1次即单项否决")
    );
    let r = at(5);
    no_warning(&r);
    assert_eq!(of(&r, Indicator::SiteUnreachable, Severity::Veto).len(), 1);
}

/// `n` columns of the site in the given state, the others fresh.
fn columns(n: usize, state: Option<i64>) -> Site {
    let mut s = Site::fine();
    for c in s.columns.iter_mut().take(n) {
        *c = state;
    }
    s
}

#[test]
fn blank_columns_warn_from_3_until_the_veto_at_5() {
    no_warning(&report(columns(2, None)));
    for n in [3, 4] {
        let r = report(columns(n, None));
        let w = the_warning(&r, Indicator::ColumnBlank);
        assert_eq!(w.target, "测试市人民政府网站");
        assert_eq!(w.detail, format!("网站有{n}个空白栏目（5个即单项否决）"));
        assert_eq!(
            w.margin.as_deref(),
            Some(format!("再有{}个即单项否决", 5 - n).as_str())
        );
        // Each blank column is still its own deduction; the site still passes.
        assert_eq!(of(&r, Indicator::ColumnBlank, Severity::Deduct).len(), n);
        assert_eq!(r.summary.pass_rate, 1.0);
    }
    let r = report(columns(5, None));
    no_warning(&r);
    assert_eq!(of(&r, Indicator::ColumnBlank, Severity::Veto).len(), 5);
}

#[test]
fn stale_columns_warn_from_3_until_the_plan_s_veto() {
    no_warning(&report(columns(2, Some(40))));
    let r = report(columns(3, Some(40)));
    let w = the_warning(&r, Indicator::ColumnStale);
    assert_eq!(w.detail, "网站有3个栏目超过期限未更新（5个即单项否决）");
    assert_eq!(of(&r, Indicator::ColumnStale, Severity::Deduct).len(), 3);
    let r = report(columns(5, Some(40)));
    no_warning(&r);
    assert_eq!(of(&r, Indicator::ColumnStale, Severity::Veto).len(), 5);

    // The line follows the plan's veto: 3/5 of 10 is 6.
    let mut plan = Plan::default();
    plan.freshness.stale_columns_veto = 10;
    no_warning(&report_with(plan.clone(), columns(5, Some(40))));
    let r = report_with(plan, columns(6, Some(40)));
    assert_eq!(
        the_warning(&r, Indicator::ColumnStale).margin.as_deref(),
        Some("再有4个即单项否决")
    );
}

#[test]
fn a_column_warns_from_three_quarters_of_its_limit() {
    // News columns: limit 14 days, warning from 10.5, i.e. the 11th day.
    no_warning(&report(columns(1, Some(10))));
    for age in [11, 14] {
        let r = report(columns(1, Some(age)));
        let w = the_warning(&r, Indicator::ColumnStale);
        assert_eq!(
            (w.target.as_str(), w.url.as_deref()),
            ("动态0", Some("http://www.test.gov.cn/c0/"))
        );
        assert!(w.detail.contains(&format!("已{age}天未更新（要求14天内）")));
        assert_eq!(
            w.margin.as_deref(),
            Some(format!("距14天时限还剩{}天", 14 - age).as_str())
        );
    }
    // Past the limit the column is stale, which says more than a warning.
    let r = report(columns(1, Some(15)));
    no_warning(&r);
    assert_eq!(of(&r, Indicator::ColumnStale, Severity::Deduct).len(), 1);
}

#[test]
fn warnings_leave_the_figures_the_problems_and_the_recheck_alone() {
    let near = Site {
        homepage: 12,
        columns: vec![Some(12), None, None, None, Some(1), Some(1)],
        ..Site::fine()
    };
    let r = report(near);
    let warned: Vec<Indicator> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| f.indicator)
        .collect();
    assert_eq!(
        warned,
        [
            Indicator::HomepageStale,
            Indicator::ColumnStale,
            Indicator::ColumnBlank
        ]
    );
    let fine = report(Site::fine());
    assert_eq!(r.summary, fine.summary);
    // Only the three blank columns (deductions) are problems.
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].indicator, Indicator::ColumnBlank);

    // A site with nothing but warnings is not re-checked.
    let only = report(Site {
        homepage: 12,
        ..Site::fine()
    });
    assert_eq!(only.findings.len(), 1);
    assert!(recheck_scope(&only).websites.is_empty());
}

#[test]
fn every_format_lists_the_warnings_in_their_own_attachment() {
    let r = report(Site {
        homepage: 11,
        ..columns(3, None)
    });
    let md = render::to_markdown(&r);
    let list = md.find("## 预警清单").expect("a 预警清单 attachment");
    let problems = md.find("## 抽查问题清单").unwrap();
    assert!(problems < list);
    assert!(md.contains("3. 抽查问题清单\n4. 预警清单\n"), "{md}");
    let (before, after) = md.split_at(list);
    // Warnings are listed in the 预警清单 only, with how far they are from the line.
    assert!(!before.contains("距14天时限"));
    assert!(!before.contains("（一）首页长期未更新"));
    assert!(after.contains("| 1 | 市政府办 | 首页长期未更新 | 测试市人民政府网站 | 首页最新信息发布于2020-12-06，截至2020-12-17已11天未更新（要求14天内） | 距14天时限还剩3天 | http://www.test.gov.cn/ |"), "{after}");
    assert!(after.contains("| 2 | 市政府办 | 栏目内容空白 | 测试市人民政府网站 | 网站有3个空白栏目（5个即单项否决） | 再有2个即单项否决 |"));

    let html = render::to_html(&r);
    assert!(html.contains("<h2>预警清单</h2>"));
    assert!(html.contains("<td>距14天时限还剩3天</td>"));

    let docx = render::to_docx(&r).unwrap();
    let xml = word_document(&docx);
    assert!(xml.contains("预警清单"));
    assert!(xml.contains("距14天时限还剩3天"));

    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(render::to_xlsx(&r).unwrap())).unwrap();
    let problems = wb.worksheet_range("附件3 问题清单").unwrap();
    assert!(
        problems
            .rows()
            .all(|row| row.iter().all(|c| c != &Data::String("预警".into())))
    );
    assert_eq!(problems.rows().count(), 3 + 3);
    let warnings = wb.worksheet_range("附件4 预警清单").unwrap();
    let rows: Vec<Vec<String>> = warnings
        .rows()
        .skip(3)
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], "site.homepage_stale");
    assert_eq!(rows[0][7], "距14天时限还剩3天");
    assert_eq!(rows[1][1], "column.blank");
}

/// `word/document.xml` of a Word file.
fn word_document(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    xml
}

#[test]
fn a_recheck_notice_says_when_the_spot_round_ran() {
    let spot_round = Round {
        as_of: "2020-11-02".parse().unwrap(),
        ..round(Plan::default())
    };
    let spot_results = results(&spot_round, &columns(1, None));
    let recheck_round = Round {
        id: RoundId("2020Q4-warn-re".into()),
        kind: RoundKind::Recheck,
        parent: Some(spot_round.id.clone()),
        as_of: "2020-12-01".parse().unwrap(),
        scope: Some(recheck_scope(&compute(&spot_round, &spot_results))),
        ..round(Plan::default())
    };
    let recheck_results = results(&recheck_round, &Site::fine());
    let r = report_of(
        Finished {
            round: &recheck_round,
            results: &recheck_results,
            unread: &[],
        },
        Some(Finished {
            round: &spot_round,
            results: &spot_results,
            unread: &[],
        }),
    );
    assert_eq!(r.round.parent_as_of, Some("2020-11-02".parse().unwrap()));
    let md = render::to_markdown(&r);
    assert!(
        md.contains("于11月2日对全市政府网站与政务新媒体检查指标组织开展了第四季度抽查，并督促各单位完成整改，于12月1日启动复查，现将复查结果通报如下："),
        "{md}"
    );
    // Without its parent a re-check is reported on its own results.
    let alone = report_of(
        Finished {
            round: &recheck_round,
            results: &recheck_results,
            unread: &[],
        },
        None,
    );
    assert!(alone.rectification.is_none());
    assert_eq!(alone.round.parent_as_of, None);
}
