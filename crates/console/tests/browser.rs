//! The console in a real browser: headless Chromium through chromedriver logs in, uploads the
//! simulated city's registry, starts a round, watches it reach 100 %, reads 抽查率 and 合格率,
//! filters the findings to one unit, downloads the notice, starts the re-check and sees
//! exactly the units that did not rectify. Every page is saved as a screenshot under
//! `CARGO_TARGET_TMPDIR/console-screenshots`.

mod support;

use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::{Value, json};
use support::{OPERATOR, Setup, base, clean, console, get_api, still_broken};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    /// Held to be killed on drop.
    _child: tokio::process::Child,
    url: String,
}

impl Driver {
    async fn start() -> Driver {
        for tool in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(tool).exists(),
                "{tool} is missing: run ./tests/run, which installs Debian's chromium and chromium-driver"
            );
        }
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Driver {
            _child: child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn browser(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1600", "--lang=zh-CN"],
            }),
        );
        ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a browser session")
    }
}

struct Shots {
    dir: PathBuf,
}

impl Shots {
    fn new() -> Shots {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        Shots { dir }
    }

    async fn take(&self, b: &Client, name: &str) {
        let png = b.screenshot().await.expect("a screenshot");
        std::fs::write(self.dir.join(format!("{name}.png")), png).unwrap();
    }
}

