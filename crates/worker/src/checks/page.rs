//! A page read for its links, its text's wording errors and, on a homepage, the date of its
//! newest item.

use std::sync::Arc;

use spotcheck_core::outcome::{PageOutcome, WordingHit};
use url::Url;

use super::off_runtime;
use crate::RoundContext;
use crate::fetch::client::FetchOptions;
use crate::judge::judge;

/// Reads a page; what its text says wrong goes to `said`.
pub async fn read(ctx: &RoundContext, url: &Url, said: &mut Vec<WordingHit>) -> PageOutcome {
    let fetched = ctx.fetcher.fetch(url, &FetchOptions::default()).await;
    let text = fetched.as_ref().ok().and_then(crate::page_text);
    let verdict = judge(url, &fetched, text.as_deref());
    let (Some(text), Ok(f), true) = (text, &fetched, verdict.is_ok()) else {
        return PageOutcome {
            verdict,
            links: Vec::new(),
            newest: None,
        };
    };
    // Reading a page is CPU work — a government homepage can be a megabyte of markup — so
    // it runs on the blocking pool, links, dates and text side by side, while the runtime's threads
    // go on serving requests. Links resolve against where the page really is, after redirects.
    let text: Arc<str> = text.into();
    let base = f.url.clone();
    let links = off_runtime({
        let (text, base) = (text.clone(), base.clone());
        move || spotcheck_extract::link_urls(&text, &base)
    });
    let as_of = ctx.round.as_of;
    let newest = off_runtime({
        let text = text.clone();
        move || {
            spotcheck_extract::dated_items(&text, &base)
                .into_iter()
                .filter_map(|i| i.date)
                .filter(|d| *d <= as_of)
                .max()
        }
    });
    let wording = crate::wording::hits_off_runtime(&ctx.wording, url, text.clone());
    let (links, newest, wording) = tokio::join!(links, newest, wording);
    crate::wording::add(said, wording);
    PageOutcome {
        verdict,
        links,
        newest,
    }
}
