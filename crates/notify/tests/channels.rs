//! Every channel's exact message, against fakes on loopback: the mails an SMTP sink received
//! (subjects, recipients, attachments that open as Word documents) and the JSON bodies and
//! signatures the robots and the webhook received.

mod support;

use std::io::Read;
use std::sync::Arc;

use mail_parser::{MessageParser, MimeHeaders};
use serde_json::json;
use spotcheck_notify::{Delivery, Ledger, MemoryLedger, Notifier, State};
use spotcheck_testkit::smtp::SmtpSink;
use support::{Fake, hmac_b64};

const TITLE: &str = "测试市人民政府办公室关于2020年第四季度网站与政务新媒体抽查情况的通报";

fn notify_section(sink: &SmtpSink, fake: &Fake) -> String {
    format!(
        r#"[notify]
console_url = "https://console.test.gov.cn/"
attempts = 1

[notify.email]
host = "127.0.0.1"
port = {port}
security = "none"
from = "dcs@test.gov.cn"
from_name = "测试市政府办督查室"
to = ["office@test.gov.cn", "leader@test.gov.cn"]

[notify.dingtalk]
url = "{dingtalk}?access_token=dt-token"
secret_env = "NOTIFY_TEST_DINGTALK_SECRET"

[notify.wecom]
url = "{wecom}?key=wc-key"

[notify.feishu]
url = "{feishu}"
secret_env = "NOTIFY_TEST_FEISHU_SECRET"

[notify.webhook]
url = "{webhook}"
secret_env = "NOTIFY_TEST_WEBHOOK_SECRET"
"#,
        port = sink.addr.port(),
        dingtalk = fake.url("/dingtalk"),
        wecom = fake.url("/wecom"),
        feishu = fake.url("/feishu"),
        webhook = fake.url("/webhook"),
    )
}

/// The Markdown every robot shows.
fn markdown() -> String {
    format!(
        "### {TITLE}\n\
         - 抽查率：100%，合格率：33.3%\n\
         - 网站：抽查3个，合格1个；政务新媒体：抽查0个，合格0个\n\
         - 发现问题2个，涉及2家单位：\n  \
           - 网站无法访问：2个（2家单位）\n\
         \n[查看轮次详情](https://console.test.gov.cn/rounds/2020Q4-notify)\n"
    )
}

