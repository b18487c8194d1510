//! Bodies too big to keep: cut at the cap, after decompression too.

use super::*;

#[tokio::test]
async fn huge_body_is_cut_at_the_cap() {
    let addr = raw(|mut s| async move {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000000\r\n\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b'a'; 64 * 1024];
        while s.write_all(&chunk).await.is_ok() {}
    })
    .await;
    let c = run(&fetcher(), &format!("http://{addr}/big.html")).await;
    let f = c.ok();
    assert_eq!((f.body.len(), f.truncated), (CAP, true));
    assert_eq!(c.verdict.state, LinkState::Ok);
    assert!(c.took < Duration::from_secs(2), "{:?}", c.took);
}

#[tokio::test]
async fn endless_chunked_body_is_cut_at_the_cap() {
    let addr = raw(|mut s| async move {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let mut chunk = format!("{:x}\r\n", 16 * 1024).into_bytes();
        chunk.extend(std::iter::repeat_n(b'<', 16 * 1024));
        chunk.extend_from_slice(b"\r\n");
        while s.write_all(&chunk).await.is_ok() {}
    })
    .await;
    let c = run(&fetcher(), &format!("http://{addr}/stream.html")).await;
    let f = c.ok();
    assert_eq!((f.body.len(), f.truncated), (CAP, true));
    assert_eq!(c.verdict.state, LinkState::Ok);
    assert!(c.took < Duration::from_secs(2), "{:?}", c.took);
}

#[tokio::test]
async fn decompression_bombs_are_cut_after_decompression() {
    // 32 MiB of zeros is 32 KiB of gzip: under the cap compressed, 512 times over it inflated.
    let zeros = vec![0u8; 32 << 20];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&zeros).unwrap();
    let gzip = Bytes::from(gz.finish().unwrap());
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
        w.write_all(&zeros).unwrap();
    }
    let brotli = Bytes::from(br);
    assert!(gzip.len() < CAP && brotli.len() < CAP);
    let app = Router::new()
        .route(
            "/gzip.html",
            get(move || {
                let b = gzip.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html"),
                            (header::CONTENT_ENCODING, "gzip"),
                        ],
                        b,
                    )
                }
            }),
        )
        .route(
            "/br.html",
            get(move || {
                let b = brotli.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html"),
                            (header::CONTENT_ENCODING, "br"),
                        ],
                        b,
                    )
                }
            }),
        );
    let base = serve(app).await;
    let f = fetcher();
    for path in ["/gzip.html", "/br.html"] {
        let c = run(&f, &format!("{base}{path}")).await;
        let got = c.ok();
        assert_eq!((got.body.len(), got.truncated), (CAP, true), "{path}");
        assert!(got.body.iter().all(|b| *b == 0), "{path}: decompressed");
        assert!(c.took < Duration::from_secs(2), "{path}: {:?}", c.took);
    }
}
