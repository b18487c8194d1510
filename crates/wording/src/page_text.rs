//! The text a reader sees on a page, with the way back to the HTML it came from.
//!
//! Only text counts: a wrong phrase inside a `<script>`, a `<style>`, an attribute or a URL is
//! not on the page as read, and flagging it would send a unit hunting for something it cannot
//! see. The page is read by a streaming tokenizer (lol_html: linear on any markup, no tree).
//! Regular text and the text of `<title>` and `<textarea>` are kept; script, style, CDATA and
//! comments are not. Character references are decoded (`&#20013;` is 中). Inline elements
//! (`<span>`, `<b>`, `<a>`, `<font>` …) join their text with what surrounds it, as a browser
//! shows it — `中华人民<b>共合</b>国` reads 中华人民共合国 — while every other element (a
//! paragraph, a list item, a table cell, a line break) starts a new line, so words of two
//! cells are never read as one phrase.

use std::cell::RefCell;
use std::ops::Range;

use lol_html::html_content::{TextChunk, TextType};
use lol_html::{HtmlRewriter, Settings, doc_text};

use crate::offsets::OffsetMap;

/// Elements whose text runs on with its neighbours' (no line break before or after them).
const INLINE: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "em", "font",
    "i", "ins", "del", "kbd", "label", "mark", "nobr", "q", "ruby", "rb", "rp", "rt", "s", "samp",
    "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
];

/// A page's visible text and the map from its offsets to the HTML's.
#[derive(Debug, Clone, Default)]
pub struct PageText {
    text: String,
    map: OffsetMap,
}

/// What the tokenizer saw, in page order: runs of text (source byte ranges) and breaks.
enum Piece {
    Text(Range<usize>),
    Break,
}

impl PageText {
    /// Reads the visible text of an HTML page (already decoded to a string).
    ///
    /// Never fails: markup the tokenizer gives up on (e.g. a tag larger than its memory limit)
    /// ends the text there.
    pub fn from_html(html: &str) -> PageText {
        let pieces = scan(html);
        let mut page = PageText::default();
        for piece in pieces {
            match piece {
                Piece::Text(range) => page.push_text(html, range),
                Piece::Break => {
                    if !page.text.is_empty() && !page.text.ends_with('\n') {
                        page.text.push('\n');
                    }
                }
            }
        }
        page
    }

    /// The visible text: blocks separated by line breaks, whitespace inside them as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The HTML byte range that holds a byte range of the text (whose ends are character
    /// boundaries): from where its first character is written to where its last one ends,
    /// tags between them included.
    pub fn source_range(&self, range: Range<usize>) -> Range<usize> {
        self.map.start(range.start)..self.map.end(range.end)
    }

    /// Appends one run of source text, decoding character references.
    fn push_text(&mut self, html: &str, range: Range<usize>) {
        let Some(raw) = html.get(range.clone()) else {
            return;
        };
        let mut copied = 0;
        while let Some(found) = raw[copied..].find('&') {
            let amp = copied + found;
            let end = reference_end(raw, amp);
            let decoded = htmlize::unescape(&raw[amp..end]);
            // Not a reference (a lone `&`, an unknown name): kept as written.
            let upto = if decoded == raw[amp..end] { end } else { amp };
            self.map
                .copied(self.text.len(), range.start + copied, upto - copied);
            self.text.push_str(&raw[copied..upto]);
            if upto == amp {
                self.map
                    .replaced(self.text.len(), decoded.len(), range.start + amp, end - amp);
                self.text.push_str(&decoded);
            }
            copied = end;
        }
        self.map
            .copied(self.text.len(), range.start + copied, raw.len() - copied);
        self.text.push_str(&raw[copied..]);
    }
}

/// The end of the character reference candidate starting at `raw[amp] == '&'`: `&#…`, `&#x…`
/// or `&name`, with its `;` if present.
fn reference_end(raw: &str, amp: usize) -> usize {
    let rest = &raw.as_bytes()[amp + 1..];
    let body = rest
        .iter()
        .take(32)
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
        .count();
    let semicolon = usize::from(rest.get(body) == Some(&b';'));
    amp + 1 + body + semicolon
}

