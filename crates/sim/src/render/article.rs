//! Article pages of government sites and of WeChat.

use chrono::NaiveDate;

use super::{Reply, Tag, esc, frame, shell};
use crate::scenario::Charset;
use crate::world::World;

/// A government article page; `paragraphs` follow the standard text.
pub(crate) fn gov(
    charset: Charset,
    site_name: &str,
    source: &str,
    title: &str,
    date: Option<NaiveDate>,
    paragraphs: &[String],
) -> Reply {
    let more: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", esc(p)))
        .collect();
    let info = match date {
        Some(d) => format!("发布时间：{}　来源：{}", d.format("%Y-%m-%d"), esc(source)),
        None => format!("来源：{}", esc(source)),
    };
    let main = format!(
        "<div class=\"crumb\">当前位置：<a href=\"/\">首页</a> &gt; 正文</div>\n\
         <div class=\"article\"><h1 class=\"title\">{}</h1>\n<div class=\"info\">{info}　【字体：大 中 小】</div>\n\
         <div class=\"content\" id=\"zoom\"><p>{}</p><p>根据工作安排，现将有关事项通知如下，请各单位认真贯彻落实。</p>{more}</div></div>",
        esc(title),
        esc(title),
    );
    let body = frame(site_name, "<a href=\"/\">首页</a>", &main, source);
    Reply::html(
        charset,
        &shell(charset, &format!("{title}_{site_name}"), &body, ""),
    )
}

/// A WeChat article as `mp.weixin.qq.com/s/...` serves it.
pub(crate) fn wx(w: &World, article: usize) -> Reply {
    let Some(a) = w.wx_articles.get(article) else {
        return Reply::not_found();
    };
    let account = w
        .accounts
        .get(a.account)
        .map(|x| x.name.as_str())
        .unwrap_or("");
    let body = format!(
        "<div id=\"img-content\" class=\"rich_media_wrp\">\n<h1 class=\"rich_media_title\" id=\"activity-name\">{t}</h1>\n\
         <div id=\"meta_content\" class=\"rich_media_meta_list\"><span class=\"rich_media_meta rich_media_meta_nickname\" id=\"profileBt\"><a id=\"js_name\">{acc}</a></span>\
         <em id=\"publish_time\" class=\"rich_media_meta rich_media_meta_text\">{d}</em></div>\n\
         <div class=\"rich_media_content\" id=\"js_content\"><p>{t}</p><p>来源：{acc}</p></div>\n</div>",
        t = esc(&a.title),
        acc = esc(account),
        d = a.date.format("%Y-%m-%d"),
    );
    Reply::html(Charset::Utf8, &shell(Charset::Utf8, &a.title, &body, ""))
}

/// WeChat's message page, answered with HTTP 200, for articles that cannot be read.
pub(crate) fn wx_message(text: &str, tag: Tag) -> Reply {
    let body = format!(
        "<div class=\"weui-msg\"><div class=\"weui-msg__icon-area\"><i class=\"weui-icon-warn weui-icon_msg\"></i></div>\
         <div class=\"weui-msg__text-area\"><h2 class=\"weui-msg__title warn\">{}</h2></div></div>",
        esc(text)
    );
    Reply::html(Charset::Utf8, &shell(Charset::Utf8, "", &body, "")).tagged(200, tag)
}

/// The 环境异常 verification page behind WeChat's anti-crawler redirect.
pub(crate) fn wx_captcha() -> Reply {
    let body = "<div class=\"weui-msg\"><div class=\"weui-msg__text-area\"><h2 class=\"weui-msg__title\">环境异常</h2>\
        <p class=\"weui-msg__desc\">当前环境异常，完成验证后即可继续访问。</p></div>\
        <div class=\"weui-msg__opr-area\"><a id=\"js_verify\" class=\"weui-btn weui-btn_primary\" href=\"javascript:;\">去验证</a></div></div>";
    Reply::html(Charset::Utf8, &shell(Charset::Utf8, "验证", body, "")).tagged(200, Tag::Captcha)
}
