//! The in-memory gates of the embedded mode, made per round.

// The store's test helpers make the rounds.
#[path = "../../store/tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use common::round;
use spotcheck_core::ports::GateFactory;
use spotcheck_politeness::MemoryGates;

#[test]
fn rounds_with_the_same_limits_share_a_gate() {
    let gates = MemoryGates::default();
    let mut r = round("2020Q4-memory-gates");
    let g1 = gates.gate(&r);
    assert!(
        Arc::ptr_eq(&g1, &gates.gate(&r)),
        "two rounds with one host's limits would each get all of them"
    );
    r.plan.politeness.per_host_concurrency = 1;
    assert!(!Arc::ptr_eq(&g1, &gates.gate(&r)));
    r.plan.politeness.per_host_rate = "8/s".parse().unwrap();
    let g2 = gates.gate(&r);
    assert!(!Arc::ptr_eq(&g1, &g2) && Arc::ptr_eq(&g2, &gates.gate(&r)));
}
