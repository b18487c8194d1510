//! Telling a blank column (暂无信息) from a list that could not be read.
//!
//! A blank column is a finding against its unit; a list the reader failed on is not. So a column
//! is called blank only on positive evidence: the site's own "nothing here" wording, or an empty
//! list container.

use scraper::{ElementRef, Html};

use crate::dom;

/// The wording government CMSs show in an empty column.
const MARKERS: &[&str] = &[
    "暂无信息",
    "暂无数据",
    "暂无内容",
    "暂无记录",
    "暂无相关信息",
    "暂无相关内容",
    "暂无文章",
    "暂无公开信息",
    "没有相关信息",
    "没有相关记录",
    "没有找到相关",
    "没有记录",
    "没有数据",
    "无相关信息",
    "无相关记录",
    "无记录",
    "栏目建设中",
    "正在建设中",
    "信息正在更新中",
    "该栏目暂无",
];

/// Whether the text carries a "nothing here" marker.
pub fn is_blank_text(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    MARKERS.iter().any(|m| compact.contains(m))
}

fn list_like(el: ElementRef<'_>) -> bool {
    let v = el.value();
    let named = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.contains("list") || s.contains("news") || s.contains("item")
    };
    v.attr("class").is_some_and(named) || v.attr("id").is_some_and(named)
}

/// Whether the page holds a list container with nothing in it (`<ul class="list"></ul>`).
pub(crate) fn has_empty_list(doc: &Html) -> bool {
    doc.root_element().descendent_elements().any(|el| {
        matches!(
            el.value().name(),
            "ul" | "ol" | "div" | "tbody" | "table" | "dl"
        ) && list_like(el)
            && el
                .child_elements()
                .all(|c| matches!(c.value().name(), "script" | "style" | "br"))
            && dom::text(el).is_empty()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert!(is_blank_text("本栏目 暂无 信息"));
        assert!(is_blank_text("没有相关信息！"));
        assert!(!is_blank_text("关于开展信息公开工作的通知"));
    }

    #[test]
    fn empty_container() {
        assert!(has_empty_list(&Html::parse_document(
            "<div class=nav><a href=/>首页</a></div><ul class=list>\n</ul>"
        )));
        assert!(!has_empty_list(&Html::parse_document(
            "<ul class=list><li>x</li></ul>"
        )));
    }
}
