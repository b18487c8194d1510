//! The names of enums on the wire and in reports: one table per enum, the same everywhere.

use spotcheck_core::registry::ColumnType;
use spotcheck_core::{Indicator, Task};

#[test]
fn every_indicator_travels_as_its_code() {
    for &i in Indicator::ALL {
        // Contract codes read `area.name` in lowercase; a variant without its `strum` name
        // would travel as its Rust name instead.
        let code = i.code();
        assert!(
            code.contains('.') && code == code.to_lowercase(),
            "{i:?} has no contract code: {code}"
        );
        let json = serde_json::to_value(i).unwrap();
        assert_eq!(json, serde_json::Value::from(i.code()), "{i:?}");
        let back: Indicator = serde_json::from_value(json).unwrap();
        assert_eq!(back, i);
        assert_eq!(i.code().parse::<Indicator>().unwrap(), i);
    }
}

#[test]
fn indicator_codes_are_the_contracts() {
    assert_eq!(Indicator::SiteUnreachable.code(), "site.unreachable");
    assert_eq!(Indicator::LinkBroken.code(), "links.broken");
    assert_eq!(Indicator::JobFailed.code(), "round.job_failed");
    assert_eq!(
        serde_json::to_string(&Indicator::MenuLinkBroken).unwrap(),
        r#""wechat.menu_link_broken""#
    );
    // No two indicators share a code.
    let codes: std::collections::HashSet<&str> = Indicator::ALL.iter().map(|i| i.code()).collect();
    assert_eq!(codes.len(), Indicator::ALL.len());
    assert_eq!(Indicator::ALL.first(), Some(&Indicator::SiteUnreachable));
}

#[test]
fn an_unknown_indicator_is_refused_by_name() {
    let err = serde_json::from_str::<Indicator>(r#""site.slow""#).unwrap_err();
    assert!(err.to_string().contains("site.slow"), "{err}");
    assert!(serde_json::from_str::<Indicator>("3").is_err());
}

#[test]
fn column_types_are_named_as_in_the_registry() {
    for (t, name) in [
        (ColumnType::News, "news"),
        (ColumnType::Notice, "notice"),
        (ColumnType::Policy, "policy"),
        (ColumnType::Personnel, "personnel"),
        (ColumnType::Plan, "plan"),
        (ColumnType::Interview, "interview"),
        (ColumnType::Letters, "letters"),
        (ColumnType::Disclosure, "disclosure"),
        (ColumnType::Other, "other"),
    ] {
        assert_eq!(t.as_str(), name);
        assert_eq!(
            serde_json::to_value(t).unwrap(),
            serde_json::Value::from(name)
        );
        assert_eq!(
            serde_json::from_value::<ColumnType>(name.into()).unwrap(),
            t
        );
    }
}

#[test]
fn a_tasks_kind_is_its_wire_tag() {
    let url = url::Url::parse("http://a.gov.cn/x").unwrap();
    let site = String::from("szf");
    for (task, kind) in [
        (
            Task::Visit {
                site: site.clone(),
                n: 1,
            },
            "probe",
        ),
        (
            Task::Page {
                site: site.clone(),
                url: url.clone(),
                depth: 0,
            },
            "page",
        ),
        (Task::Link { url }, "check"),
        (Task::Column { site, column: 0 }, "column"),
        (
            Task::Menu {
                account: "gaj".into(),
            },
            "menu",
        ),
    ] {
        assert_eq!(task.kind(), kind);
        assert_eq!(serde_json::to_value(&task).unwrap()["kind"], kind);
    }
}
