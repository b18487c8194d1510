// Shared by the integration tests: fixture loading and short constructors.
#![allow(dead_code)]

use chrono::NaiveDate;
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
