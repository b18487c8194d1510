//! A system of the office's own: the summary as JSON (see the README for its fields). With a
//! `secret_env`, `X-Spotcheck-Signature: sha256=<Base64 HMAC-SHA256 of the body>` lets the
//! receiver check where it came from. Any 2xx answer is success.

use async_trait::async_trait;
use spotcheck_core::plan::notify::Endpoint;

use super::{Channel, SendError, hmac_base64, post_bytes, secret, summary_of};
use crate::message::Message;

/// The header that carries the body's signature.
pub const SIGNATURE_HEADER: &str = "X-Spotcheck-Signature";

pub struct Webhook {
    endpoint: Endpoint,
    http: reqwest::Client,
}

impl Webhook {
    pub fn new(endpoint: Endpoint, http: reqwest::Client) -> Webhook {
        Webhook { endpoint, http }
    }
}

#[async_trait]
impl Channel for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    async fn send(&self, message: &Message) -> Result<(), SendError> {
        let summary = summary_of(self.name(), message)?;
        let body = serde_json::to_vec(&summary.json).map_err(|e| SendError(e.to_string()))?;
        let mut headers = Vec::new();
        if let Some(env) = &self.endpoint.secret_env {
            let sig = hmac_base64(secret(env)?.as_bytes(), &body);
            headers.push((SIGNATURE_HEADER, format!("sha256={sig}")));
        }
        post_bytes(&self.http, self.endpoint.url.clone(), body, &headers)
            .await
            .map(|_| ())
    }
}
