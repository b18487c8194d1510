//! The JSON API for scripts, under `/api/` with a bearer token (or a session, with the CSRF
//! token in the `X-CSRF-Token` header for requests that change something).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use spotcheck_core::round::RoundId;

use super::actions::{self, Refused};
use crate::State;
use crate::access::{CSRF_HEADER, Who};
use crate::engine::RoundView;
use crate::failure::{ApiFailure, Failure};
use crate::input::Submission;

fn csrf(headers: &HeaderMap) -> Option<&str> {
    headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}

fn row(v: &RoundView) -> serde_json::Value {
    let r = &v.round;
    let mut row = v.progress.status_json(&r.id);
    row["kind"] = serde_json::json!(r.kind);
    row["parent"] = serde_json::json!(r.parent);
    row["window"] = serde_json::json!({ "from": r.window.from, "to": r.window.to });
    row["as_of"] = serde_json::json!(r.as_of);
    if let Some(rep) = &v.report {
        row["sample_rate"] = serde_json::json!(rep.summary.sample_rate);
        row["pass_rate"] = serde_json::json!(rep.summary.pass_rate);
        row["findings"] = serde_json::json!(rep.findings.len());
    }
    row
}

/// Every round, oldest first: its status, kind, window and as-of, and its rates once complete.
pub async fn rounds(
    _who: Who,
    Extract(state): Extract<Arc<State>>,
) -> Result<Response, ApiFailure> {
    let rounds = state.engine.rounds().await?;
    Ok(Json(rounds.iter().map(row).collect::<Vec<_>>()).into_response())
}

pub async fn status(
    _who: Who,
    Extract(state): Extract<Arc<State>>,
    Path(id): Path<String>,
) -> Result<Response, ApiFailure> {
    let view = state.engine.round(&RoundId(id)).await?;
    Ok(Json(view.progress.status_json(&view.round.id)).into_response())
}

/// `{registry, plan?, window?, as_of?, allow_private?}` → 201 `{id}`; bad input → 400 with
/// every problem (`{error, problems: {files, fields}}`).
pub async fn start(
    who: Who,
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    body: Result<Json<Submission>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiFailure> {
    who.must_operate()?;
    who.check_csrf(csrf(&headers))?;
    let Json(submission) = body.map_err(|e| Failure::bad_request(e.body_text()))?;
    match actions::start(&state, &who, &submission).await {
        Ok(id) => {
            Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))).into_response())
        }
        Err(Refused::Input(r)) => {
            let body = serde_json::json!({ "error": r.summary(), "problems": r });
            Ok((StatusCode::BAD_REQUEST, Json(body)).into_response())
        }
        Err(Refused::Failure(f)) => Err(f.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct RecheckBody {
    as_of: Option<String>,
}

/// `{as_of?}` → 201 `{id}` of the re-check.
pub async fn recheck(
    who: Who,
    Extract(state): Extract<Arc<State>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<RecheckBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiFailure> {
    who.must_operate()?;
    who.check_csrf(csrf(&headers))?;
    let Json(body) = body.map_err(|e| Failure::bad_request(e.body_text()))?;
    let new = actions::recheck(&state, &who, &id, body.as_of.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": new.0 })),
    )
        .into_response())
}

pub async fn unknown(_who: Who) -> ApiFailure {
    ApiFailure(Failure::not_found("没有这个 API"))
}
