//! The report's numbers from a hand-made round: every figure and finding asserted exactly.

use chrono::NaiveDate;
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::*;
use spotcheck_core::round::Round;
use spotcheck_core::{Plan, Registry};
use spotcheck_testkit::outcomes::{column_read, visit};
use spotcheck_testkit::rounds::{self, RegistryText};
use url::Url;

/// Three units; the portal carries columns of two other units; one account of each platform.
fn registry() -> Registry {
    RegistryText::new("测试市", "测试市政府网站与政务新媒体")
        .unit("szf", "市政府办")
        .unit("rsj", "市人社局")
        .raw("aliases = [\"市人力资源和社会保障局\"]\n")
        .unit("jyj", "市教育局")
        .website(
            "portal",
            "szf",
            "测试市人民政府网站",
            "http://www.test.gov.cn/",
        )
        .column(
            "人社局信息公开",
            "http://www.test.gov.cn/xxgk/rsj/",
            "disclosure",
        )
        .raw("  unit = \"rsj\"\n")
        .column("咨询投诉", "http://www.test.gov.cn/hdjl/", "letters")
        .column("在线访谈", "http://www.test.gov.cn/zxft/", "interview")
        .raw("  unit = \"jyj\"\n")
        .column("政务动态", "http://www.test.gov.cn/zwdt/", "news")
        .column(
            "教育局信息公开",
            "http://www.test.gov.cn/xxgk/jyj/",
            "disclosure",
        )
        .raw("  unit = \"jyj\"\n")
        .website("jyj", "jyj", "测试市教育局网站", "http://jyj.test.gov.cn/")
        .account("rsj-wx", "rsj", "wechat", "测试人社", Some("m.json"))
        .account("jyj-wb", "jyj", "weibo", "测试教育微博", None)
        .parse()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}
fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn round() -> Round {
    let mut plan = Plan::default();
    plan.availability.probes = 4;
    rounds::round("2020Q4-test", registry(), plan)
}

fn item(title: &str, date: &str) -> Item {
    Item {
        title: title.into(),
        url: None,
        date: Some(d(date)),
        unit: None,
        received: None,
        replied: None,
        answered: None,
    }
}

fn letter(unit: &str, received: &str, replied: bool, answered: Option<&str>) -> Item {
    Item {
        title: format!("{unit}的留言"),
        url: None,
        date: None,
        unit: Some(unit.into()),
        received: Some(d(received)),
        replied: Some(replied),
        answered: answered.map(d),
    }
}

fn results(r: &Round) -> Vec<JobResult> {
    let job = |t: Task| Job::new(&r.id, t);
    let mut out = vec![];
    for n in 0..4 {
        out.push(JobResult::new(
            job(Task::Visit {
                site: "portal".into(),
                n,
            }),
            visit(true),
        ));
        out.push(JobResult::new(
            job(Task::Visit {
                site: "jyj".into(),
                n,
            }),
            visit(n == 3),
        ));
    }
    out.push(JobResult::new(
        job(Task::Page {
            site: "portal".into(),
            url: u("http://www.test.gov.cn/"),
            depth: 0,
        }),
        Outcome::Page(PageOutcome {
            verdict: Verdict::ok(200),
            links: vec![
                u("http://www.test.gov.cn/a.html"),
                u("http://www.test.gov.cn/gone.html"),
                u("http://other.gov.cn/x"),
            ],
            newest: Some(d("2020-12-10")),
        }),
    ));
    out.push(JobResult::new(
        job(Task::Page {
            site: "portal".into(),
            url: u("http://www.test.gov.cn/a.html"),
            depth: 1,
        }),
        Outcome::Page(PageOutcome {
            verdict: Verdict::ok(200),
            links: vec![u("http://www.test.gov.cn/gone.html")],
            newest: None,
        }),
    ));
    out.push(JobResult::new(
        job(Task::Page {
            site: "jyj".into(),
            url: u("http://jyj.test.gov.cn/"),
            depth: 0,
        }),
        Outcome::Page(PageOutcome {
            verdict: Verdict::broken(None, "connection refused"),
            links: vec![],
            newest: None,
        }),
    ));
    out.push(JobResult::new(
        job(Task::Link {
            url: u("http://www.test.gov.cn/gone.html"),
        }),
        Outcome::Link(Verdict::broken(Some(404), "HTTP 404")),
    ));
    out.push(JobResult::new(
        job(Task::Link {
            url: u("http://other.gov.cn/x"),
        }),
        Outcome::Link(Verdict::unknown(
            Some(200),
            "anti-crawler page: 访问过于频繁",
        )),
    ));
    let col = |c: usize| {
        job(Task::Column {
            site: "portal".into(),
            column: c,
        })
    };
    out.push(JobResult::new(
        col(0),
        column_read(vec![
            item("a", "2020-07-01"),
            item("b", "2020-09-30"),
            item("c", "2020-08-15"),
            item("old", "2020-06-30"),
            item("new", "2020-10-01"),
        ]),
    ));
    out.push(JobResult::new(
        col(1),
        column_read(vec![
            letter("市人社局", "2020-07-02", true, Some("2020-07-05")),
            letter("市人力资源和社会保障局", "2020-09-30", true, None),
            letter("市人社局", "2020-08-01", false, None),
            letter("市教育局", "2020-08-01", true, Some("2020-12-20")),
            letter("市教育局", "2020-10-09", false, None),
            letter("市政府办", "2020-05-01", false, None),
        ]),
    ));
    out.push(JobResult::new(
        col(2),
        column_read(vec![item("访谈", "2020-06-01")]),
    ));
    out.push(JobResult::new(
        col(3),
        column_read(vec![item("旧闻", "2020-11-01")]),
    ));
    out.push(JobResult::new(col(4), column_read(vec![])));
    let menu = job(Task::Menu {
        account: "rsj-wx".into(),
    });
    out.push(JobResult::new(
        menu,
        Outcome::Menu(MenuOutcome {
            source: MenuSource::File,
            buttons: vec![MenuButton {
                path: "办事服务 > 社保查询".into(),
                kind: "view".into(),
                urls: vec![u("http://www.test.gov.cn/gone.html")],
            }],
            problem: None,
        }),
    ));
    out
}

