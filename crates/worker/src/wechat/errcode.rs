//! What the API's `{"errcode", "errmsg"}` answers mean, and what to do about each.
//!
//! The API answers HTTP 200 with an errcode for every refusal, so the errcode alone decides
//! between retrying, refreshing the token, and giving up with a notice that tells the
//! operator which setting to change. The texts are Chinese because they end up in the notice
//! (`wechat.unavailable`) read by the city's operators.

/// What the client does with an errcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The access token is invalid or expired: fetch a new one once and try again.
    RefreshToken,
    /// The API is busy: try again after a pause, a couple of times.
    Retry,
    /// A refusal that retrying will not change: report it.
    GiveUp,
}

/// System busy (`-1`).
pub const BUSY: i64 = -1;
/// The account has no custom menu (an answer, not a refusal).
pub const NO_MENU: i64 = 46003;

/// What to do with `code` answered by a menu call (a call that carries an access token).
pub fn action(code: i64) -> Action {
    match code {
        BUSY => Action::Retry,
        40001 | 40014 | 42001 => Action::RefreshToken,
        _ => Action::GiveUp,
    }
}

/// Whether a `stable_token` refusal means the endpoint itself is not there (an old gateway
/// or a proxy in front of the API), so `/cgi-bin/token` is worth trying; a refusal about the
/// account (secret, IP, quota, permission) would be the same on both endpoints.
pub fn stable_token_unsupported(code: i64) -> bool {
    !matches!(
        code,
        BUSY | 40001
            | 40002
            | 40013
            | 40125
            | 40164
            | 40243
            | 41002
            | 41004
            | 45009
            | 45011
            | 48001
            | 50001
            | 50002
            | 89501
            | 89503
    )
}

/// Which call was refused: 40001 means a wrong AppSecret when a token is asked for, and a
/// token invalidated meanwhile when the token is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Token,
    Call,
}

/// The operator's explanation of a refusal: what happened and what to do. `secret_env` names
/// the environment variable that holds the account's AppSecret.
pub fn explain(code: i64, errmsg: &str, secret_env: &str, stage: Stage) -> String {
    let what = match code {
        BUSY => "微信接口系统繁忙，多次重试后仍未成功：稍后重新抽查该公众号".to_string(),
        40001 | 40014 | 42001 if stage == Stage::Call => "access_token 刷新后仍被拒绝：可能有其他系统在频繁获取该公众号的 access_token（/cgi-bin/token 会使旧 token 失效），请改用 stable_token 或稍后重新抽查".to_string(),
        40001 | 40125 => format!(
            "AppSecret 无效或已重置：请在公众平台「设置与开发 > 基本配置」核对开发者密码，并更新工作节点的环境变量 {secret_env}"
        ),
        40014 | 42001 => "微信接口认为 access_token 无效或已过期".to_string(),
        40013 => "AppID 无效：请核对登记表（registry）中该公众号的 appid".to_string(),
        40164 => "调用接口的 IP 地址不在公众号的 IP 白名单中：请在公众平台「设置与开发 > 基本配置 > IP白名单」中加入抽查工作节点的出口 IP".to_string(),
        89501 | 89503 => "公众号管理员尚未确认抽查工作节点的 IP：请管理员在公众平台确认，或将出口 IP 加入 IP 白名单".to_string(),
        40243 => "AppSecret 已被冻结：请公众号管理员在公众平台解冻或重置开发者密码".to_string(),
        45009 => "接口今日调用次数已达上限：次日重新抽查，或由管理员在公众平台清零接口调用次数".to_string(),
        45011 => "接口调用过于频繁：稍后重新抽查".to_string(),
        48001 => "公众号没有该接口的权限（未认证或权限被收回）：请确认公众号已认证并具备自定义菜单接口权限，或在登记表中提供保存的菜单文件 menu_file".to_string(),
        50001 | 50002 => "公众号的接口权限受限（可能因违规被限制）：请公众号管理员在公众平台查看通知".to_string(),
        _ => "微信接口拒绝了请求".to_string(),
    };
    let errmsg = errmsg.trim();
    if errmsg.is_empty() {
        format!("{what}（errcode {code}）")
    } else {
        format!("{what}（errcode {code}：{errmsg}）")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_errors_refresh_busy_retries_refusals_stop() {
        assert_eq!(action(40001), Action::RefreshToken);
        assert_eq!(action(42001), Action::RefreshToken);
        assert_eq!(action(40014), Action::RefreshToken);
        assert_eq!(action(-1), Action::Retry);
        for code in [45009, 40164, 48001, 12345] {
            assert_eq!(action(code), Action::GiveUp);
        }
    }

    #[test]
    fn explanations_say_what_to_do() {
        let t = explain(40164, "invalid ip 1.2.3.4", "WX_SECRET_GAJ", Stage::Call);
        assert!(t.contains("IP白名单") && t.contains("40164") && t.contains("1.2.3.4"));
        assert!(explain(40125, "", "WX_SECRET_GAJ", Stage::Token).contains("WX_SECRET_GAJ"));
        assert!(explain(40001, "", "WX_SECRET_GAJ", Stage::Token).contains("AppSecret"));
        assert!(explain(40001, "", "WX_SECRET_GAJ", Stage::Call).contains("刷新后仍被拒绝"));
        assert!(explain(99999, "odd", "X", Stage::Call).contains("errcode 99999：odd"));
    }

    #[test]
    fn only_endpoint_trouble_switches_token_endpoints() {
        assert!(stable_token_unsupported(40066));
        assert!(stable_token_unsupported(47001));
        assert!(!stable_token_unsupported(40164));
        assert!(!stable_token_unsupported(45009));
    }
}
