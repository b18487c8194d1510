//! A link check: fetch, decode when it is a page, judge.

use spotcheck_core::outcome::Verdict;
use url::Url;

use crate::RoundContext;
use crate::fetch::client::FetchOptions;
use crate::judge::judge;

/// Enough of a page to recognise an error page; the rest is not needed to judge a link.
const CHECK_BODY: usize = 512 * 1024;

pub async fn check(ctx: &RoundContext, url: &Url) -> Verdict {
    let opts = FetchOptions {
        max_body: Some(CHECK_BODY),
        ..FetchOptions::default()
    };
    let fetched = ctx.fetcher.fetch(url, &opts).await;
    let text = fetched.as_ref().ok().and_then(crate::page_text);
    judge(url, &fetched, text.as_deref())
}
