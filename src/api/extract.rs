//! Typed request extractors: a JSON body and a query string whose rejection is an [`AppError`]
//! (the same status, code and message everywhere), so handlers take `JsonBody<T>` or
//! `QueryParams<T>` instead of handling axum's rejections one by one. A handler that must check
//! something before the body (authorisation, a header) takes `Result<JsonBody<T>, AppError>` and
//! applies `?` where the check order requires.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{ApiCode, AppError};

/// A JSON request body: 415 `bad_content_type` without a JSON content type, 400 `bad_json` when
/// it does not parse, 422 `bad_request_body` when it does not fit `T`.
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

/// The client's IP address, as the listener saw it (`None` when the app is served without
/// connection info, e.g. called in process). Never rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_canonical()),
        ))
    }
}

/// The body of requests that carry no data: `{}` (a JSON body, which cross-site forms cannot
/// send).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyBody {}
