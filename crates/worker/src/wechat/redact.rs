//! Keeping secrets out of sight: the AppSecret and access tokens travel in URLs and bodies,
//! and error texts from the HTTP stack quote URLs, so every text that leaves the WeChat
//! client (log line, error, `MenuOutcome.problem`) goes through [`Redactor::clean`] first.

use std::fmt;

/// A secret value (AppSecret or access token). It has no `Display`, no `Serialize`, and its
/// `Debug` prints a placeholder, so it cannot end up in a log line or a result by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Query parameters whose values are never shown, whatever secret they hold.
const SECRET_PARAMS: &[&str] = &["secret=", "access_token="];

/// Removes known secret values, and the values of `secret=` / `access_token=` parameters,
/// from texts about to be logged or reported.
#[derive(Default)]
pub struct Redactor {
    values: Vec<String>,
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Remembers a value to hide (the AppSecret, each token seen).
    pub fn hide(&mut self, s: &Secret) {
        let v = s.expose();
        if !v.is_empty() && !self.values.iter().any(|x| x == v) {
            self.values.push(v.to_string());
        }
    }

    pub fn clean(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            out = out.replace(v.as_str(), "***");
        }
        scrub_params(&out)
    }
}

/// Blanks the value of every `secret=` and `access_token=` parameter, so a URL quoted by the
/// HTTP stack is safe even when the value was not known in advance.
pub fn scrub_params(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let hit = SECRET_PARAMS
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, p.len())))
            .min_by_key(|(i, _)| *i);
        let Some((i, len)) = hit else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i + len]);
        let value = &rest[i + len..];
        let end = value
            .find(|c: char| {
                matches!(c, '&' | ')' | '"' | '\'' | '#' | '>' | ',' | ';') || c.is_whitespace()
            })
            .unwrap_or(value.len());
        if end > 0 {
            out.push_str("***");
        }
        rest = &value[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_known_values_and_secret_parameters() {
        let mut r = Redactor::new();
        r.hide(&Secret::new("s3cr3t"));
        let text = "error sending request for url (http://h/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=other) s3cr3t; access_token=TOK&x=1";
        let clean = r.clean(text);
        assert!(!clean.contains("s3cr3t"));
        assert!(!clean.contains("other"));
        assert!(!clean.contains("TOK"));
        assert!(clean.contains("appid=wx1&secret=***)"));
        assert!(clean.contains("access_token=***&x=1"));
        assert_eq!(format!("{:?}", Secret::new("s3cr3t")), "Secret(***)");
    }

    #[test]
    fn texts_without_secrets_are_unchanged() {
        assert_eq!(scrub_params("菜单 a > b"), "菜单 a > b");
        assert_eq!(scrub_params("secret="), "secret=");
    }
}
