//! Menus as buttons with their links, from either API answer or a saved copy of one.
//!
//! WeChat has two menu answers: `get_current_selfmenu_info` (what the account shows, whether
//! it was set in the admin console or by API; children and articles are wrapped as
//! `{"list": [...]}`) and `menu/get` (the API-made menu with plain `sub_button` arrays, plus
//! the conditional menus). Operators save either one as a menu file, so both are read here
//! the same way, and tolerantly: WeChat adds button types and fields over the years, and a
//! button this code does not know is listed (without links), never an error.

use serde_json::Value;
use spotcheck_core::outcome::MenuButton;
use url::Url;

/// A menu read from an answer or a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    /// Every leaf button, in menu order (parents only name the path of their children).
    pub buttons: Vec<MenuButton>,
    /// `is_menu_open` of `get_current_selfmenu_info`; `None` where the answer does not say.
    pub open: Option<bool>,
    /// What the operator should know: links that are not http(s) URLs, odd entries skipped.
    pub notes: Vec<String>,
}

/// Why a text or answer is not a menu.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MenuError {
    #[error("不是 JSON：{0}")]
    NotJson(String),
    /// An error answer (`{"errcode": …}`), e.g. saved by mistake instead of a menu.
    #[error("是微信接口的错误回答（errcode {code}：{msg}），不是菜单")]
    Errcode { code: i64, msg: String },
    #[error(
        "既不是 get_current_selfmenu_info 也不是 menu/get 的回答（没有 selfmenu_info、menu 或 button）"
    )]
    Shape,
}

/// Separates the levels of a menu path: `一级菜单 > 子菜单`.
const PATH_SEP: &str = " > ";

/// Reads a menu from JSON text (a saved menu file).
pub fn parse_text(text: &str) -> Result<Menu, MenuError> {
    let text = text.trim_start_matches('\u{feff}');
    let v: Value = serde_json::from_str(text).map_err(|e| MenuError::NotJson(e.to_string()))?;
    parse(&v)
}

/// Reads a menu from either API answer, or from the bare `{"button": [...]}` of a menu.
pub fn parse(v: &Value) -> Result<Menu, MenuError> {
    if let Some(code) = v.get("errcode").and_then(Value::as_i64).filter(|c| *c != 0) {
        let msg = v.get("errmsg").and_then(Value::as_str).unwrap_or("");
        return Err(MenuError::Errcode {
            code,
            msg: msg.to_string(),
        });
    }
    let mut menu = Menu {
        buttons: Vec::new(),
        open: None,
        notes: Vec::new(),
    };
    if v.get("selfmenu_info").is_some() || v.get("is_menu_open").is_some() {
        menu.open = v.get("is_menu_open").and_then(flag);
        let top = v.get("selfmenu_info").and_then(|s| s.get("button"));
        walk(top, &[], &mut menu);
    } else if let Some(m) = v.get("menu").filter(|m| m.is_object()) {
        walk(m.get("button"), &[], &mut menu);
        if let Some(conditional) = v.get("conditionalmenu").and_then(Value::as_array) {
            for (i, c) in conditional.iter().enumerate() {
                let prefix = format!("个性化菜单{}", i + 1);
                walk(c.get("button"), &[prefix], &mut menu);
            }
        }
    } else if v.get("button").is_some() {
        walk(v.get("button"), &[], &mut menu);
    } else {
        return Err(MenuError::Shape);
    }
    Ok(menu)
}

/// `is_menu_open` as a number, a boolean or a string.
fn flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => s.trim().parse::<i64>().ok().map(|n| n != 0),
        _ => None,
    }
}

/// A list in either shape: a plain array, or `{"list": [...]}`.
fn list(v: Option<&Value>) -> &[Value] {
    match v {
        Some(Value::Array(a)) => a,
        Some(Value::Object(o)) => o
            .get("list")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice),
        _ => &[],
    }
}

fn walk(buttons: Option<&Value>, prefix: &[String], menu: &mut Menu) {
    for b in list(buttons) {
        if !b.is_object() {
            menu.notes.push(format!(
                "菜单 {} 中有一项不是按钮，已跳过",
                display_path(prefix)
            ));
            continue;
        }
        let name = b
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("（未命名）");
        let mut path = prefix.to_vec();
        path.push(name.to_string());
        let children = list(b.get("sub_button"));
        if !children.is_empty() {
            walk(b.get("sub_button"), &path, menu);
            continue;
        }
        let kind = b
            .get("type")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .unwrap_or("unknown")
            .to_string();
        let path = path.join(PATH_SEP);
        let urls = links(b, &kind, &path, &mut menu.notes);
        menu.buttons.push(MenuButton { path, kind, urls });
    }
}

fn display_path(prefix: &[String]) -> String {
    if prefix.is_empty() {
        "（顶层）".to_string()
    } else {
        prefix.join(PATH_SEP)
    }
}

