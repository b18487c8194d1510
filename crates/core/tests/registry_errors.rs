//! Every kind of registry and plan error an operator can make, with its exact message and
//! position.

use std::path::Path;

use spotcheck_core::config_error::ConfigErrors;
use spotcheck_core::{Plan, Registry};

const GOOD: &str = r#"[meta]
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
menu_file = "menus/rsj.json"
"#;

fn errors(text: &str) -> Vec<String> {
    match Registry::parse(text, Path::new("registry.toml")) {
        Ok(_) => panic!("accepted a bad registry"),
        Err(ConfigErrors(es)) => es.iter().map(|e| e.to_string()).collect(),
    }
}

/// The errors of [`GOOD`] with `from` replaced by `to`: one mistake in a good registry.
fn errors_after(from: &str, to: &str) -> Vec<String> {
    errors(&GOOD.replace(from, to))
}

#[test]
fn a_good_registry_parses_and_anchors_menu_files() {
    let r = Registry::parse(GOOD, Path::new("/etc/spotcheck/registry.toml")).unwrap();
    assert_eq!(r.units.len(), 2);
    assert_eq!(r.websites[0].columns[0].unit_or(&r.websites[0]), "szf");
    assert_eq!(
        r.accounts[0].menu_file.as_deref(),
        Some(Path::new("/etc/spotcheck/menus/rsj.json"))
    );
    assert_eq!(r.unit_by_label("市人力资源和社会保障局").unwrap().id, "rsj");
}

#[test]
fn unknown_key_is_refused_with_position() {
    assert_eq!(
        errors_after("name = \"市人社局\"", "naem = \"市人社局\""),
        vec![
            "registry.toml:11:1: units[1].naem: unknown field `naem`, expected one of `id`, `name`, `aliases`, `leaders`, `email`, `contact`"
        ]
    );
}

#[test]
fn unknown_column_type_is_refused() {
    let e = errors_after("type = \"news\"", "type = \"nwes\"");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("registry.toml:23:10: "), "{}", e[0]);
    assert!(e[0].contains("unknown variant `nwes`"), "{}", e[0]);
}

#[test]
fn duplicate_ids_are_refused() {
    let e = errors_after("id = \"rsj\"", "id = \"szf\"");
    assert!(
        e.contains(&"registry.toml:10:6: units[1].id: duplicate unit id `szf`".to_string()),
        "{e:?}"
    );
}

#[test]
fn dangling_unit_reference_is_refused() {
    assert_eq!(
        errors_after("unit = \"rsj\"", "unit = \"rsjj\""),
        vec!["registry.toml:27:8: accounts[0].unit: unit `rsjj` is not defined in [[units]]"]
    );
}

#[test]
fn bad_urls_are_refused() {
    let e = errors_after("http://www.jdz.gov.cn/zwdt/", "/zwdt/");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("registry.toml:22:9: "), "{}", e[0]);
    assert!(e[0].contains("relative URL without a base"), "{}", e[0]);

    assert_eq!(
        errors_after("http://www.jdz.gov.cn/zwdt/", "ftp://www.jdz.gov.cn/zwdt/"),
        vec![
            "registry.toml:22:9: websites[0].columns[0].url: `ftp://www.jdz.gov.cn/zwdt/` must be an http(s) URL with a host"
        ]
    );
}

#[test]
fn bad_ids_and_ambiguous_names_are_refused() {
    assert_eq!(
        errors_after("id = \"portal\"", "id = \"Portal!\""),
        vec!["registry.toml:15:6: websites[0].id: id `Portal!` must match [a-z0-9_-]+"]
    );
    assert_eq!(
        errors_after("[\"市人力资源和社会保障局\"]", "[\"市政府办\"]"),
        vec![
            "registry.toml:12:12: units[1].aliases[0]: `市政府办` already names unit `szf`; names and aliases must be unique"
        ]
    );
}