fn docx_has_document_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[tokio::test]
async fn every_channel_gets_its_exact_message() {
    // SAFETY: the only test of this binary; set before any task reads them.
    unsafe {
        std::env::set_var("NOTIFY_TEST_DINGTALK_SECRET", "SECdingtalk");
        std::env::set_var("NOTIFY_TEST_FEISHU_SECRET", "feishu-secret");
        std::env::set_var("NOTIFY_TEST_WEBHOOK_SECRET", "hook-secret");
    }
    let sink = SmtpSink::start().await;
    let fake = Fake::start().await;
    let (round, results) = support::finished(support::plan(&notify_section(&sink, &fake)));
    let report = support::report(&round, &results);
    let ledger = Arc::new(MemoryLedger::default());
    let notifier = Notifier::new(ledger.clone());

    let mut sending = notifier.announce(&round, report).await;
    let mut finals = Vec::new();
    while let Some(d) = sending.join_next().await {
        finals.push(d.unwrap());
    }
    assert!(finals.iter().all(|d| d.state == State::Sent), "{finals:#?}");

    // The ledger: one message per channel and recipient, each sent at the first attempt.
    let recorded: Vec<(String, String, State, u32)> = ledger
        .deliveries(&round.id)
        .await
        .unwrap()
        .into_iter()
        .map(|d: Delivery| (d.channel, d.recipient, d.state, d.attempts))
        .collect();

    let expected: Vec<(String, String, State, u32)> = [
        ("dingtalk", "group"),
        ("email", "office"),
        ("email", "unit:jyj"),
        ("feishu", "group"),
        ("webhook", "endpoint"),
        ("wecom", "group"),
    ]
    .iter()
    .map(|(c, r)| (c.to_string(), r.to_string(), State::Sent, 1))
    .collect();
    assert_eq!(recorded, expected);

    // Mail: the office's notice, and 市教育局's 整改通知单 (市人社局 has no address).
    let mut mails = sink.mails();
    mails.sort_by_key(|m| m.to.len());
    assert_eq!(mails.len(), 2);
    let unit = &mails[0];
    assert_eq!(unit.from, "dcs@test.gov.cn");
    assert_eq!(unit.to, ["jyj@test.gov.cn"]);
    let parsed = MessageParser::default().parse(&unit.data).unwrap();
    assert_eq!(
        parsed.subject(),
        Some("市教育局网站与政务新媒体问题整改通知单")
    );
    assert_eq!(
        parsed.body_text(0).unwrap().replace("\r\n", "\n"),
        "张科长：\n\n附件是市教育局网站与政务新媒体问题整改通知单，请查收，逐项对照整改。整改情况将在复查中逐项核实。\n\n测试市人民政府办公室"
    );
    let files: Vec<_> = parsed.attachments().collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].attachment_name(), Some("市教育局-整改通知单.docx"));
    let xml = docx_has_document_xml(files[0].contents());
    assert!(xml.contains("测试市教育局网站"), "the unit's own finding");
    assert!(!xml.contains("测试市人社局网站"), "another unit's finding");

    let office = &mails[1];
    assert_eq!(office.to, ["office@test.gov.cn", "leader@test.gov.cn"]);
    let parsed = MessageParser::default().parse(&office.data).unwrap();
    assert_eq!(parsed.subject(), Some(TITLE));
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("测试市政府办督查室"));
    assert_eq!(from.address(), Some("dcs@test.gov.cn"));
    let text = parsed.body_text(0).unwrap().replace("\r\n", "\n");
    let summary = markdown().replace("### ", "");
    assert_eq!(text, format!("{}\n\n通报全文见附件。", summary.trim_end()));
    let files: Vec<_> = parsed.attachments().collect();
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].attachment_name(),
        Some(format!("{TITLE}.docx").as_str())
    );
    let xml = docx_has_document_xml(files[0].contents());
    assert!(xml.contains("测试市教育局网站") && xml.contains("测试市人社局网站"));

    // DingTalk: Markdown, signed in the query with timestamp + "\n" + secret.
    let [dt] = &fake.to("/dingtalk")[..] else {
        panic!("one DingTalk message")
    };
    assert_eq!(
        dt.json(),
        json!({"msgtype": "markdown", "markdown": {"title": TITLE, "text": markdown()}})
    );
    assert_eq!(dt.param("access_token").as_deref(), Some("dt-token"));
    let ts = dt.param("timestamp").expect("timestamp");
    assert_eq!(ts.len(), 13, "milliseconds");
    assert_eq!(
        dt.param("sign"),
        Some(hmac_b64(
            b"SECdingtalk",
            format!("{ts}\nSECdingtalk").as_bytes()
        ))
    );

    // WeCom: Markdown, not signed.
    let [wc] = &fake.to("/wecom")[..] else {
        panic!("one WeCom message")
    };
    assert_eq!(
        wc.json(),
        json!({"msgtype": "markdown", "markdown": {"content": markdown()}})
    );
    assert_eq!(wc.query.as_deref(), Some("key=wc-key"));

    // Feishu: a card, signed in the body with timestamp + "\n" + secret as the key.
    let [fs] = &fake.to("/feishu")[..] else {
        panic!("one Feishu message")
    };
    let body = fs.json();
    let ts = body["timestamp"].as_str().expect("timestamp").to_string();
    assert_eq!(ts.len(), 10, "seconds");
    assert_eq!(
        body,
        json!({
            "msg_type": "interactive",
            "card": {
                "header": {"title": {"tag": "plain_text", "content": TITLE}},
                "elements": [{"tag": "markdown", "content": markdown()}],
            },
            "timestamp": ts,
            "sign": hmac_b64(format!("{ts}\nfeishu-secret").as_bytes(), b""),
        })
    );

    // The webhook: the JSON summary, its body signed.
    let [wh] = &fake.to("/webhook")[..] else {
        panic!("one webhook call")
    };
    assert_eq!(
        wh.headers["x-spotcheck-signature"].to_str().unwrap(),
        format!("sha256={}", hmac_b64(b"hook-secret", &wh.body))
    );
    assert_eq!(
        wh.json(),
        json!({
            "event": "round.complete",
            "round": {
                "id": "2020Q4-notify",
                "kind": "spot",
                "parent": null,
                "as_of": "2020-12-17",
                "window": {"from": "2020-07-01", "to": "2020-09-30"},
            },
            "region": "测试市",
            "name": "测试市人民政府办公室",
            "title": TITLE,
            "figures": {
                "sample_rate": 1.0,
                "pass_rate": 1.0 / 3.0,
                "websites": {"registered": 3, "checked": 3, "passed": 1},
                "accounts": {"registered": 0, "checked": 0, "passed": 0},
                "letters": {"received": 0, "replied": 0, "reply_rate": 1.0},
                "jobs": {"total": 6, "dead": 0},
            },
            "problems": [{
                "indicator": "site.unreachable",
                "title": "网站无法访问",
                "findings": 2,
                "units": ["市教育局", "市人社局"],
            }],
            "units_with_problems": ["市教育局", "市人社局"],
            "rectification": null,
            "links": {
                "round": "https://console.test.gov.cn/rounds/2020Q4-notify",
                "notice": "https://console.test.gov.cn/api/rounds/2020Q4-notify/report.docx",
                "report": "https://console.test.gov.cn/api/rounds/2020Q4-notify/report.json",
            },
        })
    );
}
