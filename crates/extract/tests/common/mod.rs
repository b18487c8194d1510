// Shared by the integration tests: fixture loading and short constructors.
#![allow(dead_code)]

use chrono::NaiveDate;
use spotcheck_extract::list::Item;
use url::Url;

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

pub fn fixture(name: &str) -> String {
    String::from_utf8(fixture_bytes(name)).expect("UTF-8 fixture")
}

pub fn url(s: &str) -> Url {
    Url::parse(s).expect("test URL")
}

pub fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Each item's title and date, in page order: what a list is mostly checked by.
pub fn titles_dates(items: &[Item]) -> Vec<(&str, Option<NaiveDate>)> {
    items.iter().map(|i| (i.title.as_str(), i.date)).collect()
}

/// Each item's title, URL and date, in page order.
pub fn titles_urls_dates(items: &[Item]) -> Vec<(&str, Option<&str>, Option<NaiveDate>)> {
    items
        .iter()
        .map(|i| (i.title.as_str(), i.url.as_ref().map(Url::as_str), i.date))
        .collect()
}

/// The folder of real government pages beside the repository (`<repo>/../shared/realpages`):
/// saved from real sites by others, read here but never copied into the repository.
pub fn realpages_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realpages");
    assert!(
        dir.is_dir(),
        "the real pages are missing: expected {} (a copy of shared/ beside the repository)",
        dir.display()
    );
    dir
}

/// The bytes of one real page.
pub fn realpage_bytes(name: &str) -> Vec<u8> {
    let path = realpages_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("real page {}: {e}", path.display()))
}

/// Every real page (and pager script) in the folder.
pub fn realpage_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(realpages_dir())
        .expect("the real pages folder reads")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".html") || n.ends_with(".xml") || n.ends_with(".js"))
        .collect();
    names.sort();
    names
}
