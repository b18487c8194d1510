//! No AppSecret and no access token ever reaches a log line (at any level), an error, or an
//! outcome. Alone in its test binary: a scoped tracing subscriber sees every event only when
//! no other test registers the same callsites concurrently on another thread.

mod wechat_fake;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use spotcheck_core::outcome::MenuSource;
use wechat_fake::*;

/// A subscriber that writes every event and span field, at every level, into a buffer.
struct Capture {
    out: Arc<Mutex<String>>,
    next: AtomicU64,
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = self.out.lock().unwrap();
        let _ = write!(out, "span {}", span.metadata().name());
        span.record(&mut Fields(&mut out));
        out.push('\n');
        tracing::span::Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut out = self.out.lock().unwrap();
        values.record(&mut Fields(&mut out));
        out.push('\n');
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.out.lock().unwrap();
        let _ = write!(
            out,
            "{} {}",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut out));
        out.push('\n');
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// A server that answers `stable_token` as the test says and drops the connection on
/// everything else, so the HTTP stack reports an error quoting the URL (and its secret).
async fn hangup_server(stable: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                if head.starts_with("POST /cgi-bin/stable_token") {
                    let answer = format!(
                        "HTTP/1.1 {stable}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
                        TOKEN_BODY.len(),
                        TOKEN_BODY
                    );
                    let _ = s.write_all(answer.as_bytes()).await;
                }
                // Anything else: hang up without a word.
            });
        }
    });
    format!("http://{addr}")
}

const TOKEN_BODY: &str = "{\"access_token\":\"hangup-TOKENxSENSITIVE\",\"expires_in\":7200}";

#[tokio::test]
async fn secrets_and_tokens_never_reach_logs_errors_or_outcomes() {
    let out = Arc::new(Mutex::new(String::new()));
    let capture = Capture {
        out: out.clone(),
        next: AtomicU64::new(1),
    };
    let _guard = tracing::subscriber::set_default(capture);

    let fake = Arc::new(Fake::default());
    // Token fetched, refused twice at the menu, then a busy API: refresh and retries.
    let mut a = FakeAccount::new(SELFMENU);
    a.script = [
        Scripted::Errcode(40001),
        Scripted::Errcode(-1),
        Scripted::Errcode(-1),
        Scripted::Errcode(40001),
    ]
    .into();
    fake.add("wxA", a);
    // The old token endpoint (the secret in the URL), refused at the token.
    let mut b = FakeAccount::new(SELFMENU);
    b.stable_served = false;
    b.token_error = Some(40164);
    fake.add("wxB", b);
    // The old token endpoint, a token refused once, then a malformed menu.
    let mut c = FakeAccount::new(SELFMENU);
    c.stable_served = false;
    c.script = [Scripted::Errcode(42001), Scripted::Raw("<html>oops</html>")].into();
    fake.add("wxC", c);
    let base = serve(fake.clone()).await;
    let ctx = context(&base, &[api("a", "wxA"), api("b", "wxB"), api("c", "wxC")]);
    let mut outcomes = Vec::new();
    for id in ["a", "b", "c", "a"] {
        outcomes.push(read(&ctx, id).await);
    }
    assert_eq!(
        outcomes[3].source,
        MenuSource::Api,
        "the cached token works"
    );
    assert_eq!(fake.counts("wxC").plain, 2);

    // The connection drops on the token URL that carries the secret, and on the menu URL
    // that carries the token.
    for stable in ["404 Not Found", "200 OK"] {
        let base = hangup_server(stable).await;
        let ctx = context(&base, &[api("d", "wxD")]);
        let o = read(&ctx, "d").await;
        assert_eq!(o.source, MenuSource::None);
        assert!(
            o.problem.as_deref().unwrap().contains("无法访问微信接口"),
            "{o:?}"
        );
        outcomes.push(o);
    }

    for o in &outcomes {
        assert_no_secret(o);
        let debug = format!("{o:?}");
        assert!(
            !debug.contains(SECRET) && !debug.contains(TOKEN_MARK),
            "{debug}"
        );
    }
    let logs = out.lock().unwrap().clone();
    assert!(
        logs.contains("new access token"),
        "the capture saw the client: {logs}"
    );
    assert!(logs.contains("access token refused"), "{logs}");
    assert!(logs.contains("trying again"), "{logs}");
    assert!(logs.contains("TRACE"), "{logs}");
    assert!(!logs.contains(SECRET), "the secret was logged:\n{logs}");
    assert!(!logs.contains(TOKEN_MARK), "a token was logged:\n{logs}");
    assert!(!logs.contains("secret=c0"), "{logs}");
    // Wherever the HTTP stack quotes a URL (its error texts may), the values are blanked.
    for param in ["secret=", "access_token="] {
        for (i, _) in logs.match_indices(param) {
            assert!(logs[i + param.len()..].starts_with("***"), "{logs}");
        }
    }
}
