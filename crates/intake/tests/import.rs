//! Importing the 报送系统's sheets: workbooks and CSV files generated here, in the shapes
//! offices send (title rows, two-row headers with merged cells, blank rows, codes stored as
//! numbers, GBK), read into a registry that the registry's own loader accepts.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook};
use spotcheck_core::Registry;
use spotcheck_core::registry::Platform;
use spotcheck_intake::{Imported, Options, export_xlsx, import};

/// Imports `files` for region 测试市 as `dir/registry.toml`, writes it, and loads it with
/// the registry loader.
fn imported(dir: &Path, files: &[PathBuf]) -> (Imported, Registry) {
    let out = dir.join("registry.toml");
    let imported = import(&Options {
        files: files.to_vec(),
        region: "测试市".to_string(),
        name: "测试市政府网站与政务新媒体".to_string(),
        out: out.clone(),
    })
    .unwrap();
    std::fs::write(&out, &imported.text).unwrap();
    let registry = Registry::load(&out).unwrap_or_else(|e| panic!("{e}\n{}", imported.text));
    (imported, registry)
}

fn problems(i: &Imported) -> Vec<String> {
    i.problems.iter().map(ToString::to_string).collect()
}

/// A sheet as offices keep it: a merged title row, a two-row header (序号 … merged down,
/// 主办单位 merged across 名称 and 联系人), a blank row, 网站标识码 as numbers, a unit merged
/// down over two sites.
fn office_workbook(path: &Path) {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("网站名录").unwrap();
    let f = Format::new();
    s.merge_range(0, 0, 0, 5, "测试市政府网站名录", &f).unwrap();
    for (c, label) in ["序号", "*网站名称", "网站标识码", "首页网址"]
        .iter()
        .enumerate()
    {
        s.merge_range(1, c as u16, 2, c as u16, label, &f).unwrap();
    }
    s.merge_range(1, 4, 1, 5, "主办单位", &f).unwrap();
    s.write_string(2, 4, "名称").unwrap();
    s.write_string(2, 5, "联系人").unwrap();
    // Row 4.
    s.write_number(3, 0, 1).unwrap();
    s.write_string(3, 1, "甲局网站").unwrap();
    s.write_number(3, 2, 3602000001.0).unwrap();
    s.write_string(3, 3, "http://www.a.example.gov.cn/")
        .unwrap();
    s.write_string(3, 4, " 市甲局 ").unwrap();
    s.write_string(3, 5, "张三").unwrap();
    // Row 5 is blank; rows 6 and 7 share a merged unit cell.
    s.write_number(5, 0, 2).unwrap();
    s.write_string(5, 1, "乙局网站").unwrap();
    s.write_number(5, 2, 3602000002.0).unwrap();
    s.write_string(5, 3, "www.b.example.gov.cn").unwrap();
    s.merge_range(5, 4, 6, 4, "市乙局", &f).unwrap();
    s.write_number(6, 0, 3).unwrap();
    s.write_string(6, 1, "乙局服务网").unwrap();
    s.write_string(6, 3, "https://fw.b.example.gov.cn/")
        .unwrap();
    book.save(path).unwrap();
}