/// Every link a button carries: its `url` (view, miniprogram fallback, or any type that has
/// one), its articles' `content_url` and `source_url`, a video's `value` when it is a URL.
fn links(b: &Value, kind: &str, path: &str, notes: &mut Vec<String>) -> Vec<Url> {
    let mut raw: Vec<&str> = Vec::new();
    if let Some(u) = b.get("url").and_then(Value::as_str) {
        raw.push(u);
    }
    for article in list(b.get("news_info")) {
        for field in ["content_url", "source_url"] {
            if let Some(u) = article.get(field).and_then(Value::as_str) {
                raw.push(u);
            }
        }
    }
    if kind == "video" {
        if let Some(v) = b.get("value").and_then(Value::as_str) {
            if looks_like_url(v) {
                raw.push(v);
            }
        }
    }
    let mut urls: Vec<Url> = Vec::new();
    for r in raw {
        if r.trim().is_empty() {
            continue;
        }
        match clean_url(r) {
            Ok(u) => {
                if !urls.contains(&u) {
                    urls.push(u);
                }
            }
            Err(why) => notes.push(format!("菜单 {path} 的链接 `{}` 无法检查：{why}", r.trim())),
        }
    }
    urls
}

fn looks_like_url(v: &str) -> bool {
    let v = v.trim_start().to_ascii_lowercase();
    v.starts_with("http://") || v.starts_with("https://") || v.starts_with("//")
}

