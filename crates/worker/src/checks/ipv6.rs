//! IPv6 (`site.ipv6`): whether the homepage's name has IPv6 addresses, whether the homepage
//! opens over IPv6 and shows what it shows over IPv4, and what share of its same-site links
//! open over IPv6 (the national IPv6 plans count second-level pages too).

use std::collections::HashSet;

use futures_util::StreamExt;
use spotcheck_core::outcome::Verdict;
use spotcheck_core::registry::Website;
use spotcheck_core::transport::{Difference, Ipv6Outcome, LinkFailure};
use spotcheck_extract::Face;
use url::Url;

use crate::RoundContext;
use crate::fetch::client::FetchOptions;
use crate::fetch::{Family, FetchError, Fetched, Fetcher, is_v4};
use crate::judge::judge;

/// Links tried at once; the host gate bounds them further.
const LINKS_AT_ONCE: usize = 4;

pub async fn check(ctx: &RoundContext, site: &Website) -> Ipv6Outcome {
    let home = &site.url;
    let mut out = Ipv6Outcome {
        addresses: Vec::new(),
        lookup_error: None,
        homepage: None,
        differences: Vec::new(),
        links_tried: 0,
        links_failed: Vec::new(),
    };
    let all = match ctx.fetcher.addresses(home).await {
        Ok(all) => all,
        Err(e) => {
            out.lookup_error = Some(e.to_string());
            return out;
        }
    };
    out.addresses = all.iter().copied().filter(|ip| !is_v4(*ip)).collect();
    if out.addresses.is_empty() {
        return out;
    }
    let over6 = match ctx.fetcher.over(Family::V6) {
        Ok(f) => f,
        Err(e) => {
            out.homepage = Some(Verdict::unknown(None, e));
            return out;
        }
    };
    let six = over6.fetch(home, &FetchOptions::default()).await;
    let text6 = six.as_ref().ok().and_then(crate::page_text);
    let verdict = judge(home, &six, text6.as_deref());
    let opened = verdict.is_ok();
    out.homepage = Some(verdict);
    let (Ok(six), Some(text6), true) = (six, text6, opened) else {
        return out;
    };
    let face6 = read_face(text6, six.url.clone()).await;
    if all.iter().any(|ip| is_v4(*ip)) {
        if let Ok(over4) = ctx.fetcher.over(Family::V4) {
            let four = over4.fetch(home, &FetchOptions::default()).await;
            out.differences = compare(&six, &face6, four).await;
        }
    }
    let links = same_site_links(&face6, home, ctx.round.plan.ipv6.links as usize);
    out.links_tried = links.len() as u32;
    out.links_failed = failed_links(&over6, links).await;
    out
}

/// Reads a page's face on the blocking pool (a homepage can be a megabyte of markup).
async fn read_face(text: String, base: Url) -> Face {
    tokio::task::spawn_blocking(move || spotcheck_extract::face(&text, &base))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// What an IPv6 visitor sees differently from an IPv4 one; nothing when the IPv4 homepage
/// could not be read (availability reports that, not IPv6).
async fn compare(
    six: &Fetched,
    face6: &Face,
    four: Result<Fetched, FetchError>,
) -> Vec<Difference> {
    let Ok(four) = four else { return Vec::new() };
    let mut out = Vec::new();
    if four.status != six.status {
        out.push(Difference::Status {
            v4: four.status,
            v6: six.status,
        });
    }
    let Some(text4) = crate::page_text(&four) else {
        return out;
    };
    let face4 = read_face(text4, four.url.clone()).await;
    if face4.title != face6.title {
        out.push(Difference::Title {
            v4: face4.title.clone(),
            v6: face6.title.clone(),
        });
    }
    if face4.text != face6.text {
        out.push(Difference::Text);
    }
    let only_v4 = face4.links.difference(&face6.links).count() as u32;
    let only_v6 = face6.links.difference(&face4.links).count() as u32;
    if only_v4 + only_v6 > 0 {
        out.push(Difference::Links { only_v4, only_v6 });
    }
    out
}

/// The homepage's links to other pages of the same site, in page order, at most `max`.
fn same_site_links(face: &Face, home: &Url, max: usize) -> Vec<Url> {
    let strip = |u: &Url| {
        let mut u = u.clone();
        u.set_fragment(None);
        u
    };
    let home = strip(home);
    let mut seen = HashSet::new();
    face.links
        .iter()
        .filter(|l| {
            l.host_str() == home.host_str()
                && l.port_or_known_default() == home.port_or_known_default()
                && strip(l) != home
        })
        .filter(|l| seen.insert(strip(l)))
        .take(max)
        .cloned()
        .collect()
}

/// The links that do not open over IPv6, in the order tried.
async fn failed_links(over6: &Fetcher, links: Vec<Url>) -> Vec<LinkFailure> {
    let tried = futures_util::stream::iter(links)
        .map(|url| async move {
            let fetched = over6.fetch(&url, &FetchOptions::default()).await;
            let text = fetched.as_ref().ok().and_then(crate::page_text);
            (url.clone(), judge(&url, &fetched, text.as_deref()))
        })
        .buffered(LINKS_AT_ONCE)
        .collect::<Vec<_>>()
        .await;
    tried
        .into_iter()
        .filter(|(_, v)| !v.is_ok())
        .map(|(url, v)| LinkFailure {
            url,
            reason: v.reason,
        })
        .collect()
}
