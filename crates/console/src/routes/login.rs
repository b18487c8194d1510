//! Logging in and out. The login form carries its own CSRF token (a double-submit cookie), so
//! another site cannot log a browser into an account of its choosing either.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Form;
use axum::extract::{ConnectInfo, Query, State as Extract};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;

use crate::State;
use crate::access::{LOGIN_COOKIE, SESSION_COOKIE, Who, random_token, safe_next};
use crate::failure::Failure;
use crate::views;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn form(
    Extract(state): Extract<Arc<State>>,
    jar: CookieJar,
    Query(q): Query<Next>,
) -> Response {
    login_page(
        &state,
        jar,
        &safe_next(q.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

/// The login page. Its form token is the browser's current one when it has one: a browser
/// loads other things beside the page (its icon, say) that also land on the login page, and a
/// new token each time would invalidate the form on screen.
fn login_page(
    state: &State,
    jar: CookieJar,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let token = jar
        .get(LOGIN_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(random_token);
    let jar = jar.add(state.access.cookie(LOGIN_COOKIE, token.clone()));
    let page = views::login::page(&token, next, error, state.demo_account);
    (status, jar, Html(page.into_string())).into_response()
}

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

pub async fn submit(
    Extract(state): Extract<Arc<State>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(c): Form<Credentials>,
) -> Response {
    let next = safe_next(c.next.as_deref());
    let form_ok = jar
        .get(LOGIN_COOKIE)
        .is_some_and(|k| !c.csrf.is_empty() && k.value() == c.csrf);
    if !form_ok {
        let f = Failure::forbidden("登录表单已失效，请重新登录");
        return login_page(&state, jar, &next, Some(&f.message), f.status);
    }
    match state
        .access
        .login(&c.name, &c.password, &client.ip().to_string())
        .await
    {
        Ok(account) => {
            tracing::info!(user = %account.name, "logged in");
            let jar = jar
                .remove(Cookie::build(LOGIN_COOKIE).path("/"))
                .add(state.access.open(&account));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(f) => login_page(&state, jar, &next, Some(&f.message), f.status),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: Option<String>,
}

pub async fn logout(
    who: Who,
    Extract(state): Extract<Arc<State>>,
    jar: CookieJar,
    form: Result<Form<CsrfOnly>, axum::extract::rejection::FormRejection>,
) -> Result<Response, Failure> {
    let sent = form.ok().and_then(|Form(f)| f.csrf);
    who.check_csrf(sent.as_deref())?;
    state.access.close(&jar);
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}
