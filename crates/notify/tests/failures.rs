//! Channels that fail: an SMTP server that refuses and a webhook that answers 500 are tried
//! as often as the plan says, then recorded as failed with the reason; the other channels
//! are sent all the same, and the secrets in the addresses appear in no recorded error.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use spotcheck_notify::{Delivery, Ledger, MemoryLedger, Notifier, State};
use spotcheck_testkit::smtp::SmtpSink;
use support::Fake;

#[tokio::test]
async fn refusing_servers_are_retried_then_recorded_as_failed() {
    let sink = SmtpSink::refusing("554 5.7.1 relay access denied").await;
    let fake = Fake::start().await;
    let section = format!(
        r#"[notify]
attempts = 3
retry_backoff = "50ms"

[notify.email]
host = "127.0.0.1"
port = {port}
security = "none"
from = "dcs@test.gov.cn"
to = ["office@test.gov.cn"]
units = false

[notify.webhook]
url = "{broken}?token=hook-secret-token"

[notify.wecom]
url = "{wecom}?key=wc-key"

[notify.dingtalk]
url = "{refusing}?access_token=dt-secret-token"
"#,
        port = sink.addr.port(),
        broken = fake.url("/broken"),
        wecom = fake.url("/wecom"),
        refusing = fake.url("/refusing-robot"),
    );
    let (round, results) = support::finished(support::plan(&section));
    let report = support::report(&round, &results);
    let ledger = Arc::new(MemoryLedger::default());
    let notifier = Notifier::new(ledger.clone());

    let started = Instant::now();
    let mut sending = notifier.announce(&round, report).await;
    while sending.join_next().await.is_some() {}
    // Two waits of at least 50 ms and 100 ms between the three attempts.
    assert!(started.elapsed() >= Duration::from_millis(150));

    let states: Vec<Delivery> = ledger.deliveries(&round.id).await.unwrap();
    let by = |c: &str| states.iter().find(|d| d.channel == c).unwrap().clone();

    let mail = by("email");
    assert_eq!((mail.state, mail.attempts), (State::Failed, 3));
    let why = mail.last_error.unwrap();
    assert!(
        why.contains("554") && why.contains("relay access denied"),
        "{why}"
    );
    assert_eq!(sink.refusals(), 3);
    assert!(sink.mails().is_empty());

    let hook = by("webhook");
    assert_eq!((hook.state, hook.attempts), (State::Failed, 3));
    let why = hook.last_error.unwrap();
    assert_eq!(
        why,
        format!(
            "http://{}/… answered 500 Internal Server Error: internal error",
            fake.addr
        )
    );
    assert_eq!(fake.to("/broken").len(), 3);

    // A robot that answers 200 with an error code has not taken the message.
    let robot = by("dingtalk");
    assert_eq!((robot.state, robot.attempts), (State::Failed, 3));
    let why = robot.last_error.unwrap();
    assert!(
        why.ends_with("refused the message: errcode 310000, sign not match"),
        "{why}"
    );
    assert!(!why.contains("dt-secret-token"));

    // The channel that works is not held back by the others.
    let wecom = by("wecom");
    assert_eq!(
        (wecom.state, wecom.attempts, wecom.last_error),
        (State::Sent, 1, None)
    );
    assert_eq!(fake.to("/wecom").len(), 1);
}

#[tokio::test]
async fn a_missing_secret_fails_the_message_naming_the_variable_only() {
    let fake = Fake::start().await;
    let section = format!(
        "[notify]\nattempts = 1\n\n[notify.feishu]\nurl = \"{}\"\nsecret_env = \"NOTIFY_TEST_UNSET_SECRET\"\n",
        fake.url("/feishu")
    );
    let (round, results) = support::finished(support::plan(&section));
    let report = support::report(&round, &results);
    let notifier = Notifier::new(Arc::new(MemoryLedger::default()));
    let mut sending = notifier.announce(&round, report).await;
    let d = sending.join_next().await.unwrap().unwrap();
    assert_eq!(d.state, State::Failed);
    assert_eq!(
        d.last_error.as_deref(),
        Some("environment variable NOTIFY_TEST_UNSET_SECRET is not set")
    );
    assert!(fake.to("/feishu").is_empty(), "nothing unsigned goes out");
}
