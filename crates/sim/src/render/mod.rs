//! Page rendering: the HTML, XML and JSON the simulated web answers, shaped like the pages
//! real government CMSs produce.

pub(crate) mod article;
pub(crate) mod home;
pub(crate) mod letters;
pub(crate) mod list;

use crate::scenario::Charset;

/// What a request gets back, before it becomes an HTTP response.
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub location: Option<String>,
    /// What the page means, so the ground truth can judge a link without parsing it.
    pub tag: Tag,
    pub charset: Charset,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Tag {
    /// An ordinary page.
    Page,
    /// Data for scripts (XML, JSON, JS).
    Data,
    /// HTTP 404.
    Missing,
    /// HTTP 500.
    Error,
    /// HTTP 200 saying the page does not exist.
    Soft404,
    /// A WeChat article deleted by its publisher.
    Deleted,
    /// A WeChat article blocked for a violation.
    Violation,
    /// WeChat's 环境异常 captcha page.
    Captcha,
    /// A redirect (see `location`).
    Redirect,
}

impl Reply {
    pub fn html(charset: Charset, html: &str) -> Reply {
        Reply {
            status: 200,
            content_type: match charset {
                Charset::Utf8 => "text/html; charset=utf-8",
                Charset::GbkMeta => "text/html",
                Charset::GbkHeader => "text/html; charset=GBK",
            }
            .to_string(),
            body: encode(charset, html),
            location: None,
            tag: Tag::Page,
            charset,
        }
    }

    pub fn tagged(mut self, status: u16, tag: Tag) -> Reply {
        self.status = status;
        self.tag = tag;
        self
    }

    pub fn data(content_type: &str, body: String) -> Reply {
        Reply {
            status: 200,
            content_type: content_type.to_string(),
            body: body.into_bytes(),
            location: None,
            tag: Tag::Data,
            charset: Charset::Utf8,
        }
    }

    pub fn redirect(location: String) -> Reply {
        Reply {
            status: 302,
            content_type: "text/html; charset=utf-8".into(),
            body: format!(
                "<html><body><a href=\"{}\">302 Found</a></body></html>",
                esc(&location)
            )
            .into_bytes(),
            location: Some(location),
            tag: Tag::Redirect,
            charset: Charset::Utf8,
        }
    }

    /// The nginx-style 404 most government servers answer.
    pub fn not_found() -> Reply {
        Reply::html(
            Charset::Utf8,
            "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
        )
        .tagged(404, Tag::Missing)
    }

    /// A Java application server's error page.
    pub fn server_error() -> Reply {
        Reply::html(
            Charset::Utf8,
            "<html><head><title>500 Internal Server Error</title></head><body><h1>HTTP Status 500 - Internal Server Error</h1><p>java.lang.NullPointerException</p></body></html>",
        )
        .tagged(500, Tag::Error)
    }

    /// The CMS's "page not found" page, answered with HTTP 200.
    pub fn soft404(charset: Charset, site_name: &str) -> Reply {
        let body = "<div class=\"error-page\"><div class=\"error-img\"></div><p class=\"error-tip\">抱歉，您访问的页面不存在或已被删除！</p><p><a href=\"/\">返回首页</a></p></div>";
        Reply::html(
            charset,
            &shell(charset, &format!("页面不存在_{site_name}"), body, ""),
        )
        .tagged(200, Tag::Soft404)
    }
}

/// A complete page: doctype, head with the charset as the scenario announces it, body.
pub(crate) fn shell(charset: Charset, title: &str, body: &str, head_extra: &str) -> String {
    let meta = match charset {
        Charset::Utf8 => "<meta charset=\"utf-8\">\n",
        Charset::GbkMeta => "<meta charset=\"gb2312\">\n",
        Charset::GbkHeader => "",
    };
    format!(
        "<!DOCTYPE html>\n<html>\n<head>\n{meta}<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n{head_extra}</head>\n<body>\n{body}\n</body>\n</html>\n",
        esc(title)
    )
}

/// Encodes a page. GBK covers every character the generator writes; anything else would
/// become a numeric character reference, which browsers and parsers read back.
pub(crate) fn encode(charset: Charset, text: &str) -> Vec<u8> {
    match charset {
        Charset::Utf8 => text.as_bytes().to_vec(),
        Charset::GbkMeta | Charset::GbkHeader => encoding_rs::GBK.encode(text).0.into_owned(),
    }
}

/// Decodes a page the simulator rendered (for the ground truth's own link walk).
pub(crate) fn decode(charset: Charset, body: &[u8]) -> String {
    match charset {
        Charset::Utf8 => String::from_utf8_lossy(body).into_owned(),
        Charset::GbkMeta | Charset::GbkHeader => encoding_rs::GBK.decode(body).0.into_owned(),
    }
}

/// HTML escaping for text and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value.
pub(crate) fn pct(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The standard page header and footer of a government site.
pub(crate) fn frame(site_name: &str, nav: &str, main: &str, sponsor: &str) -> String {
    format!(
        "<div class=\"header\"><div class=\"logo\"><h1>{}</h1></div></div>\n\
         <div class=\"nav\">{nav}</div>\n\
         <div class=\"main\">\n{main}\n</div>\n\
         <div class=\"footer\"><p>主办：{}　承办：{}</p><p>赣ICP备05004201号　政府网站标识码：3602000001</p></div>",
        esc(site_name),
        esc(sponsor),
        esc(sponsor)
    )
}
