//! Reading menus against a fake Official Account API: both menu shapes, the token cache and
//! its refresh, every refusal with and without a saved menu, retries of a busy API, missing
//! secrets, malformed answers, unknown button types.

mod wechat_fake;

use std::collections::HashMap;
use std::sync::Arc;

use spotcheck_core::outcome::MenuSource;
use spotcheck_worker::wechat::token::TokenCache;
use wechat_fake::*;

#[tokio::test]
async fn selfmenu_answer_becomes_buttons_in_menu_order() {
    let fake = Arc::new(Fake::default());
    fake.add("wxA", FakeAccount::new(SELFMENU));
    let base = serve(fake.clone()).await;
    let ctx = context(&base, &[api("a", "wxA")]);

    let o = read(&ctx, "a").await;
    assert_eq!(o.source, MenuSource::Api, "{:?}", o.problem);
    assert_eq!(o.problem, None);
    let s = summary(&o);
    let expected: Vec<(&str, &str, Vec<&str>)> = vec![
        ("今日要闻", "click", vec![]),
        (
            "办事服务 > 户籍办理",
            "view",
            vec!["http://www.jdz.gov.cn/hj/"],
        ),
        (
            "办事服务 > 政策解读",
            "news",
            vec![
                "http://mp.weixin.qq.com/s?__biz=MzA=&mid=1&idx=1&sn=aa#rd",
                "http://mp.weixin.qq.com/s?__biz=MzA=&mid=1&idx=2&sn=bb#rd",
                "http://www.jdz.gov.cn/zcjd/1.html",
                "http://mp.weixin.qq.com/s?__biz=MzA=&mid=1&idx=3&sn=cc#rd",
            ],
        ),
        (
            "办事服务 > 掌上办",
            "miniprogram",
            vec!["http://www.jdz.gov.cn/zsb/"],
        ),
        (
            "办事服务 > 宣传片",
            "video",
            vec!["http://video.jdz.gov.cn/a.mp4"],
        ),
        ("办事服务 > 新玩意", "hologram_card", vec![]),
        ("互动 > 联系我们", "text", vec![]),
        ("互动 > 扫一扫", "scancode_push", vec![]),
    ];
    let expected: Vec<(String, String, Vec<String>)> = expected
        .into_iter()
        .map(|(p, k, u)| {
            (
                p.into(),
                k.into(),
                u.into_iter().map(String::from).collect(),
            )
        })
        .collect();
    assert_eq!(s, expected);
    let c = fake.counts("wxA");
    assert_eq!(
        (c.stable, c.plain, c.menu),
        (1, 0, 1),
        "stable_token is preferred"
    );
    assert_no_secret(&o);
}

#[tokio::test]
async fn menu_get_answer_when_selfmenu_is_not_served() {
    let fake = Arc::new(Fake::default());
    let mut a = FakeAccount::new(MENU_GET);
    a.selfmenu_served = false;
    fake.add("wxB", a);
    let base = serve(fake.clone()).await;
    let ctx = context(&base, &[api("b", "wxB")]);

    let o = read(&ctx, "b").await;
    assert_eq!(o.source, MenuSource::Api, "{:?}", o.problem);
    let paths: Vec<_> = o
        .buttons
        .iter()
        .map(|b| (b.path.as_str(), b.urls.len()))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("首页", 1),
            ("服务 > 查询", 0),
            ("服务 > 小程序", 1),
            ("个性化菜单1 > 专区", 1)
        ]
    );
    assert_eq!(fake.counts("wxB").menu, 2);
}

#[tokio::test]
async fn one_token_for_many_reads_across_rounds_and_concurrent_jobs() {
    let fake = Arc::new(Fake::default());
    fake.add("wxA", FakeAccount::new(SELFMENU));
    let base = serve(fake.clone()).await;
    let tokens: Arc<TokenCache> = Arc::default();
    let secrets: HashMap<_, _> = [(env_of("a"), SECRET.to_string())].into();
    let one = context_with(
        round(&base, &[api("a", "wxA")]),
        secrets.clone(),
        tokens.clone(),
    );
    let two = context_with(round(&base, &[api("a", "wxA")]), secrets, tokens);

    let mut jobs = tokio::task::JoinSet::new();
    for i in 0..8 {
        let ctx = if i % 2 == 0 { one.clone() } else { two.clone() };
        jobs.spawn(async move { read(&ctx, "a").await });
    }
    while let Some(o) = jobs.join_next().await {
        assert_eq!(o.unwrap().source, MenuSource::Api);
    }
    for _ in 0..3 {
        assert_eq!(read(&one, "a").await.source, MenuSource::Api);
    }
    let c = fake.counts("wxA");
    assert_eq!((c.stable, c.plain, c.menu), (1, 0, 11), "{c:?}");
}

