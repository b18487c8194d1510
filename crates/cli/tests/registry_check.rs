//! `spotcheck registry check` and bad input: exit code 2 and the reason on stderr.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use spotcheck_testkit::rounds::RegistryText;
use support::stdout_of;

fn spotcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spotcheck"))
}

/// One unit with one website, as `registry.toml`: error positions below are lines of this text.
fn registry() -> String {
    RegistryText::new("测试市", "测试市政府网站")
        .unit("a", "市甲局")
        .website("s", "a", "甲局网站", "http://www.a.gov.cn/")
        .text()
        .to_string()
}

/// `text` written as `registry.toml` into a folder of its own, which lives as long as the
/// returned handle.
fn written(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Runs `registry check` on `text`.
fn check_output(text: &str) -> Output {
    let (_dir, path) = written(text);
    spotcheck()
        .args(["registry", "check"])
        .arg(&path)
        .output()
        .unwrap()
}

#[test]
fn a_good_registry_gets_a_summary() {
    let stdout = stdout_of(check_output(&registry()));
    assert!(
        stdout.contains("1 units, 1 websites with 0 columns, 0 accounts"),
        "{stdout}"
    );
}

#[test]
fn a_bad_registry_exits_2_with_every_position() {
    let out = check_output(&registry().replace("unit = \"a\"", "unit = \"b\""));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .contains("registry.toml:11:8: websites[0].unit: unit `b` is not defined in [[units]]"),
        "{stderr}"
    );
}

#[test]
fn run_refuses_bad_windows_and_missing_files() {
    let (dir, path) = written(&registry());
    let out = spotcheck()
        .args([
            "run",
            "--window",
            "2020-09-30..2020-07-01",
            "--as-of",
            "2020-12-17",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .arg("--registry")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--window: window `2020-09-30..2020-07-01` ends before it starts")
    );
    let out = spotcheck()
        .args(["run", "--registry", "/nonexistent/registry.toml", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the registry"));
}

/// Runs `registry check` on `text`; the exit code and stderr.
fn check(text: &str) -> (Option<i32>, String) {
    let out = check_output(text);
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn an_invalid_selector_is_caught_before_any_request() {
    let text = format!(
        "{}\n  [[websites.columns]]\n  name = \"政务公开\"\n  url = \"http://www.a.gov.cn/xxgk/\"\n  \
         type = \"disclosure\"\n  selectors = {{ item = \"ul.list > li\", date = \"span[\" }}\n",
        registry()
    );
    let (code, stderr) = check(&text);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "registry.toml:19:47: websites[0].columns[0].selectors.date: `span[` is not a valid CSS selector"
        ),
        "{stderr}"
    );
}

#[test]
fn a_loopback_site_is_refused_unless_private_targets_are_allowed() {
    let text = registry().replace("http://www.a.gov.cn/", "http://127.0.0.1:8080/");
    let (code, stderr) = check(&text);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "registry.toml:13:7: websites[0].url: `http://127.0.0.1:8080/`: 127.0.0.1 is a loopback address"
        ),
        "{stderr}"
    );
    let allowed = text.replace("[[units]]", "[network]\nallow_private = true\n\n[[units]]");
    let (code, stderr) = check(&allowed);
    assert_eq!(code, Some(0), "{stderr}");
}

/// A namespace outside the safe alphabet is bad input, refused by the argument parser with
/// the rule before the broker or the store is reached (both point where nothing listens, so
/// reaching for them would fail differently).
#[test]
fn a_bad_namespace_exits_2_naming_the_rule_before_connecting() {
    let rule = "use 1 to 64 ASCII letters, digits, '-', '_' or '.'";
    let nowhere = |c: &mut Command| {
        c.env("SPOTCHECK_AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2f")
            .env("SPOTCHECK_REDIS_URL", "redis://127.0.0.1:1")
            .env_remove("SPOTCHECK_NAMESPACE");
    };

    let mut by_option = spotcheck();
    by_option.args(["round", "status", "--namespace", "a b", "x"]);
    nowhere(&mut by_option);
    let out = by_option.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(r#"namespace "a b""#), "{stderr}");
    assert!(stderr.contains(rule), "{stderr}");

    let mut by_env = spotcheck();
    by_env.args(["round", "status", "x"]);
    nowhere(&mut by_env);
    let out = by_env.env("SPOTCHECK_NAMESPACE", "a:b").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(rule), "{stderr}");
}
