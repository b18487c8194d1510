//! A website: its host, charset, homepage, behaviour (dead, slow, behind a WAF) and the
//! broken links on its homepage.

use std::time::Duration;

use serde::Deserialize;

use super::notation::{de_opt_duration, de_rate};
use super::{Column, WordingPlant, default_newest};

/// How a page's charset is announced. Each name is written once, in its `strum` attribute:
/// the scenario format and the ground truth both use it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(try_from = "String")]
pub enum Charset {
    /// UTF-8, announced in the header and in `<meta>`.
    #[default]
    #[strum(serialize = "utf-8")]
    Utf8,
    /// GBK bytes, `<meta charset="gb2312">`, no charset in the `Content-Type` header.
    #[strum(serialize = "gbk-meta")]
    GbkMeta,
    /// GBK bytes, `Content-Type: text/html; charset=GBK`, no charset in the page.
    #[strum(serialize = "gbk-header")]
    GbkHeader,
}

impl TryFrom<String> for Charset {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        name.parse().map_err(|_| {
            let names = <Charset as strum::VariantNames>::VARIANTS;
            format!(
                "unknown charset `{name}`, expected one of {}",
                names.join(", ")
            )
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub id: String,
    pub unit: String,
    pub name: String,
    pub host: String,
    #[serde(default)]
    pub charset: Charset,
    /// Dated news items on the homepage.
    #[serde(default = "default_homepage_items")]
    pub homepage_items: u32,
    /// Age in days, at `as_of`, of the newest homepage item.
    #[serde(default = "default_newest")]
    pub homepage_newest: u32,
    /// Sites whose homepages the 友情链接 block links; by default every site but the first
    /// links the first one (the portal).
    #[serde(default)]
    pub links_to: Option<Vec<String>>,
    /// Answer every request to this host only after this long (`"800ms"`, `"3s"`).
    #[serde(default, deserialize_with = "de_opt_duration")]
    pub delay: Option<Duration>,
    /// Unreachable (connection refused) until [`crate::Sim::rectify`].
    #[serde(default)]
    pub dead: bool,
    /// With `dead`: still unreachable after rectification.
    #[serde(default)]
    pub persist: bool,
    /// A web application firewall in front of the host: more requests than its rate and
    /// the client gets HTTP 429 with `Retry-After`.
    #[serde(default)]
    pub waf: Option<Waf>,
    #[serde(default)]
    pub broken_links: Vec<BrokenLink>,
    #[serde(default)]
    pub columns: Vec<Column>,
    /// Wording errors in the site's text.
    #[serde(default)]
    pub wording: Vec<WordingPlant>,
}

/// A host's request limit, as government WAFs enforce it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waf {
    /// `"N/s"` or `"N/m"`: requests allowed per second or minute.
    #[serde(deserialize_with = "de_rate")]
    pub rate: (u32, Duration),
    /// Seconds announced in `Retry-After`.
    #[serde(default = "default_retry_after")]
    pub retry_after: u32,
}

fn default_retry_after() -> u32 {
    1
}

fn default_homepage_items() -> u32 {
    10
}

/// What a broken link's target answers while the fault is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum LinkFault {
    #[serde(rename = "404")]
    NotFound,
    #[serde(rename = "500")]
    ServerError,
    /// HTTP 200 with a page saying 您访问的页面不存在.
    #[serde(rename = "soft404")]
    Soft404,
    /// A deep link that 302-redirects to the homepage.
    #[serde(rename = "redirect-home")]
    RedirectHome,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokenLink {
    pub kind: LinkFault,
    /// The link text on the homepage.
    #[serde(default)]
    pub text: Option<String>,
    /// The target's path; generated when absent.
    #[serde(default)]
    pub path: Option<String>,
    /// The site whose host serves the target; the linking site when absent.
    #[serde(default)]
    pub site: Option<String>,
    /// Still broken after rectification.
    #[serde(default)]
    pub persist: bool,
}

#[cfg(test)]
mod tests {
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error, StrDeserializer};

    use super::*;

    fn read(name: &str) -> Result<Charset, Error> {
        let d: StrDeserializer<'_, Error> = name.into_deserializer();
        Charset::deserialize(d)
    }

    #[test]
    fn charsets_read_and_print_by_one_name() {
        for (c, name) in [
            (Charset::Utf8, "utf-8"),
            (Charset::GbkMeta, "gbk-meta"),
            (Charset::GbkHeader, "gbk-header"),
        ] {
            assert_eq!(read(name).unwrap(), c);
            assert_eq!(c.to_string(), name);
        }
        let err = read("gbk").unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown charset `gbk`, expected one of utf-8, gbk-meta, gbk-header"
        );
    }
}