#[test]
fn accounts_need_a_way_to_read_the_menu() {
    let e = errors_after("menu_file = \"menus/rsj.json\"", "");
    assert_eq!(
        e,
        vec![
            "registry.toml:25:1: accounts[0]: account `rsj-wx` needs `appid` + `secret_env` or a `menu_file`"
        ]
    );
    assert!(
        errors_after("menu_file = \"menus/rsj.json\"", "appid = \"wx1\"")[0]
            .contains("`appid` and `secret_env` go together")
    );
    let text = GOOD.replace(
        "menu_file = \"menus/rsj.json\"",
        "appid = \"wx1\"\nsecret_env = \"s3cr3t value\"",
    );
    assert!(errors(&text)[0].contains("must name an environment variable"));
}

#[test]
fn syntax_errors_have_positions() {
    let e = errors_after("region = \"景德镇市\"", "region = \"景德镇市");
    assert!(e[0].starts_with("registry.toml:2:"), "{}", e[0]);
}

fn plan_errors(text: &str) -> Vec<String> {
    match Plan::parse(text, Path::new("plan.toml")) {
        Ok(_) => panic!("accepted a bad plan"),
        Err(ConfigErrors(es)) => es.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn plan_defaults_are_the_national_indicators() {
    let p = Plan::parse("", Path::new("plan.toml")).unwrap();
    assert_eq!(p.availability.probes, 20);
    assert_eq!(p.availability.interval.to_string(), "72m");
    assert_eq!(p.freshness.notice.days(), 183);
    assert_eq!(p.letters.unanswered_veto.days(), 90);
    assert_eq!(p.politeness.per_host_rate.to_string(), "2/s");
    assert_eq!(
        p.politeness.per_ip_rate, None,
        "per-address limits are off by default"
    );
    let p = Plan::parse(
        "[politeness]\nper_ip_rate = \"5/s\"\nper_ip_concurrency = 4\n",
        Path::new("p"),
    )
    .unwrap();
    assert_eq!(
        p.politeness.per_ip_rate.map(|r| r.to_string()).as_deref(),
        Some("5/s")
    );
    assert_eq!(p.politeness.per_ip_concurrency, Some(4));
    let p = Plan::parse(
        "[availability]\nprobes = 3\ninterval = \"100ms\"\n",
        Path::new("p"),
    )
    .unwrap();
    assert_eq!(p.availability.probes, 3);
    assert_eq!(p.availability.timeout.to_string(), "15s");
}

#[test]
fn plan_errors_name_the_key() {
    assert_eq!(
        plan_errors("[availability]\ninterval = \"72 minutes\"\n"),
        vec![
            "plan.toml:2:12: availability.interval: `72 minutes`: unknown unit `minutes`; use ms, s, m, h or d"
        ]
    );
    assert_eq!(
        plan_errors("[politeness]\nper_host_rate = \"2 per s\"\n"),
        vec![
            "plan.toml:2:17: politeness.per_host_rate: `2 per s` is not a rate; write e.g. \"2/s\", \"30/m\""
        ]
    );
    assert_eq!(
        plan_errors("[availability]\nfail_ratio = 1.5\n"),
        vec!["plan.toml:2:14: availability.fail_ratio: `1.5` must be in (0, 1]"]
    );
    assert_eq!(
        plan_errors("[politeness]\nper_ip_concurrency = 0\n"),
        vec!["plan.toml:2:22: politeness.per_ip_concurrency: must be at least 1"]
    );
    let e = plan_errors("[freshnes]\nnews = \"14d\"\n");
    assert!(
        e[0].starts_with("plan.toml:1:2: freshnes: unknown field `freshnes`"),
        "{}",
        e[0]
    );
}

#[test]
fn an_unreadable_file_is_one_error_naming_it() {
    let missing = Path::new("/nonexistent/spotcheck/registry.toml");
    let ConfigErrors(errs) = Registry::load(missing).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].file, missing);
    assert!(
        errs[0].message.starts_with("cannot read the registry: "),
        "{}",
        errs[0].message
    );
    let missing = Path::new("/nonexistent/spotcheck/plan.toml");
    let ConfigErrors(errs) = Plan::load(missing).unwrap_err();
    assert_eq!(errs[0].file, missing);
    assert!(
        errs[0].message.starts_with("cannot read the plan: "),
        "{}",
        errs[0].message
    );
}

