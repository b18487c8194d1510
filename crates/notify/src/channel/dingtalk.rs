//! DingTalk (钉钉) group robots: the summary as Markdown. A robot with signing on (加签) wants
//! `timestamp` (ms) and `sign` = Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)) in
//! the address's query; it answers `{"errcode": 0}` when it took the message.

use async_trait::async_trait;
use serde_json::json;
use spotcheck_core::plan::notify::Endpoint;

use super::{Channel, SendError, hmac_base64, platform_ok, post_json, secret, summary_of};
use crate::message::Message;

pub struct DingTalk {
    endpoint: Endpoint,
    http: reqwest::Client,
}

impl DingTalk {
    pub fn new(endpoint: Endpoint, http: reqwest::Client) -> DingTalk {
        DingTalk { endpoint, http }
    }
}

#[async_trait]
impl Channel for DingTalk {
    fn name(&self) -> &'static str {
        "dingtalk"
    }

    async fn send(&self, message: &Message) -> Result<(), SendError> {
        let summary = summary_of(self.name(), message)?;
        let mut url = self.endpoint.url.clone();
        if let Some(env) = &self.endpoint.secret_env {
            let secret = secret(env)?;
            let timestamp = chrono::Utc::now().timestamp_millis().to_string();
            let sign = hmac_base64(
                secret.as_bytes(),
                format!("{timestamp}\n{secret}").as_bytes(),
            );
            url.query_pairs_mut()
                .append_pair("timestamp", &timestamp)
                .append_pair("sign", &sign);
        }
        let body = json!({
            "msgtype": "markdown",
            "markdown": { "title": summary.title, "text": summary.markdown },
        });
        let answer = post_json(&self.http, url.clone(), &body).await?;
        platform_ok(&url, &answer, "errcode", "errmsg")
    }
}
