//! `spotcheck registry import` and `registry export` as an office runs them: a workbook in,
//! a registry out that `registry check` accepts, bad rows refused with exit 2 unless
//! `--skip-bad`, and a registry written back as a workbook that imports to the same registry.

use std::path::Path;
use std::process::{Command, Output};

use rust_xlsxwriter::Workbook;
use spotcheck_core::Registry;

fn spotcheck(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spotcheck"));
    cmd.args(args);
    for p in paths {
        cmd.arg(p);
    }
    cmd.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A websites sheet whose row 3 has no 主办单位, and an accounts sheet.
fn workbook(path: &Path) {
    let mut book = Workbook::new();
    let sites = book.add_worksheet();
    sites.set_name("网站").unwrap();
    let rows = [
        ["网站名称", "网站标识码", "首页网址", "主办单位"],
        ["甲局网站", "", "http://www.a.example.gov.cn/", "市甲局"],
        ["乙局网站", "", "http://www.b.example.gov.cn/", ""],
        ["甲局服务网", "", "http://fw.a.example.gov.cn/", "市甲局"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sites.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    sites.write_number(1, 1, 3602000001.0).unwrap();
    let accounts = book.add_worksheet();
    accounts.set_name("公众号").unwrap();
    for (c, v) in ["账号名称", "平台", "主办单位", "AppID"].iter().enumerate() {
        accounts.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in ["甲局发布", "微信", "市甲局", "wx00000000000000aa"]
        .iter()
        .enumerate()
    {
        accounts.write_string(1, c as u16, *v).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_bad_row_exits_2_and_writes_nothing_unless_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("名录.xlsx");
    let out = dir.path().join("registry.toml");
    workbook(&xlsx);
    let import = ["registry", "import", "--region", "测试市", "--out"];

    let refused = spotcheck(&import, &[&out, &xlsx]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("名录.xlsx [网站] row 3, column D (主办单位): is empty"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written on bad input");

    let skip = [
        "registry",
        "import",
        "--skip-bad",
        "--region",
        "测试市",
        "--out",
    ];
    let skipped = spotcheck(&skip, &[&out, &xlsx]);
    assert_eq!(skipped.status.code(), Some(0), "{}", text(&skipped.stderr));
    assert!(
        text(&skipped.stdout).contains("1 units, 2 websites, 1 accounts (1 problem(s) left out)")
    );

    let check = spotcheck(&["registry", "check"], &[&out]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).contains("测试市政府网站与政务新媒体 (测试市) — 1 units, 2 websites with 0 columns, 1 accounts (1 WeChat)"),
        "{}",
        text(&check.stdout)
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("code = \"3602000001\""), "{written}");
}

#[test]
fn an_exported_registry_imports_to_the_same_registry() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.toml");
    std::fs::write(
        &first,
        r#"[meta]
region = "测试市"
name = "测试市名录"

[[units]]
id = "jia"
name = "市甲局"

[[units]]
id = "yi"
name = "市乙局"

[[websites]]
id = "portal"
unit = "jia"
name = "甲局网站"
url = "http://www.a.example.gov.cn/"
code = "3602000001"

[[accounts]]
id = "jia-wx"
unit = "yi"
platform = "wechat"
name = "乙局发布"
appid = "wx00000000000000aa"
secret_env = "WX_SECRET_YI"

[[accounts]]
id = "jia-wb"
unit = "jia"
platform = "weibo"
name = "甲局微博"
"#,
    )
    .unwrap();
    let xlsx = dir.path().join("out.xlsx");
    let export = spotcheck(&["registry", "export", "--xlsx"], &[&xlsx, &first]);
    assert_eq!(export.status.code(), Some(0), "{}", text(&export.stderr));

    let again = dir.path().join("again.toml");
    let import = spotcheck(
        &[
            "registry",
            "import",
            "--region",
            "测试市",
            "--name",
            "测试市名录",
            "--out",
        ],
        &[&again, &xlsx],
    );
    assert_eq!(import.status.code(), Some(0), "{}", text(&import.stderr));
    let first = Registry::load(&first).unwrap();
    let again = Registry::load(&again).unwrap();
    // Unit ids are given in order of appearance; everything else comes back as it was.
    let unit_names = |r: &Registry| r.units.iter().map(|u| u.name.clone()).collect::<Vec<_>>();
    assert_eq!(unit_names(&again), unit_names(&first));
    assert_eq!(again.websites.len(), 1);
    assert_eq!(
        (
            &again.websites[0].id,
            &again.websites[0].code,
            again.websites[0].url.as_str()
        ),
        (
            &"portal".to_string(),
            &Some("3602000001".to_string()),
            "http://www.a.example.gov.cn/"
        )
    );
    let owner = |r: &Registry, i: usize| r.unit_name(&r.accounts[i].unit).to_string();
    for i in 0..2 {
        let (a, b) = (&first.accounts[i], &again.accounts[i]);
        assert_eq!(
            (
                &a.id,
                a.platform,
                &a.name,
                &a.appid,
                &a.secret_env,
                owner(&first, i)
            ),
            (
                &b.id,
                b.platform,
                &b.name,
                &b.appid,
                &b.secret_env,
                owner(&again, i)
            )
        );
    }
}
