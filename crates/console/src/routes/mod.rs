//! The console's routes: the login, the pages, the downloads and the JSON API.

mod actions;
mod api;
mod files;
mod live;
mod login;
mod pages;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::State;

/// Uploaded registries and plans are text files: a few megabytes is already a huge city.
const BODY_LIMIT: usize = 8 * 1024 * 1024;

pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/rounds", get(pages::rounds).post(pages::start))
        .route("/rounds/new", get(pages::start_form))
        .route("/rounds/{id}", get(pages::round))
        .route("/rounds/events", get(live::rounds))
        .route("/rounds/{id}/events", get(live::round))
        .route("/rounds/{id}/recheck", post(pages::recheck))
        .route("/rounds/{id}/notices/{n}", get(files::unit_notice))
        .route("/rounds/{id}/{file}", get(files::page_file))
        .route("/trends", get(pages::trends))
        .route("/api/rounds", get(api::rounds).post(api::start))
        .route("/api/rounds/{id}", get(api::status))
        .route("/api/rounds/{id}/recheck", post(api::recheck))
        .route("/api/rounds/{id}/{file}", get(files::api_file))
        .route("/api/{*rest}", get(api::unknown).post(api::unknown))
        .fallback(pages::unknown)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}
