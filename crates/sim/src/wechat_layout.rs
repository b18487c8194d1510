//! The fixed shape of the simulated WeChat: the hosts its API and its articles answer on, and
//! the menu every account is generated with.
//!
//! Scenario checks (reserved hosts, menu size) and the generated world both read these, so
//! they depend on neither.

/// The host of the fake WeChat Official Account API.
pub(crate) const API_HOST: &str = "api.weixin.qq.com";

/// The host of WeChat articles.
pub(crate) const MP_HOST: &str = "mp.weixin.qq.com";

/// The generated menu's buttons (some drop out when their target does not exist), which a
/// scenario's broken buttons extend or replace.
pub(crate) const MENU_LAYOUT: [(&str, &[&str]); 3] = [
    ("政务公开", &["工作动态", "信息公开", "权威发布"]),
    ("办事服务", &["办事指南", "掌上办事"]),
    ("互动交流", &["咨询投诉", "联系我们"]),
];
