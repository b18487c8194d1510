//! The Redis store: results, progress and round completion shared by a pool of processes.
//!
//! Every key starts with the deployment's namespace, so deployments (and tests running in
//! parallel) share one Redis without colliding. By concern:
//!
//! - `options`: [`RedisOptions`], the store's settings;
//! - `keys`: the key layout (the table of every key the store and the host gates use);
//! - `scripts`: the Lua scripts that make every write atomic (they are the `.lua` files beside
//!   this one);
//! - `connection`: connecting, and retrying a call that met a broken connection;
//! - `link`: [`RedisLink`], the connection every call goes through, replaced when Redis
//!   stops answering;
//! - `calls`: call ids, which make a retried write answer as the call it repeats;
//! - `rounds`: round records and the namespace's list of rounds;
//! - `completion`: a round's expected jobs, sealing, and its progress;
//! - `results`: recording results (one, or a batch) and reading them back;
//! - `compaction`: packing a completed round's results and dropping what only a round in
//!   progress needs;
//! - `retention`: how long a round's keys live (a packed round: until pruned), and deleting a
//!   namespace;
//! - `schedule`: claims on scheduled rounds, fenced, so each starts once;
//! - `prune`: removing old rounds, but not those a later re-check refers to;
//! - `turns`: collectors' turns at publishing a round's follow-up jobs;
//! - `store`: the [`Store`](spotcheck_core::ports::Store) port, put together from the above.
//!
//! Redis Cluster is not supported (the scripts touch several keys of different hash slots); a
//! single Redis, or one behind Sentinel, is — version 6.2 or later (`SMISMEMBER` asks about
//! a page's thousands of links in one command).

mod calls;
mod compaction;
mod completion;
mod connection;
mod keys;
mod link;
mod options;
mod prune;
mod results;
mod retention;
mod rounds;
mod schedule;
mod scripts;
mod store;
mod turns;

use spotcheck_core::namespace::Namespace;

pub use self::link::RedisLink;
pub use self::options::RedisOptions;
pub use self::prune::Pruned;
pub use self::schedule::Claim;
use self::scripts::Scripts;

/// The store on Redis. Cloning is not needed: share it behind an `Arc` (the connection inside
/// is multiplexed).
pub struct RedisStore {
    conn: RedisLink,
    ns: Namespace,
    opts: RedisOptions,
    scripts: Scripts,
}
