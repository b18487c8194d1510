//! What pages say: the round's wrong phrases and leaders' names, looked for in the visible
//! text of every page a check reads.
//!
//! The matcher is one automaton over the round's whole dictionary — the built-in one if the
//! plan keeps it, the plan's files, the registry's leaders — built once per round in each
//! worker (with the round's context) and shared by every check of the round.

use std::sync::Arc;

use spotcheck_core::indicator::Severity;
use spotcheck_core::outcome::WordingHit;
use spotcheck_core::round::Round;
use spotcheck_wording::{Dictionary, Matcher};
use url::Url;

/// The round's matcher. A dictionary or leader the round carries that does not read (the
/// round starts only with valid ones, so only a forged or damaged round has one) is left
/// out and logged: the other entries still count.
pub fn matcher(round: &Round) -> Matcher {
    let mut dictionary = if round.plan.wording.builtin {
        Dictionary::builtin()
    } else {
        Dictionary::default()
    };
    for file in &round.dictionaries {
        match Dictionary::parse(&file.text, &file.file) {
            Ok(d) => dictionary.extend(d),
            Err(e) => tracing::error!(round = %round.id, "dictionary left out: {e}"),
        }
    }
    for unit in &round.registry.units {
        for leader in &unit.leaders {
            if let Err(e) = dictionary.add_leader(&leader.name, &leader.title) {
                tracing::error!(round = %round.id, unit = %unit.id, "leader left out: {e}");
            }
        }
    }
    Matcher::new(&dictionary)
}

/// Every wrong phrase of a page's HTML, once per phrase (its first place gives the context).
pub fn hits(matcher: &Matcher, url: &Url, html: &str) -> Vec<WordingHit> {
    let mut out: Vec<WordingHit> = Vec::new();
    for hit in matcher.find_in_html(html) {
        if out
            .iter()
            .any(|h| h.wrong == hit.wrong && h.right == hit.right)
        {
            continue;
        }
        out.push(WordingHit {
            url: url.clone(),
            wrong: hit.wrong,
            right: hit.right,
            severity: match hit.severity {
                spotcheck_wording::Severity::Veto => Severity::Veto,
                spotcheck_wording::Severity::Deduct => Severity::Deduct,
            },
            note: hit.note,
            context: hit.context,
        });
    }
    out
}

/// [`hits`] on the blocking pool: a government page can be a megabyte of markup.
pub async fn hits_off_runtime(
    matcher: &Arc<Matcher>,
    url: &Url,
    html: Arc<str>,
) -> Vec<WordingHit> {
    let (matcher, url) = (matcher.clone(), url.clone());
    crate::checks::off_runtime(move || hits(&matcher, &url, &html)).await
}

/// Adds a page's hits to a check's, keeping one per page and phrase.
pub fn add(into: &mut Vec<WordingHit>, more: Vec<WordingHit>) {
    for hit in more {
        let known = into
            .iter()
            .any(|h| h.url == hit.url && h.wrong == hit.wrong && h.right == hit.right);
        if !known {
            into.push(hit);
        }
    }
}