#[test]
fn an_office_workbook_becomes_a_registry_the_loader_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("网站.xlsx");
    office_workbook(&path);
    let (imported, reg) = imported(dir.path(), &[path]);
    assert_eq!(problems(&imported), Vec::<String>::new());

    let units: Vec<_> = reg
        .units
        .iter()
        .map(|u| (&*u.id, &*u.name, u.contact.as_deref()))
        .collect();
    // 联系人 under the merged 主办单位 is the unit's contact.
    assert_eq!(
        units,
        [("u001", "市甲局", Some("张三")), ("u002", "市乙局", None)]
    );
    let sites: Vec<_> = reg
        .websites
        .iter()
        .map(|w| {
            (
                &*w.id,
                &*w.unit,
                &*w.name,
                w.url.as_str(),
                w.code.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        sites,
        [
            (
                "3602000001",
                "u001",
                "甲局网站",
                "http://www.a.example.gov.cn/",
                Some("3602000001")
            ),
            (
                "3602000002",
                "u002",
                "乙局网站",
                "http://www.b.example.gov.cn/",
                Some("3602000002")
            ),
            (
                "w003",
                "u002",
                "乙局服务网",
                "https://fw.b.example.gov.cn/",
                None
            ),
        ]
    );
    // Every entry names its source row.
    assert!(
        imported
            .text
            .contains("# 网站.xlsx 「网站名录」 第 7 行\n[[websites]]\nid = \"w003\""),
        "{}",
        imported.text
    );
}

#[test]
fn a_gbk_csv_reads_as_the_chinese_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("网站.csv");
    let text = "网站名称,网站标识码,网站地址,主办单位,网站类型\r\n\
                测试市人力资源和社会保障局网站,3602000003,http://rsj.example.gov.cn/,测试市人力资源和社会保障局,部门网站\r\n\
                ,,,,\r\n\
                测试市公安局网站,3602000004,http://gaj.example.gov.cn/,测试市公安局,部门网站\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    std::fs::write(&path, &gbk).unwrap();
    let (imported, reg) = imported(dir.path(), &[path]);
    assert_eq!(problems(&imported), Vec::<String>::new());
    let names: Vec<_> = reg.websites.iter().map(|w| &*w.name).collect();
    assert_eq!(
        names,
        ["测试市人力资源和社会保障局网站", "测试市公安局网站"]
    );
    assert_eq!(reg.units[0].name, "测试市人力资源和社会保障局");
    assert!(
        imported.text.contains("第 4 行；网站类型：部门网站"),
        "{}",
        imported.text
    );
}

