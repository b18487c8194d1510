//! Downloads of a round: the reports in every format, each unit's 整改通知单 and all of them
//! as one zip. The same files for a page (with a session) and for the API.

use std::sync::Arc;

use axum::extract::{Path, State as Extract};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use spotcheck_core::round::RoundId;
use spotcheck_report::render;

use crate::State;
use crate::access::Who;
use crate::failure::{ApiFailure, Failure};
use crate::notices;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub async fn page_file(
    _who: Who,
    Extract(state): Extract<Arc<State>>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, Failure> {
    round_file(&state, &id, &file).await
}

pub async fn api_file(
    _who: Who,
    Extract(state): Extract<Arc<State>>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiFailure> {
    Ok(round_file(&state, &id, &file).await?)
}

/// `report.{json,md,html,xlsx,docx}` or `notices.zip` of a complete round.
async fn round_file(state: &State, id: &str, file: &str) -> Result<Response, Failure> {
    let view = state.engine.round(&RoundId(id.to_string())).await?;
    let Some(report) = view.report else {
        return Err(Failure::conflict(format!(
            "轮次 {id} 尚未完成，完成后才能下载报告"
        )));
    };
    let render_failed = |e: render::RenderError| Failure::internal(e.to_string());
    let (bytes, kind, name): (Vec<u8>, &str, String) = match file {
        "report.json" => (
            serde_json::to_vec_pretty(report.as_ref())
                .map_err(|e| Failure::internal(e.to_string()))?,
            "application/json",
            format!("{id}-report.json"),
        ),
        "report.md" => (
            render::to_markdown(&report).into_bytes(),
            "text/markdown; charset=utf-8",
            format!("{id}-report.md"),
        ),
        "report.html" => (
            render::to_html(&report).into_bytes(),
            "text/html; charset=utf-8",
            String::new(),
        ),
        "report.xlsx" => (
            render::to_xlsx(&report).map_err(render_failed)?,
            XLSX,
            format!("{id}-report.xlsx"),
        ),
        "report.docx" => (
            render::to_docx(&report).map_err(render_failed)?,
            DOCX,
            format!("{id}-report.docx"),
        ),
        "notices.zip" => (
            notices::all_zip(&report)?,
            "application/zip",
            format!("{id}-整改通知单.zip"),
        ),
        other => return Err(Failure::not_found(format!("没有文件 {other}"))),
    };
    Ok(download(bytes, kind, &name))
}

/// The 整改通知单 of the n-th unit with problems.
pub async fn unit_notice(
    _who: Who,
    Extract(state): Extract<Arc<State>>,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let view = state.engine.round(&RoundId(id.clone())).await?;
    let report = view
        .report
        .ok_or_else(|| Failure::conflict(format!("轮次 {id} 尚未完成")))?;
    let units = spotcheck_report::notice::units_with_problems(&report);
    let unit = n
        .parse::<usize>()
        .ok()
        .and_then(|i| units.get(i))
        .ok_or_else(|| Failure::not_found(format!("轮次 {id} 没有第 {n} 个有问题的单位")))?;
    let bytes = notices::unit_docx(&report, unit)?;
    Ok(download(
        bytes,
        DOCX,
        &spotcheck_report::render::unit_docx_name(unit),
    ))
}

/// A response with the content type, and — for files to save — the file name (RFC 6266, so
/// Chinese names arrive intact).
fn download(bytes: Vec<u8>, kind: &str, name: &str) -> Response {
    let mut r = ([(header::CONTENT_TYPE, kind.to_string())], bytes).into_response();
    if !name.is_empty() {
        let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        if let Ok(v) = format!("attachment; filename*=UTF-8''{encoded}").parse() {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    r
}
