//! The login page.

use maud::{Markup, html};

use super::layout::frame;

pub fn page(csrf: &str, next: &str, error: Option<&str>, demo_hint: bool) -> Markup {
    frame(
        "登录",
        html! {
            main.narrow.login {
                h1 { "政府网站与政务新媒体抽查控制台" }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="next" value=(next);
                    label { "用户名" input name="name" autocomplete="username" required autofocus; }
                    label { "密码" input name="password" type="password" autocomplete="current-password" required; }
                    button type="submit" { "登录" }
                }
                @if demo_hint { p.muted { "演示模式：账号和密码见启动控制台时的输出。" } }
            }
        },
    )
}
