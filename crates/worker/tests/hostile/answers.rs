//! Pages that answer 200 and still say something else: soft 404s and captcha walls.

use super::*;

#[tokio::test]
async fn soft_404_and_captcha_pages() {
    let app = Router::new()
        .route("/gone.html", get(|| async {
            html(StatusCode::OK, "<html><head><title>提示信息</title></head><body><div class=\"err\">您访问的页面不存在或已被删除！</div><a href=\"/\">返回首页</a></body></html>")
        }))
        .route("/wx-deleted", get(|| async {
            html(StatusCode::OK, "<html><body><p>该内容已被发布者删除</p></body></html>")
        }))
        .route("/busy.html", get(|| async {
            html(StatusCode::OK, "<html><title>访问验证</title><body><p>访问过于频繁，请稍后再试</p><img src=\"/captcha.jpg\"><p>请输入验证码</p></body></html>")
        }))
        .route("/waf.html", get(|| async {
            html(StatusCode::FORBIDDEN, "<html><title>安全验证</title><body>请完成安全验证后继续访问</body></html>")
        }))
        .route("/mp/s", get(|| async {
            (StatusCode::FOUND, [(header::LOCATION, "/mp/wappoc_appmsgcaptcha?poc_token=x")])
        }))
        .route("/mp/wappoc_appmsgcaptcha", get(|| async {
            html(StatusCode::OK, "<html><body>环境异常</body></html>")
        }))
        .route("/missing.html", get(|| async { html(StatusCode::NOT_FOUND, "<title>404</title>") }));
    let base = serve(app).await;
    let f = fetcher();
    for (path, state, reason) in [
        (
            "/gone.html",
            LinkState::Broken,
            "soft 404: 您访问的页面不存在",
        ),
        (
            "/wx-deleted",
            LinkState::Broken,
            "soft 404: 该内容已被发布者删除",
        ),
        (
            "/busy.html",
            LinkState::Unknown,
            "anti-crawler page: 访问过于频繁",
        ),
        (
            "/waf.html",
            LinkState::Unknown,
            "anti-crawler page: 安全验证",
        ),
        (
            "/mp/s",
            LinkState::Unknown,
            "anti-crawler page (wappoc_appmsgcaptcha)",
        ),
        ("/missing.html", LinkState::Broken, "HTTP 404"),
    ] {
        let c = run(&f, &format!("{base}{path}")).await;
        assert_eq!(
            (c.verdict.state, c.verdict.reason.as_str()),
            (state, reason),
            "{path}"
        );
    }
}
