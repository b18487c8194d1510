//! A tiny HTTP/1.1 client for the tests: it connects where the registry's DNS override
//! would (the URL's port on loopback) and sends the URL's host in `Host`, like a real
//! client with `resolve` set.

#![allow(dead_code)]

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn gbk(&self) -> String {
        encoding_rs::GBK.decode(&self.body).0.into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

pub async fn request(
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> std::io::Result<Resp> {
    let u = url::Url::parse(url).expect("test URL");
    let host = u.host_str().expect("host").to_string();
    let port = u.port().expect("explicit port");
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut s = TcpStream::connect(addr).await?;
    let path = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nUser-Agent: sim-test\r\n"
    );
    if let Some(ct) = content_type {
        req.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await?;
    s.write_all(body).await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Ok(Resp {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..nl])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
}

pub async fn get(url: &str) -> Resp {
    request("GET", url, None, &[]).await.expect("GET")
}

pub async fn post_form(url: &str, form: &str) -> Resp {
    request(
        "POST",
        url,
        Some("application/x-www-form-urlencoded"),
        form.as_bytes(),
    )
    .await
    .expect("POST")
}

pub async fn post_json(url: &str, json: &serde_json::Value) -> Resp {
    request(
        "POST",
        url,
        Some("application/json"),
        json.to_string().as_bytes(),
    )
    .await
    .expect("POST")
}

/// Every `title="..."` of list items (the generator writes one per item link).
pub fn titles(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"<a href="[^"]*" title="([^"]*)""#).expect("regex");
    re.captures_iter(html).map(|c| c[1].to_string()).collect()
}

/// A small city that exercises every page family and fault.
pub const CITY: &str = r#"
[meta]
region = "测试市"
name = "测试市政府网站与政务新媒体"
window = "2020-07-01..2020-09-30"
as_of = 2020-12-17

[[platforms]]
host = "xxgk.test.gov.cn"
name = "测试市信息公开平台"

[[units]]
id = "szf"
name = "市政府办公室"

[[units]]
id = "rsj"
name = "市人社局"
aliases = ["市人力资源和社会保障局"]

[[units]]
id = "gaj"
name = "市公安局"

[[sites]]
id = "portal"
unit = "szf"
name = "测试市人民政府网站"
host = "www.test.gov.cn"
links_to = ["dept", "slow"]
broken_links = [
  { kind = "404", text = "旧专题" },
  { kind = "500" },
  { kind = "soft404" },
  { kind = "redirect-home", persist = true },
]
columns = [
  { name = "公安信息公开", type = "disclosure", unit = "gaj", host = "xxgk.test.gov.cn", path = "/gaj/", cms = "trs", variant = "js4", per_page = 10, in_window = 37, before = 5, after = 3 },
  { name = "人社信息公开", type = "disclosure", unit = "rsj", host = "xxgk.test.gov.cn", cms = "hanweb", charset = "gbk-meta", in_window = 97, before = 0, after = 0 },
  { name = "通知公告", type = "notice", path = "/tzgg/", cms = "plain", variant = "table", charset = "gbk-header", per_page = 7, in_window = 10, before = 3, after = 2 },
  { name = "政务动态", type = "news", path = "/zwdt/", cms = "trs", variant = "js6", in_window = 5, fault = "stale" },
  { name = "规划计划", type = "plan", path = "/ghjh/", fault = "blank", persist = true },
  { name = "在线访谈", type = "interview", unit = "rsj", path = "/zxft/", in_window = 2, before = 1, after = 1 },
  { name = "咨询投诉", type = "letters", path = "/hdjl/", per_page = 10, labels = { unit = "承办单位", received = "来信时间", status = "状态", replied = "答复时间" }, order = ["received", "title", "unit", "status", "replied"], replied_status = ["已办结"], pending_status = ["办理中"], letters = [{ unit = "rsj", in_window = 25, before = 3, after = 4, pending = 2, alias_every = 2 }, { unit = "gaj", in_window = 5, replied = 3 }] },
]

[[sites]]
id = "dept"
unit = "gaj"
name = "测试市公安局网站"
host = "gaj.test.gov.cn"
dead = true

[[sites]]
id = "slow"
unit = "rsj"
name = "测试市人社局网站"
host = "rsj.test.gov.cn"
delay = "300ms"
waf = { rate = "3/s", retry_after = 2 }

[[sites]]
id = "gone"
unit = "rsj"
name = "测试市人社局旧网站"
host = "old.test.gov.cn"
dead = true
persist = true

[[accounts]]
id = "gaj-wx"
unit = "gaj"
name = "测试公安"
appid = "wx0000000000000001"
secret = "s3cret"
broken = [
  { menu = "办事服务 > 户籍办理", kind = "404", site = "portal", persist = true },
  { menu = "政务公开 > 旧文", kind = "deleted" },
  { menu = "互动交流 > 验证", kind = "captcha" },
]

[[accounts]]
id = "rsj-wx"
unit = "rsj"
name = "测试人社"
token_invalid_once = true

[[accounts]]
id = "ip-wx"
unit = "rsj"
name = "白名单"
api_error = 40164

[[accounts]]
id = "quota-wx"
unit = "rsj"
name = "配额"
api_error = 45009
"#;

pub async fn city() -> spotcheck_sim::Sim {
    let scenario = spotcheck_sim::Scenario::from_toml(CITY).expect("test scenario");
    spotcheck_sim::Sim::start(scenario, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("start")
}
