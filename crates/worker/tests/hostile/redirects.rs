//! Redirects: a loop is broken, a chain is recorded hop by hop.

use super::*;

#[tokio::test]
async fn redirect_loop_is_broken() {
    let app = Router::new()
        .route(
            "/a",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/b")]) }),
        )
        .route(
            "/b",
            get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/a")]) }),
        );
    let base = serve(app).await;
    let c = run(&fetcher(), &format!("{base}/a")).await;
    assert_eq!(c.err(), &FetchError::TooManyRedirects(5));
    assert_eq!(c.verdict.state, LinkState::Broken);
    assert!(c.took < Duration::from_secs(2));
}

#[tokio::test]
async fn redirect_chains_are_recorded() {
    let app = Router::new()
        .route(
            "/old",
            get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/mid")]) }),
        )
        .route(
            "/mid",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "/art/2020/11/2/new.html")],
                )
            }),
        )
        .route(
            "/art/2020/11/2/new.html",
            get(|| async { html(StatusCode::OK, "<title>通知</title><p>正文</p>") }),
        )
        .route(
            "/deep/gone.html",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/index.html")]) }),
        )
        .route(
            "/index.html",
            get(|| async { html(StatusCode::OK, "<title>首页</title>") }),
        );
    let base = serve(app).await;
    let f = fetcher();
    let c = run(&f, &format!("{base}/old")).await;
    let got = c.ok();
    assert_eq!(
        got.redirects.iter().map(Url::path).collect::<Vec<_>>(),
        ["/mid", "/art/2020/11/2/new.html"]
    );
    assert_eq!(c.verdict.state, LinkState::Ok);
    assert_eq!(c.verdict.redirects.len(), 2);
    // A deep link that lands on the homepage: the page it named is gone.
    let c = run(&f, &format!("{base}/deep/gone.html")).await;
    assert_eq!(c.verdict.state, LinkState::Broken);
    assert!(
        c.verdict
            .reason
            .starts_with("soft 404: redirected to the homepage"),
        "{}",
        c.verdict.reason
    );
}
