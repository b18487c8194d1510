//! The notice and the workbook from fixed reports modelled on the seed notice (景德镇市,
//! 2020 Q4: a spot round and its re-check): the Markdown against golden files, the HTML and
//! Word notices against the same sentences, the workbook read back against `report.json`.
//!
//! `UPDATE_GOLDEN=1 cargo test -p spotcheck-report --test render` rewrites the golden files.

use std::io::{Cursor, Read};
use std::path::PathBuf;

use calamine::{Data, Reader, Xlsx};
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_report::Report;
use spotcheck_report::model::Problem;
use spotcheck_report::notice::document;
use spotcheck_report::render::{self, Block, Cell, html::esc};

fn here(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rel)
}

fn load(name: &str) -> Report {
    let text = std::fs::read_to_string(here(&format!("fixtures/{name}"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn spot() -> Report {
    load("report-spot.json")
}

fn recheck() -> Report {
    load("report-recheck.json")
}

/// Compares with a golden file, or rewrites it when `UPDATE_GOLDEN` is set.
fn golden(name: &str, actual: &str) {
    let path = here(&format!("golden/{name}"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the golden file at line {}:\n  golden: {:?}\n  actual: {:?}\n(UPDATE_GOLDEN=1 rewrites it)",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn markdown_notice_of_a_spot_round_matches_its_golden_file() {
    golden("notice.md", &render::to_markdown(&spot()));
}

#[test]
fn markdown_notice_of_a_recheck_matches_its_golden_file() {
    golden("notice-recheck.md", &render::to_markdown(&recheck()));
}

#[test]
fn html_notice_matches_its_golden_file() {
    golden("notice-recheck.html", &render::to_html(&recheck()));
}

#[test]
fn the_recheck_notice_reads_like_the_seed() {
    let r = recheck();
    let md = render::to_markdown(&r);
    for text in [
        "# 景德镇市人民政府办公室关于2020年第四季度网站与政务新媒体抽查情况的通报\n",
        "各县（市、区）人民政府，市政府各部门，市直有关单位：",
        "并督促各单位完成整改，于12月17日启动复查，现将复查结果通报如下：",
        "截至12月17日，我市登记正常运行的政府网站40家、政务新媒体56家。",
        "经监测，全市40家网站、56家政务新媒体四季度总体运行情况良好，抽查率100%，合格率100%。",
        "三季度景德镇市政府网站共收到咨询投诉信件683封，已回复683封，回复率达100%，市人社局共收到信件308封，占比45%。",
        "经过整改已基本完善。",
        "经过督促整改后，仍有高新区、市瓷局、市公安局、市农业农村局、市退役军人事务局、市公路局等六家单位未及时完成整改。",
        "三季度市教育局、市公安局、市民政局等三家单位未按要求开展在线访谈。",
        "1. 2020年第三季度信息公开平台信息更新情况表",
        "2. 2020年第三季度景德镇市政府网站留言回复情况统计表",
        "（统计时间：7月1日—9月30日）",
        "| 部门 | 信息更新量 | 部门 | 信息更新量 |",
        "| 市公安局 | 189 | 市消防救援支队 | 26 |",
        "| 市人社局 | 308 | 308 | 100.00% |",
    ] {
        assert!(md.contains(text), "the notice lacks {text:?}:\n{md}");
    }
    let order = [
        "## 一、基本情况",
        "## 二、主要问题",
        "## 三、下一步工作要求",
        "附件1\n",
        "附件2\n",
        "附件3\n",
        "附件4\n",
    ];
    let at: Vec<usize> = order.iter().map(|s| md.find(s).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "sections out of order");
    // The body names units; the evidence is in the attachments only.
    let body = &md[..md.find("附件1\n").unwrap()];
    assert!(
        !body.contains("http://"),
        "evidence belongs in the 问题清单"
    );
}

#[test]
fn a_spot_round_names_each_problem_with_its_units() {
    let md = render::to_markdown(&spot());
    for text in [
        "于11月2日对全市政府网站与政务新媒体检查指标组织开展了第四季度抽查，现将抽查情况通报如下：",
        "抽查率100%，合格率97.9%。",
        "（一）网站无法访问。经监测，市气象局网站在抽查期间多次无法访问",
        "（三）栏目内容空白。市民政局、市税务局等两家单位网站存在无任何内容或无法打开的空白栏目。",
        "（五）新媒体菜单链接失效。部分单位微信公众号菜单链接失效，高新区、市瓷局、市公安局、市农业农村局、市退役军人事务局、市公路局等六家单位的公众号菜单存在无法打开的链接。",
        "（六）在线访谈开展不及时。",
        "## 抽查问题清单",
        "所在页面：http://zjj.jdz.gov.cn/col/1/index.html；http://zjj.jdz.gov.cn/col/2/index.html；http://zjj.jdz.gov.cn/col/3/index.html 等5个页面",
    ] {
        assert!(md.contains(text), "the notice lacks {text:?}:\n{md}");
    }
    // A good overall state is only claimed when every target passed.
    assert!(!md.contains("总体运行情况良好"));
    // Notices (a menu that could not be read) are listed, not counted as problems.
    assert!(!md.contains("（七）"));
    assert!(md.contains("| 市商务局 | 新媒体菜单无法读取 | 提示 |"));
}

#[test]
fn attachment_1_is_laid_out_in_two_columns_as_the_seed() {
    let r = recheck();
    let doc = document(&r);
    let t = &doc.attachments[0].table;
    assert_eq!(t.rows.len(), 24);
    let row = |i: usize| t.rows[i].iter().map(Cell::text).collect::<Vec<_>>();
    assert_eq!(row(0), ["市公安局", "189", "市消防救援支队", "26"]);
    assert_eq!(row(15), ["市自然资源规划局", "36", "市农业农村局", "14"]);
    assert_eq!(row(23), ["市财政局", "31", "市医保局", "6"]);

    // With an odd count the left half takes the extra unit.
    let mut odd = r.clone();
    odd.updates.pop();
    let doc = document(&odd);
    let t = &doc.attachments[0].table;
    assert_eq!(t.rows.len(), 24);
    assert_eq!(t.rows[22][2].text(), "市气象局");
    assert_eq!(
        t.rows[23][..2],
        [Cell::Text("市财政局".into()), Cell::Count(31)]
    );
    assert_eq!(t.rows[23][2..], [Cell::Empty, Cell::Empty]);
}

#[test]
fn every_figure_comes_from_the_model() {
    let mut r = spot();
    r.summary.websites.checked = 30;
    r.summary.sample_rate = 0.975;
    r.summary.pass_rate = 0.9;
    r.summary.letters.received = 200;
    r.summary.letters.replied = 150;
    r.summary.letters.reply_rate = 0.75;
    r.letters[0].received = 90;
    r.letters[0].reply_rate = 0.5;
    let md = render::to_markdown(&r);
    for text in [
        "经监测，本次抽查网站30家、政务新媒体56家，四季度抽查率97.5%，合格率90%。",
        "共收到咨询投诉信件200封，已回复150封，回复率达75%，市人社局共收到信件90封，占比45%。",
        "| 市人社局 | 90 | 308 | 50.00% |",
    ] {
        assert!(md.contains(text), "the notice lacks {text:?}:\n{md}");
    }
    assert!(!md.contains("683"));
}

#[test]
fn units_are_counted_in_chinese_numerals() {
    let mut r = spot();
    let units: Vec<String> = (1..=11).map(|i| format!("单位{i}")).collect();
    r.problems = vec![Problem {
        indicator: Indicator::LinkBroken,
        units,
    }];
    let md = render::to_markdown(&r);
    assert!(md.contains("单位1、单位2、单位3、单位4、单位5、单位6、单位7、单位8、单位9、单位10、单位11等十一家单位网站页面存在无法打开的失效链接。"));
}

#[test]
fn a_round_without_problems_says_so_and_lists_nothing() {
    let mut r = spot();
    r.problems.clear();
    r.findings.clear();
    r.summary.pass_rate = 1.0;
    let md = render::to_markdown(&r);
    assert!(md.contains("## 二、主要问题\n\n本次抽查未发现问题。\n"));
    assert!(md.contains("总体运行情况良好"));
    assert!(!md.contains("问题清单"));
    assert_eq!(document(&r).attachments.len(), 2);
}

#[test]
fn a_recheck_names_units_found_with_a_problem_anew() {
    let mut r = recheck();
    r.problems[0].units.push("市文旅局".into());
    let md = render::to_markdown(&r);
    assert!(md.contains("未及时完成整改。复查中另发现市文旅局存在此类问题。"));
}

#[test]
fn html_says_what_markdown_says() {
    for r in [spot(), recheck()] {
        let doc = document(&r);
        let html = render::to_html(&r);
        let md = render::to_markdown(&r);
        for b in &doc.body {
            let text = match b {
                Block::Paragraph(t) | Block::Heading(t) | Block::Addressee(t) => t.clone(),
                Block::Item { lead, text } => {
                    assert!(html.contains(&format!(
                        "<span class=\"lead\">{}</span>{}",
                        esc(lead),
                        esc(text)
                    )));
                    assert!(md.contains(&format!("{lead}{text}")));
                    continue;
                }
                _ => continue,
            };
            assert!(html.contains(&esc(&text)), "the HTML lacks {text:?}");
            assert!(md.contains(&text), "the Markdown lacks {text:?}");
        }
        for a in &doc.attachments {
            assert!(html.contains(&format!("<h2>{}</h2>", esc(&a.title))));
            for row in &a.table.rows {
                let cells: String = row
                    .iter()
                    .map(|c| format!("<td{}>{}</td>", "", esc(&c.text())))
                    .collect();
                if a.table.widths.iter().all(|w| *w < 5) {
                    assert!(html.contains(&cells), "the HTML lacks the row {cells}");
                }
            }
        }
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("@page { size: A4;"));
        assert!(html.contains("仿宋"));
        assert!(html.contains("border: 1px solid #000"));
    }
}

#[test]
fn evidence_is_escaped_in_html() {
    let mut r = spot();
    r.findings[0].detail = "<script>alert(1)</script> & \"x\"".into();
    let html = render::to_html(&r);
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
    let md = render::to_markdown(&r);
    r.findings[0].detail = "a | b\nc".into();
    let md2 = render::to_markdown(&r);
    assert_ne!(md, md2);
    assert!(md2.contains("a \\| b c"));
}

fn sheet(wb: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> calamine::Range<Data> {
    wb.worksheet_range(name)
        .unwrap_or_else(|e| panic!("no sheet {name}: {e}"))
}

/// The table of a sheet: the rows under the title, the note and the header.
fn body(range: &calamine::Range<Data>) -> Vec<Vec<Data>> {
    range.rows().skip(3).map(|r| r.to_vec()).collect()
}

fn text(s: &str) -> Data {
    Data::String(s.to_string())
}

fn number(v: &serde_json::Value) -> Data {
    Data::Float(v.as_f64().unwrap())
}

#[test]
fn the_workbook_holds_report_json_tables_as_numbers() {
    for r in [spot(), recheck()] {
        let bytes = render::to_xlsx(&r).unwrap();
        let json: serde_json::Value = serde_json::to_value(&r).unwrap();
        let mut wb = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        let mut names = vec![
            "基本情况",
            "附件1 信息更新情况",
            "附件2 留言回复情况",
            "附件3 问题清单",
        ];
        if r.rectification.is_some() {
            names.push("附件4 整改情况");
        }
        assert_eq!(wb.sheet_names(), names);

        let updates = sheet(&mut wb, "附件1 信息更新情况");
        assert_eq!(
            updates.get_value((0, 0)),
            Some(&text("2020年第三季度信息公开平台信息更新情况表"))
        );
        assert_eq!(
            updates.get_value((1, 0)),
            Some(&text("（统计时间：7月1日—9月30日）"))
        );
        assert_eq!(
            updates.rows().nth(2).unwrap(),
            [text("部门"), text("信息更新量")]
        );
        let expected: Vec<Vec<Data>> = json["updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| vec![text(u["unit"].as_str().unwrap()), number(&u["count"])])
            .collect();
        assert_eq!(body(&updates), expected);

        let letters = sheet(&mut wb, "附件2 留言回复情况");
        let expected: Vec<Vec<Data>> = json["letters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                vec![
                    text(l["unit"].as_str().unwrap()),
                    number(&l["received"]),
                    number(&l["replied"]),
                    number(&l["reply_rate"]),
                ]
            })
            .collect();
        assert_eq!(body(&letters), expected);

        let findings = sheet(&mut wb, "附件3 问题清单");
        let rows = body(&findings);
        assert_eq!(rows.len(), r.findings.len());
        for (row, f) in rows.iter().zip(&json["findings"].as_array().unwrap()[..]) {
            let s = |v: &serde_json::Value| text(v.as_str().unwrap_or(""));
            assert_eq!(row[1], s(&f["indicator"]));
            assert_eq!(row[4], s(&f["unit"]));
            assert_eq!(row[5], s(&f["target"]));
            assert_eq!(row[7], s(&f["detail"]));
            let url = f["url"].as_str().unwrap_or("");
            let menu = f["menu_path"].as_str().unwrap_or("");
            let pages: Vec<&str> = f["pages"]
                .as_array()
                .map(|p| p.iter().map(|x| x.as_str().unwrap()).collect())
                .unwrap_or_default();
            for (cell, want) in [(&row[6], url), (&row[8], menu)] {
                if want.is_empty() {
                    assert!(matches!(cell, Data::Empty) || *cell == text(""));
                } else {
                    assert_eq!(*cell, text(want));
                }
            }
            if !pages.is_empty() {
                assert_eq!(row[9], text(&pages.join("\n")));
            }
        }
        let severities: Vec<Data> = rows.iter().map(|r| r[3].clone()).collect();
        assert!(severities.contains(&text("提示")));

        let summary = sheet(&mut wb, "基本情况");
        let figures = body(&summary);
        assert_eq!(figures[0], [text("登记政府网站（家）"), Data::Float(40.0)]);
        assert_eq!(
            figures[7],
            [text("合格率"), Data::Float(r.summary.pass_rate)]
        );

        if let Some(rect) = &r.rectification {
            let rows = body(&sheet(&mut wb, "附件4 整改情况"));
            assert_eq!(rows.len(), rect.items.len());
            let fixed = rows.iter().filter(|r| r[8] == text("已整改")).count();
            assert_eq!(fixed, rect.items.iter().filter(|i| i.rectified).count());
        }

        // Rates carry a percent format; counts a whole-number one.
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut styles = String::new();
        zip.by_name("xl/styles.xml")
            .unwrap()
            .read_to_string(&mut styles)
            .unwrap();
        assert!(styles.contains("formatCode=\"0.00%\""), "{styles}");
    }
}

#[test]
fn chinese_columns_are_wide_enough_for_their_text() {
    let bytes = render::to_xlsx(&recheck()).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    // Sheet 3 is 附件2: its widest unit name is 市自然资源规划局 (8 CJK characters).
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet3.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let width: f64 = xml
        .split("<col ")
        .nth(1)
        .and_then(|c| c.split("width=\"").nth(1))
        .and_then(|w| w.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(width >= 16.0, "column A is {width} wide: {xml}");
}

/// The text of each paragraph of a Word document (runs joined), table cells included.
fn word_paragraphs(docx: &[u8]) -> (Vec<String>, String) {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx.to_vec())).unwrap();
    for part in ["[Content_Types].xml", "word/styles.xml", "_rels/.rels"] {
        assert!(zip.by_name(part).is_ok(), "the package lacks {part}");
    }
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == "w:p" => {
                paragraphs.push(std::mem::take(&mut current))
            }
            Event::Text(t) if in_text => current.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => match r.resolve_char_ref().unwrap() {
                Some(c) => current.push(c),
                None => current.push(match &*r {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("unknown entity {other:?}"),
                }),
            },
            Event::Eof => break,
            _ => {}
        }
    }
    (paragraphs, xml)
}

#[test]
fn the_word_notice_holds_the_sections_and_the_tables() {
    for r in [spot(), recheck()] {
        let doc = document(&r);
        let bytes = render::to_docx(&r).unwrap();
        let (paragraphs, xml) = word_paragraphs(&bytes);
        let has = |t: &str| paragraphs.iter().any(|p| p == t);
        assert!(has(&doc.title));
        for b in &doc.body {
            match b {
                Block::Paragraph(t) | Block::Heading(t) | Block::Addressee(t) => {
                    assert!(has(t), "the Word notice lacks {t:?}")
                }
                Block::Item { lead, text } => {
                    assert!(
                        has(&format!("{lead}{text}")),
                        "the Word notice lacks {lead}"
                    )
                }
                _ => {}
            }
        }
        for a in &doc.attachments {
            assert!(has(&a.label) && has(&a.title));
            for h in &a.table.header {
                assert!(has(h));
            }
            for row in &a.table.rows {
                for c in row {
                    assert!(has(&c.text()), "the Word tables lack {:?}", c.text());
                }
            }
        }
        for (cell, n) in [("市公安局", 3), ("189", 1), ("100.00%", 33)] {
            assert!(
                paragraphs.iter().filter(|p| *p == cell).count() >= n,
                "{cell} appears fewer than {n} times"
            );
        }
        assert_eq!(xml.matches("<w:tbl>").count(), doc.attachments.len());
        for font in ["仿宋_GB2312", "黑体", "宋体", "楷体_GB2312"] {
            assert!(
                xml.contains(&format!("w:eastAsia=\"{font}\"")),
                "no run sets the East-Asian font {font}"
            );
        }
    }
}

#[test]
fn every_format_is_deterministic() {
    let r = recheck();
    assert_eq!(render::to_markdown(&r), render::to_markdown(&r));
    assert_eq!(render::to_html(&r), render::to_html(&r));
    assert_eq!(render::to_docx(&r).unwrap(), render::to_docx(&r).unwrap());
    assert_eq!(render::to_xlsx(&r).unwrap(), render::to_xlsx(&r).unwrap());
}

#[test]
fn findings_can_be_added_without_breaking_the_notice() {
    // A dead job has no unit; the list still reads.
    let mut r = spot();
    let mut dead = r.findings[0].clone();
    dead.indicator = Indicator::JobFailed;
    dead.severity = Severity::Notice;
    dead.unit = String::new();
    dead.target = "http://x.example/".into();
    dead.url = Some("http://x.example/".into());
    dead.detail = "链接检查任务未能完成：worker crashed".into();
    dead.website = None;
    r.findings.push(dead);
    r.summary.jobs.dead = 1;
    let md = render::to_markdown(&r);
    assert!(md.contains("另有1项检查任务多次尝试后仍未完成，相关指标未能判定，详见附件问题清单。"));
    assert!(md.contains("|  | 检查任务未能完成 | 提示 |"));
    render::to_xlsx(&r).unwrap();
    render::to_docx(&r).unwrap();
}
