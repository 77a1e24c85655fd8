//! Typed request extractors: a JSON body, a query string and path parameters whose rejection is
//! an [`AppError`] (the same status, code and message everywhere), so handlers take `JsonBody<T>`,
//! `QueryParams<T>` or `PathParams<T>` instead of handling axum's rejections one by one. A handler that must check
//! something before the body (authorisation, a header) takes `Result<JsonBody<T>, AppError>` and
//! applies `?` where the check order requires.

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_LENGTH;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{ApiCode, AppError};

/// The largest request body read (bytes): 2 MiB. A longer one is answered 413
/// `payload_too_large`: at once when its `Content-Length` says so (by [`refuse_large_bodies`],
/// without reading it), else when the reading passes the limit.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// 413 `payload_too_large`.
fn payload_too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ApiCode::PayloadTooLarge,
        format!("a request body has at most {MAX_BODY_BYTES} bytes"),
    )
}

/// Middleware: refuses a request whose `Content-Length` is over [`MAX_BODY_BYTES`] before
/// anything reads its body (a client that sent `Expect: 100-continue` then sends none of it).
pub async fn refuse_large_bodies(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > MAX_BODY_BYTES as u64 => payload_too_large().into_response(),
        _ => next.run(req).await,
    }
}

/// A JSON request body: 415 `bad_content_type` without a JSON content type, 413
/// `payload_too_large` over [`MAX_BODY_BYTES`], 400 `bad_json` when it does not parse, 422
/// `bad_request_body` when it does not fit `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(t) = Json::<T>::from_request(req, state).await?;
        Ok(Self(t))
    }
}

/// A query string: 400 `bad_query` when it does not fit `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(t) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                AppError::bad_request(ApiCode::BadQuery, super::rejection::query_mismatch(&e))
            })?;
        Ok(Self(t))
    }
}

/// Path parameters: 400 `bad_path` when a segment does not fit `T` (for instance a
/// percent-encoding that is not UTF-8). The message is fixed: the rejected input is not echoed.
#[derive(Debug, Clone, Copy, Default)]
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(t) = Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                AppError::bad_request(ApiCode::BadPath, "a path parameter is not valid")
            })?;
        Ok(Self(t))
    }
}

/// The address of the client as the server's socket sees it (the TCP peer; no forwarding
/// header is trusted), with IPv4-mapped IPv6 addresses as IPv4 and IPv6 addresses cut to their
/// /64 network (one host usually holds a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The address `peer`, normalised as above.
    pub fn of(peer: IpAddr) -> Self {
        Self(match peer {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
            },
            v4 @ IpAddr::V4(_) => v4,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) => Ok(Self::of(peer.ip())),
            None => {
                // The listeners are served with connect info; only a server wired otherwise
                // gets here.
                tracing::error!("no client address: the listener does not give connect info");
                Err(AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ApiCode::Internal,
                    "internal error",
                ))
            }
        }
    }
}

/// The body of requests that carry no data: `{}` (a JSON body, which cross-site forms cannot
/// send).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyBody {}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    /// A body over the limit without a `Content-Length` is refused once reading passes it.
    #[tokio::test]
    async fn a_streamed_body_over_the_limit_is_413() {
        let chunks = [vec![b' '; MAX_BODY_BYTES], b"{}".to_vec()].map(Ok::<_, std::io::Error>);
        for (body, want) in [
            (Body::from_stream(futures_util::stream::iter(chunks)), 413),
            (Body::from(vec![b' '; MAX_BODY_BYTES - 2]), 400),
        ] {
            let req = Request::builder()
                .header("content-type", "application/json")
                .body(body)
                .unwrap();
            let err = JsonBody::<serde_json::Value>::from_request(req, &())
                .await
                .err()
                .unwrap();
            assert_eq!(err.status.as_u16(), want, "{err:?}");
            if want == 413 {
                assert_eq!(err.code, ApiCode::PayloadTooLarge);
            }
        }
    }
}
