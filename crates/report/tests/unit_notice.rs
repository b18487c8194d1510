//! Each unit's 整改通知单: only its own problems, addressed to it; units with nothing to
//! rectify (a notice, a warning) get none.

use std::path::PathBuf;

use spotcheck_core::indicator::Severity;
use spotcheck_report::Report;
use spotcheck_report::document::Block;
use spotcheck_report::notice::{unit_notice, units_with_problems};

fn spot() -> Report {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report-spot.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn only_units_with_something_to_rectify_get_a_notice() {
    let mut r = spot();
    let units = units_with_problems(&r);
    assert_eq!(units.len(), 12, "{units:?}");
    assert!(units.contains(&"市气象局".to_string()));
    // 市商务局's only finding is a notice: nothing to rectify.
    assert!(!units.contains(&"市商务局".to_string()));
    // A unit whose only finding is a warning gets none either.
    let mut warned = r.findings[0].clone();
    warned.unit = "市文旅局".into();
    warned.severity = Severity::Warning;
    r.findings.push(warned);
    assert!(!units_with_problems(&r).contains(&"市文旅局".to_string()));
}

#[test]
fn a_units_notice_lists_its_own_problems_without_a_unit_column() {
    let r = spot();
    let doc = unit_notice(&r, "市公安局");
    assert_eq!(doc.title, "市公安局网站与政务新媒体问题整改通知单");
    assert!(matches!(&doc.body[0], Block::Addressee(a) if a == "市公安局："));
    let Block::Paragraph(text) = &doc.body[1] else {
        panic!("{:?}", doc.body[1])
    };
    assert!(
        text.contains("你单位有两个问题，详见附件问题清单"),
        "{text}"
    );
    let Block::Paragraph(veto) = &unit_notice(&r, "市气象局").body[1] else {
        panic!()
    };
    assert!(
        veto.contains("你单位有一个问题（其中单项否决一个）"),
        "{veto}"
    );
    let table = &doc.attachments[0].table;
    assert_eq!(
        table.header,
        ["序号", "问题", "性质", "检查对象", "问题详情", "地址"]
    );
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.widths.len(), table.header.len());
}
