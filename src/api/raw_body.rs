//! A raw request body (an uploaded file), read frame by frame up to a limit: the answer past the
//! limit is given as soon as the limit is passed and the rest is never read or kept.

use axum::extract::Request;
use axum::http::StatusCode;
use futures_util::StreamExt as _;

use super::body_deadline::is_body_timeout;
use super::{ApiCode, ApiResult, AppError};

/// The body of `req`, at most `max` bytes: `too_large()` past it (also when the declared
/// `Content-Length` is larger), 408 `request_timeout` when it comes too slowly, 400
/// `bad_request_body` when the connection breaks.
pub async fn read_limited(
    req: Request,
    max: usize,
    too_large: impl Fn() -> AppError,
) -> ApiResult<Vec<u8>> {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let capacity = declared.map_or(64 * 1024, |n| usize::try_from(n).unwrap_or(0));
    let mut bytes = Vec::with_capacity(capacity.min(max));
    let mut body = req.into_body().into_data_stream();
    while let Some(data) = body.next().await {
        let data = data.map_err(|e| {
            if is_body_timeout(&e) {
                AppError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    ApiCode::RequestTimeout,
                    "the file was not received in time",
                )
            } else {
                AppError::bad_request(ApiCode::BadRequestBody, "the upload was interrupted")
            }
        })?;
        if bytes.len() + data.len() > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&data);
    }
    Ok(bytes)
}
