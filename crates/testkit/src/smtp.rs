//! An SMTP sink on loopback: it speaks just enough SMTP for a mail client (EHLO, MAIL, RCPT,
//! DATA, RSET, NOOP, QUIT; no TLS, no AUTH) and keeps every mail it accepts — or refuses
//! every mail with a 5xx answer, to test what a sender does with a server that says no.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// A mail as the sink received it: the envelope and the raw message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, headers and body, dot-stuffing undone.
    pub data: Vec<u8>,
}

/// How the sink answers `MAIL FROM`.
#[derive(Debug, Clone)]
enum Mode {
    Accept,
    Refuse(String),
}

/// A running sink; it stops when dropped.
pub struct SmtpSink {
    pub addr: SocketAddr,
    mails: Arc<Mutex<Vec<Received>>>,
    refusals: Arc<Mutex<u32>>,
    task: AbortHandle,
}

impl SmtpSink {
    /// A sink that accepts every mail.
    pub async fn start() -> SmtpSink {
        SmtpSink::with(Mode::Accept).await
    }

    /// A sink that answers every `MAIL FROM` with `reply` (e.g. `554 5.7.1 relay denied`).
    pub async fn refusing(reply: &str) -> SmtpSink {
        SmtpSink::with(Mode::Refuse(reply.to_string())).await
    }

    async fn with(mode: Mode) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP sink");
        let addr = listener.local_addr().expect("sink address");
        let mails = Arc::new(Mutex::new(Vec::new()));
        let refusals = Arc::new(Mutex::new(0));
        let (m, r) = (mails.clone(), refusals.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (m, r, mode) = (m.clone(), r.clone(), mode.clone());
                tokio::spawn(async move {
                    let _ = session(stream, &mode, &m, &r).await;
                });
            }
        })
        .abort_handle();
        SmtpSink {
            addr,
            mails,
            refusals,
            task,
        }
    }

    /// Every mail accepted so far, in order.
    pub fn mails(&self) -> Vec<Received> {
        self.mails.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How many mails were refused.
    pub fn refusals(&self) -> u32 {
        *self.refusals.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(
    stream: TcpStream,
    mode: &Mode,
    mails: &Mutex<Vec<Received>>,
    refusals: &Mutex<u32>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            "250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".into()
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            "250 ok\r\n".into()
        } else if upper.starts_with("MAIL FROM:") {
            match mode {
                Mode::Accept => {
                    from = address(&cmd["MAIL FROM:".len()..]);
                    to.clear();
                    "250 ok\r\n".into()
                }
                Mode::Refuse(reply) => {
                    *refusals.lock().unwrap_or_else(|p| p.into_inner()) += 1;
                    format!("{reply}\r\n")
                }
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&cmd["RCPT TO:".len()..]));
            "250 ok\r\n".into()
        } else if upper == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = Vec::new();
            loop {
                let mut l = String::new();
                if lines.read_line(&mut l).await? == 0 {
                    return Ok(());
                }
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                let l = l.strip_prefix('.').unwrap_or(&l);
                data.extend_from_slice(l.as_bytes());
            }
            mails
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
            "250 queued\r\n".into()
        } else if upper == "RSET" {
            from.clear();
            to.clear();
            "250 ok\r\n".into()
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            "502 command not implemented\r\n".into()
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// The address in `<a@b> SIZE=…`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    match (arg.find('<'), arg.find('>')) {
        (Some(a), Some(b)) if a < b => arg[a + 1..b].to_string(),
        _ => arg.split_whitespace().next().unwrap_or("").to_string(),
    }
}
