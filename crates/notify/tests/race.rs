//! Two collectors that both see a round complete (two processes, each with its own Redis
//! connection) announce it at once: every message goes out once, and `round status` can read
//! what became of each from Redis. Needs Redis (`./tests/run` starts it).

mod support;

use std::sync::Arc;

use spotcheck_core::job::JobId;
use spotcheck_core::ports::Store;
use spotcheck_notify::{Ledger, Notifier, RedisLedger, State};
use spotcheck_store::RedisStore;
use spotcheck_testkit::smtp::SmtpSink;
use support::Fake;

async fn connect(ns: &spotcheck_core::Namespace) -> Arc<RedisStore> {
    Arc::new(
        RedisStore::connect(&spotcheck_testkit::redis_url(), ns)
            .await
            .expect("Redis is needed for this test: run ./tests/run, which starts it"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_collectors_racing_send_each_message_once() {
    let ns = spotcheck_testkit::namespace();
    let sink = SmtpSink::start().await;
    let fake = Fake::start().await;
    let section = format!(
        r#"[notify]
attempts = 1

[notify.email]
host = "127.0.0.1"
port = {port}
security = "none"
from = "dcs@test.gov.cn"
to = ["office@test.gov.cn"]

[notify.wecom]
url = "{wecom}?key=k"

[notify.webhook]
url = "{webhook}"
"#,
        port = sink.addr.port(),
        wecom = fake.url("/wecom"),
        webhook = fake.url("/webhook"),
    );
    let (round, results) = support::finished(support::plan(&section));

    // The round, complete in the store.
    let a = connect(&ns).await;
    a.create_round(&round).await.unwrap();
    let ids: Vec<JobId> = results.iter().map(|r| r.job.id.clone()).collect();
    a.add_jobs(&round.id, &ids).await.unwrap();
    a.seal(&round.id).await.unwrap();
    a.record_batch(&results).await.unwrap();
    assert!(a.progress(&round.id).await.unwrap().complete);

    let b = connect(&ns).await;
    let first = Notifier::new(Arc::new(RedisLedger::new(&a)));
    let second = Notifier::new(Arc::new(RedisLedger::new(&b)));
    let (sa, sb): (Arc<dyn Store>, Arc<dyn Store>) = (a.clone(), b.clone());
    let (x, y) = tokio::join!(
        first.announce_stored(sa.as_ref(), &round.id),
        second.announce_stored(sb.as_ref(), &round.id)
    );
    let (mut x, mut y) = (x.unwrap(), y.unwrap());
    let mut sent = 0;
    while let Some(d) = x.join_next().await {
        assert_eq!(d.unwrap().state, State::Sent);
        sent += 1;
    }
    while let Some(d) = y.join_next().await {
        assert_eq!(d.unwrap().state, State::Sent);
        sent += 1;
    }
    // The office's mail and 市教育局's, the WeCom group, the webhook: four, once each.
    assert_eq!(sent, 4);
    let mut to: Vec<Vec<String>> = sink.mails().into_iter().map(|m| m.to).collect();
    to.sort();
    assert_eq!(to, [vec!["jyj@test.gov.cn"], vec!["office@test.gov.cn"]]);
    assert_eq!(fake.to("/wecom").len(), 1);
    assert_eq!(fake.to("/webhook").len(), 1);

    // A third collector, later: everything is claimed, nothing goes out again.
    let mut late = first.announce_stored(sa.as_ref(), &round.id).await.unwrap();
    assert!(late.join_next().await.is_none());
    assert_eq!(sink.mails().len(), 2);

    let states = RedisLedger::new(&b).deliveries(&round.id).await.unwrap();
    let summary: Vec<String> = states.iter().map(ToString::to_string).collect();
    assert_eq!(
        summary,
        [
            "notification email to office: sent (1 attempt)",
            "notification email to unit:jyj: sent (1 attempt)",
            "notification webhook to endpoint: sent (1 attempt)",
            "notification wecom to group: sent (1 attempt)",
        ]
    );
    a.delete_namespace().await.unwrap();
}
