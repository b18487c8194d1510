//! Serious wording errors (严重表述错误), misspelt leaders' names and typos (错别字) in the text
//! of pages and WeChat articles.
//!
//! The national indicators make a wrong name of the country, the Party or an institution, a
//! leader's name written wrong or a garbled political formulation on a government site a veto;
//! typos cost points. This crate finds them; the round decides which pages to read and turns
//! each [`Hit`] into a `content.wording_error` finding.
//!
//! | step | API |
//! | --- | --- |
//! | assemble the round's dictionary | [`Dictionary::for_plan`]`(builtin, files)`, [`Dictionary::allow`], [`Dictionary::add_leader`]`(name, title)` |
//! | build the matcher once per round | [`Matcher::new`]`(&dictionary)` |
//! | check a page | [`Matcher::find_in_html`]`(html)` (offsets in the HTML), or [`PageText::from_html`] then [`Matcher::find`]`(text)` |
//!
//! ```
//! use spotcheck_wording::{Dictionary, Matcher, Severity};
//!
//! let mut dictionary = Dictionary::builtin();
//! dictionary.add_leader("张三丰", "市长").unwrap();
//! let matcher = Matcher::new(&dictionary);
//! let hits = matcher.find_in_html("<p>市长张三峰出席会议，强调按装要规范。</p><script>var s='中华人民共合国';</script>");
//! assert_eq!(hits.len(), 2);
//! assert_eq!((hits[0].wrong.as_str(), hits[0].right.as_str()), ("张三峰", "张三丰"));
//! assert_eq!(hits[0].severity, Severity::Veto);
//! assert_eq!((hits[1].wrong.as_str(), hits[1].right.as_str()), ("按装", "安装"));
//! ```
//!
//! Matching folds full-width into half-width forms and traditional into simplified characters
//! on both sides, so `中華人民共合國` is found as well; offsets are always the original text's.

mod dictionary;
mod fold;
mod leaders;
mod matcher;
mod offsets;
mod page_text;
#[cfg(test)]
mod property;

pub use dictionary::{Dictionary, DictionaryError, Entry, Leader, Severity};
pub use matcher::{Hit, Matcher};
pub use page_text::PageText;
