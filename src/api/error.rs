//! The error answered over HTTP: a status and a JSON body `{code, message}`, never internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::ApiCode;

/// The result of a handler.
pub type ApiResult<T> = Result<T, AppError>;

/// An error answered to an HTTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable code.
    pub code: ApiCode,
    /// Human-readable explanation.
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    code: ApiCode,
    message: &'a str,
}

impl AppError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: ApiCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: ApiCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ApiCode::NotFound, "no such resource")
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = Json(Body {
            code: self.code,
            message: &self.message,
        });
        (self.status, body).into_response()
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection as R;
        if super::body_deadline::is_body_timeout(&rejection) {
            return Self::new(
                StatusCode::REQUEST_TIMEOUT,
                ApiCode::RequestTimeout,
                "the request body was not received in time",
            );
        }
        // Fixed texts: a parser's message may quote the body (see `super::rejection`).
        let (status, code, message) = match &rejection {
            R::MissingJsonContentType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ApiCode::BadContentType,
                "the body must be JSON (Content-Type: application/json)".to_owned(),
            ),
            R::JsonSyntaxError(_) => (
                StatusCode::BAD_REQUEST,
                ApiCode::BadJson,
                "the body is not valid JSON".to_owned(),
            ),
            R::JsonDataError(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiCode::BadRequestBody,
                super::rejection::body_mismatch(e),
            ),
            // Over the body limit (`DefaultBodyLimit`): axum gives this status to that case only.
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Self::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ApiCode::PayloadTooLarge,
                    format!("a request body has at most {} bytes", super::MAX_BODY_BYTES),
                );
            }
            _ => (
                StatusCode::BAD_REQUEST,
                ApiCode::BadRequestBody,
                "the body could not be read".to_owned(),
            ),
        };
        Self::new(status, code, message)
    }
}
