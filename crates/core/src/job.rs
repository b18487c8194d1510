//! Jobs: the units of work a round is made of, as they travel on the queue.
//!
//! A job's id is derived from what it does, so the same work always has the same id: a link
//! linked from 300 pages is one job, and a redelivered job is recognised.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::fingerprint::short_hash;
use crate::round::RoundId;

/// Version of the wire messages; a worker refuses messages of another version.
pub const WIRE_VERSION: u8 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub String);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a job does. Ids of sites, columns and accounts refer to the round's registry.
///
/// Each task is named after the outcome it brings ([`Outcome`](crate::outcome::Outcome)):
/// a `Visit` gives a visit, a `Link` a link's verdict. The wire keeps the tags `probe` and
/// `check` (and the job keys built from them), so jobs queued by an older scheduler still
/// decode and a job keeps its id across an upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Task {
    /// Visit `n` of a site's homepage (availability).
    #[serde(rename = "probe")]
    #[strum(serialize = "probe")]
    Visit { site: String, n: u32 },
    /// Fetch a page of a site, judge it and read its links; `depth` 0 is the homepage.
    Page {
        site: String,
        #[serde(deserialize_with = "crate::site_urls::one")]
        url: Url,
        depth: u8,
    },
    /// Fetch a link and judge it.
    #[serde(rename = "check")]
    #[strum(serialize = "check")]
    Link {
        #[serde(deserialize_with = "crate::site_urls::one")]
        url: Url,
    },
    /// Read a column's list, every page of it (`column` indexes the site's columns).
    Column { site: String, column: usize },
    /// Read an account's menu.
    Menu { account: String },
    /// Visit a site's homepage and its same-site links over IPv6 and compare with IPv4.
    Ipv6 { site: String },
    /// Inspect a site's HTTPS certificate and where its plain-HTTP address leads.
    Tls { site: String },
}

impl Task {
    /// The identity of the work, independent of the round.
    pub fn key(&self) -> String {
        match self {
            Task::Visit { site, n } => format!("probe|{site}|{n}"),
            Task::Page { site, url, .. } => format!("page|{site}|{url}"),
            Task::Link { url } => format!("check|{url}"),
            Task::Column { site, column } => format!("column|{site}|{column}"),
            Task::Menu { account } => format!("menu|{account}"),
            Task::Ipv6 { site } => format!("ipv6|{site}"),
            Task::Tls { site } => format!("tls|{site}"),
        }
    }

    pub fn id(&self) -> JobId {
        JobId(short_hash(&self.key()))
    }

    /// The kind as a short label for logs and metrics: the `kind` the wire format tags it with.
    pub fn kind(&self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub v: u8,
    pub round: RoundId,
    pub id: JobId,
    pub task: Task,
}

impl Job {
    pub fn new(round: &RoundId, task: Task) -> Job {
        Job {
            v: WIRE_VERSION,
            round: round.clone(),
            id: task.id(),
            task,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("jobs always serialize")
    }

    /// Several jobs as one queue message (a JSON array). A broker's cost is per message, not
    /// per byte: a page's links travel a few dozen to a message, so a pool checks links as
    /// fast as one process does instead of waiting on the broker.
    pub fn encode_batch(jobs: &[Job]) -> Vec<u8> {
        serde_json::to_vec(jobs).expect("jobs always serialize")
    }

    /// The jobs of a queue message: a batch, or a single job as [`Job::encode`] writes it —
    /// refusing other wire versions and ids that do not match their task. One bad job refuses
    /// the whole message (it cannot have come from a spotcheck).
    pub fn decode_batch(body: &[u8]) -> Result<Vec<Job>, String> {
        decode_batch(body, "job", Job::checked)
    }

    /// A decoded job as a spotcheck writes it: this wire version, an id that matches its task,
    /// a round id that can name a store key.
    pub(crate) fn checked(self) -> Result<Job, String> {
        let job = self;
        if job.v != WIRE_VERSION {
            return Err(format!(
                "job wire version {} (this build speaks {WIRE_VERSION})",
                job.v
            ));
        }
        if job.id != job.task.id() {
            return Err(format!("job id {} does not match its task", job.id));
        }
        if !RoundId::is_valid(&job.round.0) {
            return Err(format!("bad round id {:?}", job.round.0));
        }
        Ok(job)
    }
}

/// The items of a queue message — a JSON array, or a single object — each checked by `check`.
pub(crate) fn decode_batch<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: &str,
    check: fn(T) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let is_array = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    if !is_array {
        let one: T = serde_json::from_slice(body).map_err(|e| format!("not a {what}: {e}"))?;
        return check(one).map(|one| vec![one]);
    }
    let mut items: Vec<T> =
        serde_json::from_slice(body).map_err(|e| format!("not a batch of {what}s: {e}"))?;
    // Read item by item, the vector grew by doubling; a worker holds its deliveries' jobs
    // until each has a slot, so the room never used would be held with them.
    items.shrink_to_fit();
    if items.is_empty() {
        return Err(format!("an empty batch of {what}s"));
    }
    items.into_iter().map(check).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_work() {
        let a = Task::Link {
            url: Url::parse("http://a.gov.cn/x").unwrap(),
        };
        let b = a.clone();
        assert_eq!(a.id(), b.id());
        let c = Task::Link {
            url: Url::parse("http://a.gov.cn/y").unwrap(),
        };
        assert_ne!(a.id(), c.id());
    }

    #[test]
    fn decode_refuses_bad_messages() {
        let r = RoundId("2020Q4-abc".into());
        let job = Job::new(
            &r,
            Task::Menu {
                account: "x".into(),
            },
        );
        assert_eq!(Job::decode_batch(&job.encode()).unwrap(), vec![job.clone()]);
        assert!(Job::decode_batch(b"{not json").is_err());
        let mut other = job.clone();
        other.v = 9;
        assert!(
            Job::decode_batch(&other.encode())
                .unwrap_err()
                .contains("version")
        );
        let mut forged = job;
        forged.id = JobId("0000".into());
        assert!(
            Job::decode_batch(&forged.encode())
                .unwrap_err()
                .contains("does not match")
        );
    }

    #[test]
    fn batches_carry_several_jobs_and_refuse_a_bad_one() {
        let r = RoundId("2020Q4-abc".into());
        let jobs: Vec<Job> = ["http://a.gov.cn/x", "http://a.gov.cn/y"]
            .iter()
            .map(|u| {
                Job::new(
                    &r,
                    Task::Link {
                        url: Url::parse(u).unwrap(),
                    },
                )
            })
            .collect();
        assert_eq!(Job::decode_batch(&Job::encode_batch(&jobs)).unwrap(), jobs);
        // A message of one job, as the scheduler sends its initial jobs, is a batch of one.
        assert_eq!(
            Job::decode_batch(&jobs[0].encode()).unwrap(),
            vec![jobs[0].clone()]
        );
        assert!(Job::decode_batch(b" []").unwrap_err().contains("empty"));
        assert!(Job::decode_batch(b"[1, 2]").is_err());
        let mut forged = jobs.clone();
        forged[1].id = JobId("0000".into());
        assert!(
            Job::decode_batch(&Job::encode_batch(&forged))
                .unwrap_err()
                .contains("does not match")
        );
    }
}
