//! A page read for its links and, on a homepage, the date of its newest item.

use std::sync::Arc;

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
    // Reading a page is CPU work — a government homepage can be a megabyte of markup — so
    // it runs on the blocking pool, links and dates side by side, while the runtime's threads
    // go on serving requests. Links resolve against where the page really is, after redirects.
    let text: Arc<str> = text.into();
    let base = f.url.clone();
    let links = off_runtime({
        let (text, base) = (text.clone(), base.clone());
        move || {
            spotcheck_extract::links::links(&text, &base)
                .into_iter()
                .map(|l| l.url)
                .collect()
        }
    });
    let as_of = ctx.round.as_of;
    let newest = off_runtime(move || {
        spotcheck_extract::dated_items(&text, &base)
            .into_iter()
            .filter_map(|i| i.date)
            .filter(|d| *d <= as_of)
            .max()
    });
    let (links, newest) = tokio::join!(links, newest);
    PageOutcome {
        verdict,
        links,
        newest,
    }
}

/// Runs CPU work on the blocking pool. A panic in it goes on in the check (which returns the
/// job to the queue), as if it had run in place.
async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(v) => v,
        Err(e) => match e.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(_) => panic!("reading the page was cancelled: the runtime is shutting down"),
        },
    }
}
