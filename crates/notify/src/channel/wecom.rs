//! WeCom (企业微信) group robots: the summary as Markdown. The `key` in the address is the
//! robot's only secret (no signing); it answers `{"errcode": 0}` when it took the message.

use async_trait::async_trait;
use serde_json::json;
use spotcheck_core::plan::notify::Endpoint;

use super::{Channel, SendError, platform_ok, post_json, summary_of};
use crate::message::Message;

pub struct WeCom {
    endpoint: Endpoint,
    http: reqwest::Client,
}

impl WeCom {
    pub fn new(endpoint: Endpoint, http: reqwest::Client) -> WeCom {
        WeCom { endpoint, http }
    }
}

#[async_trait]
impl Channel for WeCom {
    fn name(&self) -> &'static str {
        "wecom"
    }

    async fn send(&self, message: &Message) -> Result<(), SendError> {
        let summary = summary_of(self.name(), message)?;
        let body = json!({
            "msgtype": "markdown",
            "markdown": { "content": summary.markdown },
        });
        let url = &self.endpoint.url;
        let answer = post_json(&self.http, url.clone(), &body).await?;
        platform_ok(url, &answer, "errcode", "errmsg")
    }
}
