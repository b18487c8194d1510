//! A simulated city government web, served on loopback from a scenario file.
//!
//! spotcheck's tests and `spotcheck demo` need a whole city to check: dozens of sites with
//! CMS list pages, GBK pages, a letters board, interview columns, broken links, dead and slow
//! hosts, and the WeChat Official Account API. This crate builds that web from a
//! [`Scenario`] and serves it from one listener that routes by the `Host` header, so reports
//! show real-looking host names; the client reaches them through the registry's DNS
//! override. It depends on no other spotcheck crate: it writes the registry as TOML text.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use spotcheck_sim::{Scenario, Sim};
//!
//! let sim = Sim::start(Scenario::seed(), "127.0.0.1:0".parse()?).await?;
//! let registry = sim.registry_toml();   // [meta] [network] [wechat] [[units]] [[websites]] [[accounts]]
//! let plan = sim.plan_toml();
//! for (var, secret) in sim.secrets() { /* put in the worker's environment */ }
//! // ... run a spot round against `registry` ...
//! let before = sim.truth();            // what a correct report finds
//! sim.rectify();                       // units fix what they were told to fix
//! let after = sim.truth();             // what a correct re-check finds
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # API
//! - [`Scenario::from_toml`], [`Scenario::load`], [`Scenario::seed`] (the seed notice's
//!   city, 景德镇市 2020 Q3, embedded from `scenarios/jdz-2020q4.toml`). The file format is
//!   described in [`scenario`].
//! - [`Sim::start`]`(scenario, listen)` (port 0 allowed), [`Sim::addr`],
//!   [`Sim::registry_toml`], [`Sim::plan_toml`], [`Sim::window`], [`Sim::as_of`],
//!   [`Sim::secrets`].
//! - [`Sim::rectify`]: every injected fault is fixed except those marked `persist`; dead
//!   sites come back on the same URL. Registry URLs never change.
//! - [`Sim::requests`]: every request served, in order ([`RequestRecord`]), and
//!   [`Sim::clear_requests`]; [`Sim::wechat_calls`]: every WeChat API call with the appid it
//!   acted for; [`Sim::expire_wechat_tokens`] to test token refresh.
//! - [`Sim::hosts`], [`Sim::site_url`], [`Sim::scenario`], [`Sim::is_rectified`].
//! - [`Sim::truth`]: the ground truth of what is served now ([`Truth`]).
//! - Dropping the [`Sim`] or [`Sim::shutdown`] stops it.
//!
//! # What is served
//! - Homepages with a dated news list, navigation to the site's columns, injected broken
//!   links (404, 500, soft 404, deep link redirected home) and 友情链接 to other sites; UTF-8
//!   or GBK (charset in `<meta>` only, or in the header only).
//! - Column list pages in three CMS families: TRS WCM (`createPageHTML(...)` pagination,
//!   `index_N.html`), Hanweb JCMS (records in `<script type="text/xml">`, the rest from
//!   `/module/web/jpage/dataproxy.jsp`), plain `<ul>`/`<table>` lists with `?page=N`.
//!   Blank columns show 暂无信息. Every listed item has an article page.
//! - A letters board: a paginated table whose header row names the columns, units under
//!   their names or aliases, letters before, inside and after the window.
//! - Dead sites: a port bound without listening, so connections are refused. Slow sites:
//!   answers after a delay. Firewalled sites: HTTP 429 with `Retry-After` beyond a rate.
//! - `api.weixin.qq.com`: `/cgi-bin/token`, `/cgi-bin/stable_token`,
//!   `/cgi-bin/get_current_selfmenu_info`, `/cgi-bin/menu/get`, with the error codes the
//!   scenario asks for. `mp.weixin.qq.com/s/...`: articles, deleted or blocked articles, the
//!   环境异常 captcha.
//!
//! Everything is generated deterministically from the scenario (no randomness), so the same
//! scenario always serves the same web.

pub(crate) mod generate;
pub(crate) mod registry;
pub(crate) mod render;
pub(crate) mod respond;
pub mod scenario;
mod server;
pub mod truth;
pub(crate) mod wechat;
pub(crate) mod wechat_layout;
pub(crate) mod world;

pub use scenario::{Scenario, ScenarioError};
pub use server::{RequestRecord, Sim, SimError};
pub use truth::{LetterCount, LinkKind, Truth, WordingError};
pub use wechat::WechatCall;
