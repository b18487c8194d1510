//! The texts and addresses that give away an error page or an anti-crawler page.
//!
//! The lists are the product's knowledge of how Chinese government CMSs and WeChat say "this
//! page is gone" while answering 200; extend them here when a new CMS shows a new phrasing.
//! Markers are looked for in the page's visible text only when that text is short (error
//! pages are), so an article that quotes a phrase is not mistaken for an error page.

use url::Url;

/// Phrases of pages that answer 200 but say the content is gone.
pub const SOFT_404: &[&str] = &[
    "您访问的页面不存在",
    "页面不存在",
    "该页面不存在",
    "页面已删除",
    "该内容已被发布者删除",
    "此内容因违规无法查看",
    "此帐号已注销",
    "此账号已注销",
    "此帐号已自主注销",
    "此账号已自主注销",
    "该公众号已被封禁",
    "此帐号已被屏蔽",
    "此账号已被屏蔽",
    "此帐号已被封",
    "此账号已被封",
    "该公众号已迁移",
    "此内容被多人投诉",
    "涉嫌侵权，无法查看",
    "链接已过期",
    "参数错误",
    "信息已删除",
    "文章不存在",
    "内容不存在",
    "找不到页面",
    "404 Not Found",
    "Page Not Found",
];

/// Phrases of anti-crawler, WAF and captcha pages: the content may be fine for a person.
pub const CAPTCHA: &[&str] = &[
    "环境异常",
    "访问过于频繁",
    "请输入验证码",
    "完成验证后即可继续访问",
    "安全验证",
    "您的访问被拦截",
];

/// Addresses that are captcha interstitials (WeChat's article captcha).
pub const CAPTCHA_PATHS: &[&str] = &["wappoc_appmsgcaptcha", "/mp/verify"];

/// Visible text longer than this is an ordinary page, whatever phrase it quotes.
const SHORT_PAGE: usize = 600;

pub fn soft_404(html: &str) -> Option<&'static str> {
    Page::of(html).soft_404()
}

pub fn captcha_text(html: &str) -> Option<&'static str> {
    Page::of(html).captcha()
}

pub fn captcha_url(url: &Url) -> Option<&'static str> {
    CAPTCHA_PATHS
        .iter()
        .copied()
        .find(|m| url.path().contains(m) || url.query().is_some_and(|q| q.contains(m)))
}

/// A page's title and visible text, read once for every list of markers it is held against
/// (a judged page is looked at for both captcha and error phrases).
pub struct Page<'a> {
    html: &'a str,
    title: &'a str,
    text: std::cell::OnceCell<Option<String>>,
}

impl<'a> Page<'a> {
    pub fn of(html: &'a str) -> Page<'a> {
        Page {
            html,
            title: title(html),
            text: std::cell::OnceCell::new(),
        }
    }

    pub fn soft_404(&self) -> Option<&'static str> {
        self.find(SOFT_404)
    }

    pub fn captcha(&self) -> Option<&'static str> {
        self.find(CAPTCHA)
    }

    fn find(&self, markers: &[&'static str]) -> Option<&'static str> {
        if let Some(m) = markers.iter().copied().find(|m| self.title.contains(m)) {
            return Some(m);
        }
        // `None` for an ordinary page, whatever phrase it quotes.
        let text = self.text.get_or_init(|| {
            let text = visible_text(self.html);
            (text.chars().count() <= SHORT_PAGE).then_some(text)
        });
        let text = text.as_deref()?;
        markers.iter().copied().find(|m| text.contains(m))
    }
}

fn title(html: &str) -> &str {
    let lower_start = html.find("<title").or_else(|| html.find("<TITLE"));
    let Some(s) = lower_start else { return "" };
    let Some(open_end) = html[s..].find('>') else {
        return "";
    };
    let body = &html[s + open_end + 1..];
    let end = body
        .find("</title")
        .or_else(|| body.find("</TITLE"))
        .unwrap_or(0);
    &body[..end]
}

/// The page's text without tags, scripts and styles, whitespace collapsed.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        chars += push_text(&mut out, &rest[..lt]);
        let after = &rest[lt..];
        let skip_to = ["<script", "<style", "<SCRIPT", "<STYLE"]
            .iter()
            .find(|t| after.starts_with(**t))
            .map(|t| {
                let close = format!("</{}", &t[1..]);
                after
                    .find(&close)
                    .map(|i| i + close.len())
                    .unwrap_or(after.len())
            });
        let cut = match skip_to {
            Some(i) => i,
            None => after.find('>').map(|i| i + 1).unwrap_or(after.len()),
        };
        rest = &after[cut..];
        if chars > SHORT_PAGE * 4 {
            return out;
        }
    }
    push_text(&mut out, rest);
    out
}

/// Appends the words of `t`, one space apart; the characters it added.
fn push_text(out: &mut String, t: &str) -> usize {
    let mut added = 0;
    for w in t.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
            added += 1;
        }
        out.push_str(w);
        added += w.chars().count();
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_error_pages_only() {
        assert_eq!(
            soft_404("<html><body><p>该内容已被发布者删除</p></body></html>"),
            Some("该内容已被发布者删除")
        );
        let article = format!(
            "<p>{}</p><p>群众反映页面不存在的问题已整改</p>",
            "正文".repeat(400)
        );
        assert_eq!(soft_404(&article), None);
        assert_eq!(
            soft_404("<title>404 Not Found</title><body>x</body>"),
            Some("404 Not Found")
        );
        assert_eq!(
            captcha_text("<script>var a='页面不存在'</script><p>访问过于频繁，请稍后再试</p>"),
            Some("访问过于频繁")
        );
        let u = Url::parse("https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=x").unwrap();
        assert!(captcha_url(&u).is_some());
    }

    /// How mp.weixin.qq.com says an article behind a menu button is gone: the account was
    /// closed, banned or migrated, or the article was taken down after complaints.
    #[test]
    fn wechat_article_pages_that_are_gone() {
        let page = |msg: &str| {
            format!(
                "<html><head><title></title><script>var biz = \"MzA\";</script></head>\
                 <body><div class=\"weui-msg\"><p class=\"weui-msg__title\">{msg}</p></div></body></html>"
            )
        };
        for (msg, marker) in [
            ("此帐号已自主注销，内容无法查看", "此帐号已自主注销"),
            ("此帐号已被屏蔽, 内容无法查看", "此帐号已被屏蔽"),
            ("此帐号已被封，内容无法查看", "此帐号已被封"),
            ("该公众号已被封禁", "该公众号已被封禁"),
            ("此帐号已注销，内容无法查看", "此帐号已注销"),
            ("该公众号已迁移，请访问新的公众号", "该公众号已迁移"),
            (
                "此内容被多人投诉，相关的内容无法进行查看。",
                "此内容被多人投诉",
            ),
            (
                "此内容被投诉且经审核涉嫌侵权，无法查看。",
                "涉嫌侵权，无法查看",
            ),
        ] {
            assert_eq!(soft_404(&page(msg)), Some(marker), "{msg}");
            assert_eq!(captcha_text(&page(msg)), None, "{msg}");
        }
        // WeChat's captcha interstitial is not a deleted article.
        let captcha = page("当前环境异常，完成验证后即可继续访问。");
        assert_eq!(captcha_text(&captcha), Some("环境异常"));
    }
}
