//! A page read for its links and, on a homepage, the date of its newest item.

use spotcheck_core::outcome::PageOutcome;
use url::Url;

use crate::RoundContext;
use crate::fetch::client::FetchOptions;
use crate::judge::judge;

pub async fn read(ctx: &RoundContext, url: &Url) -> PageOutcome {
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
    // Links resolve against where the page really is, after redirects.
    let links = spotcheck_extract::links::links(&text, &f.url)
        .into_iter()
        .map(|l| l.url)
        .collect();
    let as_of = ctx.round.as_of;
    let newest = spotcheck_extract::dated_items(&text, &f.url)
        .into_iter()
        .filter_map(|i| i.date)
        .filter(|d| *d <= as_of)
        .max();
    PageOutcome {
        verdict,
        links,
        newest,
    }
}
