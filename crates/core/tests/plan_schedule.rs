//! `[schedule]` in the plan: entries read as written, bad ones refused with their position.

use std::path::Path;

use spotcheck_core::Plan;
use spotcheck_core::config_error::ConfigErrors;
use spotcheck_core::plan::ScheduledKind;

#[test]
fn entries_are_read_in_the_city_s_zone() {
    let plan = Plan::parse(
        "[schedule]\nrounds = [{ cron = \"0 9 1 1,4,7,10 *\", kind = \"spot\" }]\n",
        Path::new("plan.toml"),
    )
    .unwrap();
    assert_eq!(plan.schedule.timezone, "Asia/Shanghai");
    assert_eq!(plan.schedule.rounds[0].cron, "0 9 1 1,4,7,10 *");
    assert_eq!(plan.schedule.rounds[0].kind, ScheduledKind::Spot);
    assert_eq!(Plan::default().schedule.rounds, vec![]);
}

#[test]
fn an_unparsable_cron_expression_is_refused_with_file_line_column_and_key() {
    let text = "[links]\ndepth = 1\n\n[schedule]\nrounds = [\n  { cron = \"0 9 1 1,4,7,10 *\" },\n  { cron = \"0 25 * * *\" },\n]\n";
    let Err(ConfigErrors(es)) = Plan::parse(text, Path::new("plan.toml")) else {
        panic!("accepted a bad cron expression");
    };
    assert_eq!(es.len(), 1, "{es:?}");
    let e = &es[0];
    assert_eq!(
        (e.line, e.column, e.key.as_str()),
        (7, 12, "schedule.rounds[1].cron")
    );
    assert!(
        e.message
            .starts_with("`0 25 * * *` is not a cron expression"),
        "{}",
        e.message
    );
}

#[test]
fn an_unknown_zone_or_key_is_refused() {
    let Err(ConfigErrors(es)) = Plan::parse(
        "[schedule]\ntimezone = \"Mars/Olympus\"\n",
        Path::new("plan.toml"),
    ) else {
        panic!("accepted an unknown zone");
    };
    assert_eq!((es[0].line, es[0].key.as_str()), (2, "schedule.timezone"));
    let Err(ConfigErrors(es)) = Plan::parse(
        "[schedule]\nrounds = [{ cron = \"0 9 * * *\", kind = \"recheck\" }]\n",
        Path::new("plan.toml"),
    ) else {
        panic!("accepted an unknown kind");
    };
    assert_eq!(es[0].line, 2);
    assert!(es[0].key.starts_with("schedule.rounds[0]"), "{}", es[0].key);
}
