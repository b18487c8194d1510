//! Turning a link's `href` into the absolute web URL it points to.
//!
//! A big page links a few sites thousands of times, mostly written out in full; a
//! [`Resolver`] reads them with each site's scheme and authority parsed once
//! ([`SiteRoots`]), which gives the URL a full parse would.

use std::borrow::Cow;

use spotcheck_core::site_urls::SiteRoots;
use url::Url;

/// Resolves the links of one page against its base URL.
pub struct Resolver {
    base: Url,
    sites: SiteRoots,
}

impl Resolver {
    pub fn new(base: Url) -> Resolver {
        Resolver {
            base,
            sites: SiteRoots::default(),
        }
    }

    /// The web page `href` points to: as [`resolve`] reads it.
    pub fn resolve(&mut self, href: &str) -> Option<Url> {
        web_url(href, |href| self.sites.join(Some(&self.base), href).ok())
    }
}

/// Resolves one `href` against `base`; `None` for targets that are not web pages
/// (`javascript:`, `mailto:`, `tel:`, `data:`, fragment-only links, other schemes).
/// Character references in the attribute are decoded, surrounding whitespace is dropped and
/// so is the fragment. Reading many links of one page, a [`Resolver`] is faster.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    web_url(href, |href| base.join(href).ok())
}

/// The checks shared by both ways of resolving, around `join`.
fn web_url(href: &str, join: impl FnOnce(&str) -> Option<Url>) -> Option<Url> {
    let href: Cow<str> = htmlize::unescape_attribute(href);
    let href = href.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    if href.is_empty() || href.starts_with('#') || not_a_web_scheme(href) {
        return None;
    }
    let mut url = join(href)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    url.set_fragment(None);
    Some(url)
}

/// Whether the link starts with a scheme that is never a page (`javascript:`, `mailto:`, …),
/// in any case and with whitespace inside it, as browsers read `java script:`.
fn not_a_web_scheme(href: &str) -> bool {
    const SCHEMES: [&[u8]; 5] = [b"javascript:", b"mailto:", b"tel:", b"data:", b"vbscript:"];
    let mut head = [0u8; 16];
    let mut len = 0;
    for c in href.chars().take(16).filter(|c| !c.is_whitespace()) {
        // A non-ASCII character matches no scheme's letters.
        head[len] = if c.is_ascii() {
            c.to_ascii_lowercase() as u8
        } else {
            0xFF
        };
        len += 1;
    }
    SCHEMES.iter().any(|s| head[..len].starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://www.jdz.gov.cn/zwdt/index.html").unwrap()
    }

    /// Every href resolves as a lone [`resolve`] reads it, whether its site was seen before
    /// or not: the cache of sites (tested on URLs in `spotcheck_core::site_urls`) behind the
    /// attribute's own reading — character references, surrounding whitespace, fragments,
    /// targets that are not pages, and links relative to the page.
    #[test]
    fn a_resolver_reads_every_link_as_a_fresh_parse_does() {
        let hrefs = [
            "http://www.jdz.gov.cn/b/../c.html?x=1&amp;y=2#top",
            "http://www.jdz.gov.cn/&#x4e2d;.html",
            "http://www.jdz.gov.cn//other.gov.cn/x",
            "http://WWW.JDZ.GOV.CN/Upper.html",
            "  http://www.jdz.gov.cn/padded.html  ",
            "http://127.0.0.1:8080/ok/1.html",
            "http://127.0.0.1:8080/ok/2.html",
            "http://www.jdz.gov.cn#frag",
            "http:///no-host.html",
            "/rooted.html",
            "relative.html",
            "//cdn.jdz.gov.cn/protocol-relative.js",
            "?only=query",
            "#only-fragment",
            "javascript:void(0)",
            " JavaScript:go()",
            "java\nscript:x",
            "mailto:x@y.cn",
            "ftp://ftp.jdz.gov.cn/file",
        ];
        let mut resolver = Resolver::new(base());
        // Twice over, so every site is seen before on the second pass.
        for href in hrefs.iter().chain(hrefs.iter()) {
            assert_eq!(
                resolver.resolve(href).map(String::from),
                resolve(&base(), href).map(String::from),
                "{href:?}"
            );
        }
        assert!(resolver.sites.len() >= 3, "sites remembered");
    }

    #[test]
    fn non_web_schemes() {
        for href in [
            "javascript:x",
            "JAVASCRIPT:x",
            "java script:x",
            "Mailto:a",
            "tel:1",
        ] {
            assert!(not_a_web_scheme(href), "{href}");
        }
        for href in [
            "http://x",
            "/javascript:x",
            "中javascript:",
            "data",
            "telx:",
        ] {
            assert!(!not_a_web_scheme(href), "{href}");
        }
    }
}