/// Waits until the element's text satisfies `ok` (the page may reload meanwhile).
async fn wait_text(b: &Client, css: &str, limit: Duration, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(e) = b.find(Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                if ok(&t) {
                    return t;
                }
            }
        }
        if Instant::now() > deadline {
            let url = b
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let page = b.source().await.unwrap_or_default();
            panic!("{css} never showed what was awaited on {url}:\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Clicks the element `at`.
async fn click(b: &Client, at: Locator<'_>) {
    b.find(at).await.unwrap().click().await.unwrap();
}

/// Types `text` into the field `at` (for a file input: the file's path).
async fn type_into(b: &Client, at: Locator<'_>, text: &str) {
    b.find(at).await.unwrap().send_keys(text).await.unwrap();
}

async fn rate(b: &Client, id: &str) -> f64 {
    let e = b.find(Locator::Id(id)).await.unwrap();
    e.attr("data-value")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap()
}

async fn api_json(base: &str, path: &str) -> Value {
    get_api(&reqwest::Client::new(), base, path)
        .await
        .json()
        .await
        .unwrap()
}

async fn texts(b: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in b.find_all(Locator::Css(css)).await.unwrap() {
        out.push(e.text().await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_runs_the_quarter_in_a_browser() {
    let (console, ns) = console(Setup {
        workers: 2,
        demo: true,
        ..Setup::default()
    })
    .await;
    let base = base(&console);
    let sim = console.demo().unwrap();
    let files = tempfile::tempdir().unwrap();
    let registry = files.path().join("registry.toml");
    let plan = files.path().join("plan.toml");
    std::fs::write(&registry, sim.registry_toml()).unwrap();
    std::fs::write(&plan, sim.plan_toml()).unwrap();
    let shots = Shots::new();
    let driver = Driver::start().await;
    let b = driver.browser().await;

    // The browser is closed whatever happens: a failed assertion must not leave it running.
    let outcome = AssertUnwindSafe(session(&b, &base, sim, &shots, &registry, &plan))
        .catch_unwind()
        .await;
    let _ = b.close().await;
    drop(driver);
    console.shutdown().await;
    clean(&ns).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// What the operator does, from the login page to the trends.
async fn session(
    b: &Client,
    base: &str,
    sim: &spotcheck_sim::Sim,
    shots: &Shots,
    registry: &Path,
    plan: &Path,
) {
    let b = b.clone();
    // Not logged in: the login page.
    b.goto(&format!("{base}/rounds")).await.unwrap();
    assert_eq!(b.current_url().await.unwrap().path(), "/login");
    shots.take(&b, "1-login").await;
    type_into(&b, Locator::Css("input[name=name]"), OPERATOR.0).await;
    type_into(&b, Locator::Css("input[name=password]"), OPERATOR.1).await;
    click(&b, Locator::Css("main form button")).await;
    wait_text(&b, "h1", Duration::from_secs(10), |t| t == "抽查轮次").await;

    // Upload the simulated city's registry and plan, start the round.
    b.goto(&format!("{base}/rounds/new")).await.unwrap();
    click(&b, Locator::Id("source-upload")).await;
    type_into(&b, Locator::Id("registry"), registry.to_str().unwrap()).await;
    type_into(&b, Locator::Id("plan"), plan.to_str().unwrap()).await;
    shots.take(&b, "2-start").await;
    click(&b, Locator::Id("start")).await;
    wait_text(&b, "#progress-percent", Duration::from_secs(10), |_| true).await;
    let url = b.current_url().await.unwrap();
    let id = url.path().strip_prefix("/rounds/").unwrap().to_string();
    shots.take(&b, "3-running").await;

    // Live progress to 100 %, then the figures, equal to report.json's.
    wait_text(&b, "#progress-percent", Duration::from_secs(240), |t| {
        t == "100%"
    })
    .await;
    wait_text(&b, "#sample-rate", Duration::from_secs(30), |_| true).await;
    shots.take(&b, "4-round").await;
    let report = api_json(base, &format!("/api/rounds/{id}/report.json")).await;
    assert_eq!(
        rate(&b, "sample-rate").await,
        report["summary"]["sample_rate"].as_f64().unwrap()
    );
    assert_eq!(
        rate(&b, "pass-rate").await,
        report["summary"]["pass_rate"].as_f64().unwrap()
    );

    // The findings of one unit.
    let findings = report["findings"].as_array().unwrap();
    let unit = findings[0]["unit"].as_str().unwrap().to_string();
    let of_unit = findings
        .iter()
        .filter(|f| f["unit"] == unit.as_str())
        .count();
    b.find(Locator::Id("filter-unit"))
        .await
        .unwrap()
        .select_by_value(&unit)
        .await
        .unwrap();
    click(&b, Locator::Id("filter-apply")).await;
    wait_text(&b, "#findings h2", Duration::from_secs(10), |t| {
        t.starts_with(&format!("问题清单（{of_unit} /"))
    })
    .await;
    let rows = texts(&b, "table.findings tbody tr td:first-child").await;
    assert_eq!(rows.len(), of_unit);
    assert!(rows.iter().all(|u| *u == unit), "{rows:?}");
    shots.take(&b, "5-findings-of-one-unit").await;

    // The notice's link downloads a Word document in the browser's session.
    let href = b
        .find(Locator::Id("download-docx"))
        .await
        .unwrap()
        .prop("href")
        .await
        .unwrap()
        .unwrap();
    let session = b.get_named_cookie("spotcheck_session").await.unwrap();
    let docx = reqwest::Client::new()
        .get(&href)
        .header("cookie", format!("spotcheck_session={}", session.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(docx.status(), 200);
    let bytes = docx.bytes().await.unwrap();
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("the docx is a zip");
    assert!(
        zip.by_name("word/document.xml").is_ok(),
        "the docx has its document"
    );

    // The re-check: exactly the units whose faults persist are not rectified.
    click(&b, Locator::Id("start-recheck")).await;
    wait_text(&b, "h1", Duration::from_secs(10), |t| t.starts_with("复查")).await;
    let re = b
        .current_url()
        .await
        .unwrap()
        .path()
        .strip_prefix("/rounds/")
        .unwrap()
        .to_string();
    assert_ne!(re, id);
    wait_text(&b, "#progress-percent", Duration::from_secs(240), |t| {
        t == "100%"
    })
    .await;
    wait_text(&b, "#rectification h2", Duration::from_secs(30), |_| true).await;
    shots.take(&b, "6-recheck").await;
    let shown: BTreeSet<String> = texts(&b, "#not-rectified-units li")
        .await
        .into_iter()
        .collect();
    let still = still_broken(sim);
    assert!(!still.is_empty());
    assert_eq!(shown, still);
    let recheck = api_json(base, &format!("/api/rounds/{re}/report.json")).await;
    let reported: BTreeSet<String> = recheck["rectification"]["not_rectified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    assert_eq!(shown, reported);

    // The rounds and the trends.
    b.goto(&format!("{base}/rounds")).await.unwrap();
    assert_eq!(texts(&b, "table.rounds tbody tr").await.len(), 2);
    shots.take(&b, "7-rounds").await;
    b.goto(&format!("{base}/trends")).await.unwrap();
    wait_text(&b, "h1", Duration::from_secs(10), |t| t == "趋势").await;
    shots.take(&b, "8-trends").await;
}
