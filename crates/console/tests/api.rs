//! The API from a script, on the pool with two workers in the console's process: start a
//! round on the simulated city, watch it, download every report, re-check it.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use spotcheck_sim::Sim;
use support::{
    Setup, base, clean, client, console, get_api, id_of, post_api, round_of, still_broken,
};

async fn watch(c: &reqwest::Client, base: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let r = get_api(c, base, &format!("/api/rounds/{id}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let status: Value = r.json().await.unwrap();
        assert_eq!(status["round"], id);
        if status["complete"] == true {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "round {id} did not complete: {status}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn download(c: &reqwest::Client, base: &str, id: &str, file: &str) -> Vec<u8> {
    let r = get_api(c, base, &format!("/api/rounds/{id}/{file}")).await;
    assert_eq!(r.status(), StatusCode::OK, "{file}");
    r.bytes().await.unwrap().to_vec()
}

/// Asks for the re-check of round `id` as of the simulated city's check point.
async fn recheck(c: &reqwest::Client, base: &str, id: &str, sim: &Sim) -> reqwest::Response {
    let as_of = sim.as_of().to_string();
    post_api(
        c,
        base,
        &format!("/api/rounds/{id}/recheck"),
        &json!({ "as_of": as_of }),
    )
    .await
}

fn is_zip_with(bytes: &[u8], entry: &str) -> bool {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map(|mut z| z.by_name(entry).is_ok())
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_starts_watches_downloads_and_rechecks_a_round() {
    let audit = tempfile::NamedTempFile::new().unwrap();
    let (console, ns) = console(Setup {
        workers: 2,
        demo: true,
        audit_log: Some(audit.path().to_path_buf()),
        ..Setup::default()
    })
    .await;
    let base = base(&console);
    let sim = console.demo().expect("demo mode serves the simulated city");
    let c = client();

    // Bad input: every problem, nothing started.
    let r = post_api(
        &c,
        &base,
        "/api/rounds",
        &json!({ "registry": "[meta]\nname = \n", "window": "yesterday" }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["problems"]["files"][0]["file"], "registry.toml",
        "{body}"
    );
    assert_eq!(body["problems"]["files"][0]["line"], 2, "{body}");
    assert!(
        body["problems"]["fields"][0]
            .as_str()
            .unwrap()
            .contains("window"),
        "{body}"
    );

    let r = post_api(&c, &base, "/api/rounds", &round_of(sim)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = id_of(r).await;

    // The rounds page follows the running round live.
    let mut live = get_api(&c, &base, "/rounds/events").await;
    assert_eq!(live.status(), StatusCode::OK);
    let first = String::from_utf8(live.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    let data: Value = serde_json::from_str(first.split("data: ").nth(1).unwrap().trim()).unwrap();
    assert!(data["rounds"][&id]["total"].as_u64().unwrap() > 0, "{data}");
    drop(live);

    // A re-check before the round completes is refused.
    let r = recheck(&c, &base, &id, sim).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    let status = watch(&c, &base, &id).await;
    assert_eq!(status["jobs"]["pending"], 0);
    assert_eq!(status["sealed"], true);

    let report: Value =
        serde_json::from_slice(&download(&c, &base, &id, "report.json").await).unwrap();
    assert_eq!(report["schema"], "spotcheck.report/1");
    assert_eq!(report["round"]["id"], id.as_str());
    assert!(!report["findings"].as_array().unwrap().is_empty());
    let md = String::from_utf8(download(&c, &base, &id, "report.md").await).unwrap();
    assert!(md.contains("抽查情况的通报"), "{md}");
    let html = String::from_utf8(download(&c, &base, &id, "report.html").await).unwrap();
    assert!(html.contains("<html"));
    assert!(is_zip_with(
        &download(&c, &base, &id, "report.docx").await,
        "word/document.xml"
    ));
    assert!(is_zip_with(
        &download(&c, &base, &id, "report.xlsx").await,
        "xl/workbook.xml"
    ));
    // Each unit with problems gets its 整改通知单, and the zip holds them all.
    let units: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["unit"].as_str().unwrap())
        .collect();
    let r = get_api(&c, &base, &format!("/rounds/{id}/notices.zip")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut notices =
        zip::ZipArchive::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    assert_eq!(notices.len(), units.len());
    for unit in &units {
        let mut docx = Vec::new();
        std::io::Read::read_to_end(
            &mut notices.by_name(&format!("{unit}-整改通知单.docx")).unwrap(),
            &mut docx,
        )
        .unwrap();
        assert!(is_zip_with(&docx, "word/document.xml"), "{unit}");
    }
    let r = get_api(&c, &base, &format!("/rounds/{id}/notices/0")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("UTF-8''")
    );
    let r = get_api(&c, &base, &format!("/rounds/{id}/notices/{}", units.len())).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = get_api(&c, &base, &format!("/api/rounds/{id}/report.pdf")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let rounds: Vec<Value> = get_api(&c, &base, "/api/rounds")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0]["pass_rate"], report["summary"]["pass_rate"]);
    assert_eq!(rounds[0]["sample_rate"], report["summary"]["sample_rate"]);

    let r = recheck(&c, &base, &id, sim).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let re = id_of(r).await;
    assert_ne!(re, id);
    watch(&c, &base, &re).await;
    let recheck: Value =
        serde_json::from_slice(&download(&c, &base, &re, "report.json").await).unwrap();
    assert_eq!(recheck["round"]["parent"], id.as_str());
    let rect = &recheck["rectification"];
    let not_rectified: Vec<&str> = rect["not_rectified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    let rectified = rect["rectified"].as_array().unwrap();
    assert!(
        !rectified.is_empty(),
        "the simulated units fixed something: {rect}"
    );
    // Exactly the units whose faults persist in the simulated city are not rectified.
    let still = still_broken(sim);
    assert!(!still.is_empty());
    assert_eq!(
        not_rectified
            .iter()
            .map(|u| u.to_string())
            .collect::<BTreeSet<_>>(),
        still
    );

    let audit = std::fs::read_to_string(audit.path()).unwrap();
    let lines: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{audit}");
    assert_eq!(
        (
            lines[0]["audit"].as_str(),
            lines[0]["user"].as_str(),
            lines[0]["round"].as_str()
        ),
        (Some("start"), Some("api"), Some(id.as_str()))
    );
    assert_eq!(
        (lines[1]["audit"].as_str(), lines[1]["round"].as_str()),
        (Some("recheck"), Some(re.as_str()))
    );
    console.shutdown().await;
    clean(&ns).await;
}