/// An accounts sheet: WeChat with AppID, a Weibo account, and bad rows.
fn accounts_workbook(path: &Path) {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("新媒体").unwrap();
    let rows: [[&str; 6]; 5] = [
        [
            "账号名称",
            "平台",
            "主办单位",
            "微信号",
            "原始ID",
            "开发者ID(AppID)",
        ],
        [
            "测试公安",
            "微信公众号",
            "市公安局",
            "csga",
            "gh_0a1b2c3d4e5f",
            "wx0123456789abcdef",
        ],
        ["测试公安微博", "新浪微博", "市公安局", "", "", ""],
        ["测试人社", "微信", "市人社局", "csrs", "", ""],
        ["", "抖音", "", "", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn accounts_are_read_and_every_bad_row_is_named_by_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("新媒体.xlsx");
    accounts_workbook(&path);
    let (imported, reg) = imported(dir.path(), &[path]);
    assert_eq!(
        problems(&imported),
        [
            "新媒体.xlsx [新媒体] row 4, column F (appid): a WeChat account needs its AppID (开发者ID): its menus are read through the WeChat API",
            "新媒体.xlsx [新媒体] row 5, column A (账号名称): is empty",
            "新媒体.xlsx [新媒体] row 5, column C (主办单位): is empty",
        ]
    );
    let accounts: Vec<_> = reg
        .accounts
        .iter()
        .map(|a| {
            (
                &*a.id,
                &*a.unit,
                a.platform,
                a.appid.as_deref(),
                a.secret_env.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        accounts,
        [
            (
                "gh_0a1b2c3d4e5f",
                "u001",
                Platform::Wechat,
                Some("wx0123456789abcdef"),
                Some("WX_SECRET_GH_0A1B2C3D4E5F")
            ),
            ("a002", "u001", Platform::Weibo, None, None),
        ]
    );
    assert_eq!(reg.units.len(), 1, "a bad row creates no unit");
}

#[test]
fn bad_website_rows_are_left_out_with_their_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.csv");
    std::fs::write(
        &path,
        "网站名称,网站标识码,首页网址,主办单位\n\
         甲网站,3602000001,http://a.example.gov.cn/,甲局\n\
         乙网站,3.602E+09,ftp://b.example.gov.cn/,乙局\n\
         丙网站,3602000001,http://c.example.gov.cn/,丙局\n\
         丁网站,,http://10.1.2.3/,丁局\n",
    )
    .unwrap();
    let (imported, reg) = imported(dir.path(), &[path]);
    let p = problems(&imported);
    assert_eq!(p.len(), 4, "{p:#?}");
    assert_eq!(
        p[0],
        "sites.csv [sites] row 3, column C (首页网址): `ftp://b.example.gov.cn/` is not an http(s) address"
    );
    assert!(
        p[1].starts_with("sites.csv [sites] row 3, column B (网站标识码): `3.602E+09` is not a code: Excel shortened a number"),
        "{}",
        p[1]
    );
    assert_eq!(
        p[2],
        "sites.csv [sites] row 4, column B (网站标识码): website `3602000001` is already on sites.csv [sites] row 2"
    );
    // The loader's own refusal (a private address) is reported at the source row.
    assert!(
        p[3].starts_with("sites.csv [sites] row 5: websites[1].url:"),
        "{}",
        p[3]
    );
    let ids: Vec<_> = reg.websites.iter().map(|w| &*w.id).collect();
    assert_eq!(ids, ["3602000001"]);
}

#[test]
fn a_sheet_with_no_header_we_know_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("名录.xlsx");
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("填表说明").unwrap();
    notes.write_string(0, 0, "单位").unwrap();
    notes.write_string(0, 1, "地址").unwrap();
    notes.write_string(1, 0, "市甲局").unwrap();
    notes
        .write_string(1, 1, "http://a.example.gov.cn/")
        .unwrap();
    book.add_worksheet().set_name("空表").unwrap();
    book.save(&path).unwrap();
    let out = dir.path().join("registry.toml");
    let imported = import(&Options {
        files: vec![path],
        region: "测试市".to_string(),
        name: "测试".to_string(),
        out,
    })
    .unwrap();
    let p = problems(&imported);
    assert_eq!(p.len(), 1, "the blank sheet is no problem: {p:#?}");
    assert!(
        p[0].starts_with(
            "名录.xlsx [填表说明]: no header we know: a websites sheet names 网站名称 and 首页网址"
        ),
        "{}",
        p[0]
    );
    assert_eq!(imported.websites + imported.accounts, 0);
}

#[test]
fn a_header_without_the_unit_names_the_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.csv");
    std::fs::write(
        &path,
        "网站名称,首页网址\n甲网站,http://a.example.gov.cn/\n",
    )
    .unwrap();
    let imported = import(&Options {
        files: vec![path],
        region: "测试市".to_string(),
        name: "测试".to_string(),
        out: dir.path().join("registry.toml"),
    })
    .unwrap();
    assert_eq!(
        problems(&imported),
        [
            "sites.csv [sites], no column 主办单位: the header (row 1) has no such column; accepted labels: 主办单位, 主办单位名称, 开办单位, 主办者, 单位名称"
        ]
    );
}

#[test]
fn an_exported_registry_imports_to_the_same_registry() {
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("网站.xlsx");
    let accounts = dir.path().join("新媒体.xlsx");
    office_workbook(&sites);
    accounts_workbook(&accounts);
    let first_dir = dir.path().join("first");
    std::fs::create_dir(&first_dir).unwrap();
    let (_, first) = imported(&first_dir, &[sites, accounts]);

    let exported = dir.path().join("registry.xlsx");
    export_xlsx(&first, &exported).unwrap();
    let again_dir = dir.path().join("again");
    std::fs::create_dir(&again_dir).unwrap();
    let (imported_again, again) = imported(&again_dir, &[exported]);
    assert_eq!(problems(&imported_again), Vec::<String>::new());
    assert_eq!(again, first);
    assert_eq!(first.websites.len(), 3);
    assert_eq!(first.accounts.len(), 2);
}

/// Units' contacts for the notices: the first row of a unit that gives an email and a contact
/// gives them to the unit; a malformed email is the row's problem, named by its column.
#[test]
fn units_take_their_email_and_contact_from_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.csv");
    std::fs::write(
        &path,
        "网站名称,首页网址,主办单位,联系人,联系邮箱\n\
         甲网站,http://a.example.gov.cn/,甲局,,\n\
         甲服务网,http://fw.a.example.gov.cn/,甲局,李四,jia@example.gov.cn\n\
         甲三网,http://c.a.example.gov.cn/,甲局,王五,other@example.gov.cn\n\
         乙网站,http://b.example.gov.cn/,乙局,赵六,not-an-address\n",
    )
    .unwrap();
    let (imported, reg) = imported(dir.path(), &[path]);
    assert_eq!(
        problems(&imported),
        ["sites.csv [sites] row 5, column E (联系邮箱): `not-an-address` is not an email address"]
    );
    let units: Vec<_> = reg
        .units
        .iter()
        .map(|u| (&*u.name, u.email.as_deref(), u.contact.as_deref()))
        .collect();
    assert_eq!(units, [("甲局", Some("jia@example.gov.cn"), Some("李四"))]);
}
