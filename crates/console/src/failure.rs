//! What went wrong with a request, said once and shown as a page or as JSON.
//!
//! Every handler answers a [`Failure`] rather than panicking: whatever a browser or a script
//! sends, the console answers with a status and a reason and keeps running.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone)]
pub struct Failure {
    pub status: StatusCode,
    pub message: String,
}

impl Failure {
    fn new(status: StatusCode, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::NOT_FOUND, message)
    }
    pub fn bad_request(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::FORBIDDEN, message)
    }
    pub fn conflict(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::CONFLICT, message)
    }
    pub fn unavailable(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }
    pub fn too_many(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::TOO_MANY_REQUESTS, message)
    }
    pub fn internal(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }
}

/// As a page: the reason in the console's layout.
impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let page = crate::views::layout::message_page(&self.title(), &self.message);
        (self.status, page).into_response()
    }
}

impl Failure {
    /// The page title for this kind of failure.
    fn title(&self) -> String {
        match self.status {
            StatusCode::NOT_FOUND => "未找到".into(),
            StatusCode::FORBIDDEN => "没有权限".into(),
            StatusCode::BAD_REQUEST => "输入有误".into(),
            StatusCode::CONFLICT => "暂不能执行".into(),
            StatusCode::TOO_MANY_REQUESTS => "尝试过于频繁".into(),
            StatusCode::SERVICE_UNAVAILABLE => "服务暂不可用".into(),
            StatusCode::UNAUTHORIZED => "请先登录".into(),
            _ => "出错了".into(),
        }
    }
}

/// As JSON for `/api/`: `{"error": reason}` with the status.
pub struct ApiFailure(pub Failure);

impl From<Failure> for ApiFailure {
    fn from(f: Failure) -> ApiFailure {
        ApiFailure(f)
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.0.message });
        (self.0.status, Json(body)).into_response()
    }
}
