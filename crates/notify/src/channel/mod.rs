//! The channels a message goes out on, one file each, behind one trait: the notifier hands
//! each its message and records what came of it, so a channel fails alone.
//!
//! Robot and webhook addresses carry their access tokens, and signing secrets come from the
//! environment: neither appears in a log line or a recorded error ([`redact`],
//! `reqwest::Error::without_url`).

mod dingtalk;
mod email;
mod feishu;
mod webhook;
mod wecom;

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use spotcheck_core::plan::notify::Notify;
use url::Url;

pub use self::dingtalk::DingTalk;
pub use self::email::Email;
pub use self::feishu::Feishu;
pub use self::webhook::Webhook;
pub use self::wecom::WeCom;
use crate::message::Message;

/// Why a message did not go out, fit for the log and `round status`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

/// One way of sending a round's messages.
#[async_trait]
pub trait Channel: Send + Sync {
    /// `email`, `dingtalk`, … (the plan's key).
    fn name(&self) -> &'static str;

    async fn send(&self, message: &Message) -> Result<(), SendError>;
}

/// The channels `[notify]` configures, by name.
pub fn configured(notify: &Notify, http: &reqwest::Client) -> Vec<Box<dyn Channel>> {
    let mut out: Vec<Box<dyn Channel>> = Vec::new();
    if let Some(e) = &notify.email {
        out.push(Box::new(Email::new(e.clone())));
    }
    if let Some(e) = &notify.dingtalk {
        out.push(Box::new(DingTalk::new(e.clone(), http.clone())));
    }
    if let Some(e) = &notify.wecom {
        out.push(Box::new(WeCom::new(e.clone(), http.clone())));
    }
    if let Some(e) = &notify.feishu {
        out.push(Box::new(Feishu::new(e.clone(), http.clone())));
    }
    if let Some(e) = &notify.webhook {
        out.push(Box::new(Webhook::new(e.clone(), http.clone())));
    }
    out
}

/// The client the webhooks share: bounded in time, following no redirects (a robot's address
/// answers where it is).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("spotcheck/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// A webhook address fit for a log line: scheme, host and port only (the path and the query
/// hold the access token).
pub fn redact(url: &Url) -> String {
    match url.port() {
        Some(p) => format!("{}://{}:{p}/…", url.scheme(), url.host_str().unwrap_or("")),
        None => format!("{}://{}/…", url.scheme(), url.host_str().unwrap_or("")),
    }
}

/// The secret in environment variable `env`; its absence is a failure that names the
/// variable, never a value.
pub(crate) fn secret(env: &str) -> Result<String, SendError> {
    std::env::var(env).map_err(|_| SendError(format!("environment variable {env} is not set")))
}

/// HMAC-SHA256 of `message` under `key`, in standard Base64: how DingTalk and Feishu sign.
pub(crate) fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// POSTs `body` as JSON and reads the answer as JSON (a robot's verdict); a status other
/// than 2xx is a failure.
pub(crate) async fn post_json(
    http: &reqwest::Client,
    url: Url,
    body: &Value,
) -> Result<Value, SendError> {
    let shown = redact(&url);
    let bytes = serde_json::to_vec(body).map_err(|e| SendError(e.to_string()))?;
    let answer = post_bytes(http, url, bytes, &[]).await?;
    serde_json::from_slice(&answer)
        .map_err(|_| SendError(format!("{shown} answered with: {}", excerpt(&answer))))
}

/// POSTs an encoded JSON body (a signature covers these exact bytes) and returns the
/// answer's body; a status other than 2xx is a failure.
pub(crate) async fn post_bytes(
    http: &reqwest::Client,
    url: Url,
    body: Vec<u8>,
    headers: &[(&str, String)],
) -> Result<Vec<u8>, SendError> {
    let shown = redact(&url);
    let mut req = http
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let answer = req
        .send()
        .await
        .map_err(|e| SendError(format!("{shown}: {}", e.without_url())))?;
    let status = answer.status();
    let text = answer
        .bytes()
        .await
        .map_err(|e| SendError(format!("{shown}: {}", e.without_url())))?;
    if !status.is_success() {
        return Err(SendError(format!(
            "{shown} answered {status}: {}",
            excerpt(&text)
        )));
    }
    Ok(text.to_vec())
}

/// The start of an answer, for an error message.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.trim().chars().take(200).collect();
    if text.trim().chars().count() > 200 {
        s.push('…');
    }
    s
}

/// A robot's answer `{errcode: 0}` (DingTalk, WeCom) or `{code: 0}` (Feishu) is success;
/// any other code is a failure with the platform's message.
pub(crate) fn platform_ok(
    url: &Url,
    answer: &Value,
    code: &str,
    msg: &str,
) -> Result<(), SendError> {
    match answer.get(code).and_then(Value::as_i64) {
        Some(0) => Ok(()),
        Some(n) => Err(SendError(format!(
            "{} refused the message: {code} {n}, {}",
            redact(url),
            answer.get(msg).and_then(Value::as_str).unwrap_or("")
        ))),
        None => Err(SendError(format!(
            "{} answered without `{code}`: {}",
            redact(url),
            excerpt(answer.to_string().as_bytes())
        ))),
    }
}

/// The summary a robot channel needs; a mail is no message for it.
pub(crate) fn summary_of<'a>(
    channel: &str,
    message: &'a Message,
) -> Result<&'a crate::message::Summary, SendError> {
    match message {
        Message::Summary(s) => Ok(s),
        Message::Mail(_) => Err(SendError(format!("{channel} sends summaries, not mail"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_addresses_keep_no_token() {
        let u = Url::parse("https://oapi.dingtalk.com/robot/send?access_token=abc123").unwrap();
        assert_eq!(redact(&u), "https://oapi.dingtalk.com/…");
        let u = Url::parse("http://127.0.0.1:8080/open-apis/bot/v2/hook/tok-en").unwrap();
        assert_eq!(redact(&u), "http://127.0.0.1:8080/…");
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = hmac_base64(b"Jefe", b"what do ya want for nothing?");
        let hex = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let bytes: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(sig, STANDARD.encode(bytes));
    }
}
