//! The notice as one print-ready HTML file (`report.html`): A4 pages with the margins of
//! an official document, 仿宋 body, 黑体 section headings, 楷体 paragraph headings, and
//! bordered tables; each attachment starts a new page. Everything is inline, so the file can
//! be mailed or opened offline.

use crate::document::{Block, Document, Table};

const STYLE: &str = r#"@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { margin: 2em auto; max-width: 156mm; color: #000; background: #fff;
  font-family: "仿宋_GB2312", "仿宋", FangSong, STFangsong, "宋体", SimSun, serif;
  font-size: 16pt; line-height: 1.75; }
@media print { body { margin: 0; max-width: none; } }
h1 { font-family: "方正小标宋简体", "小标宋", "宋体", SimSun, STSong, serif; font-weight: normal;
  font-size: 22pt; line-height: 1.5; text-align: center; margin: 0 0 1em; }
h2 { font-family: "黑体", SimHei, STHeiti, sans-serif; font-weight: normal; font-size: 16pt;
  margin: 0; text-indent: 2em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.addressee, p.attachments { text-indent: 0; }
p.attachments { margin-top: 1em; padding-left: 3em; text-indent: -3em; }
p.signature { text-align: right; margin-top: 2em; }
p.remark { margin-top: 1em; }
span.lead { font-family: "楷体_GB2312", "楷体", KaiTi, STKaiti, serif; }
section.attachment { break-before: page; page-break-before: always; margin-top: 2em; }
section.attachment p.label { font-family: "黑体", SimHei, STHeiti, sans-serif; text-indent: 0; }
section.attachment h2 { font-family: "方正小标宋简体", "小标宋", "宋体", SimSun, STSong, serif;
  font-size: 18pt; text-align: center; text-indent: 0; margin: 0.5em 0 0; }
section.attachment p.note { text-align: center; text-indent: 0; }
table { border-collapse: collapse; width: 100%; margin-top: 0.5em; font-size: 12pt;
  line-height: 1.4; font-family: "宋体", SimSun, STSong, serif; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 3pt 4pt; text-align: center; vertical-align: middle; }
th { font-family: "黑体", SimHei, STHeiti, sans-serif; font-weight: normal; }
td.prose { text-align: left; word-break: break-all; }
table.wide { font-size: 10.5pt; }
"#;

pub fn render(doc: &Document) -> String {
    let mut s =
        String::from("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(&format!("<title>{}</title>\n", esc(&doc.title)));
    s.push_str(&format!("<style>\n{STYLE}</style>\n</head>\n<body>\n"));
    s.push_str(&format!("<h1>{}</h1>\n", esc(&doc.title)));
    for block in &doc.body {
        match block {
            Block::Addressee(t) => s.push_str(&format!("<p class=\"addressee\">{}</p>\n", esc(t))),
            Block::Heading(t) => s.push_str(&format!("<h2>{}</h2>\n", esc(t))),
            Block::Paragraph(t) => s.push_str(&format!("<p>{}</p>\n", esc(t))),
            Block::Item { lead, text } => s.push_str(&format!(
                "<p><span class=\"lead\">{}</span>{}</p>\n",
                esc(lead),
                esc(text)
            )),
            Block::AttachmentList(titles) => {
                if titles.is_empty() {
                    continue;
                }
                let lines: Vec<String> = titles
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("{}. {}", i + 1, esc(t)))
                    .collect();
                s.push_str(&format!(
                    "<p class=\"attachments\">附件：{}</p>\n",
                    lines.join("<br>\n")
                ));
            }
            Block::Signature(lines) => {
                let lines: Vec<String> = lines.iter().map(|l| esc(l)).collect();
                s.push_str(&format!(
                    "<p class=\"signature\">{}</p>\n",
                    lines.join("<br>\n")
                ));
            }
            Block::Remark(t) => s.push_str(&format!("<p class=\"remark\">{}</p>\n", esc(t))),
        }
    }
    for a in &doc.attachments {
        s.push_str("<section class=\"attachment\">\n");
        s.push_str(&format!("<p class=\"label\">{}</p>\n", esc(&a.label)));
        s.push_str(&format!("<h2>{}</h2>\n", esc(&a.title)));
        if let Some(note) = &a.note {
            s.push_str(&format!("<p class=\"note\">{}</p>\n", esc(note)));
        }
        table(&mut s, &a.table);
        s.push_str("</section>\n");
    }
    s.push_str("</body>\n</html>\n");
    s
}

fn table(s: &mut String, t: &Table) {
    let wide = t.header.len() > 4;
    s.push_str(if wide {
        "<table class=\"wide\">\n"
    } else {
        "<table>\n"
    });
    let total: u32 = t.widths.iter().map(|w| u32::from(*w)).sum::<u32>().max(1);
    s.push_str("<colgroup>");
    for w in &t.widths {
        s.push_str(&format!(
            "<col style=\"width:{:.1}%\">",
            f64::from(*w) * 100.0 / f64::from(total)
        ));
    }
    s.push_str("</colgroup>\n<thead><tr>");
    for h in &t.header {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        s.push_str("<tr>");
        for (c, cell) in row.iter().enumerate() {
            if t.prose(c) {
                s.push_str(&format!("<td class=\"prose\">{}</td>", esc(&cell.text())));
            } else {
                s.push_str(&format!("<td>{}</td>", esc(&cell.text())));
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
}

/// Text as HTML: evidence carries URLs and page text, never markup.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
