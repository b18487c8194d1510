//! `--format` on the commands that write reports: an unknown name is bad input (exit code 2)
//! and the message lists the valid ones.

use std::process::Command;

#[test]
fn unknown_formats_are_refused_with_the_valid_ones_listed() {
    for args in [
        &[
            "report",
            "2020Q4-abc",
            "--out",
            "unused",
            "--format",
            "md,pdf",
        ][..],
        &[
            "run",
            "--registry",
            "r.toml",
            "--out",
            "unused",
            "--format",
            "doc",
        ][..],
        &["demo", "--format", "xls"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_spotcheck"))
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("invalid value"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("[possible values: md, html, xlsx, docx, json]"),
            "{args:?}: {stderr}"
        );
    }
}
