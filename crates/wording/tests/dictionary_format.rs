//! Dictionary files: the format, and refusals that say where the mistake is.

use spotcheck_wording::{Dictionary, DictionaryError, Severity};

fn refusal(toml: &str) -> (usize, usize, String) {
    match Dictionary::parse(toml, "my.toml") {
        Err(DictionaryError::Invalid {
            origin,
            line,
            column,
            message,
            ..
        }) => {
            assert_eq!(origin, "my.toml");
            (line, column, message)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_file_with_entries_and_allowed_phrases_is_read() {
    let dictionary = Dictionary::parse(
        r#"allowed = ["按装修"]

[[entries]]
wrong = "按装"
right = "安装"
severity = "deduct"

[[entries]]
wrong = "中国共产觉"
right = "中国共产党"
severity = "veto"
note = "党名错误"
"#,
        "my.toml",
    )
    .unwrap();
    assert_eq!(dictionary.allowed(), ["按装修"]);
    let entries = dictionary.entries();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[1].severity, entries[1].note.as_str()),
        (Severity::Veto, "党名错误")
    );
    assert_eq!(entries[0].note, "");
}

#[test]
fn bad_entries_are_refused_with_line_and_column() {
    let entry = |wrong: &str, right: &str, severity: &str| {
        format!(
            "# my words\n\n[[entries]]\nwrong = \"{wrong}\"\nright = \"{right}\"\nseverity = \"{severity}\"\n"
        )
    };
    let (line, column, message) = refusal(&entry("", "安装", "deduct"));
    assert_eq!((line, column), (4, 9));
    assert!(message.contains("wrong is empty"), "{message}");

    let (line, _, message) = refusal(&entry("安装", "安装", "deduct"));
    assert_eq!(line, 4);
    assert!(message.contains("same text"), "{message}");

    let (line, _, message) = refusal(&entry("再接再勵", "再接再励", "deduct"));
    assert_eq!(line, 4);
    assert!(message.contains("traditional"), "{message}");

    let (line, column, message) = refusal(&entry("按装", "安装", "fatal"));
    assert_eq!((line, column), (6, 12));
    assert!(
        message.contains("veto") && message.contains("deduct"),
        "{message}"
    );

    let (line, _, message) = refusal("[[entries]]\nwrong = \"按装\"\nseverity = \"veto\"\n");
    assert_eq!(line, 1);
    assert!(message.contains("right"), "{message}");
}

#[test]
fn duplicates_unknown_keys_and_broken_toml_are_refused() {
    let twice = "[[entries]]\nwrong = \"按装\"\nright = \"安装\"\nseverity = \"deduct\"\n\
                 [[entries]]\nwrong = \"按装\"\nright = \"安装\"\nseverity = \"veto\"\n";
    let (line, _, message) = refusal(twice);
    assert_eq!(line, 6);
    assert!(message.contains("twice"), "{message}");
    // The key at fault is named, as in every other file's errors.
    assert_eq!(
        Dictionary::parse(twice, "my.toml").unwrap_err().to_string(),
        "my.toml:6:9: entries[1].wrong: wrong = \"按装\" is listed twice (first as \"按装\")"
    );
    assert_eq!(
        Dictionary::parse("allowed = [\"a\", \" \"]\n", "my.toml")
            .unwrap_err()
            .to_string(),
        "my.toml:1:17: allowed[1]: an allowed phrase is empty"
    );

    let (line, _, message) = refusal(
        "[[entries]]\nwrong = \"按装\"\nright = \"安装\"\nseverity = \"deduct\"\nnotes = \"x\"\n",
    );
    assert_eq!(line, 5);
    assert!(message.contains("notes"), "{message}");

    let (line, column, _) = refusal("allowed = [\"a\",\n  \"b\"\n[[entries]]\n");
    assert!(line >= 2, "line {line} column {column}");

    let (line, _, message) = refusal("allowed = [\"\"]\n");
    assert_eq!(line, 1);
    assert!(message.contains("empty"), "{message}");
}

#[test]
fn a_missing_file_names_the_file() {
    let err = Dictionary::for_plan(true, ["/nonexistent/words.toml"]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/words.toml: cannot read"),
        "{err}"
    );
}

#[test]
fn the_plan_chooses_builtin_and_files() {
    let dir = std::env::temp_dir().join(format!("wording-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("local.toml");
    std::fs::write(
        &file,
        "[[entries]]\nwrong = \"景得镇\"\nright = \"景德镇\"\nseverity = \"veto\"\n",
    )
    .unwrap();
    let without = Dictionary::for_plan(false, [&file]).unwrap();
    assert_eq!(without.entries().len(), 1);
    let with = Dictionary::for_plan(true, [&file]).unwrap();
    assert_eq!(
        with.entries().len(),
        Dictionary::builtin().entries().len() + 1
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
