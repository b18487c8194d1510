//! Mail through the office's SMTP server (`lettre`, on tokio with rustls): STARTTLS by
//! default, SMTPS or a plain relay when the plan says so; the user name and password come from
//! the environment variables the plan names.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use spotcheck_core::plan::notify::{Email as Settings, Security};

use super::{Channel, SendError, secret};
use crate::message::{Mail, Message};

pub struct Email {
    settings: Settings,
}

impl Email {
    pub fn new(settings: Settings) -> Email {
        Email { settings }
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
        let s = &self.settings;
        let tls = |e: lettre::transport::smtp::Error| SendError(format!("SMTP {}: {e}", s.host));
        let builder = match s.security {
            Security::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host).map_err(tls)?
            }
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host).map_err(tls)?,
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        };
        let mut builder = builder
            .port(s.port())
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&s.username_env, &s.password_env) {
            builder = builder.credentials(Credentials::new(secret(user)?, secret(password)?));
        }
        Ok(builder.build())
    }

    fn compose(&self, mail: &Mail) -> Result<lettre::Message, SendError> {
        let s = &self.settings;
        let address = |a: &str| {
            a.parse()
                .map_err(|e| SendError(format!("`{a}` is no mail address: {e}")))
        };
        let mut m = lettre::Message::builder()
            .from(Mailbox::new(s.from_name.clone(), address(&s.from)?))
            .subject(&mail.subject);
        for to in &mail.to {
            m = m.to(Mailbox::new(None, address(to)?));
        }
        let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(mail.text.clone()));
        for f in &mail.attachments {
            let kind = ContentType::parse(f.media_type)
                .map_err(|e| SendError(format!("media type {}: {e}", f.media_type)))?;
            parts = parts.singlepart(Attachment::new(f.name.clone()).body(f.bytes.clone(), kind));
        }
        m.multipart(parts)
            .map_err(|e| SendError(format!("composing the mail: {e}")))
    }
}

#[async_trait]
impl Channel for Email {
    fn name(&self) -> &'static str {
        "email"
    }

    async fn send(&self, message: &Message) -> Result<(), SendError> {
        let Message::Mail(mail) = message else {
            return Err(SendError("email sends mail, not summaries".into()));
        };
        let composed = self.compose(mail)?;
        self.transport()?
            .send(composed)
            .await
            .map(|_| ())
            .map_err(|e| {
                SendError(format!(
                    "SMTP {}:{}: {e}",
                    self.settings.host,
                    self.settings.port()
                ))
            })
    }
}
