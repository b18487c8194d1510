//! Which jobs a round has: spaced probes, pages within depth, links checked once.

use std::time::Duration;

use spotcheck_core::Plan;
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{
    JobResult, MenuButton, MenuOutcome, MenuSource, Outcome, PageOutcome, Verdict,
};
use spotcheck_core::round::Round;
use spotcheck_testkit::rounds::{self, RegistryText};
use url::Url;

fn round(depth: u8, external: bool) -> Round {
    let registry = RegistryText::new("测试市", "测试")
        .unit("a", "市甲局")
        .website("s", "a", "甲局网站", "http://www.a.gov.cn/")
        .column("动态", "http://www.a.gov.cn/dt/", "news")
        .account("wx", "a", "wechat", "甲局微信", Some("m.json"))
        .account("wb", "a", "weibo", "甲局微博", None)
        .parse();
    let mut plan = Plan::default();
    plan.availability.probes = 3;
    plan.links.depth = depth;
    plan.links.external = external;
    rounds::round("2020Q4-t", registry, plan)
}

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

#[test]
fn initial_jobs_space_probes_and_skip_unreadable_platforms() {
    let r = round(1, true);
    let jobs = spotcheck_scheduler::initial_jobs(&r);
    let kinds: Vec<(&str, Duration)> = jobs.iter().map(|(j, d)| (j.task.kind(), *d)).collect();
    assert_eq!(
        kinds,
        vec![
            ("probe", Duration::ZERO),
            ("probe", Duration::from_secs(72 * 60)),
            ("probe", Duration::from_secs(2 * 72 * 60)),
            ("page", Duration::ZERO),
            ("column", Duration::ZERO),
            ("ipv6", Duration::ZERO),
            ("tls", Duration::ZERO),
            ("menu", Duration::ZERO),
        ]
    );
}

#[test]
fn the_ipv6_and_https_checks_are_left_out_when_the_plan_switches_them_off() {
    use spotcheck_core::plan::Level;
    let mut r = round(1, true);
    r.plan.ipv6.severity = Level::Off;
    let kinds: Vec<&str> = spotcheck_scheduler::initial_jobs(&r)
        .iter()
        .map(|(j, _)| j.task.kind())
        .collect();
    assert!(
        kinds.contains(&"tls") && !kinds.contains(&"ipv6"),
        "{kinds:?}"
    );
    r.plan.tls.severity = Level::Off;
    r.plan.ipv6.severity = Level::Veto;
    let kinds: Vec<&str> = spotcheck_scheduler::initial_jobs(&r)
        .iter()
        .map(|(j, _)| j.task.kind())
        .collect();
    assert!(
        kinds.contains(&"ipv6") && !kinds.contains(&"tls"),
        "{kinds:?}"
    );
}

fn page_result(r: &Round, url: &str, depth: u8, links: &[&str]) -> JobResult {
    JobResult::new(
        Job::new(
            &r.id,
            Task::Page {
                site: "s".into(),
                url: u(url),
                depth,
            },
        ),
        Outcome::Page(PageOutcome {
            verdict: Verdict::ok(200),
            links: links.iter().map(|l| u(l)).collect(),
            newest: None,
        }),
    )
}

#[test]
fn pages_within_depth_are_read_and_the_rest_checked() {
    let links = [
        "http://www.a.gov.cn/",
        "http://www.a.gov.cn/#top",
        "http://www.a.gov.cn/x.html",
        "http://other.gov.cn/y.html",
    ];
    let r = round(1, true);
    let f =
        spotcheck_scheduler::follow_ups(&r, &page_result(&r, "http://www.a.gov.cn/", 0, &links));
    let tasks: Vec<Task> = f.into_iter().map(|j| j.task).collect();
    assert_eq!(
        tasks,
        vec![
            Task::Page {
                site: "s".into(),
                url: u("http://www.a.gov.cn/x.html"),
                depth: 1
            },
            Task::Link {
                url: u("http://other.gov.cn/y.html")
            },
        ]
    );
    // From a depth-1 page everything is only checked.
    let f = spotcheck_scheduler::follow_ups(
        &r,
        &page_result(&r, "http://www.a.gov.cn/x.html", 1, &links),
    );
    assert!(f.iter().all(|j| matches!(j.task, Task::Link { .. })));
    assert_eq!(
        f.len(),
        1,
        "the homepage and the page itself are not re-checked: {f:?}"
    );

    let r = round(0, false);
    let f =
        spotcheck_scheduler::follow_ups(&r, &page_result(&r, "http://www.a.gov.cn/", 0, &links));
    let tasks: Vec<Task> = f.into_iter().map(|j| j.task).collect();
    assert_eq!(
        tasks,
        vec![Task::Link {
            url: u("http://www.a.gov.cn/x.html")
        }]
    );
}

#[test]
fn menu_links_are_checked_once_each() {
    let r = round(1, true);
    let res = JobResult::new(
        Job::new(
            &r.id,
            Task::Menu {
                account: "wx".into(),
            },
        ),
        Outcome::Menu(MenuOutcome {
            source: MenuSource::Api,
            buttons: vec![
                MenuButton {
                    path: "办事 > 甲".into(),
                    kind: "view".into(),
                    urls: vec![u("http://www.a.gov.cn/b.html")],
                },
                MenuButton {
                    path: "办事 > 乙".into(),
                    kind: "view".into(),
                    urls: vec![u("http://www.a.gov.cn/b.html")],
                },
                MenuButton {
                    path: "联系".into(),
                    kind: "click".into(),
                    urls: vec![],
                },
            ],
            problem: None,
        }),
    );
    let f = spotcheck_scheduler::follow_ups(&r, &res);
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].task,
        Task::Link {
            url: u("http://www.a.gov.cn/b.html")
        }
    );
}
