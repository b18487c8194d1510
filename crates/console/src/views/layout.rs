//! The frame of every page: title, navigation, who is logged in, and the embedded style and
//! script (nothing is fetched from elsewhere: the console works offline).

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::access::Who;

const STYLE: &str = include_str!("../../assets/console.css");
const SCRIPT: &str = include_str!("../../assets/console.js");

/// A page with the navigation for `who`.
pub fn page(title: &str, who: &Who, body: Markup) -> Markup {
    frame(
        title,
        html! {
            header.top {
                a.brand href="/rounds" { "政府网站与政务新媒体抽查" }
                nav {
                    a href="/rounds" { "轮次" }
                    @if who.role == crate::Role::Operator { a href="/rounds/new" { "发起抽查" } }
                    a href="/trends" { "趋势" }
                }
                div.user {
                    span { (who.name) "（" (who.role.label()) "）" }
                    form method="post" action="/logout" {
                        (csrf_field(who))
                        button.link type="submit" { "退出" }
                    }
                }
            }
            main { (body) }
        },
    )
}

/// The hidden field that carries the session's CSRF token in every form that changes
/// something.
pub fn csrf_field(who: &Who) -> Markup {
    html! { input type="hidden" name="csrf" value=(who.csrf.as_deref().unwrap_or("")); }
}

/// A page without navigation (login, errors).
pub fn frame(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 抽查控制台" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (content)
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

/// A short page that says one thing: an error, or that something is not there.
pub fn message_page(title: &str, message: &str) -> axum::response::Html<String> {
    axum::response::Html(
        frame(
            title,
            html! {
                main.narrow {
                    h1 { (title) }
                    p.message { (message) }
                    p { a href="/rounds" { "返回轮次列表" } }
                }
            },
        )
        .into_string(),
    )
}