#[test]
fn every_figure_and_finding() {
    let r = round();
    let report = spotcheck_report::compute(&r, &results(&r));
    let s = &report.summary;
    assert_eq!(
        (s.websites.registered, s.websites.checked, s.websites.passed),
        (2, 2, 0)
    );
    assert_eq!(
        (s.accounts.registered, s.accounts.checked, s.accounts.passed),
        (2, 1, 1)
    );
    assert_eq!(s.sample_rate, 0.75);
    assert_eq!(s.pass_rate, 1.0 / 3.0);
    assert_eq!((s.letters.received, s.letters.replied), (4, 2));

    let updates: Vec<_> = report
        .updates
        .iter()
        .map(|u| (u.unit.as_str(), u.count))
        .collect();
    assert_eq!(updates, vec![("市人社局", 3), ("市教育局", 0)]);
    let letters: Vec<_> = report
        .letters
        .iter()
        .map(|l| (l.unit.as_str(), l.received, l.replied))
        .collect();
    // 市教育局's answer came after as_of: not replied by then.
    assert_eq!(letters, vec![("市人社局", 3, 2), ("市教育局", 1, 0)]);
    let interviews: Vec<_> = report
        .interviews
        .iter()
        .map(|i| (i.unit.as_str(), i.held))
        .collect();
    assert_eq!(interviews, vec![("市教育局", 0)]);

    let f: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.indicator,
                f.severity,
                f.unit.as_str(),
                f.target.as_str(),
                f.url.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        f,
        vec![
            (
                Indicator::SiteUnreachable,
                Severity::Veto,
                "市教育局",
                "测试市教育局网站",
                Some("http://jyj.test.gov.cn/")
            ),
            (
                Indicator::ColumnStale,
                Severity::Deduct,
                "市政府办",
                "政务动态",
                Some("http://www.test.gov.cn/zwdt/")
            ),
            (
                Indicator::ColumnBlank,
                Severity::Deduct,
                "市教育局",
                "教育局信息公开",
                Some("http://www.test.gov.cn/xxgk/jyj/")
            ),
            (
                Indicator::LinkBroken,
                Severity::Deduct,
                "市政府办",
                "测试市人民政府网站",
                Some("http://www.test.gov.cn/gone.html")
            ),
            (
                Indicator::LinkBroken,
                Severity::Notice,
                "市政府办",
                "测试市人民政府网站",
                Some("http://other.gov.cn/x")
            ),
            (
                Indicator::LetterUnanswered,
                Severity::Veto,
                "市政府办",
                "咨询投诉",
                None
            ),
            (
                Indicator::LetterUnanswered,
                Severity::Veto,
                "市人社局",
                "咨询投诉",
                None
            ),
            // Answered only after as_of: unanswered at the check point.
            (
                Indicator::LetterUnanswered,
                Severity::Veto,
                "市教育局",
                "咨询投诉",
                None
            ),
            (
                Indicator::MenuLinkBroken,
                Severity::Deduct,
                "市人社局",
                "测试人社",
                Some("http://www.test.gov.cn/gone.html")
            ),
            (
                Indicator::InterviewMissing,
                Severity::Deduct,
                "市教育局",
                "在线访谈",
                None
            ),
        ]
    );
    let broken = &report.findings[3];
    assert_eq!(
        broken.pages,
        vec!["http://www.test.gov.cn/", "http://www.test.gov.cn/a.html"]
    );
    assert_eq!(
        report.findings[8].menu_path.as_deref(),
        Some("办事服务 > 社保查询")
    );
    assert_eq!(
        report.findings[0].detail,
        "4次访问中3次失败（connection refused）"
    );

    let problems: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.indicator, p.units.clone()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (Indicator::SiteUnreachable, vec!["市教育局".to_string()]),
            (Indicator::ColumnStale, vec!["市政府办".to_string()]),
            (Indicator::ColumnBlank, vec!["市教育局".to_string()]),
            (Indicator::LinkBroken, vec!["市政府办".to_string()]),
            (
                Indicator::LetterUnanswered,
                vec![
                    "市政府办".to_string(),
                    "市人社局".to_string(),
                    "市教育局".to_string()
                ]
            ),
            (Indicator::MenuLinkBroken, vec!["市人社局".to_string()]),
            (Indicator::InterviewMissing, vec!["市教育局".to_string()]),
        ]
    );
}

#[test]
fn column_findings_become_vetoes_at_the_plan_count() {
    let mut r = round();
    r.plan.freshness.blank_columns_veto = 1;
    let report = spotcheck_report::compute(&r, &results(&r));
    let blank = report
        .findings
        .iter()
        .find(|f| f.indicator == Indicator::ColumnBlank)
        .unwrap();
    assert_eq!(blank.severity, Severity::Veto);
}

#[test]
fn the_same_results_in_any_order_give_the_same_report() {
    let r = round();
    let mut res = results(&r);
    let a = serde_json::to_string(&spotcheck_report::compute(&r, &res)).unwrap();
    res.reverse();
    let b = serde_json::to_string(&spotcheck_report::compute(&r, &res)).unwrap();
    assert_eq!(a, b);
}
