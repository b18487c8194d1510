//! The built-in scenario carries the seed notice's figures, computed from what is served.

use std::collections::BTreeSet;

use spotcheck_sim::{LinkKind, Scenario, Sim};

/// 附件1 of the notice: items on each department's disclosure columns in 2020 Q3.
const UPDATES: [(&str, usize); 48] = [
    ("市公安局", 189),
    ("市水利局", 149),
    ("市工信局", 88),
    ("市民政局", 86),
    ("市国资委", 85),
    ("市生态环境局", 79),
    ("市人社局", 71),
    ("市退役军人事务局", 60),
    ("市税务局", 58),
    ("高新区", 53),
    ("市统计局", 46),
    ("市城管局", 46),
    ("市林业局", 43),
    ("市国调队", 40),
    ("市应急局", 36),
    ("市自然资源规划局", 36),
    ("市科技局", 36),
    ("市文旅局", 35),
    ("市体育局", 34),
    ("市行管委", 33),
    ("市公路局", 33),
    ("市卫健委", 31),
    ("市市场监管局", 31),
    ("市财政局", 31),
    ("市消防救援支队", 26),
    ("市审计局", 24),
    ("市民航局", 23),
    ("市教育局", 22),
    ("市外事办", 22),
    ("市委史志办", 21),
    ("人行景市中心支行", 20),
    ("市住建局", 20),
    ("市机管局", 20),
    ("市水文局", 18),
    ("市司法局", 18),
    ("市供销社", 18),
    ("昌南新区", 17),
    ("市发改委", 15),
    ("市瓷局", 15),
    ("市农业农村局", 14),
    ("市人防办", 14),
    ("市交通局", 14),
    ("市商务局", 10),
    ("市公积金", 9),
    ("市工管办", 9),
    ("市烟草专卖局", 9),
    ("市气象局", 8),
    ("市医保局", 6),
];

/// 附件2 of the notice: letters received (all replied) per handling unit in 2020 Q3.
const LETTERS: [(&str, usize); 33] = [
    ("市人社局", 308),
    ("市市场监管局", 61),
    ("市教育局", 49),
    ("市城管局", 38),
    ("市卫健委", 31),
    ("市交通局", 29),
    ("市自然资源规划局", 24),
    ("市住建局", 24),
    ("市民政局", 17),
    ("市公安局", 14),
    ("市发改委", 14),
    ("市行政服务中心", 12),
    ("市应急局", 9),
    ("昌南新区", 8),
    ("市工信局", 6),
    ("市医保局", 6),
    ("市文旅局", 5),
    ("市财政局", 4),
    ("市科技局", 3),
    ("市生态环境局", 3),
    ("市农业农村局", 3),
    ("市公积金", 2),
    ("市国资委", 2),
    ("市公路局", 2),
    ("市瓷局", 1),
    ("市审计局", 1),
    ("市统计局", 1),
    ("高新区", 1),
    ("市国调队", 1),
    ("市水利局", 1),
    ("市气象局", 1),
    ("市商务局", 1),
    ("市消防救援支队", 1),
];

/// The units whose menus were still broken at the re-check (主要问题（二）).
const STILL_BROKEN: [&str; 6] = [
    "高新区",
    "市瓷局",
    "市公安局",
    "市农业农村局",
    "市退役军人事务局",
    "市公路局",
];

