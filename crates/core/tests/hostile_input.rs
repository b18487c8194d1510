//! Whatever arrives from outside — a queue message, a registry or plan an operator wrote or
//! uploaded — never panics a process: it is read, or refused with an error that says where.
//! Property tests over the message decoders and the registry and plan parsers, on arbitrary
//! input and on good input with one mistake made at a random place.

use std::path::Path;

use proptest::prelude::*;
use spotcheck_core::config_error::{ConfigError, ConfigErrors};
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, Verdict};
use spotcheck_core::round::RoundId;
use spotcheck_core::{Plan, Registry};
use url::Url;

const REGISTRY: &str = r#"[meta]
region = "景德镇市"
name = "景德镇市政府网站与政务新媒体"

[[units]]
id = "szf"
name = "市政府办"

[[units]]
id = "rsj"
name = "市人社局"
aliases = ["市人力资源和社会保障局"]

[[websites]]
id = "portal"
unit = "szf"
name = "景德镇市人民政府网站"
url = "http://www.jdz.gov.cn/"

  [[websites.columns]]
  name = "政务动态"
  url = "http://www.jdz.gov.cn/zwdt/"
  type = "news"

[[accounts]]
id = "rsj-wx"
unit = "rsj"
platform = "wechat"
name = "景德镇人社"
appid = "wx0123456789abcdef"
secret_env = "WX_SECRET_RSJ"
"#;

const PLAN: &str = r#"[availability]
probes = 20
interval = "72m"
fail_ratio = 0.05

[freshness]
news = "14d"
homepage = "14d"
stale_columns_veto = 5

[politeness]
per_host_rate = "2/s"
per_host_concurrency = 2

[warnings]
homepage = 0.7
"#;

/// A job batch and a result batch as a worker and the collector exchange them.
fn messages() -> (Vec<u8>, Vec<u8>) {
    let round = RoundId("2020Q4-abc".into());
    let jobs = [
        Job::new(
            &round,
            Task::Link {
                url: Url::parse("http://www.jdz.gov.cn/zwdt/1.html").unwrap(),
            },
        ),
        Job::new(
            &round,
            Task::Menu {
                account: "rsj-wx".into(),
            },
        ),
    ];
    let results: Vec<JobResult> = jobs
        .iter()
        .map(|j| JobResult::new(j.clone(), Outcome::Link(Verdict::ok(200))))
        .collect();
    (Job::encode_batch(&jobs), JobResult::encode_batch(&results))
}

/// One mistake at a random place: a byte replaced, the text cut short, or bytes inserted.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(prop::sample::Index, u8),
    Truncate(prop::sample::Index),
    Insert(prop::sample::Index, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (
            any::<prop::sample::Index>(),
            prop::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
    ]
}

fn mutate(good: &[u8], m: &Mutation) -> Vec<u8> {
    let mut v = good.to_vec();
    match m {
        Mutation::Replace(i, b) => v[i.index(good.len())] = *b,
        Mutation::Truncate(i) => v.truncate(i.index(good.len())),
        Mutation::Insert(i, bytes) => {
            let at = i.index(good.len() + 1);
            v.splice(at..at, bytes.iter().copied());
        }
    }
    v
}

/// A message that is not JSON at all is refused with the line and column where reading
/// stopped, so an operator can find the fault in the dead-letter queue's copy.
fn assert_decoder_refusal(body: &[u8], error: &str) {
    assert!(!error.is_empty());
    if serde_json::from_slice::<serde_json::Value>(body).is_err() {
        assert!(
            error.contains(" line ") && error.contains(" column "),
            "no position in {error:?} for {:?}",
            String::from_utf8_lossy(body)
        );
    }
}

fn decode_both(body: &[u8]) {
    if let Err(e) = Job::decode_batch(body) {
        assert_decoder_refusal(body, &e);
    }
    if let Err(e) = JobResult::decode_batch(body) {
        assert_decoder_refusal(body, &e);
    }
}

