//! Network failures: refused connections, unknown names, a server that does not speak TLS.

use super::*;

#[tokio::test]
async fn refused_connections_and_unknown_names_are_broken() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = fetcher();
    let c = run(&f, &format!("http://127.0.0.1:{port}/")).await;
    assert_eq!(c.err(), &FetchError::ConnectionRefused);
    assert_eq!(
        (c.verdict.state, c.verdict.reason.as_str()),
        (LinkState::Broken, "connection refused")
    );
    let c = run(&f, "http://no-such-host.invalid/").await;
    assert!(matches!(c.err(), FetchError::Dns(_)), "{:?}", c.fetched);
    assert_eq!(c.verdict.state, LinkState::Broken);
}

#[tokio::test]
async fn a_server_that_does_not_speak_tls_is_a_tls_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            // Plain HTTP where the client expects a TLS handshake.
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .await;
        }
    });
    let c = run(&fetcher(), &format!("https://{addr}/")).await;
    assert!(matches!(c.err(), FetchError::Tls(_)), "{:?}", c.fetched);
    assert_eq!(c.verdict.state, LinkState::Broken);
}