/// Runs the tokenizer over the page and lists its text runs and breaks in order.
///
/// Only text is handled (no element handlers, which would cost a call and a tag-name string per
/// element): two runs of text that are not adjacent in the source have markup between them, and
/// a break goes between them when that markup holds a tag that is not inline.
fn scan(html: &str) -> Vec<Piece> {
    let pieces = RefCell::new(Vec::<Piece>::new());
    let mut last_end = 0;
    let on_text = |t: &mut TextChunk| {
        if !matches!(t.text_type(), TextType::Data | TextType::RCData) {
            return Ok(());
        }
        let range = t.source_location().bytes();
        if range.is_empty() {
            return Ok(());
        }
        let mut pieces = pieces.borrow_mut();
        match pieces.last_mut() {
            // A text node may come in several chunks; adjacent ones are one run, so a
            // character reference cut between chunks is decoded whole.
            Some(Piece::Text(last)) if last.end == range.start => last.end = range.end,
            _ => {
                if breaks(html.get(last_end..range.start).unwrap_or("")) {
                    pieces.push(Piece::Break);
                }
                pieces.push(Piece::Text(range.clone()));
            }
        }
        last_end = range.end;
        Ok(())
    };
    // Not strict: markup that leaves the tokenizer unsure whether it reads text or script
    // (`<select><xmp>`) must not end the scan of a page.
    let settings = Settings::new()
        .append_document_content_handler(doc_text!(on_text))
        .with_strict(false);
    {
        let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
        if rewriter.write(html.as_bytes()).is_ok() {
            let _ = rewriter.end();
        }
    }
    pieces.into_inner()
}

/// Whether markup between two runs of text holds a tag that is not inline (comments, doctypes
/// and a stray `<` hold none).
fn breaks(markup: &str) -> bool {
    markup.split('<').skip(1).any(|tag| {
        let name = tag.strip_prefix('/').unwrap_or(tag);
        let len = name.bytes().take_while(u8::is_ascii_alphanumeric).count();
        len > 0
            && !INLINE
                .iter()
                .any(|inline| inline.eq_ignore_ascii_case(&name[..len]))
    })
}

#[cfg(test)]
mod tests {
    use super::PageText;

    fn text(html: &str) -> String {
        PageText::from_html(html).as_str().to_string()
    }

    #[test]
    fn inline_elements_join_and_blocks_break() {
        assert_eq!(
            text("<p>中华人民<b>共合</b>国</p><p>国务院</p>"),
            "中华人民共合国\n国务院"
        );
        assert_eq!(text("<td>中华</td><td>人民</td>"), "中华\n人民");
        assert_eq!(text("一<br>二<BR/>三"), "一\n二\n三");
        assert_eq!(
            text("<P>甲<SPAN>乙</SPAN><!-- 注 -->丙<wbr>丁</P>"),
            "甲乙丙丁"
        );
        assert_eq!(text("甲<script>if (a<b) {}</script>乙"), "甲\n乙");
    }

    #[test]
    fn a_range_across_inline_tags_keeps_them_and_stops_at_its_last_character() {
        let html = "<p>中华<b>人民</b>共和国</p><p>下一段</p>";
        let page = PageText::from_html(html);
        let at = page.as_str().find("人民").unwrap();
        assert_eq!(&html[page.source_range(at..at + 6)], "人民");
        assert_eq!(&html[page.source_range(0..at + 6)], "中华<b>人民");
        assert_eq!(&html[page.source_range(at..at + 9)], "人民</b>共");
    }

    #[test]
    fn scripts_styles_comments_and_attributes_are_not_text() {
        let page = r#"<html><head><title>标题</title><style>p{}</style><script>var a="脚本";</script></head>
<body><!-- 注释 --><a href="/x?q=链接" title="提示">正文</a><img alt="图片"></body></html>"#;
        let seen = text(page);
        assert!(seen.contains("标题") && seen.contains("正文"), "{seen}");
        for hidden in ["p{}", "脚本", "注释", "链接", "提示", "图片"] {
            assert!(!seen.contains(hidden), "{hidden} in {seen:?}");
        }
    }

    #[test]
    fn references_are_decoded_and_offsets_map_back() {
        let html = "<p>A&amp;B&#20013;&#x534E;人民 &nbsp;x &unknown; &</p>";
        let page = PageText::from_html(html);
        assert_eq!(page.as_str(), "A&B中华人民 \u{a0}x &unknown; &");
        let source = |text: &str| {
            let at = page.as_str().find(text).unwrap();
            &html[page.source_range(at..at + text.len())]
        };
        assert_eq!(source("人民"), "人民");
        assert_eq!(source("中"), "&#20013;");
        assert_eq!(source("B中华"), "B&#20013;&#x534E;");
        assert_eq!(source("&unknown; &"), "&unknown; &");
    }

    proptest::proptest! {
        #[test]
        fn any_markup_reads_without_panicking_and_maps_inside_the_page(
            html in "[<>/&#;xa-z0-9中华 \"'=!-]{0,200}"
        ) {
            let page = PageText::from_html(&html);
            let range = page.source_range(0..page.as_str().len());
            proptest::prop_assert!(range.start <= range.end && range.end <= html.len());
        }
    }

    #[test]
    fn hostile_markup_never_panics() {
        for html in [
            "<",
            "&",
            "&#",
            "&#x;",
            "&#99999999999;",
            "<p>a&",
            "<script>",
            "<<<>>>",
            "<a href='",
        ] {
            let _ = PageText::from_html(html);
        }
    }
}
