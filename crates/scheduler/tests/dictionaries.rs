//! The plan's dictionary files are read when a round starts: the round carries their text,
//! and a file with a mistake stops the round with the file, line, column and key.

use std::path::Path;

use spotcheck_core::{Plan, Registry};
use spotcheck_scheduler::{RoundInput, build_round, read_dictionaries};

const REGISTRY: &str = "[meta]\nregion = \"测试市\"\nname = \"测试\"\n";

fn plan_in(dir: &Path, files: &[(&str, &str)]) -> Plan {
    let mut names = Vec::new();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
        names.push(format!("{name:?}"));
    }
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        format!("[wording]\ndictionaries = [{}]\n", names.join(", ")),
    )
    .unwrap();
    Plan::load(&plan).unwrap()
}

fn input(plan: Plan) -> RoundInput {
    RoundInput {
        registry: Registry::parse(REGISTRY, Path::new("registry.toml")).unwrap(),
        plan,
        window: "2020-07-01..2020-09-30".parse().unwrap(),
        as_of: "2020-12-17".parse().unwrap(),
        allow_private: false,
        salt: "x".into(),
    }
}

const GOOD: &str = "allowed = [\"测试错词组\"]\n\n[[entries]]\nwrong = \"测试错词\"\nright = \"测试正词\"\nseverity = \"deduct\"\n";

#[test]
fn the_round_carries_each_file_s_text_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let other = "[[entries]]\nwrong = \"另一错词\"\nright = \"另一正词\"\nseverity = \"veto\"\n";
    let plan = plan_in(dir.path(), &[("a.toml", GOOD), ("b.toml", other)]);
    let round = build_round(input(plan)).unwrap();
    let carried: Vec<(&str, &str)> = round
        .dictionaries
        .iter()
        .map(|d| (d.file.as_str(), d.text.as_str()))
        .collect();
    let a = dir.path().join("a.toml").display().to_string();
    let b = dir.path().join("b.toml").display().to_string();
    assert_eq!(carried, [(a.as_str(), GOOD), (b.as_str(), other)]);
}

#[test]
fn a_file_with_a_mistake_stops_the_round_with_its_position_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let twice = format!(
        "{GOOD}\n[[entries]]\nwrong = \"测试错词\"\nright = \"别的\"\nseverity = \"deduct\"\n"
    );
    let plan = plan_in(dir.path(), &[("good.toml", GOOD), ("bad.toml", &twice)]);
    let errors = read_dictionaries(&plan).unwrap_err().0;
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(e.file, dir.path().join("bad.toml"));
    assert_eq!(
        (e.line, e.column, e.key.as_str()),
        (9, 9, "entries[1].wrong")
    );
    assert!(e.message.contains("is listed twice"), "{}", e.message);
    let refused = build_round(input(plan)).unwrap_err();
    assert!(
        refused.contains("bad.toml:9:9: entries[1].wrong:"),
        "{refused}"
    );

    let unknown = "[[entries]]\nwrong = \"错\"\nright = \"对\"\nseverity = \"fatal\"\n";
    let missing = dir.path().join("missing.toml");
    let mut plan = plan_in(dir.path(), &[("unknown.toml", unknown)]);
    plan.wording.dictionaries.push(missing.clone());
    let errors = read_dictionaries(&plan).unwrap_err().0;
    assert_eq!(errors.len(), 2, "every file's problem is told");
    assert_eq!((errors[0].line, errors[0].column), (4, 12));
    assert!(
        errors[0].message.contains("unknown variant `fatal`"),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[1].file, missing);
    assert!(
        errors[1].message.starts_with("cannot read the dictionary"),
        "{}",
        errors[1].message
    );
}
