//! The fake WeChat Official Account API and the article host.

mod common;

use common::{city, get, post_json};
use serde_json::{Value, json};
use spotcheck_sim::{LinkKind, Sim};

fn api(sim: &Sim) -> String {
    format!("http://api.weixin.qq.com:{}", sim.addr().port())
}

fn secret(sim: &Sim, env: &str) -> String {
    sim.secrets()
        .into_iter()
        .find(|(k, _)| k == env)
        .map(|(_, v)| v)
        .expect(env)
}

fn appid(sim: &Sim, account: &str) -> String {
    sim.truth()
        .accounts
        .iter()
        .find(|a| a.id == account)
        .map(|a| a.appid.clone())
        .expect(account)
}

async fn token(sim: &Sim, appid: &str, secret: &str) -> Value {
    get(&format!(
        "{}/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}",
        api(sim)
    ))
    .await
    .json()
}

#[tokio::test]
async fn token_and_menus() {
    let sim = city().await;
    assert_eq!(secret(&sim, "WX_SECRET_GAJ_WX"), "s3cret");
    let bad = token(&sim, "wx0000000000000001", "wrong").await;
    assert_eq!(bad["errcode"], 40125);
    assert!(
        bad["errmsg"]
            .as_str()
            .is_some_and(|m| m.starts_with("invalid appsecret"))
    );
    assert_eq!(token(&sim, "wxnobody", "x").await["errcode"], 40013);

    let ok = token(&sim, "wx0000000000000001", "s3cret").await;
    assert_eq!(ok["expires_in"], 7200);
    let tok = ok["access_token"].as_str().expect("token").to_string();

    let menu = get(&format!(
        "{}/cgi-bin/get_current_selfmenu_info?access_token={tok}",
        api(&sim)
    ))
    .await
    .json();
    assert_eq!(menu["is_menu_open"], 1);
    let buttons = menu["selfmenu_info"]["button"].as_array().expect("buttons");
    let service = buttons
        .iter()
        .find(|b| b["name"] == "办事服务")
        .expect("办事服务");
    let subs = service["sub_button"]["list"].as_array().expect("list");
    let hj = subs
        .iter()
        .find(|s| s["name"] == "户籍办理")
        .expect("户籍办理");
    assert_eq!(hj["type"], "view");
    let hj_url = hj["url"].as_str().expect("url").to_string();
    assert_eq!(get(&hj_url).await.status, 404);
    assert!(
        subs.iter()
            .any(|s| s["type"] == "miniprogram" && s["pagepath"].is_string())
    );
    let news = buttons
        .iter()
        .flat_map(|b| {
            b["sub_button"]["list"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .find(|s| s["type"] == "news")
        .expect("news button");
    let article = news["news_info"]["list"][0]["content_url"]
        .as_str()
        .expect("content_url");
    let page = get(article).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("id=\"js_content\""));

    let got = get(&format!(
        "{}/cgi-bin/menu/get?access_token={tok}",
        api(&sim)
    ))
    .await
    .json();
    let top = got["menu"]["button"].as_array().expect("buttons");
    assert_eq!(top.len(), buttons.len());
    let subs = top[1]["sub_button"].as_array().expect("sub_button array");
    assert!(
        subs.iter()
            .any(|s| s["name"] == "户籍办理" && s["url"] == hj_url.as_str())
    );
    assert!(
        top[0]["sub_button"]
            .as_array()
            .expect("subs")
            .iter()
            .any(|s| s["type"] == "media_id")
    );

    // The log tells which appid asked what, so clients' token caching can be checked.
    let calls = sim.wechat_calls();
    let summary: Vec<(&str, Option<&str>, i64)> = calls
        .iter()
        .map(|c| (c.endpoint.as_str(), c.appid.as_deref(), c.errcode))
        .collect();
    assert_eq!(
        summary,
        [
            ("token", Some("wx0000000000000001"), 40125),
            ("token", Some("wxnobody"), 40013),
            ("token", Some("wx0000000000000001"), 0),
            ("get_current_selfmenu_info", Some("wx0000000000000001"), 0),
            ("menu/get", Some("wx0000000000000001"), 0),
        ]
    );
}

#[tokio::test]
async fn stable_token_is_reused_until_forced() {
    let sim = city().await;
    let url = format!("{}/cgi-bin/stable_token", api(&sim));
    let body = json!({"grant_type": "client_credential", "appid": "wx0000000000000001", "secret": "s3cret"});
    let a = post_json(&url, &body).await.json();
    let b = post_json(&url, &body).await.json();
    assert!(a["access_token"].is_string());
    assert_eq!(a["access_token"], b["access_token"]);
    let mut forced = body.clone();
    forced["force_refresh"] = json!(true);
    let c = post_json(&url, &forced).await.json();
    assert_ne!(a["access_token"], c["access_token"]);
    let wrong =
        json!({"grant_type": "client_credential", "appid": "wx0000000000000001", "secret": "nope"});
    assert_eq!(post_json(&url, &wrong).await.json()["errcode"], 40125);
}

#[tokio::test]
async fn error_codes() {
    let sim = city().await;
    // 40164 at the token call.
    let ip = appid(&sim, "ip-wx");
    let r = token(&sim, &ip, &secret(&sim, "WX_SECRET_IP_WX")).await;
    assert_eq!(r["errcode"], 40164);

    // 45009 at the menu calls.
    let quota = appid(&sim, "quota-wx");
    let t = token(&sim, &quota, &secret(&sim, "WX_SECRET_QUOTA_WX")).await;
    let tok = t["access_token"].as_str().expect("token");
    let m = get(&format!(
        "{}/cgi-bin/menu/get?access_token={tok}",
        api(&sim)
    ))
    .await;
    assert_eq!(m.status, 200);
    assert_eq!(m.json()["errcode"], 45009);

    // 40001 once, then a fresh token works.
    let rsj = appid(&sim, "rsj-wx");
    let s = secret(&sim, "WX_SECRET_RSJ_WX");
    let t1 = token(&sim, &rsj, &s).await["access_token"]
        .as_str()
        .expect("t1")
        .to_string();
    let menu_url = |t: &str| {
        format!(
            "{}/cgi-bin/get_current_selfmenu_info?access_token={t}",
            api(&sim)
        )
    };
    assert_eq!(get(&menu_url(&t1)).await.json()["errcode"], 40001);
    assert_eq!(
        get(&menu_url(&t1)).await.json()["errcode"],
        40001,
        "the old token stays invalid"
    );
    let t2 = token(&sim, &rsj, &s).await["access_token"]
        .as_str()
        .expect("t2")
        .to_string();
    assert_eq!(get(&menu_url(&t2)).await.json()["is_menu_open"], 1);

    // Missing and expired tokens.
    assert_eq!(
        get(&format!("{}/cgi-bin/menu/get", api(&sim))).await.json()["errcode"],
        41001
    );
    sim.expire_wechat_tokens();
    assert_eq!(get(&menu_url(&t2)).await.json()["errcode"], 42001);

    let t = sim.truth();
    let unavailable: Vec<(&str, i64)> = t
        .unavailable_accounts
        .iter()
        .map(|(a, c)| (a.id.as_str(), *c))
        .collect();
    assert_eq!(unavailable, [("ip-wx", 40164), ("quota-wx", 45009)]);
}

#[tokio::test]
async fn articles_and_menu_faults() {
    let sim = city().await;
    let t = sim.truth();
    let by_path = |p: &str| {
        t.broken_menu_links
            .iter()
            .find(|m| m.menu_path == p)
            .unwrap_or_else(|| panic!("{p}: {:?}", t.broken_menu_links))
    };
    let hj = by_path("办事服务 > 户籍办理");
    assert_eq!(
        (hj.kind, hj.unit_name.as_str(), hj.account_name.as_str()),
        (LinkKind::NotFound, "市公安局", "测试公安")
    );
    let old = by_path("政务公开 > 旧文");
    assert_eq!(old.kind, LinkKind::Deleted);
    let r = get(&old.url).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("该内容已被发布者删除"));
    assert_eq!(t.broken_menu_links.len(), 2);
    assert_eq!(t.unjudgeable_menu_links.len(), 1);
    let captcha = &t.unjudgeable_menu_links[0];
    assert_eq!(captcha.kind, LinkKind::Captcha);
    let r = get(&captcha.url).await;
    assert_eq!(r.status, 302);
    let loc = r.header("location").expect("location").to_string();
    assert!(loc.contains("/mp/wappoc_appmsgcaptcha?"));
    assert!(get(&loc).await.text().contains("环境异常"));

    sim.rectify();
    let r = sim.truth();
    assert_eq!(r.broken_menu_links.len(), 1);
    assert_eq!(r.broken_menu_links[0].menu_path, "办事服务 > 户籍办理");
    assert!(get(&old.url).await.text().contains("js_content"));
    assert_eq!(get(&hj.url).await.status, 404);
}