/// A link as WeChat stores it, made checkable: `&amp;` entities (article links come
/// HTML-escaped) unescaped, protocol-relative links made https, only http(s) accepted.
pub fn clean_url(raw: &str) -> Result<Url, String> {
    let mut s = raw.trim().to_string();
    while s.contains("&amp;") {
        s = s.replace("&amp;", "&");
    }
    s = s.replace("&#38;", "&").replace("&#x26;", "&");
    if s.starts_with("//") {
        s.insert_str(0, "https:");
    }
    let u = Url::parse(&s).map_err(|e| format!("不是有效的网址（{e}）"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("不是 http(s) 链接（{}）", u.scheme()));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err("网址没有主机名".to_string());
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example answer of `get_current_selfmenu_info` in WeChat's documentation, with a
    /// miniprogram and an unknown button added.
    const SELFMENU: &str = r#"{
      "is_menu_open": 1,
      "selfmenu_info": {"button": [
        {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
        {"name": "菜单", "sub_button": {"list": [
          {"type": "view", "name": "搜索", "url": "http://www.soso.com/"},
          {"type": "news", "name": "图文", "value": "KQb_w_Tiz-nSdVLoTV35Psmty8hGBulGhEdbb9SKs-o",
           "news_info": {"list": [
             {"title": "MULTI_NEWS", "author": "JIMZHENG", "digest": "text", "show_cover": 0,
              "cover_url": "http://mmbiz.qpic.cn/x/0",
              "content_url": "http://mp.weixin.qq.com/s?__biz=MjM5ODUwNTM3Ng==&amp;mid=204013432&amp;idx=1&amp;sn=80ce6d9abcb832237bf86c87e50fda15#rd",
              "source_url": ""},
             {"title": "MULTI_NEWS1", "author": "JIMZHENG", "digest": "MULTI_NEWS1", "show_cover": 1,
              "cover_url": "http://mmbiz.qpic.cn/x/1",
              "content_url": "http://mp.weixin.qq.com/s?__biz=MjM5ODUwNTM3Ng==&amp;mid=204013432&amp;idx=2&amp;sn=8226843afb14ecdecb08d9ce46bc1d37#rd",
              "source_url": "https://www.jdz.gov.cn/zwgk/"}
           ]}},
          {"type": "video", "name": "视频", "value": "http://61.182.130.30/vweixinp.tc.qq.com/1007_114bcede9a2244eeb5ab7f76d951df5f.f10.mp4"},
          {"type": "voice", "name": "语音", "value": "nTXe3aghlQ4XYHa0AQPWiQQbFW9RVtaYTLPC1PCQx11qc9UB6CiUPFjdkeEtJicn"},
          {"type": "miniprogram", "name": "小程序", "url": "http://mp.weixin.qq.com", "appid": "wx286b93c14bbf93aa", "pagepath": "pages/lunar/index"},
          {"type": "hologram_card", "name": "新类型", "whatever": {"x": 1}}
        ]}},
        {"type": "text", "name": "文字", "value": "123"}
      ]}
    }"#;

    /// The example answer of `menu/get`, with a conditional menu.
    const MENU_GET: &str = r#"{
      "menu": {"button": [
        {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC", "sub_button": []},
        {"name": "办事服务", "sub_button": [
          {"type": "view", "name": "户籍办理", "url": "http://www.jdz.gov.cn/hj/", "sub_button": []},
          {"type": "miniprogram", "name": "wxa", "url": "http://mp.weixin.qq.com", "appid": "wx286b93c14bbf93aa", "pagepath": "pages/lunar/index"},
          {"type": "scancode_push", "name": "扫码", "key": "rselfmenu_0_1"},
          {"type": "location_select", "name": "发送位置", "key": "rselfmenu_2_0"},
          {"type": "media_id", "name": "图片", "media_id": "MEDIA_ID1"}
        ]}
      ], "menuid": 208396938},
      "conditionalmenu": [{"button": [
          {"type": "view", "name": "男士专区", "url": "https://www.jdz.gov.cn/m/"}
        ], "matchrule": {"sex": "1"}, "menuid": 208396993}]
    }"#;

    fn paths(m: &Menu) -> Vec<(&str, &str, usize)> {
        m.buttons
            .iter()
            .map(|b| (b.path.as_str(), b.kind.as_str(), b.urls.len()))
            .collect()
    }

    #[test]
    fn selfmenu_answer_with_wrapped_lists() {
        let m = parse_text(SELFMENU).unwrap();
        assert_eq!(m.open, Some(true));
        assert_eq!(
            paths(&m),
            vec![
                ("今日歌曲", "click", 0),
                ("菜单 > 搜索", "view", 1),
                ("菜单 > 图文", "news", 3),
                ("菜单 > 视频", "video", 1),
                ("菜单 > 语音", "voice", 0),
                ("菜单 > 小程序", "miniprogram", 1),
                ("菜单 > 新类型", "hologram_card", 0),
                ("文字", "text", 0),
            ]
        );
        let news = &m.buttons[2].urls;
        assert_eq!(
            news[0].as_str(),
            "http://mp.weixin.qq.com/s?__biz=MjM5ODUwNTM3Ng==&mid=204013432&idx=1&sn=80ce6d9abcb832237bf86c87e50fda15#rd"
        );
        assert_eq!(news[0].query_pairs().count(), 4);
        assert!(news[1].as_str().contains("idx=2&sn="));
        assert_eq!(news[2].as_str(), "https://www.jdz.gov.cn/zwgk/");
        assert!(m.notes.is_empty(), "{:?}", m.notes);
    }

    #[test]
    fn menu_get_answer_with_plain_arrays_and_conditional_menus() {
        let m = parse_text(MENU_GET).unwrap();
        assert_eq!(m.open, None);
        assert_eq!(
            paths(&m),
            vec![
                ("今日歌曲", "click", 0),
                ("办事服务 > 户籍办理", "view", 1),
                ("办事服务 > wxa", "miniprogram", 1),
                ("办事服务 > 扫码", "scancode_push", 0),
                ("办事服务 > 发送位置", "location_select", 0),
                ("办事服务 > 图片", "media_id", 0),
                ("个性化菜单1 > 男士专区", "view", 1),
            ]
        );
    }

    #[test]
    fn bare_button_list_is_a_menu_too() {
        let m = parse_text(r#"{"button":[{"type":"view","name":"a","url":"https://x.gov.cn/"}]}"#)
            .unwrap();
        assert_eq!(paths(&m), vec![("a", "view", 1)]);
    }

    #[test]
    fn closed_menu_is_reported_as_closed() {
        let m = parse_text(r#"{"is_menu_open":0}"#).unwrap();
        assert_eq!(m.open, Some(false));
        assert!(m.buttons.is_empty());
    }

    #[test]
    fn bad_links_are_notes_not_errors() {
        let m = parse_text(
            r#"{"menu":{"button":[
                {"type":"view","name":"坏","url":"javascript:alert(1)"},
                {"type":"view","name":"空","url":"  "},
                {"type":"view","name":"相对","url":"//www.jdz.gov.cn/a"},
                {"name":"奇怪","sub_button":[1, {"name":"无类型"}]},
                {"type":"news","name":"文章","news_info":[{"content_url":"not a url"}]}
            ]}}"#,
        )
        .unwrap();
        assert_eq!(
            paths(&m),
            vec![
                ("坏", "view", 0),
                ("空", "view", 0),
                ("相对", "view", 1),
                ("奇怪 > 无类型", "unknown", 0),
                ("文章", "news", 0),
            ]
        );
        assert_eq!(m.buttons[2].urls[0].as_str(), "https://www.jdz.gov.cn/a");
        assert_eq!(m.notes.len(), 3, "{:?}", m.notes);
        assert!(m.notes[0].contains("javascript"));
    }

    #[test]
    fn not_a_menu() {
        assert!(matches!(parse_text("<html>"), Err(MenuError::NotJson(_))));
        assert!(matches!(parse_text("{\"a\":1}"), Err(MenuError::Shape)));
        assert!(matches!(parse_text("[1,2]"), Err(MenuError::Shape)));
        assert_eq!(
            parse_text(r#"{"errcode":46003,"errmsg":"menu no exist"}"#),
            Err(MenuError::Errcode {
                code: 46003,
                msg: "menu no exist".into()
            })
        );
        // A wrapper of the wrong type is an empty menu, not a panic.
        let m = parse_text(r#"{"selfmenu_info":{"button":{"list":"x"}}}"#).unwrap();
        assert!(m.buttons.is_empty());
    }
}