async fn seed() -> Sim {
    Sim::start(Scenario::seed(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("start")
}

#[tokio::test]
async fn seed_has_the_notice_figures() {
    let sim = seed().await;
    let t = sim.truth();
    assert_eq!(t.websites.len(), 40);
    assert_eq!(t.accounts.len(), 56);
    let county = t
        .accounts
        .iter()
        .filter(|a| a.name.ends_with("发布") && a.unit != "zhengfu")
        .count();
    assert_eq!(county, 4, "4 county portals' accounts, 52 municipal");

    let updates = t.updates_in_window();
    assert_eq!(updates.len(), 48);
    assert_eq!(updates.iter().map(|(_, n)| n).sum::<usize>(), 1821);
    for (unit, n) in UPDATES {
        let got = updates.iter().find(|(u, _)| u == unit).map(|(_, n)| *n);
        assert_eq!(got, Some(n), "{unit}");
    }
    // Items outside the window exist, so window filtering matters.
    let outside: usize = t
        .columns
        .iter()
        .filter(|c| c.kind == "disclosure")
        .flat_map(|c| &c.items)
        .filter(|i| !t.in_window(i.date))
        .count();
    assert!(
        outside > 500,
        "{outside} disclosure items outside the window"
    );

    let letters = t.letters_in_window();
    assert_eq!(letters.len(), 33);
    assert_eq!(letters.iter().map(|l| l.received).sum::<usize>(), 683);
    assert_eq!(letters.iter().map(|l| l.replied).sum::<usize>(), 683);
    for (unit, n) in LETTERS {
        let l = letters.iter().find(|l| l.unit_name == unit).expect(unit);
        assert_eq!((l.received, l.replied), (n, n), "{unit}");
    }
    assert!(t.letters.iter().any(|l| l.received < t.window.0));
    assert!(t.letters.iter().any(|l| l.received > t.window.1));
    assert!(
        t.letters.iter().any(|l| !l.replied),
        "open letters after the window"
    );
    assert!(
        t.letters
            .iter()
            .any(|l| l.label == "市人力资源和社会保障局" && l.unit_name == "市人社局"),
        "the board names some units by their full name"
    );

    let interviews = t.interviews_in_window();
    assert_eq!(interviews.len(), 12);
    let none: BTreeSet<&str> = interviews
        .iter()
        .filter(|(_, n)| *n == 0)
        .map(|(u, _)| u.as_str())
        .collect();
    assert_eq!(none, BTreeSet::from(["市教育局", "市公安局", "市民政局"]));
    for i in t.interviews.iter().filter(|i| i.in_window == 0) {
        assert!(
            !i.dates.is_empty(),
            "{} holds interviews outside the window",
            i.unit_name
        );
    }
}

#[tokio::test]
async fn seed_faults_before_and_after_rectification() {
    let sim = seed().await;
    let t = sim.truth();
    let names: BTreeSet<&str> = t.unreachable.iter().map(|s| s.unit_name.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["市林业局", "市体育局"]));

    let kinds: Vec<LinkKind> = t.broken_links.iter().map(|l| l.kind).collect();
    assert_eq!(kinds.len(), 8, "{:?}", t.broken_links);
    for k in [
        LinkKind::NotFound,
        LinkKind::ServerError,
        LinkKind::Soft404,
        LinkKind::RedirectHome,
    ] {
        assert_eq!(
            kinds.iter().filter(|x| **x == k).count(),
            2,
            "{k:?}: {kinds:?}"
        );
    }
    assert!(t.broken_links.iter().all(|l| !l.pages.is_empty()));
    assert_eq!(t.blank_columns.len(), 3);
    assert!(
        t.blank_columns
            .iter()
            .all(|c| c.unit_name.starts_with('市'))
    );
    assert_eq!(t.stale_columns.len(), 1);
    assert_eq!(t.stale_columns[0].column.unit_name, "市统计局");
    assert!(
        t.stale_columns[0]
            .newest
            .is_some_and(|d| (t.as_of - d).num_days() > 14)
    );
    let menu_units: BTreeSet<&str> = t
        .broken_menu_links
        .iter()
        .map(|m| m.unit_name.as_str())
        .collect();
    assert!(menu_units.len() > STILL_BROKEN.len());
    for u in STILL_BROKEN {
        assert!(menu_units.contains(u), "{u}");
    }
    assert!(
        t.unavailable_accounts.is_empty(),
        "all 56 accounts are readable"
    );
    let gongan = t
        .broken_menu_links
        .iter()
        .find(|m| m.unit_name == "市公安局")
        .expect("公安 menu");
    assert_eq!(gongan.menu_path, "办事服务 > 户籍办理");
    assert_eq!(gongan.kind, LinkKind::NotFound);

    // Homepages are fresh, and so is every non-disclosure column outside the injected fault.
    for c in t.columns.iter().filter(|c| c.kind == "news") {
        let newest = c.items.first().map(|i| i.date).expect("items");
        let stale = t.stale_columns.iter().any(|s| s.column.url == c.url);
        assert_eq!((t.as_of - newest).num_days() > 14, stale, "{}", c.url);
    }

    sim.rectify();
    let r = sim.truth();
    assert!(r.rectified);
    assert!(r.unreachable.is_empty());
    assert!(r.broken_links.is_empty(), "{:?}", r.broken_links);
    assert!(r.blank_columns.is_empty());
    assert!(r.stale_columns.is_empty());
    let menu_units: BTreeSet<&str> = r
        .broken_menu_links
        .iter()
        .map(|m| m.unit_name.as_str())
        .collect();
    assert_eq!(menu_units, BTreeSet::from(STILL_BROKEN));
    // Rectification fills blank columns with items after the window: the figures stand.
    assert_eq!(r.updates_in_window(), t.updates_in_window());
    assert_eq!(r.letters_in_window(), t.letters_in_window());
}

#[tokio::test]
async fn seed_registry_and_plan() {
    let sim = seed().await;
    let port = sim.addr().port();
    let reg: toml::Table = toml::from_str(&sim.registry_toml()).expect("registry is TOML");
    assert_eq!(reg["meta"]["region"].as_str(), Some("景德镇市"));
    assert_eq!(reg["network"]["allow_private"].as_bool(), Some(true));
    let resolve = reg["network"]["resolve"].as_table().expect("resolve");
    for h in sim.hosts() {
        assert_eq!(
            resolve.get(&h).and_then(|v| v.as_str()),
            Some("127.0.0.1"),
            "{h}"
        );
    }
    assert!(resolve.contains_key("api.weixin.qq.com"));
    assert!(resolve.contains_key("xxgk.jdz.gov.cn"));
    assert_eq!(
        reg["wechat"]["api_base"].as_str(),
        Some(format!("http://api.weixin.qq.com:{port}").as_str())
    );
    let sites = reg["websites"].as_array().expect("websites");
    assert_eq!(sites.len(), 40);
    assert_eq!(
        sites[0]["url"].as_str(),
        Some(format!("http://www.jdz.gov.cn:{port}/").as_str())
    );
    let cols = sites[0]["columns"].as_array().expect("columns");
    let disclosure = cols
        .iter()
        .filter(|c| c["type"].as_str() == Some("disclosure"))
        .count();
    assert_eq!(disclosure, 48 + 3);
    for c in cols {
        for k in ["name", "url", "type", "unit"] {
            assert!(c.get(k).is_some(), "column key {k}");
        }
    }
    let accounts = reg["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 56);
    let secrets = sim.secrets();
    assert_eq!(secrets.len(), 56);
    for a in accounts {
        assert_eq!(a["platform"].as_str(), Some("wechat"));
        let env = a["secret_env"].as_str().expect("secret_env");
        assert!(secrets.iter().any(|(e, _)| e == env));
        assert!(a["appid"].as_str().is_some_and(|s| s.starts_with("wx")));
    }
    let units = reg["units"].as_array().expect("units");
    assert!(
        units
            .iter()
            .any(|u| u["name"].as_str() == Some("市行政服务中心"))
    );
    // Dead sites keep their URLs on a port of their own.
    let linye = sites
        .iter()
        .find(|s| s["id"].as_str() == Some("linye"))
        .and_then(|s| s["url"].as_str())
        .expect("linye");
    assert!(!linye.contains(&format!(":{port}/")));

    let plan: toml::Table = toml::from_str(&sim.plan_toml()).expect("plan is TOML");
    assert_eq!(plan["availability"]["probes"].as_integer(), Some(3));
    assert_eq!(plan["availability"]["interval"].as_str(), Some("100ms"));
    assert_eq!(plan["availability"]["timeout"].as_str(), Some("2s"));
    assert_eq!(plan["freshness"]["news"].as_str(), Some("14d"));
    assert_eq!(plan["letters"]["unanswered_veto"].as_str(), Some("90d"));
    assert_eq!(plan["politeness"]["per_host_rate"].as_str(), Some("20/s"));
    assert_eq!(
        sim.window(),
        (
            chrono::NaiveDate::from_ymd_opt(2020, 7, 1).expect("date"),
            chrono::NaiveDate::from_ymd_opt(2020, 9, 30).expect("date")
        )
    );
    assert_eq!(
        sim.as_of(),
        chrono::NaiveDate::from_ymd_opt(2020, 12, 17).expect("date")
    );
}

#[tokio::test]
async fn generation_is_deterministic() {
    let a = seed().await;
    let b = seed().await;
    let (ta, tb) = (a.truth(), b.truth());
    // Ports differ between runs; everything else is the same.
    let port = regex::Regex::new(r":\d+/").expect("regex");
    let strip = |t: &spotcheck_sim::Truth| {
        t.columns
            .iter()
            .flat_map(|c| {
                c.items.iter().map(|i| {
                    (
                        i.title.clone(),
                        i.date,
                        port.replace(&i.url, ":P/").into_owned(),
                    )
                })
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&ta), strip(&tb));
    let letters = |t: &spotcheck_sim::Truth| {
        t.letters
            .iter()
            .map(|l| (l.title.clone(), l.label.clone(), l.received, l.answered))
            .collect::<Vec<_>>()
    };
    assert_eq!(letters(&ta), letters(&tb));
    assert_eq!(a.secrets(), b.secrets());
}