#[tokio::test]
async fn a_refused_token_is_replaced_once() {
    let fake = Arc::new(Fake::default());
    let mut a = FakeAccount::new(SELFMENU);
    a.script = [Scripted::Errcode(40001)].into();
    fake.add("wxA", a);
    let base = serve(fake.clone()).await;
    let ctx = context(&base, &[api("a", "wxA")]);

    let o = read(&ctx, "a").await;
    assert_eq!(o.source, MenuSource::Api, "{:?}", o.problem);
    assert_eq!(o.buttons.len(), 8);
    let c = fake.counts("wxA");
    // stable_token handed back the refused token, so the client forced a new one.
    assert_eq!((c.stable, c.forced, c.menu), (3, 1, 2), "{c:?}");
    // The new token is cached.
    assert_eq!(read(&ctx, "a").await.source, MenuSource::Api);
    assert_eq!(fake.counts("wxA").stable, 3);
}

#[tokio::test]
async fn a_second_refusal_of_the_token_is_final() {
    let fake = Arc::new(Fake::default());
    let mut a = FakeAccount::new(SELFMENU);
    a.script = [
        Scripted::Errcode(42001),
        Scripted::Errcode(40001),
        Scripted::Errcode(40001),
    ]
    .into();
    fake.add("wxA", a);
    let base = serve(fake.clone()).await;
    let ctx = context(&base, &[api("a", "wxA")]);

    let o = read(&ctx, "a").await;
    assert_eq!(o.source, MenuSource::None);
    let p = o.problem.clone().unwrap();
    assert!(p.contains("40001") && p.contains("刷新后仍被拒绝"), "{p}");
    assert_eq!(fake.counts("wxA").menu, 2, "no loop on a second 40001");
    assert_no_secret(&o);
}

#[tokio::test]
async fn plain_token_endpoint_when_stable_token_is_not_served() {
    let fake = Arc::new(Fake::default());
    let mut a = FakeAccount::new(SELFMENU);
    a.stable_served = false;
    a.script = [Scripted::Errcode(40014)].into();
    fake.add("wxA", a);
    let base = serve(fake.clone()).await;
    let ctx = context(&base, &[api("a", "wxA")]);

    assert_eq!(read(&ctx, "a").await.source, MenuSource::Api);
    assert_eq!(read(&ctx, "a").await.source, MenuSource::Api);
    let c = fake.counts("wxA");
    // stable_token tried once, then remembered as missing; /cgi-bin/token once more after
    // the 40014.
    assert_eq!((c.stable, c.plain, c.menu), (1, 2, 3), "{c:?}");
}

