//! Letters boards: fields found by their labels, in tables and in labelled spans.

mod common;

use common::{day, fixture, url};
use spotcheck_extract::{Fields, Pagination, ReplyStatus, parse_list};

#[test]
fn table_board_with_labelled_header() {
    let page = url("http://www.jdz.gov.cn/hdjl/zxts/list.jsp");
    let list = parse_list(&fixture("letters_table.html"), &page, None);
    let got: Vec<(&str, Option<&str>, Fields)> = list
        .items
        .iter()
        .map(|i| {
            (
                i.title.as_str(),
                i.url.as_ref().map(|u| u.as_str()),
                i.fields.clone(),
            )
        })
        .collect();
    let f = |unit: &str, received, status, answered| Fields {
        unit: Some(unit.to_string()),
        received,
        status,
        answered,
    };
    assert_eq!(
        got,
        [
            (
                "咨询社保卡异地就医备案办理流程",
                Some("http://www.jdz.gov.cn/hdjl/zxts/detail.jsp?id=30871"),
                f(
                    "市人力资源和社会保障局",
                    day(2020, 9, 28),
                    Some(ReplyStatus::Replied),
                    day(2020, 9, 30)
                )
            ),
            (
                "关于失业保险金申领的咨询",
                Some("http://www.jdz.gov.cn/hdjl/zxts/detail.jsp?id=30866"),
                f(
                    "市人社局",
                    day(2020, 9, 27),
                    Some(ReplyStatus::Replied),
                    day(2020, 9, 29)
                )
            ),
            (
                "反映某小区夜间施工噪音扰民",
                Some("http://www.jdz.gov.cn/hdjl/zxts/detail.jsp?id=30860"),
                f(
                    "市生态环境局",
                    day(2020, 9, 26),
                    Some(ReplyStatus::Pending),
                    None
                )
            ),
            // No status printed, but an answer date: replied.
            (
                "咨询公租房申请条件",
                Some("http://www.jdz.gov.cn/hdjl/zxts/detail.jsp?id=30851"),
                f(
                    "市住房和城乡建设局",
                    day(2020, 9, 24),
                    Some(ReplyStatus::Replied),
                    day(2020, 9, 25)
                )
            ),
            (
                "建议增加公交线路",
                Some("http://www.jdz.gov.cn/hdjl/zxts/detail.jsp?id=30840"),
                f(
                    "市交通运输局",
                    day(2020, 9, 20),
                    Some(ReplyStatus::Pending),
                    None
                )
            ),
        ]
    );
    // A letter's date is the day it was received.
    assert_eq!(list.items[0].date, day(2020, 9, 28));
    assert_eq!(
        list.more,
        Pagination::Next(url("http://www.jdz.gov.cn/hdjl/zxts/list.jsp?page=2"))
    );
}

#[test]
fn columns_are_found_by_label_not_position() {
    // Same board, columns in another order and named by other aliases.
    let html = r#"<table><tr><th>状态</th><th>回复部门</th><th>标题</th><th>回复时间</th><th>来信时间</th></tr>
        <tr><td>已答复</td><td>市公安局</td><td><a href="/x/1.html">户籍咨询</a></td><td>2020-11-05</td><td>2020-11-01</td></tr>
        <tr><td>未办结</td><td>市城管局</td><td><a href="/x/2.html">占道经营</a></td><td></td><td>2020-11-03</td></tr></table>"#;
    let list = parse_list(html, &url("http://x.gov.cn/ldxx/"), None);
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.items[0].title, "户籍咨询");
    assert_eq!(
        list.items[0].fields,
        Fields {
            unit: Some("市公安局".into()),
            received: day(2020, 11, 1),
            status: Some(ReplyStatus::Replied),
            answered: day(2020, 11, 5)
        }
    );
    assert_eq!(
        list.items[1].fields,
        Fields {
            unit: Some("市城管局".into()),
            received: day(2020, 11, 3),
            status: Some(ReplyStatus::Pending),
            answered: None
        }
    );
}

#[test]
fn labelled_span_board() {
    let page = url("http://www.cjq.gov.cn/hdjl/ldxx/");
    let list = parse_list(&fixture("letters_spans.html"), &page, None);
    let got: Vec<(&str, Fields)> = list
        .items
        .iter()
        .map(|i| (i.title.as_str(), i.fields.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "关于老旧小区改造进度的询问",
                Fields {
                    unit: Some("区住建局".into()),
                    received: day(2020, 11, 2),
                    status: Some(ReplyStatus::Replied),
                    answered: day(2020, 11, 6)
                }
            ),
            (
                "学校周边交通拥堵问题",
                Fields {
                    unit: Some("区公安分局".into()),
                    received: day(2020, 10, 30),
                    status: Some(ReplyStatus::Pending),
                    answered: None
                }
            ),
            (
                "咨询农村宅基地审批",
                Fields {
                    unit: Some("区自然资源分局".into()),
                    received: day(2020, 10, 21),
                    status: Some(ReplyStatus::Replied),
                    answered: day(2020, 10, 28)
                }
            ),
        ]
    );
    assert_eq!(
        list.items[0].url.as_ref().unwrap().as_str(),
        "http://www.cjq.gov.cn/hdjl/ldxx/show/12001.html"
    );
    assert_eq!(list.items[2].date, day(2020, 10, 21));
}
