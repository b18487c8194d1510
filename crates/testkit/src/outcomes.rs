//! Job outcomes for hand-made rounds: the plain successes and failures most tests need, so a
//! test spells out only the outcomes it is about.

use spotcheck_core::outcome::{ColumnOutcome, Item, Outcome, Verdict, Visit};

/// A visit of a homepage: answered 200, or the connection refused.
pub fn visit(ok: bool) -> Outcome {
    Outcome::Visit(Visit {
        ok,
        status: ok.then_some(200),
        error: (!ok).then(|| "connection refused".to_string()),
        refused: false,
    })
}

/// A column read without trouble on one page (200), listing `items`.
pub fn column_read(items: Vec<Item>) -> Outcome {
    Outcome::Column(ColumnOutcome {
        verdict: Verdict::ok(200),
        pages: 1,
        items,
        blank_marker: false,
        problems: vec![],
    })
}