/// The refusals that no retry fixes: the saved menu when there is one, else a notice that
/// says what to do.
#[tokio::test]
async fn refusals_fall_back_to_the_saved_menu_or_say_what_to_do() {
    let cases: [(i64, bool, &str); 3] = [
        (40164, true, "IP白名单"),
        (45009, false, "调用次数已达上限"),
        (48001, false, "没有该接口的权限"),
    ];
    for (code, at_token, advice) in cases {
        let fake = Arc::new(Fake::default());
        for appid in ["wxS", "wxN"] {
            let mut a = FakeAccount::new(SELFMENU);
            if at_token {
                a.token_error = Some(code);
            } else {
                a.script = [Scripted::Errcode(code)].into();
            }
            fake.add(appid, a);
        }
        let base = serve(fake.clone()).await;
        let with_saved = Acc {
            saved: Some(SAVED),
            ..api("s", "wxS")
        };
        let ctx = context(&base, &[with_saved, api("n", "wxN")]);

        let o = read(&ctx, "s").await;
        assert_eq!(o.source, MenuSource::FileFallback, "{code}");
        assert_eq!(summary(&o)[0].0, "存档");
        let p = o.problem.clone().unwrap();
        assert!(p.contains(advice) && p.contains(&code.to_string()), "{p}");
        assert!(p.contains("已改用保存的菜单文件"), "{p}");
        assert_no_secret(&o);

        let o = read(&ctx, "n").await;
        assert_eq!(o.source, MenuSource::None, "{code}");
        assert!(o.buttons.is_empty());
        let p = o.problem.clone().unwrap();
        assert!(p.contains(advice) && p.contains("menu_file"), "{p}");
        assert_no_secret(&o);

        for appid in ["wxS", "wxN"] {
            let c = fake.counts(appid);
            if at_token {
                // /cgi-bin/token would refuse the same way: not tried.
                assert_eq!((c.stable, c.plain, c.menu), (1, 0, 0), "{code} {c:?}");
            } else {
                assert_eq!((c.stable, c.plain, c.menu), (1, 0, 1), "{code} {c:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_busy_api_is_tried_again_a_couple_of_times() {
    let fake = Arc::new(Fake::default());
    let mut a = FakeAccount::new(SELFMENU);
    a.script = [Scripted::Errcode(-1), Scripted::Errcode(-1)].into();
    fake.add("wxA", a);
    let mut b = FakeAccount::new(SELFMENU);
    b.script = [-1, -1, -1, -1].map(Scripted::Errcode).into();
    fake.add("wxB", b);
    let base = serve(fake.clone()).await;
    let ctx = context(&base, &[api("a", "wxA"), api("b", "wxB")]);

    let o = read(&ctx, "a").await;
    assert_eq!(o.source, MenuSource::Api, "{:?}", o.problem);
    assert_eq!(fake.counts("wxA").menu, 3);

    let o = read(&ctx, "b").await;
    assert_eq!(o.source, MenuSource::None);
    assert!(o.problem.unwrap().contains("系统繁忙"));
    assert_eq!(fake.counts("wxB").menu, 3, "two retries, then a notice");
}

#[tokio::test]
async fn an_unset_secret_is_a_refusal_that_names_the_variable() {
    let fake = Arc::new(Fake::default());
    fake.add("wxS", FakeAccount::new(SELFMENU));
    fake.add("wxN", FakeAccount::new(SELFMENU));
    let base = serve(fake.clone()).await;
    let with_saved = Acc {
        saved: Some(SAVED),
        ..api("s", "wxS")
    };
    let r = round(&base, &[with_saved, api("n", "wxN")]);
    let ctx = context_with(r, HashMap::new(), Arc::default());

    let o = read(&ctx, "s").await;
    assert_eq!(o.source, MenuSource::FileFallback);
    assert_eq!(o.buttons.len(), 1);
    assert!(o.problem.unwrap().contains("WX_SECRET_S"));

    let o = read(&ctx, "n").await;
    assert_eq!(o.source, MenuSource::None);
    assert!(o.problem.unwrap().contains("WX_SECRET_N"));
    for appid in ["wxS", "wxN"] {
        let c = fake.counts(appid);
        assert_eq!(
            c.stable + c.plain + c.menu,
            0,
            "no API call without a secret"
        );
    }
}

#[tokio::test]
async fn saved_menus_without_credentials() {
    let accounts = [
        Acc {
            id: "f",
            appid: "",
            api: false,
            saved: Some(SELFMENU),
        },
        Acc {
            id: "g",
            appid: "",
            api: false,
            saved: Some(MENU_GET),
        },
        Acc {
            id: "h",
            appid: "",
            api: false,
            saved: Some("{\"errcode\": 46003, \"errmsg\": \"menu no exist\"}"),
        },
        Acc {
            id: "i",
            appid: "",
            api: false,
            saved: Some("<html>菜单</html>"),
        },
    ];
    let ctx = context("http://127.0.0.1:9", &accounts);

    let o = read(&ctx, "f").await;
    assert_eq!((o.source, o.buttons.len()), (MenuSource::File, 8));
    assert_eq!(o.problem, None);
    let o = read(&ctx, "g").await;
    assert_eq!((o.source, o.buttons.len()), (MenuSource::File, 4));
    for id in ["h", "i"] {
        let o = read(&ctx, id).await;
        assert_eq!(o.source, MenuSource::None);
        assert!(o.problem.unwrap().contains("保存的菜单文件无法使用"));
    }
}

#[tokio::test]
async fn malformed_answers_are_problems_not_panics() {
    let answers: [&'static str; 5] = [
        "<html><body>502 Bad Gateway</body></html>",
        "{\"selfmenu_info\": ",
        "[1, 2, 3]",
        "{\"something\": \"else\"}",
        "",
    ];
    for body in answers {
        let fake = Arc::new(Fake::default());
        let mut a = FakeAccount::new(SELFMENU);
        a.script = [Scripted::Raw(body)].into();
        fake.add("wxS", a);
        let mut a = FakeAccount::new(SELFMENU);
        a.script = [Scripted::Raw(body)].into();
        fake.add("wxN", a);
        let base = serve(fake.clone()).await;
        let with_saved = Acc {
            saved: Some(SAVED),
            ..api("s", "wxS")
        };
        let ctx = context(&base, &[with_saved, api("n", "wxN")]);

        let o = read(&ctx, "n").await;
        assert_eq!(o.source, MenuSource::None, "{body}");
        let p = o.problem.clone().unwrap();
        assert!(p.contains("无法解析"), "{p}");
        assert_no_secret(&o);
        let o = read(&ctx, "s").await;
        assert_eq!(o.source, MenuSource::FileFallback, "{body}");
    }
}

#[tokio::test]
async fn a_switched_off_menu_has_no_buttons_to_check() {
    let fake = Arc::new(Fake::default());
    fake.add(
        "wxA",
        FakeAccount::new(r#"{"is_menu_open": 0, "selfmenu_info": {"button": [{"type":"view","name":"x","url":"http://a.gov.cn/"}]}}"#),
    );
    let mut none = FakeAccount::new(SELFMENU);
    none.script = [Scripted::Errcode(46003)].into();
    fake.add("wxB", none);
    let base = serve(fake.clone()).await;
    let ctx = context(&base, &[api("a", "wxA"), api("b", "wxB")]);

    let o = read(&ctx, "a").await;
    assert_eq!((o.source, o.buttons.len()), (MenuSource::Api, 0));
    assert!(o.problem.unwrap().contains("未开启"));
    let o = read(&ctx, "b").await;
    assert_eq!((o.source, o.buttons.len()), (MenuSource::Api, 0));
    assert!(o.problem.unwrap().contains("46003"));
}
