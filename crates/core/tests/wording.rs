//! The plan's `[wording]` and the registry's leaders: defaults, paths anchored at the plan's
//! folder, and refusals with their position and key.

use std::path::Path;

use spotcheck_core::config_error::ConfigErrors;
use spotcheck_core::{Plan, Registry};

fn errors<T>(parsed: Result<T, ConfigErrors>) -> Vec<String> {
    match parsed {
        Ok(_) => panic!("accepted a bad file"),
        Err(ConfigErrors(es)) => es.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn wording_defaults_read_the_builtin_dictionary_and_five_articles() {
    let p = Plan::parse("", Path::new("plan.toml")).unwrap();
    assert!(p.wording.builtin);
    assert!(p.wording.dictionaries.is_empty());
    assert_eq!(p.wording.articles_per_column, 5);
}

#[test]
fn dictionary_files_are_anchored_at_the_plan_s_folder() {
    let p = Plan::parse(
        "[wording]\nbuiltin = false\ndictionaries = [\"words/city.toml\", \"/srv/all.toml\"]\narticles_per_column = 0\n",
        Path::new("/etc/spotcheck/plan.toml"),
    )
    .unwrap();
    assert!(!p.wording.builtin);
    assert_eq!(p.wording.articles_per_column, 0);
    assert_eq!(
        p.wording.dictionaries,
        [
            Path::new("/etc/spotcheck/words/city.toml"),
            Path::new("/srv/all.toml")
        ]
    );
}

#[test]
fn wording_mistakes_are_refused_with_their_key() {
    let parse = |t: &str| Plan::parse(t, Path::new("plan.toml"));
    assert_eq!(
        errors(parse("[wording]\narticles_per_column = 51\n")),
        vec![
            "plan.toml:2:23: wording.articles_per_column: at most 50: a spot-check reads the newest articles"
        ]
    );
    assert_eq!(
        errors(parse("[wording]\ndictionaries = [\"a.toml\", \"\"]\n")),
        vec!["plan.toml:2:27: wording.dictionaries[1]: an empty file name"]
    );
    let e = errors(parse("[wording]\ndictionary = [\"a.toml\"]\n"));
    assert!(
        e[0].starts_with("plan.toml:2:1: wording.dictionary: unknown field `dictionary`"),
        "{}",
        e[0]
    );
}

const REGISTRY: &str = r#"[meta]
region = "测试市"
name = "测试市政府网站"

[[units]]
id = "szf"
name = "市政府办"
leaders = [{ name = "张三丰", title = "市长" }]
"#;

#[test]
fn leaders_are_read_and_refused_with_their_key() {
    let r = Registry::parse(REGISTRY, Path::new("registry.toml")).unwrap();
    assert_eq!(r.units[0].leaders[0].name, "张三丰");
    assert_eq!(r.units[0].leaders[0].title, "市长");
    let parse = |t: String| Registry::parse(&t, Path::new("registry.toml"));
    assert_eq!(
        errors(parse(REGISTRY.replace("\"张三丰\"", "\"张\""))),
        vec![
            "registry.toml:8:21: units[0].leaders[0].name: `张`: a leader's name has 2 to 8 characters"
        ]
    );
    assert_eq!(
        errors(parse(REGISTRY.replace("\"市长\"", "\" \""))),
        vec!["registry.toml:8:36: units[0].leaders[0].title: must not be empty"]
    );
    let e = errors(parse(REGISTRY.replace("title = ", "titel = ")));
    assert!(e[0].contains("unknown field `titel`"), "{}", e[0]);
}
