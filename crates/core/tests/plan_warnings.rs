//! The plan's `[warnings]`: lines derived from the veto lines, moved with them, and refused
//! when they are no share of a line.

use std::path::Path;

use spotcheck_core::Plan;
use spotcheck_core::config_error::ConfigErrors;

fn plan(text: &str) -> Plan {
    Plan::parse(text, Path::new("plan.toml")).unwrap()
}

#[test]
fn default_lines_sit_below_the_national_veto_lines() {
    let p = plan("");
    let w = &p.warnings;
    assert_eq!(w.homepage_days(&p.freshness), 10);
    assert!((w.unreachable_ratio(&p.availability) - 0.03).abs() < 1e-12);
    assert_eq!(w.blank_columns_count(&p.freshness), 3);
    assert_eq!(w.stale_columns_count(&p.freshness), 3);
    assert_eq!(w.column_days(p.freshness.news), 11);
    assert_eq!(w.column_days(p.freshness.notice), 138);
}

#[test]
fn the_lines_follow_the_plan_s_veto_lines() {
    let p = plan(
        "[freshness]\nhomepage = \"7d\"\nstale_columns_veto = 10\nblank_columns_veto = 0\n\
         [availability]\nfail_ratio = 0.1\n",
    );
    let w = &p.warnings;
    assert_eq!(w.homepage_days(&p.freshness), 5);
    assert!((w.unreachable_ratio(&p.availability) - 0.06).abs() < 1e-12);
    assert_eq!(w.stale_columns_count(&p.freshness), 6);
    // Blank columns that never veto never warn either.
    assert_eq!(w.blank_columns_count(&p.freshness), 0);

    let p = plan("[warnings]\nhomepage = 0.5\ncolumn = 0.5\n");
    assert_eq!(p.warnings.homepage_days(&p.freshness), 7);
    assert_eq!(p.warnings.column_days(p.freshness.news), 7);
    assert_eq!(p.warnings.stale_columns_count(&p.freshness), 3);
}

#[test]
fn a_warning_share_outside_0_1_is_refused_by_key() {
    let Err(ConfigErrors(es)) = Plan::parse(
        "[warnings]\ncolumn = 1.0\nhomepage = 0\n",
        Path::new("plan.toml"),
    ) else {
        panic!("accepted a bad plan");
    };
    let es: Vec<String> = es.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        es,
        [
            "plan.toml:3:12: warnings.homepage: `0` must be in (0, 1): a share of its veto line",
            "plan.toml:2:10: warnings.column: `1` must be in (0, 1): a share of its veto line",
        ]
    );
    assert!(Plan::parse("[warnings]\nmonthly = 0.5\n", Path::new("p")).is_err());
}
