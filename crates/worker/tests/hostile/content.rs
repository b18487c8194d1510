//! Content that is not what it says: bytes invalid in the declared charset, binary data at
//! an HTML URL.

use super::*;

#[tokio::test]
async fn invalid_bytes_in_a_declared_charset_do_not_garble_the_rest() {
    let (gbk, _, _) = encoding_rs::GBK
        .encode("<html><head><title>景德镇市人民政府</title></head><body><p>政务公开</p>");
    let mut broken_gbk = gbk.into_owned();
    broken_gbk.extend_from_slice(b"\x81\x20\xff\xfe\x80<p>");
    broken_gbk.extend_from_slice(&encoding_rs::GBK.encode("联系我们</p></body></html>").0);
    let broken_gbk = Bytes::from(broken_gbk);
    let mut broken_utf8 = "<html><title>浮梁县人民政府</title><body>"
        .as_bytes()
        .to_vec();
    broken_utf8.extend_from_slice(b"\xe6\x94\xbf\xff\xc3\x28");
    broken_utf8.extend_from_slice("<p>新闻</p></body></html>".as_bytes());
    let broken_utf8 = Bytes::from(broken_utf8);
    let app = Router::new()
        .route(
            "/gbk.html",
            get(move || {
                let b = broken_gbk.clone();
                async move { ([(header::CONTENT_TYPE, "text/html; charset=gbk")], b) }
            }),
        )
        .route(
            "/utf8.html",
            get(move || {
                let b = broken_utf8.clone();
                async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], b) }
            }),
        );
    let base = serve(app).await;
    let f = fetcher();
    let c = run(&f, &format!("{base}/gbk.html")).await;
    let text = c.text.as_deref().expect("an HTML page");
    assert!(text.contains("<title>景德镇市人民政府</title>"), "{text}");
    assert!(
        text.contains("联系我们") && text.contains('\u{FFFD}'),
        "{text}"
    );
    assert_eq!(c.verdict.state, LinkState::Ok);
    let c = run(&f, &format!("{base}/utf8.html")).await;
    let text = c.text.as_deref().expect("an HTML page");
    assert!(
        text.contains("浮梁县人民政府") && text.contains("新闻"),
        "{text}"
    );
    assert_eq!(c.verdict.state, LinkState::Ok);
}

#[tokio::test]
async fn binary_content_at_an_html_url_is_not_parsed() {
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    pdf.extend(std::iter::repeat_n(0xA5u8, 256 * 1024));
    let pdf = Bytes::from(pdf);
    let app = Router::new().route(
        "/art/2020/11/2/art_1.html",
        get(move || {
            let b = pdf.clone();
            async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], b) }
        }),
    );
    let base = serve(app).await;
    let c = run(&fetcher(), &format!("{base}/art/2020/11/2/art_1.html")).await;
    assert!(c.text.is_none(), "a PDF was decoded as a page");
    assert!(c.ok().truncated && c.ok().body.len() == CAP);
    // A document that opens is a working link.
    assert_eq!(c.verdict.state, LinkState::Ok);
}
