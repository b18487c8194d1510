//! The notice as Markdown (`report.md`): readable as plain text, and as a page where Markdown
//! is rendered. Attachments follow a rule, each with its label, title and table.

use crate::document::{Block, Document, Table};

pub fn render(doc: &Document) -> String {
    let mut s = format!("# {}\n\n", doc.title);
    for block in &doc.body {
        match block {
            Block::Addressee(t) | Block::Paragraph(t) | Block::Remark(t) => {
                s.push_str(t);
                s.push_str("\n\n");
            }
            Block::Heading(t) => s.push_str(&format!("## {t}\n\n")),
            Block::Item { lead, text } => s.push_str(&format!("{lead}{text}\n\n")),
            Block::AttachmentList(titles) => {
                if titles.is_empty() {
                    continue;
                }
                s.push_str("附件：\n\n");
                for (i, t) in titles.iter().enumerate() {
                    s.push_str(&format!("{}. {t}\n", i + 1));
                }
                s.push('\n');
            }
            Block::Signature(lines) => {
                for l in lines {
                    s.push_str(l);
                    s.push_str("\n\n");
                }
            }
        }
    }
    for a in &doc.attachments {
        s.push_str(&format!("---\n\n{}\n\n## {}\n\n", a.label, a.title));
        if let Some(note) = &a.note {
            s.push_str(note);
            s.push_str("\n\n");
        }
        table(&mut s, &a.table);
        s.push('\n');
    }
    s
}

fn table(s: &mut String, t: &Table) {
    let row = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    s.push_str(&row(t.header.iter().map(|h| escape(h)).collect()));
    s.push_str(&row((0..t.header.len())
        .map(|c| if t.numeric(c) { "---:" } else { "---" }.to_string())
        .collect()));
    for r in &t.rows {
        s.push_str(&row(r.iter().map(|c| escape(&c.text())).collect()));
    }
}

/// Cell text that cannot break the table: pipes escaped, line breaks as spaces.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}
