//! The HTTP transport under the fetcher: hyper's pooled client over the guarded resolver and
//! the worker's TLS, with answers decompressed — and nothing else.
//!
//! A general-purpose client's layers (following redirects, retrying refused HTTP/2 streams,
//! cookies, proxies) do work the fetcher never uses: it follows redirects itself so each hop
//! is guarded and rate limited, retries by its own rules, speaks HTTP/1.1 only and goes
//! direct. So the transport is the pool, connector and decompression those layers wrap,
//! without them: a sixth less CPU for a round of 10,000 small pages (`spotcheck-bench`;
//! README, Benchmark).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{ACCEPT, HeaderValue, USER_AGENT};
use hyper::{Method, Request, Response, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tower::ServiceExt;
use tower_http::decompression::{Decompression, DecompressionBody};

use super::client::FetchConfig;
use super::resolve::GuardedResolver;

type Pool = Client<HttpsConnector<HttpConnector<GuardedResolver>>, Full<Bytes>>;

/// The answer to one request; its body is read with [`Transport::chunk`].
pub(super) type Answer = Response<DecompressionBody<hyper::body::Incoming>>;

/// How a request failed, and whether it failed before a connection was made.
pub(super) struct Failed {
    pub(super) error: Box<dyn std::error::Error + Send + Sync>,
    pub(super) connecting: bool,
}

/// Pooled HTTP/1.1 connections (plain and TLS) to the addresses the guarded resolver admits.
pub(super) struct Transport {
    pool: Decompression<Pool>,
    user_agent: HeaderValue,
}

impl Transport {
    pub(super) fn new(
        s: &FetchConfig,
        resolver: GuardedResolver,
        tls: rustls::ClientConfig,
    ) -> Result<Transport, String> {
        let mut http = HttpConnector::new_with_resolver(resolver);
        // `https://` URLs are handed to the TLS connector above this one.
        http.enforce_http(false);
        http.set_connect_timeout(Some(s.connect_timeout));
        // Requests are one small write each: no waiting for more to fill a segment.
        http.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            // Offers `http/1.1` alone in the handshake: a site answers as it would a browser
            // limited to HTTP/1.1, which is all the transport speaks.
            .enable_http1()
            .wrap_connector(http);
        let pool = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_max_idle_per_host(s.idle_per_host.max(1))
            .pool_idle_timeout(s.idle_timeout)
            .build(connector);
        let user_agent = HeaderValue::from_str(&s.user_agent)
            .map_err(|_| format!("the user agent {:?} is not a header value", s.user_agent))?;
        Ok(Transport {
            pool: Decompression::new(pool),
            user_agent,
        })
    }

    /// Sends one request and waits for its answer's head.
    pub(super) async fn send(
        &self,
        method: Method,
        url: &url::Url,
        content_type: Option<&'static str>,
        body: Bytes,
    ) -> Result<Answer, Failed> {
        let uri: Uri = url.as_str().parse().map_err(|e| Failed {
            error: format!("{url} is not a URL an HTTP request can carry: {e}").into(),
            connecting: false,
        })?;
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(USER_AGENT, self.user_agent.clone())
            .header(ACCEPT, HeaderValue::from_static("*/*"));
        if let Some(ct) = content_type {
            req = req.header(hyper::header::CONTENT_TYPE, ct);
        }
        let req = req.body(Full::new(body)).map_err(|e| Failed {
            error: e.into(),
            connecting: false,
        })?;
        self.pool.clone().oneshot(req).await.map_err(|e| Failed {
            connecting: e.is_connect(),
            error: e.into(),
        })
    }

    /// The next piece of an answer's (decompressed) body; `None` at its end.
    pub(super) async fn chunk(
        answer: &mut Answer,
    ) -> Option<Result<Bytes, Box<dyn std::error::Error + Send + Sync>>> {
        loop {
            match answer.body_mut().frame().await? {
                Ok(frame) => match frame.into_data() {
                    Ok(data) => return Some(Ok(data)),
                    // Trailers carry nothing a check reads.
                    Err(_) => continue,
                },
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
