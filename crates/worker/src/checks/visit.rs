//! Availability: one visit to a homepage, failing if it has not opened within the plan's
//! timeout. A visit is one visit — no retries — or the failure ratio would mean nothing.

use spotcheck_core::outcome::Visit;
use url::Url;

use crate::RoundContext;
use crate::fetch::FetchError;
use crate::fetch::client::FetchOptions;

/// Bodies beyond this are not needed to know that a homepage opened.
const PROBE_BODY: usize = 256 * 1024;

pub async fn visit(ctx: &RoundContext, url: &Url) -> Visit {
    let opts = FetchOptions {
        timeout: Some(ctx.round.plan.availability.timeout.0),
        max_body: Some(PROBE_BODY),
        once: true,
        ..FetchOptions::default()
    };
    match ctx.fetcher.fetch(url, &opts).await {
        Ok(f) if f.status < 400 => Visit {
            ok: true,
            status: Some(f.status),
            error: None,
            refused: false,
        },
        Ok(f) => Visit {
            ok: false,
            status: Some(f.status),
            error: Some(format!("HTTP {}", f.status)),
            refused: false,
        },
        Err(e) => Visit {
            ok: false,
            status: None,
            error: Some(e.to_string()),
            refused: matches!(e, FetchError::Refused(_)),
        },
    }
}
