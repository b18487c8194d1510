//! Reading many URLs of a few sites: each site's scheme and authority parsed once.
//!
//! A page's links, and the link checks made of them, name a few sites thousands of times,
//! mostly written out in full (`http://www.example.gov.cn/art/…`). Parsing each from scratch
//! runs the host through IDNA processing every time — most of the cost of reading such a
//! URL. [`SiteRoots`] remembers the root URL of each scheme-and-authority text it has parsed
//! (`http://www.example.gov.cn`) and reads the rest of a later URL written with the same text
//! as a path on that site, which gives the URL a full parse would: the authority is the same
//! text, parsed once. The collector reads a page's links and every link check's URL this way
//! out of the queue's messages ([`one`], [`many`]); the page reader resolves `href`s with it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, Error, SeqAccess, Visitor};
use url::Url;

/// Sites remembered at once: enough for any page or round's worth of links in flight; past
/// it the memory starts over, so a reader of millions of hosts holds a bounded map.
const MAX_SITES: usize = 256;

/// The root URLs of the sites seen so far, by their scheme-and-authority text.
#[derive(Debug, Default)]
pub struct SiteRoots {
    roots: HashMap<String, Url>,
}

impl SiteRoots {
    /// `input` read as `base.join(input)` reads it (`Url::parse(input)` without a base).
    pub fn join(&mut self, base: Option<&Url>, input: &str) -> Result<Url, url::ParseError> {
        let full = |input: &str| match base {
            Some(base) => base.join(input),
            None => Url::parse(input),
        };
        let Some((site, path)) = split_site(input) else {
            return full(input);
        };
        if let Some(root) = self.roots.get(site) {
            return root.join(path);
        }
        let url = full(input)?;
        if url.has_host() {
            if self.roots.len() >= MAX_SITES {
                self.roots.clear();
            }
            let mut root = url.clone();
            root.set_path("/");
            root.set_query(None);
            root.set_fragment(None);
            self.roots.insert(site.to_owned(), root);
        }
        Ok(url)
    }

    /// Sites remembered now.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

/// Splits a URL written out in full (`http://host:port/path?query`) into its scheme and
/// authority and its path onward, when the path can be read against the site's root with the
/// same result: the authority plain text, the path starting with one `/` (two would name
/// another host, and a backslash counts as a slash in web URLs).
fn split_site(input: &str) -> Option<(&str, &str)> {
    let after_scheme = if input.starts_with("http://") {
        7
    } else if input.starts_with("https://") {
        8
    } else {
        return None;
    };
    let rest = &input[after_scheme..];
    let end = rest.find(['/', '\\', '?', '#'])?;
    let authority = &rest[..end];
    if authority.is_empty()
        || !authority
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'%' | b'@'))
    {
        return None;
    }
    let path = &rest[end..];
    let mut bytes = path.bytes();
    match (bytes.next(), bytes.next()) {
        (Some(b'/'), Some(b'/' | b'\\')) | (Some(b'\\' | b'?' | b'#'), _) => None,
        _ => Some((&input[..after_scheme + end], path)),
    }
}

thread_local! {
    /// The sites the messages read on this thread named, for [`one`] and [`many`].
    static SEEN: RefCell<SiteRoots> = RefCell::default();
}

/// Reads one URL as `Url`'s own `Deserialize` does (its errors worded alike), each site's
/// authority parsed once per thread (`#[serde(deserialize_with = "…")]`).
pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    d.deserialize_str(UrlVisitor)
}

/// Reads a list of URLs as [`one`] reads each.
pub fn many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Url>, D::Error> {
    d.deserialize_seq(UrlsVisitor)
}

struct UrlVisitor;

impl Visitor<'_> for UrlVisitor {
    type Value = Url;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string representing an URL")
    }

    fn visit_str<E: Error>(self, s: &str) -> Result<Url, E> {
        SEEN.with_borrow_mut(|seen| seen.join(None, s))
            .map_err(|e| E::custom(format_args!("{e}: {s:?}")))
    }
}

struct UrlsVisitor;

impl<'de> Visitor<'de> for UrlsVisitor {
    type Value = Vec<Url>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of URLs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Url>, A::Error> {
        // Bounded, as serde's own lists: a message's claimed length is not trusted.
        let mut urls = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(url) = seq.next_element_seed(OneSeed)? {
            urls.push(url);
        }
        Ok(urls)
    }
}

