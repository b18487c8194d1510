//! Judging a fetch: works, broken, or unknown — with the evidence in words.
//!
//! HTTP errors and network failures are broken; so are soft 404s — a deep link that lands on
//! the homepage, or a 200 page whose text is an error page. Anti-crawler and captcha pages
//! are *unknown*: the link may work for a person, so they are reported as notices, never as
//! broken.

pub mod markers;

use spotcheck_core::outcome::Verdict;
use url::Url;

use crate::fetch::{FetchError, Fetched};

/// Judges the outcome of fetching `requested`; `text` is the decoded page when it was HTML.
pub fn judge(
    requested: &Url,
    fetched: &Result<Fetched, FetchError>,
    text: Option<&str>,
) -> Verdict {
    let f = match fetched {
        Ok(f) => f,
        Err(FetchError::Refused(why)) => return Verdict::refused(why.as_str()),
        Err(e) => return Verdict::broken(None, e.to_string()),
    };
    let mut v = verdict_of(requested, f, text);
    if !f.redirects.is_empty() {
        v.final_url = Some(Box::new(f.url.clone()));
        v.redirects = f.redirects.clone();
    }
    v
}

fn verdict_of(requested: &Url, f: &Fetched, text: Option<&str>) -> Verdict {
    if let Some(m) = markers::captcha_url(&f.url) {
        return Verdict::unknown(Some(f.status), format!("anti-crawler page ({m})"));
    }
    // Before the status: WAFs answer their challenge pages with 403, 405, 412, 468 or 503,
    // and a person passing the challenge would see the page.
    let page = text.map(markers::Page::of);
    if let Some(m) = page.as_ref().and_then(markers::Page::captcha) {
        return Verdict::unknown(Some(f.status), format!("anti-crawler page: {m}"));
    }
    if f.status == 429 {
        return Verdict::unknown(Some(429), "HTTP 429 (rate limited after every retry)");
    }
    if f.status >= 400 {
        return Verdict::broken(Some(f.status), format!("HTTP {}", f.status));
    }
    if f.status >= 300 {
        return Verdict::broken(
            Some(f.status),
            format!("HTTP {} without a Location", f.status),
        );
    }
    if !f.redirects.is_empty() && is_deep(requested) && is_root(&f.url) {
        return Verdict::broken(
            Some(f.status),
            format!("soft 404: redirected to the homepage {}", f.url),
        );
    }
    if let Some(m) = page.as_ref().and_then(markers::Page::soft_404) {
        return Verdict::broken(Some(f.status), format!("soft 404: {m}"));
    }
    Verdict::ok(f.status)
}

/// A link to something below the site root.
fn is_deep(u: &Url) -> bool {
    !is_root(u)
}

/// The site root or its index page.
fn is_root(u: &Url) -> bool {
    let p = u.path().trim_end_matches('/');
    let index = [
        "",
        "/index.html",
        "/index.htm",
        "/index.shtml",
        "/index.jsp",
        "/index.php",
        "/default.html",
        "/default.htm",
        "/default.aspx",
        "/index.aspx",
    ];
    index.contains(&p) && u.query().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use spotcheck_core::outcome::LinkState;

    fn page(url: &str, status: u16, redirects: &[&str]) -> Result<Fetched, FetchError> {
        Ok(Fetched {
            url: Url::parse(url).unwrap(),
            status,
            content_type: Some("text/html".into()),
            body: Vec::new(),
            truncated: false,
            redirects: redirects.iter().map(|u| Url::parse(u).unwrap()).collect(),
        })
    }

    #[test]
    fn statuses_redirects_and_texts() {
        let deep = Url::parse("http://a.gov.cn/art/2020/1/1/art_1.html").unwrap();
        assert_eq!(
            judge(&deep, &page(deep.as_str(), 404, &[]), None).reason,
            "HTTP 404"
        );
        let home = judge(
            &deep,
            &page("http://a.gov.cn/", 200, &["http://a.gov.cn/"]),
            None,
        );
        assert_eq!(home.state, LinkState::Broken);
        assert!(
            home.reason
                .starts_with("soft 404: redirected to the homepage")
        );
        let root = Url::parse("http://a.gov.cn").unwrap();
        let ok = judge(
            &root,
            &page(
                "http://a.gov.cn/index.html",
                200,
                &["http://a.gov.cn/index.html"],
            ),
            None,
        );
        assert_eq!(ok.state, LinkState::Ok);
        let soft = judge(
            &deep,
            &page(deep.as_str(), 200, &[]),
            Some("<title>提示</title>您访问的页面不存在"),
        );
        assert_eq!(soft.state, LinkState::Broken);
        let captcha = judge(
            &deep,
            &page(deep.as_str(), 200, &[]),
            Some("当前环境异常，完成验证后即可继续访问"),
        );
        assert_eq!(captcha.state, LinkState::Unknown);
        let err = judge(&deep, &Err(FetchError::ConnectionRefused), None);
        assert_eq!(
            (err.state, err.reason.as_str()),
            (LinkState::Broken, "connection refused")
        );
        let refused = judge(
            &deep,
            &Err(FetchError::Refused("10.0.0.1 is a private address".into())),
            None,
        );
        assert_eq!(refused.state, LinkState::Unknown);
        assert!(refused.refused && !err.refused && !captcha.refused);
        let limited = judge(&deep, &page(deep.as_str(), 429, &[]), None);
        assert_eq!(limited.state, LinkState::Unknown);
        let waf = judge(
            &deep,
            &page(deep.as_str(), 403, &[]),
            Some("<title>安全验证</title><p>请完成验证</p>"),
        );
        assert_eq!(waf.state, LinkState::Unknown);
        let forbidden = judge(
            &deep,
            &page(deep.as_str(), 403, &[]),
            Some("<title>403 Forbidden</title>"),
        );
        assert_eq!(forbidden.state, LinkState::Broken);
    }
}
