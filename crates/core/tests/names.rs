//! The names of enums on the wire and in reports: one table per enum, the same everywhere.

use spotcheck_core::registry::ColumnType;

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
