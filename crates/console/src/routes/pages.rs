//! The pages: rounds, starting a round, a round, trends (live progress is in [`super::live`]).

use std::sync::Arc;

use axum::extract::{Multipart, Path, Query, State as Extract};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use spotcheck_core::round::RoundId;
use spotcheck_core::window::Window;

use super::actions::{self, Refused};
use crate::State;
use crate::access::Who;
use crate::failure::Failure;
use crate::input::Submission;
use crate::views;
use crate::views::round::{Context, Filter};
use crate::views::start::Defaults;

pub async fn home(_who: Who) -> Redirect {
    Redirect::to("/rounds")
}

pub async fn unknown(_who: Who) -> Failure {
    Failure::not_found("没有这个页面")
}

fn html(m: maud::Markup) -> Response {
    Html(m.into_string()).into_response()
}

pub async fn rounds(who: Who, Extract(state): Extract<Arc<State>>) -> Result<Response, Failure> {
    let rounds = state.engine.rounds().await?;
    Ok(html(views::rounds::page(&who, &rounds)))
}

pub async fn trends(who: Who, Extract(state): Extract<Arc<State>>) -> Result<Response, Failure> {
    let rounds = state.engine.rounds().await?;
    Ok(html(views::trends::page(&who, &rounds)))
}

fn defaults(state: &State) -> Defaults {
    match &state.demo {
        Some(sim) => {
            let (from, to) = sim.window();
            Defaults {
                preloaded: Some(format!("模拟城市 {}（演示）", sim.scenario().meta.region)),
                window: format!("{from}..{to}"),
                as_of: sim.as_of().to_string(),
                allow_private: true,
            }
        }
        None => {
            let today = actions::today();
            let w = Window::last_quarter(today);
            Defaults {
                preloaded: None,
                window: format!("{}..{}", w.from, w.to),
                as_of: today.to_string(),
                allow_private: false,
            }
        }
    }
}

pub async fn start_form(
    who: Who,
    Extract(state): Extract<Arc<State>>,
) -> Result<Response, Failure> {
    who.must_operate()?;
    Ok(html(views::start::page(&who, &defaults(&state), None)))
}

/// The start form as sent: its fields, the files' text and names.
#[derive(Default)]
struct StartForm {
    csrf: Option<String>,
    preloaded: bool,
    submission: Submission,
    /// Files that are not text (a registry saved as GBK, a spreadsheet).
    unreadable: Vec<String>,
}

async fn read_form(mut m: Multipart) -> Result<StartForm, Failure> {
    let bad = |e: &dyn std::fmt::Display| Failure::bad_request(format!("表单无法读取：{e}"));
    let mut f = StartForm::default();
    while let Some(field) = m.next_field().await.map_err(|e| bad(&e))? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| bad(&e))?;
        let text = String::from_utf8(bytes.to_vec());
        let s = &mut f.submission;
        match name.as_str() {
            "registry" | "plan" => {
                let Ok(text) = text else {
                    f.unreadable.push(format!(
                        "{} 不是 UTF-8 编码的文本文件：请以 UTF-8 保存后重新上传",
                        file_name.unwrap_or(name)
                    ));
                    continue;
                };
                if name == "registry" {
                    s.registry = text;
                    s.registry_name = file_name;
                } else {
                    s.plan = Some(text);
                    s.plan_name = file_name;
                }
            }
            other => {
                let text = text.unwrap_or_default();
                match other {
                    "csrf" => f.csrf = Some(text),
                    "source" => f.preloaded = text == "preloaded",
                    "window" => s.window = Some(text),
                    "as_of" => s.as_of = Some(text),
                    "allow_private" => s.allow_private = text == "true",
                    _ => {}
                }
            }
        }
    }
    Ok(f)
}

pub async fn start(
    who: Who,
    Extract(state): Extract<Arc<State>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Failure> {
    who.must_operate()?;
    let multipart = multipart.map_err(|e| Failure::bad_request(format!("表单无法读取：{e}")))?;
    let mut form = read_form(multipart).await?;
    who.check_csrf(form.csrf.as_deref())?;
    if !form.unreadable.is_empty() {
        let rejection = crate::input::Rejection {
            files: Vec::new(),
            fields: std::mem::take(&mut form.unreadable),
        };
        return Ok(rejected(&state, &who, &form.submission, &rejection));
    }
    if form.preloaded {
        let sim = state
            .demo
            .as_ref()
            .ok_or_else(|| Failure::bad_request("没有预置名册，请上传名册文件"))?;
        form.submission.registry = sim.registry_toml();
        form.submission.registry_name = Some("预置名册.toml".into());
        form.submission.plan = Some(sim.plan_toml());
        form.submission.plan_name = Some("预置方案.toml".into());
    } else if form.submission.registry.trim().is_empty() {
        form.submission.registry_name = Some(
            form.submission
                .registry_name
                .take()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "（未选择名册文件）".into()),
        );
    }
    match actions::start(&state, &who, &form.submission).await {
        Ok(id) => Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
        Err(Refused::Input(rejection)) => Ok(rejected(&state, &who, &form.submission, &rejection)),
        Err(Refused::Failure(f)) => Err(f),
    }
}

/// The start form again, with what was entered and every problem found in it.
fn rejected(
    state: &State,
    who: &Who,
    submission: &Submission,
    rejection: &crate::input::Rejection,
) -> Response {
    let mut d = defaults(state);
    d.window = submission.window.clone().unwrap_or(d.window);
    d.as_of = submission.as_of.clone().unwrap_or(d.as_of);
    let page = views::start::page(who, &d, Some(rejection));
    (StatusCode::BAD_REQUEST, Html(page.into_string())).into_response()
}

pub async fn round(
    who: Who,
    Extract(state): Extract<Arc<State>>,
    Path(id): Path<String>,
    filter: Result<Query<Filter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let id = RoundId(id);
    let view = state.engine.round(&id).await?;
    let all = if view.round.parent.is_none() && view.report.is_some() {
        state.engine.rounds().await?
    } else {
        Vec::new()
    };
    let rechecks = all
        .iter()
        .filter(|v| v.round.parent.as_ref() == Some(&id))
        .collect();
    let recheck_as_of = match &state.demo {
        Some(sim) => sim.as_of(),
        None => actions::today(),
    };
    let cx = Context {
        rechecks,
        recheck_as_of: recheck_as_of.to_string(),
        filter: filter.map(|q| q.0).unwrap_or_default(),
    };
    Ok(html(views::round::page(&who, &view, &cx)))
}

#[derive(serde::Deserialize)]
pub struct RecheckForm {
    csrf: Option<String>,
    as_of: Option<String>,
}

pub async fn recheck(
    who: Who,
    Extract(state): Extract<Arc<State>>,
    Path(id): Path<String>,
    form: Result<axum::Form<RecheckForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, Failure> {
    who.must_operate()?;
    let axum::Form(form) = form.map_err(|e| Failure::bad_request(e.body_text()))?;
    who.check_csrf(form.csrf.as_deref())?;
    let new = actions::recheck(&state, &who, &id, form.as_of.as_deref()).await?;
    Ok(Redirect::to(&format!("/rounds/{new}")).into_response())
}
