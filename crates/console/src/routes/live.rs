//! Live progress as server-sent events: a round's page follows its round, the rounds page
//! follows every running round, over one connection each. A stream ends when what it follows
//! is complete, or when the console stops (so shutdown never waits for a round).

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State as Extract};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use serde_json::{Value, json};
use spotcheck_core::ports::{Progress, Store};
use spotcheck_core::round::RoundId;

use crate::State;
use crate::access::Who;
use crate::failure::Failure;
use crate::views::done_percent;

/// How often progress is sent.
const EVERY: Duration = Duration::from_secs(1);

/// A round's progress (`progress` events: total, done, dead, sealed, complete, percent) until
/// it is complete.
pub async fn round(
    _who: Who,
    Extract(state): Extract<Arc<State>>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Failure> {
    let id = RoundId(id);
    // An unknown round is a 404 before the stream starts.
    state.engine.round(&id).await?;
    Ok(live(state, move |state| {
        let id = id.clone();
        async move {
            match progress(&state, &id).await {
                Some(p) => (progress_json(&p), p.complete),
                None => (json!({ "error": "暂时无法读取进度" }), false),
            }
        }
    }))
}

/// The progress of every round still running (`progress` events: `{rounds: {id: …}}`) until
/// none is.
pub async fn rounds(
    _who: Who,
    Extract(state): Extract<Arc<State>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    live(state, |state| async move {
        let Ok(store) = state.engine.store().await else {
            return (json!({ "error": "暂时无法读取进度" }), false);
        };
        let Ok(ids) = store.rounds().await else {
            return (json!({ "error": "暂时无法读取进度" }), false);
        };
        let mut rounds = serde_json::Map::new();
        let mut running = false;
        for id in ids {
            if let Ok(p) = store.progress(&id).await {
                running |= !p.complete;
                rounds.insert(id.0, progress_json(&p));
            }
        }
        (json!({ "rounds": rounds }), !running)
    })
}

async fn progress(state: &State, id: &RoundId) -> Option<Progress> {
    let store = state.engine.store().await.ok()?;
    store
        .progress(id)
        .await
        .inspect_err(|e| tracing::warn!(round = %id, "progress unreadable: {e}"))
        .ok()
}

fn progress_json(p: &Progress) -> Value {
    json!({
        "total": p.total, "done": p.done, "dead": p.dead,
        "sealed": p.sealed, "complete": p.complete,
        "percent": done_percent(p),
    })
}

/// Sends what `poll` reads as a `progress` event, at once and then every [`EVERY`], until it
/// says it was the last one.
fn live<F, Fut>(state: Arc<State>, poll: F) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    F: Fn(Arc<State>) -> Fut + Send + 'static,
    Fut: Future<Output = (Value, bool)> + Send,
{
    let mut stopping = state.stopping.clone();
    let stream = futures_util::stream::unfold(
        (state, poll, true, false),
        |(state, poll, first, finished)| async move {
            if finished {
                return None;
            }
            if !first {
                tokio::time::sleep(EVERY).await;
            }
            let (data, last) = poll(state.clone()).await;
            let event = Event::default().event("progress").data(data.to_string());
            Some((Ok(event), (state, poll, false, last)))
        },
    );
    let stream = stream.take_until(async move {
        let _ = stopping.wait_for(|s| *s).await;
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
