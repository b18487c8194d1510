//! Reading a column's list: its first page, then as many more as the column's type needs —
//! across TRS script pagination, next-page links and Hanweb data proxies.
//!
//! A news column is judged by its newest item, so one page is enough; update counts and
//! interviews need every item back to the window's start; a letters board is read to the
//! end, because the oldest letters are the ones that may still be unanswered.
//!
//! The text of every list page read, and of the column's newest articles (the plan's
//! `wording.articles_per_column`), is read for wording errors.

use std::collections::HashSet;

use spotcheck_core::outcome::{ColumnOutcome, Item, WordingHit};
use spotcheck_core::registry::{Column, ColumnType};
use spotcheck_extract::list::{self, ListPage, Pagination, ReplyStatus, Selectors};
use url::Url;

use crate::RoundContext;
use crate::fetch::client::FetchOptions;
use crate::judge::judge;

/// How far down a column to read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    FirstPage,
    /// Until a page holds only items older than this date.
    Since(chrono::NaiveDate),
    All,
}

/// Reads a column; what its pages' text says wrong goes to `said`.
pub async fn read(
    ctx: &RoundContext,
    column: &Column,
    said: &mut Vec<WordingHit>,
) -> ColumnOutcome {
    let out = read_list(ctx, column, said).await;
    articles(ctx, &out.items, said).await;
    out
}

async fn read_list(
    ctx: &RoundContext,
    column: &Column,
    said: &mut Vec<WordingHit>,
) -> ColumnOutcome {
    let reach = match column.kind {
        ColumnType::Letters => Reach::All,
        ColumnType::Disclosure | ColumnType::Interview => Reach::Since(ctx.round.window.from),
        _ => Reach::FirstPage,
    };
    let hints = column.selectors.as_ref();
    let fetched = ctx
        .fetcher
        .fetch(&column.url, &FetchOptions::default())
        .await;
    let text = fetched.as_ref().ok().and_then(crate::page_text);
    let verdict = judge(&column.url, &fetched, text.as_deref());
    let mut out = ColumnOutcome {
        verdict,
        pages: 1,
        items: Vec::new(),
        blank_marker: false,
        problems: Vec::new(),
    };
    let (Ok(first), Some(text), true) = (&fetched, text, out.verdict.is_ok()) else {
        return out;
    };
    crate::wording::add(said, crate::wording::hits(&ctx.wording, &column.url, &text));
    let page = list::parse_list(&text, &first.url, hints);
    out.blank_marker = page.blank_marker;
    let mut more = take(&mut out, page, reach);
    let max_pages = ctx.round.plan.fetch.max_pages.max(1);
    let mut seen: HashSet<Url> = HashSet::from([first.url.clone()]);
    while out.pages < max_pages {
        let next = match more {
            Some(Pagination::Pages(mut urls)) => {
                urls.retain(|u| !seen.contains(u));
                if urls.is_empty() {
                    break;
                }
                let url = urls.remove(0);
                Step::Page(url, Some(Pagination::Pages(urls)))
            }
            Some(Pagination::Next(url)) if !seen.contains(&url) => Step::Page(url, None),
            Some(Pagination::DataProxy(req)) => Step::Proxy(req),
            _ => break,
        };
        out.pages += 1;
        more = match next {
            Step::Page(url, rest) => {
                seen.insert(url.clone());
                match read_page(ctx, &url, hints, said).await {
                    Ok(page) => {
                        // Script pagination lists every page at once; a page's own hint is
                        // used only when there was no list. `None` means the reach is covered.
                        take(&mut out, page, reach).and_then(|found| rest.or(Some(found)))
                    }
                    Err(problem) => {
                        out.problems.push(problem);
                        break;
                    }
                }
            }
            Step::Proxy(req) => {
                let Some((url, form)) = req.next_form() else {
                    break;
                };
                let opts = FetchOptions {
                    form: Some(form),
                    ..FetchOptions::default()
                };
                match ctx.fetcher.fetch(&url, &opts).await {
                    Ok(f) if f.status < 400 => {
                        let xml =
                            spotcheck_extract::decode(&f.body, f.content_type.as_deref()).text;
                        match list::parse_dataproxy(&xml, &first.url) {
                            Ok(proxy) => {
                                let next = req.advance(&proxy);
                                let page = ListPage {
                                    items: proxy.items,
                                    more: Pagination::None,
                                    blank_marker: false,
                                    pages: None,
                                };
                                take(&mut out, page, reach);
                                if stopped(&out, reach) {
                                    None
                                } else {
                                    next.map(Pagination::DataProxy)
                                }
                            }
                            Err(e) => {
                                out.problems.push(format!("{url}: {e}"));
                                break;
                            }
                        }
                    }
                    Ok(f) => {
                        out.problems.push(format!("{url}: HTTP {}", f.status));
                        break;
                    }
                    Err(e) => {
                        out.problems.push(format!("{url}: {e}"));
                        break;
                    }
                }
            }
        };
    }
    out
}

