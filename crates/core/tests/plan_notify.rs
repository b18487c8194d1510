//! `[notify]` in the plan and `email`/`contact` in the registry's units: read as written,
//! and every mistake refused with its file, line, column and key.

use std::path::Path;

use spotcheck_core::config_error::ConfigErrors;
use spotcheck_core::plan::notify::Security;
use spotcheck_core::{Plan, Registry};

fn errors(text: &str) -> Vec<String> {
    let e: ConfigErrors = Plan::parse(text, Path::new("plan.toml")).unwrap_err();
    e.0.iter().map(ToString::to_string).collect()
}

#[test]
fn a_full_section_is_read_as_written() {
    let p = Plan::parse(
        r#"[notify]
console_url = "https://console.jdz.gov.cn/"
attempts = 3
retry_backoff = "1m"

[notify.email]
host = "smtp.jdz.gov.cn"
from = "dcs@jdz.gov.cn"
to = ["office@jdz.gov.cn"]
username_env = "SMTP_USER"
password_env = "SMTP_PASSWORD"

[notify.dingtalk]
url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
secret_env = "DINGTALK_SECRET"

[notify.wecom]
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
"#,
        Path::new("plan.toml"),
    )
    .unwrap();
    let n = &p.notify;
    assert!(n.any());
    assert_eq!(n.attempts, 3);
    assert_eq!(n.retry_backoff.0.as_secs(), 60);
    let e = n.email.as_ref().unwrap();
    assert_eq!(
        (e.security, e.port(), e.units),
        (Security::Starttls, 587, true)
    );
    assert_eq!(e.to, ["office@jdz.gov.cn"]);
    assert_eq!(
        n.dingtalk.as_ref().unwrap().secret_env.as_deref(),
        Some("DINGTALK_SECRET")
    );
    assert!(n.feishu.is_none() && n.webhook.is_none());
    assert!(
        !Plan::parse("", Path::new("plan.toml"))
            .unwrap()
            .notify
            .any()
    );
}

#[test]
fn unknown_keys_and_bad_urls_are_refused_where_they_are() {
    assert_eq!(
        errors(
            "[notify.email]\nhost = \"smtp.jdz.gov.cn\"\nfrom = \"a@jdz.gov.cn\"\nhots = \"x\"\n"
        ),
        [
            "plan.toml:4:1: notify.email.hots: unknown field `hots`, expected one of `host`, `port`, `security`, `from`, `from_name`, `to`, `username_env`, `password_env`, `units`"
        ]
    );
    let e = errors("[notify.feishu]\nurl = \"not a url\"\n");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("plan.toml:2:7: notify.feishu.url: "),
        "{e:?}"
    );
    assert_eq!(
        errors("[notify.webhook]\nurl = \"ftp://files.jdz.gov.cn/x?token=t\"\n"),
        ["plan.toml:2:7: notify.webhook.url: must be an http(s) URL with a host"]
    );
}

#[test]
fn secrets_addresses_and_counts_are_checked() {
    let e = errors(
        r#"[notify]
attempts = 0

[notify.email]
host = "smtp.jdz.gov.cn"
from = "督查室"
to = ["office@jdz.gov.cn", "office"]
username_env = "SMTP_USER"

[notify.wecom]
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
secret_env = "WECOM_SECRET"

[notify.dingtalk]
url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
secret_env = "SEC123abc="
"#,
    );
    assert_eq!(
        e,
        [
            "plan.toml:2:12: notify.attempts: at least one attempt is needed",
            "plan.toml:6:8: notify.email.from: `督查室` is not an email address",
            "plan.toml:7:28: notify.email.to[1]: `office` is not an email address",
            "plan.toml:8:16: notify.email.username_env: `username_env` and `password_env` go together",
            "plan.toml:16:14: notify.dingtalk.secret_env: must name an environment variable ([A-Za-z0-9_]+), not hold the secret",
            "plan.toml:12:14: notify.wecom.secret_env: WeCom group robots do not sign: the key in the URL is their secret",
        ]
    );
}

#[test]
fn a_unit_s_email_is_checked_and_its_contact_kept() {
    let text = "[meta]\nregion = \"测试市\"\nname = \"测试\"\n\n[[units]]\nid = \"jyj\"\nname = \"市教育局\"\nemail = \"jyj@test.gov.cn\"\ncontact = \"张科长\"\n";
    let r = Registry::parse(text, Path::new("r.toml")).unwrap();
    assert_eq!(r.units[0].email.as_deref(), Some("jyj@test.gov.cn"));
    assert_eq!(r.units[0].contact.as_deref(), Some("张科长"));
    let bad = text.replace("jyj@test.gov.cn", "jyj at test");
    let e = Registry::parse(&bad, Path::new("r.toml")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "r.toml:8:9: units[0].email: `jyj at test` is not an email address"
    );
}