struct OneSeed;

impl<'de> serde::de::DeserializeSeed<'de> for OneSeed {
    type Value = Url;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Url, D::Error> {
        one(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUTS: &[&str] = &[
        "http://www.jdz.gov.cn/a.html",
        "http://www.jdz.gov.cn/b/../c.html?x=1&y=2#top",
        "http://www.jdz.gov.cn/中文/路径.html?q=查询",
        "http://www.jdz.gov.cn/a b/%zz/%41",
        "http://www.jdz.gov.cn//other.gov.cn/x",
        "http://www.jdz.gov.cn/\\other.gov.cn/x",
        "http://www.jdz.gov.cn/./x/./y/",
        "http://WWW.JDZ.GOV.CN/Upper.html",
        "http://www.jdz.gov.cn:80/port.html",
        "http://www.jdz.gov.cn:8080/other-port.html",
        "https://www.jdz.gov.cn:443/secure.html",
        "http://127.0.0.1:8080/ok/1.html",
        "http://0x7f.1/hex.html",
        "http://中文.政务/a.html",
        "http://xn--fiq228c.xn--zfr164b/c.html",
        "http://user:pw@www.jdz.gov.cn/cred.html",
        "http://www.jdz.gov.cn?q=1",
        "http://www.jdz.gov.cn#frag",
        "http://www.jdz.gov.cn",
        "http://www.jdz.gov.cn/tab\tin/path",
        "http://[::1]:8080/v6.html",
        "http://bad host/x.html",
        "http:///no-host.html",
        "http://:80/x",
        "HTTP://www.jdz.gov.cn/caps-scheme.html",
        "ftp://ftp.jdz.gov.cn/file",
        "mailto:x@y.cn",
        "/rooted.html",
        "relative.html",
        "//cdn.jdz.gov.cn/protocol-relative.js",
    ];

    /// Every input reads as a fresh parse reads it, whether its site was seen before or not.
    #[test]
    fn reads_every_url_as_a_fresh_parse_does() {
        let base = Url::parse("http://www.jdz.gov.cn/zwdt/index.html").unwrap();
        let mut roots = SiteRoots::default();
        for input in INPUTS.iter().chain(INPUTS) {
            assert_eq!(
                roots.join(Some(&base), input),
                base.join(input),
                "{input:?} against a base"
            );
            assert_eq!(roots.join(None, input), Url::parse(input), "{input:?}");
        }
        assert!(roots.len() >= 8, "sites remembered");
    }

    #[test]
    fn the_sites_remembered_are_bounded() {
        let mut roots = SiteRoots::default();
        for n in 0..MAX_SITES * 2 + 10 {
            let input = format!("http://h{n}.gov.cn/x.html");
            assert_eq!(roots.join(None, &input).map(String::from), Ok(input));
            assert!(roots.len() <= MAX_SITES);
        }
    }

    #[derive(Debug, serde::Deserialize)]
    struct Message {
        #[serde(deserialize_with = "one")]
        url: Url,
        #[serde(deserialize_with = "many")]
        links: Vec<Url>,
    }

    /// Read out of JSON, the URLs are `Url`'s own reading, and a bad one is refused as `Url`
    /// refuses it.
    #[test]
    fn messages_read_as_url_reads_them() {
        let links: Vec<&str> = INPUTS
            .iter()
            .copied()
            .filter(|i| Url::parse(i).is_ok())
            .collect();
        let body = serde_json::json!({"url": links[0], "links": links}).to_string();
        let m: Message = serde_json::from_str(&body).expect("a message");
        let expected: Vec<Url> = serde_json::from_value(serde_json::json!(links)).unwrap();
        assert_eq!(m.url, expected[0]);
        assert_eq!(m.links, expected);

        let bad = r#"{"url": "http://bad host/x", "links": []}"#;
        let ours = serde_json::from_str::<Message>(bad)
            .unwrap_err()
            .to_string();
        let theirs = serde_json::from_str::<Url>(r#""http://bad host/x""#)
            .unwrap_err()
            .to_string();
        assert!(
            ours.starts_with(theirs.split(" at line").next().unwrap()),
            "{ours} / {theirs}"
        );
        assert!(serde_json::from_str::<Message>(r#"{"url": 3, "links": []}"#).is_err());
        assert!(serde_json::from_str::<Message>(r#"{"url": "http://a/", "links": "x"}"#).is_err());
    }
}
