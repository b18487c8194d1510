//! Re-checks: only a complete round, only its targets with problems, the parent's settings.

use chrono::NaiveDate;
use spotcheck_core::Plan;
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{
    JobResult, MenuButton, MenuOutcome, MenuSource, Outcome, PageOutcome, Verdict,
};
use spotcheck_core::ports::Progress;
use spotcheck_core::round::{Round, RoundId, RoundKind, Scope};
use spotcheck_report::Finished;
use spotcheck_scheduler::{RecheckError, ensure_complete, initial_jobs, recheck_of};
use spotcheck_testkit::outcomes::visit;
use spotcheck_testkit::rounds::{self, RegistryText};
use url::Url;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

/// A spot round on private targets: unit a's website and account are the broken ones.
fn parent() -> Round {
    let registry = RegistryText::new("测试市", "测试")
        .unit("a", "市甲局")
        .unit("b", "市乙局")
        .website("down", "a", "甲局网站", "http://www.a.gov.cn/")
        .website("fine", "b", "乙局网站", "http://www.b.gov.cn/")
        .account("broken-wx", "a", "wechat", "甲局微信", Some("a.json"))
        .account("unread-wx", "b", "wechat", "乙局微信", Some("b.json"))
        .parse();
    let mut plan = Plan::default();
    plan.availability.probes = 2;
    Round {
        allow_private: true,
        menus: [("broken-wx".to_string(), "{}".to_string())].into(),
        dictionaries: Vec::new(),
        ..rounds::round("2020Q4-spot", registry, plan)
    }
}

fn result(r: &Round, task: Task, outcome: Outcome) -> JobResult {
    JobResult::new(Job::new(&r.id, task), outcome)
}

fn home(ok: bool) -> Outcome {
    Outcome::Page(PageOutcome {
        verdict: if ok {
            Verdict::ok(200)
        } else {
            Verdict::broken(None, "connection refused")
        },
        links: Vec::new(),
        newest: ok.then(|| d("2020-12-16")),
    })
}

fn menu(source: MenuSource, urls: &[&str], problem: Option<&str>) -> Outcome {
    Outcome::Menu(MenuOutcome {
        source,
        buttons: urls
            .iter()
            .map(|url| MenuButton {
                path: "办事服务 > 户籍办理".into(),
                kind: "view".into(),
                urls: vec![u(url)],
            })
            .collect(),
        problem: problem.map(String::from),
    })
}

/// A spot round where one site is down, one site is fine, one account's menu has a broken
/// link and one account's menu could not be read (a notice, not a problem to rectify).
/// A round run in memory, every result whole.
fn evidence<'a>(round: &'a Round, results: &'a [JobResult]) -> Finished<'a> {
    Finished {
        round,
        results,
        unread: &[],
    }
}

fn results(r: &Round) -> Vec<JobResult> {
    let mut out = Vec::new();
    for (site, ok) in [("down", false), ("fine", true)] {
        let url = r.registry.website(site).unwrap().url.clone();
        for n in 0..2 {
            let task = Task::Visit {
                site: site.into(),
                n,
            };
            out.push(result(r, task, visit(ok)));
        }
        let task = Task::Page {
            site: site.into(),
            url,
            depth: 0,
        };
        out.push(result(r, task, home(ok)));
    }
    let broken = "http://www.a.gov.cn/hj.html";
    let task = Task::Menu {
        account: "broken-wx".into(),
    };
    out.push(result(r, task, menu(MenuSource::File, &[broken], None)));
    let task = Task::Link { url: u(broken) };
    let verdict = Verdict::broken(Some(404), "HTTP 404");
    out.push(result(r, task, Outcome::Link(verdict)));
    let task = Task::Menu {
        account: "unread-wx".into(),
    };
    let problem = Some("no credentials and no saved menu");
    out.push(result(r, task, menu(MenuSource::None, &[], problem)));
    out
}

#[test]
fn a_recheck_visits_only_the_targets_with_problems_to_rectify() {
    let parent = parent();
    let recheck = recheck_of(
        evidence(&parent, &results(&parent)),
        d("2021-01-05"),
        "salt",
    );
    assert_eq!(
        recheck.scope,
        Some(Scope {
            websites: vec!["down".into()],
            accounts: vec!["broken-wx".into()],
        })
    );
    let tasks: Vec<Task> = initial_jobs(&recheck)
        .into_iter()
        .map(|(j, _)| j.task)
        .collect();
    assert!(!tasks.is_empty());
    assert!(
        tasks.iter().all(|t| match t {
            Task::Visit { site, .. }
            | Task::Page { site, .. }
            | Task::Column { site, .. }
            | Task::Ipv6 { site }
            | Task::Tls { site } => site == "down",
            Task::Menu { account } => account == "broken-wx",
            Task::Link { .. } => false,
        }),
        "{tasks:?}"
    );
}

#[test]
fn a_recheck_keeps_its_parents_settings_and_names_it() {
    let parent = parent();
    let recheck = recheck_of(
        evidence(&parent, &results(&parent)),
        d("2021-01-05"),
        "salt",
    );
    assert_eq!(recheck.kind, RoundKind::Recheck);
    assert_eq!(recheck.parent, Some(parent.id.clone()));
    assert_eq!(recheck.as_of, d("2021-01-05"));
    assert_eq!(recheck.id, RoundId::new(d("2021-01-05"), "salt"));
    assert_ne!(recheck.id, parent.id);
    assert_eq!(recheck.window, parent.window);
    assert_eq!(recheck.registry, parent.registry);
    assert_eq!(recheck.plan, parent.plan);
    assert_eq!(recheck.menus, parent.menus);
    assert!(recheck.allow_private);
}

#[test]
fn a_round_without_problems_is_rechecked_with_nothing_to_visit() {
    let parent = parent();
    let clean: Vec<JobResult> = results(&parent)
        .into_iter()
        .filter(|r| match &r.job.task {
            Task::Visit { site, .. } | Task::Page { site, .. } => site == "fine",
            _ => false,
        })
        .collect();
    let recheck = recheck_of(evidence(&parent, &clean), d("2021-01-05"), "salt");
    assert_eq!(recheck.scope, Some(Scope::default()));
    assert!(initial_jobs(&recheck).is_empty());
}

#[test]
fn only_a_complete_round_can_be_rechecked() {
    let id = RoundId("2020Q4-spot".into());
    let running = Progress {
        total: 12,
        done: 7,
        dead: 0,
        sealed: true,
        complete: false,
    };
    let e = ensure_complete(&id, &running).unwrap_err();
    assert_eq!(
        e,
        RecheckError::Unfinished {
            round: id.clone(),
            done: 7,
            total: 12
        }
    );
    assert_eq!(
        e.to_string(),
        "round 2020Q4-spot is not complete (7 of 12 jobs done); re-check it when it is"
    );
    let done = Progress {
        done: 12,
        complete: true,
        ..running
    };
    assert_eq!(ensure_complete(&id, &done), Ok(()));
}