#[test]
fn invalid_css_selectors_are_refused_where_written() {
    let text = GOOD.replace(
        "  type = \"news\"\n",
        "  type = \"news\"\n  selectors = { item = \"ul.list li\", date = \"span[\" }\n",
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with(
            "registry.toml:24:45: websites[0].columns[0].selectors.date: \
             `span[` is not a valid CSS selector"
        ),
        "{errs:?}"
    );
    let good = GOOD.replace(
        "  type = \"news\"\n",
        "  type = \"news\"\n  selectors = { item = \"ul.list li\", date = \"\" }\n",
    );
    let r = Registry::parse(&good, Path::new("registry.toml")).unwrap();
    let s = r.websites[0].columns[0].selectors.as_ref().unwrap();
    assert_eq!(s.item.as_ref().map(|c| c.as_str()), Some("ul.list li"));
    assert_eq!(s.date, None);
}

#[test]
fn private_targets_are_refused_unless_allowed() {
    let text = GOOD
        .replace(
            "url = \"http://www.jdz.gov.cn/\"",
            "url = \"http://127.0.0.1:8080/\"",
        )
        .replace(
            "url = \"http://www.jdz.gov.cn/zwdt/\"",
            "url = \"http://169.254.169.254/latest/\"",
        );
    assert_eq!(
        errors(&text),
        [
            "registry.toml:18:7: websites[0].url: `http://127.0.0.1:8080/`: 127.0.0.1 is a loopback \
             address; targets on loopback, private, link-local and metadata addresses are refused \
             unless `[network] allow_private = true` (or `--allow-private`)",
            "registry.toml:22:9: websites[0].columns[0].url: `http://169.254.169.254/latest/`: \
             169.254.169.254 is a cloud metadata address; targets on loopback, private, link-local \
             and metadata addresses are refused unless `[network] allow_private = true` (or \
             `--allow-private`)",
        ]
    );
    let allowed = text.replace(
        "[[units]]\nid = \"szf\"",
        "[network]\nallow_private = true\n\n[[units]]\nid = \"szf\"",
    );
    assert!(Registry::parse(&allowed, Path::new("registry.toml")).is_ok());
    assert!(Registry::parse_with(&text, Path::new("registry.toml"), true).is_ok());
}

#[test]
fn names_known_to_point_inside_are_refused() {
    let local = GOOD.replace("http://www.jdz.gov.cn/zwdt/", "http://localhost/zwdt/");
    let errs = errors(&local);
    assert!(
        errs[0].contains("websites[0].columns[0].url")
            && errs[0].contains("localhost is a loopback name")
    );
    let resolved = GOOD.replace(
        "[[units]]\nid = \"szf\"",
        "[network]\nresolve = { \"www.jdz.gov.cn\" = \"10.1.2.3\" }\n\n[[units]]\nid = \"szf\"",
    );
    let errs = errors(&resolved);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].contains("[network] resolve sends www.jdz.gov.cn to 10.1.2.3 is a private address")
    );
    // A public name whose DNS answer is unknown until a worker resolves it passes.
    let public = GOOD.replace(
        "[[units]]\nid = \"szf\"",
        "[network]\nresolve = { \"www.jdz.gov.cn\" = \"61.131.1.1\" }\n\n[[units]]\nid = \"szf\"",
    );
    assert!(Registry::parse(&public, Path::new("registry.toml")).is_ok());
}

#[test]
fn saved_menus_linking_inside_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("menus")).unwrap();
    std::fs::write(
        dir.path().join("menus/rsj.json"),
        r#"{"menu":{"button":[{"type":"view","name":"办事","url":"http://192.168.1.10/bs"}]}}"#,
    )
    .unwrap();
    let path = dir.path().join("registry.toml");
    let errs = match Registry::parse(GOOD, &path) {
        Ok(_) => panic!("accepted a menu linking to a private address"),
        Err(ConfigErrors(es)) => es,
    };
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].line, errs[0].column), (30, 13));
    assert_eq!(errs[0].key, "accounts[0].menu_file");
    assert!(
        errs[0]
            .message
            .contains("192.168.1.10 is a private address"),
        "{}",
        errs[0].message
    );
}
