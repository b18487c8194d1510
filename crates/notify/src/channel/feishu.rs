//! Feishu (飞书) group robots: the summary as a card with a Markdown element. A robot with
//! signing on (签名校验) wants `timestamp` (s) and `sign` in the body, where `sign` is
//! Base64(HMAC-SHA256 keyed with timestamp + "\n" + secret, over an empty message); it
//! answers `{"code": 0}` when it took the message.

use async_trait::async_trait;
use serde_json::json;
use spotcheck_core::plan::notify::Endpoint;

use super::{Channel, SendError, hmac_base64, platform_ok, post_json, secret, summary_of};
use crate::message::Message;

pub struct Feishu {
    endpoint: Endpoint,
    http: reqwest::Client,
}

impl Feishu {
    pub fn new(endpoint: Endpoint, http: reqwest::Client) -> Feishu {
        Feishu { endpoint, http }
    }
}

#[async_trait]
impl Channel for Feishu {
    fn name(&self) -> &'static str {
        "feishu"
    }

    async fn send(&self, message: &Message) -> Result<(), SendError> {
        let summary = summary_of(self.name(), message)?;
        let mut body = json!({
            "msg_type": "interactive",
            "card": {
                "header": { "title": { "tag": "plain_text", "content": summary.title } },
                "elements": [ { "tag": "markdown", "content": summary.markdown } ],
            },
        });
        if let Some(env) = &self.endpoint.secret_env {
            let secret = secret(env)?;
            let timestamp = chrono::Utc::now().timestamp().to_string();
            body["timestamp"] = json!(timestamp);
            body["sign"] = json!(hmac_base64(
                format!("{timestamp}\n{secret}").as_bytes(),
                b""
            ));
        }
        let url = &self.endpoint.url;
        let answer = post_json(&self.http, url.clone(), &body).await?;
        platform_ok(url, &answer, "code", "msg")
    }
}