/// Every error points into the text: a line it has (or the one after its last), a column
/// on that line, and a file name.
fn assert_positioned(text: &str, errors: &[ConfigError]) {
    assert!(!errors.is_empty(), "an error list without errors");
    let lines: Vec<&str> = text.split('\n').collect();
    for e in errors {
        assert_eq!(e.file, Path::new("input.toml"), "{e}");
        assert!(
            e.line >= 1 && e.line <= lines.len(),
            "{e} (text has {} lines)",
            lines.len()
        );
        let width = lines[e.line - 1].chars().count();
        assert!(
            e.column >= 1 && e.column <= width + 1,
            "{e} (line is {width} wide)"
        );
        assert!(!e.message.is_empty(), "{e}");
    }
}

fn parse_registry(text: &str) {
    if let Err(ConfigErrors(es)) = Registry::parse(text, Path::new("input.toml")) {
        assert_positioned(text, &es);
    }
}

fn parse_plan(text: &str) {
    if let Err(ConfigErrors(es)) = Plan::parse(text, Path::new("input.toml")) {
        assert_positioned(text, &es);
    }
}

/// `text` with the line `line` inserted after its line number `after` (0: at the top).
fn with_line_after(text: &str, after: usize, line: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(after, line);
    lines.join("\n") + "\n"
}

/// The 0-based numbers of the lines that open a table (`[x]` or `[[x]]`).
fn headers(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with('['))
        .map(|(i, _)| i)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoders_never_panic_on_any_bytes(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        decode_both(&body);
    }

    #[test]
    fn decoders_never_panic_on_any_json(body in "[\\[\\]{}\",:0-9a-z \\\\]{0,256}") {
        decode_both(body.as_bytes());
    }

    #[test]
    fn decoders_refuse_a_damaged_message_with_its_position(m in mutation()) {
        let (jobs, results) = messages();
        decode_both(&mutate(&jobs, &m));
        decode_both(&mutate(&results, &m));
    }

    #[test]
    fn registry_parser_never_panics_on_any_text(text in "(\\PC{0,40}\n){0,12}") {
        parse_registry(&text);
    }

    #[test]
    fn plan_parser_never_panics_on_any_text(text in "(\\PC{0,40}\n){0,12}") {
        parse_plan(&text);
    }

    #[test]
    fn registry_and_plan_with_one_mistake_are_refused_with_positions(m in mutation()) {
        for good in [REGISTRY, PLAN] {
            let damaged = mutate(good.as_bytes(), &m);
            // Operator files are UTF-8 text; bytes that are not were refused when read.
            if let Ok(text) = String::from_utf8(damaged) {
                parse_registry(&text);
                parse_plan(&text);
            }
        }
    }

    /// An unknown key anywhere in a table is an error at that key, never silently ignored.
    #[test]
    fn an_unknown_key_is_an_error_at_its_line(
        pick in any::<prop::sample::Index>(),
        key in "[a-z][a-z_]{0,12}_x",
        plan in any::<bool>(),
    ) {
        let good = if plan { PLAN } else { REGISTRY };
        let tables = headers(good);
        let after = tables[pick.index(tables.len())] + 1;
        let text = with_line_after(good, after, &format!("{key} = 1"));
        let errors = if plan {
            Plan::parse(&text, Path::new("input.toml")).map(|_| ())
        } else {
            Registry::parse(&text, Path::new("input.toml")).map(|_| ())
        };
        let ConfigErrors(es) = errors.expect_err("an unknown key was accepted");
        assert_positioned(&text, &es);
        let e = &es[0];
        prop_assert_eq!(e.line, after + 1, "{}", e);
        prop_assert!(e.key.ends_with(&key), "{}", e);
        prop_assert!(e.message.contains(&key), "{}", e);
    }
}

#[test]
fn the_good_inputs_are_good() {
    let (jobs, results) = messages();
    assert_eq!(Job::decode_batch(&jobs).unwrap().len(), 2);
    assert_eq!(JobResult::decode_batch(&results).unwrap().len(), 2);
    Registry::parse(REGISTRY, Path::new("input.toml")).unwrap();
    Plan::parse(PLAN, Path::new("input.toml")).unwrap();
}

#[test]
fn a_result_for_a_job_of_a_bad_round_id_is_refused() {
    let (_, results) = messages();
    let forged = String::from_utf8(results)
        .unwrap()
        .replace("2020Q4-abc", "../../other");
    let e = JobResult::decode_batch(forged.as_bytes()).unwrap_err();
    assert!(e.contains("bad round id"), "{e}");
}
