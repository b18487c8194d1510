//! `[notify]`: who hears that a round is complete, and how.
//!
//! The office receives the notice by email (as Word) and a short summary in its work groups
//! (DingTalk, WeCom and Feishu group robots), a system of its own a JSON summary (`webhook`);
//! each unit with a problem receives its 整改通知单 by email when the registry gives its
//! address. Secrets — the SMTP password, the robots' signing secrets — are never in the plan:
//! it names the environment variables that hold them, as the registry does for WeChat.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::config_error::{ConfigError, KeyPath, Source};
use crate::duration::Period;

/// The channels a completed round is announced on; none by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notify {
    /// The console's address, for the links in the messages (the round's page, the notice).
    pub console_url: Option<Url>,
    /// Attempts per message before it is recorded as failed.
    pub attempts: u32,
    /// Wait before the first retry; it doubles with each retry, up to ten minutes.
    pub retry_backoff: Period,
    pub email: Option<Email>,
    pub dingtalk: Option<Endpoint>,
    pub wecom: Option<Endpoint>,
    pub feishu: Option<Endpoint>,
    pub webhook: Option<Endpoint>,
}

impl Default for Notify {
    fn default() -> Self {
        Notify {
            console_url: None,
            attempts: 5,
            retry_backoff: "30s".parse().expect("constant period"),
            email: None,
            dingtalk: None,
            wecom: None,
            feishu: None,
            webhook: None,
        }
    }
}

impl Notify {
    /// Whether any channel is configured.
    pub fn any(&self) -> bool {
        self.email.is_some()
            || self.dingtalk.is_some()
            || self.wecom.is_some()
            || self.feishu.is_some()
            || self.webhook.is_some()
    }
}

/// Mail through the office's SMTP server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Email {
    pub host: String,
    /// 587 with STARTTLS, 465 with TLS, 25 without, unless given.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    /// The sender's address.
    pub from: String,
    /// The sender's name as mail programs show it.
    #[serde(default)]
    pub from_name: Option<String>,
    /// The office's addresses: they receive the notice.
    #[serde(default)]
    pub to: Vec<String>,
    /// Environment variables holding the SMTP user name and password (both or neither).
    #[serde(default)]
    pub username_env: Option<String>,
    #[serde(default)]
    pub password_env: Option<String>,
    /// Send each unit with a problem its 整改通知单 when the registry gives its `email`.
    #[serde(default = "yes")]
    pub units: bool,
}

fn yes() -> bool {
    true
}

impl Email {
    /// The port to connect to: the given one, or the usual one for the security.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        })
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded by STARTTLS, which the server must offer.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption: only for a relay on the same machine or a closed network.
    None,
}

/// A group robot's or a system's webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// The webhook address, with its access token as the platform gives it.
    pub url: Url,
    /// The environment variable holding the signing secret (DingTalk and Feishu robots with
    /// signing on; for `webhook`, an HMAC of the body in `X-Spotcheck-Signature`).
    #[serde(default)]
    pub secret_env: Option<String>,
}

impl Notify {
    /// Every problem of the section, at `at` (the `notify` key).
    pub(crate) fn validate(&self, src: &Source, at: &KeyPath, errs: &mut Vec<ConfigError>) {
        if self.attempts == 0 {
            errs.push(src.error_at(&at.key("attempts"), "at least one attempt is needed"));
        }
        if let Some(u) = &self.console_url {
            check_http(src, &at.key("console_url"), u, errs);
        }
        if let Some(e) = &self.email {
            e.validate(src, &at.key("email"), errs);
        }
        for (key, endpoint) in [
            ("dingtalk", &self.dingtalk),
            ("wecom", &self.wecom),
            ("feishu", &self.feishu),
            ("webhook", &self.webhook),
        ] {
            let Some(endpoint) = endpoint else { continue };
            let p = at.key(key);
            check_http(src, &p.key("url"), &endpoint.url, errs);
            if let Some(env) = &endpoint.secret_env {
                if key == "wecom" {
                    errs.push(src.error_at(
                        &p.key("secret_env"),
                        "WeCom group robots do not sign: the key in the URL is their secret",
                    ));
                } else {
                    check_env(src, &p.key("secret_env"), env, errs);
                }
            }
        }
    }
}

impl Email {
    fn validate(&self, src: &Source, at: &KeyPath, errs: &mut Vec<ConfigError>) {
        if self.host.trim().is_empty() || self.host.contains(['/', ' ', ':']) {
            errs.push(src.error_at(
                &at.key("host"),
                format!("`{}` must be a host name or address", self.host),
            ));
        }
        if self.port == Some(0) {
            errs.push(src.error_at(&at.key("port"), "must be a port from 1 to 65535"));
        }
        if !is_email_address(&self.from) {
            errs.push(src.error_at(
                &at.key("from"),
                format!("`{}` is not an email address", self.from),
            ));
        }
        for (i, to) in self.to.iter().enumerate() {
            if !is_email_address(to) {
                errs.push(src.error_at(
                    &at.key("to").index(i),
                    format!("`{to}` is not an email address"),
                ));
            }
        }
        if self.to.is_empty() && !self.units {
            errs.push(src.error_at(
                at,
                "nobody to write to: give the office's addresses in `to`, or `units = true`",
            ));
        }
        match (&self.username_env, &self.password_env) {
            (Some(u), Some(p)) => {
                check_env(src, &at.key("username_env"), u, errs);
                check_env(src, &at.key("password_env"), p, errs);
            }
            (None, None) => {}
            (Some(_), None) => errs.push(src.error_at(
                &at.key("username_env"),
                "`username_env` and `password_env` go together",
            )),
            (None, Some(_)) => errs.push(src.error_at(
                &at.key("password_env"),
                "`username_env` and `password_env` go together",
            )),
        }
    }
}

/// Whether `s` has the shape of a mail address (`name@host.domain`): one `@`, no spaces or
/// angle brackets, a domain of dot-separated labels. Deliverability is the server's to judge.
pub fn is_email_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[],;:\"\\".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// An environment variable's name: the plan names secrets, it never holds them.
pub(crate) fn is_env_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_env(src: &Source, p: &KeyPath, env: &str, errs: &mut Vec<ConfigError>) {
    if !is_env_name(env) {
        errs.push(src.error_at(
            p,
            "must name an environment variable ([A-Za-z0-9_]+), not hold the secret",
        ));
    }
}

/// Unlike the registry's check, the message leaves the URL out: a robot's holds its token.
fn check_http(src: &Source, p: &KeyPath, url: &Url, errs: &mut Vec<ConfigError>) {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        errs.push(src.error_at(p, "must be an http(s) URL with a host"));
    }
}

#[cfg(test)]
mod tests {
    use super::is_email_address;

    #[test]
    fn email_shapes() {
        for ok in [
            "office@jdz.gov.cn",
            "a.b+c@mail.example.org",
            "办公室@政府.中国",
        ] {
            assert!(is_email_address(ok), "{ok}");
        }
        for bad in [
            "",
            "office",
            "@jdz.gov.cn",
            "office@",
            "office@localhost",
            "of fice@jdz.gov.cn",
            "a@b@jdz.gov.cn",
            "督查室 <office@jdz.gov.cn>",
            "office@jdz..gov.cn",
            "office@-jdz.gov.cn",
        ] {
            assert!(!is_email_address(bad), "{bad}");
        }
    }
}