enum Step {
    Page(Url, Option<Pagination>),
    Proxy(list::DataProxyRequest),
}

async fn read_page(
    ctx: &RoundContext,
    url: &Url,
    hints: Option<&Selectors>,
    said: &mut Vec<WordingHit>,
) -> Result<ListPage, String> {
    let fetched = ctx.fetcher.fetch(url, &FetchOptions::default()).await;
    let text = fetched.as_ref().ok().and_then(crate::page_text);
    let verdict = judge(url, &fetched, text.as_deref());
    match (text, verdict.is_ok()) {
        (Some(text), true) => {
            crate::wording::add(said, crate::wording::hits(&ctx.wording, url, &text));
            Ok(list::parse_list(&text, url, hints))
        }
        _ => Err(format!("{url}: {}", verdict.reason)),
    }
}

/// Reads the text of the column's newest articles, one after the other (the host's gate
/// spaces them). An article that cannot be read is left out: its link is the link check's
/// business, not the text's.
async fn articles(ctx: &RoundContext, items: &[Item], said: &mut Vec<WordingHit>) {
    let wanted = ctx.round.plan.wording.articles_per_column as usize;
    for url in newest_articles(items, wanted) {
        let fetched = ctx.fetcher.fetch(url, &FetchOptions::default()).await;
        let text = fetched.as_ref().ok().and_then(crate::page_text);
        let verdict = judge(url, &fetched, text.as_deref());
        match text {
            Some(text) if verdict.is_ok() => {
                let text: std::sync::Arc<str> = text.into();
                let hits = crate::wording::hits_off_runtime(&ctx.wording, url, text).await;
                crate::wording::add(said, hits);
            }
            _ => tracing::debug!(%url, reason = %verdict.reason, "article not read for its text"),
        }
    }
}

/// The URLs of the `n` newest items (undated ones after every dated one, list order kept
/// among equals), each once.
fn newest_articles(items: &[Item], n: usize) -> Vec<&Url> {
    let mut dated: Vec<(usize, &Item)> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.url.is_some())
        .collect();
    dated.sort_by_key(|(at, i)| (std::cmp::Reverse(i.date), *at));
    let mut out: Vec<&Url> = Vec::new();
    for url in dated.into_iter().filter_map(|(_, i)| i.url.as_ref()) {
        if out.len() == n {
            break;
        }
        if !out.contains(&url) {
            out.push(url);
        }
    }
    out
}

/// Adds a page's items; returns how to go on, or `None` when the column's reach is covered.
fn take(out: &mut ColumnOutcome, page: ListPage, reach: Reach) -> Option<Pagination> {
    let older = match reach {
        Reach::Since(from) => {
            !page.items.is_empty() && page.items.iter().all(|i| i.date.is_some_and(|d| d < from))
        }
        _ => false,
    };
    out.items.extend(page.items.into_iter().map(convert));
    match reach {
        Reach::FirstPage => None,
        _ if older => None,
        _ => Some(page.more),
    }
}

fn stopped(out: &ColumnOutcome, reach: Reach) -> bool {
    match reach {
        Reach::FirstPage => true,
        Reach::All => false,
        // Proxy answers come newest first: once the last item is older, the rest are too.
        Reach::Since(from) => out
            .items
            .last()
            .and_then(|i| i.date)
            .is_some_and(|d| d < from),
    }
}

fn convert(i: list::Item) -> Item {
    let replied = i.fields.status.map(|s| s == ReplyStatus::Replied);
    Item {
        title: i.title,
        url: i.url,
        date: i.date,
        unit: i.fields.unit,
        received: i.fields.received,
        replied,
        answered: i.fields.answered,
    }
}
