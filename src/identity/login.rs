//! `POST /v1/login`: local account and password (argon2id), in every mode. The checks, the
//! session and the audit are in [`super::service::sessions`].
//!
//! Unknown account and wrong password give the same 401 `bad_credentials` (and take the same
//! time). Over an attempt limit ([`super::attempts`]: per account name and client address, per
//! address, per account name) the answer is 429 `too_many_attempts` with a `Retry-After`; when
//! the hashing workers are busy ([`super::hashing`]), 503 `login_busy` with a `Retry-After`.
//! Only with the right password does the answer say that the account is revoked, not yet valid
//! or expired (403 with that code).

use axum::Json;
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::service::sessions::{self, PasswordLogin};
use super::session::set_cookie;
use super::{Identity, Principal, csrf};
use crate::api::ApiCode;
use crate::api::{AppError, ClientAddr, JsonBody};
use crate::audit::RequestId;

/// `POST /v1/login` body.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account id.
    pub account: String,
    /// The password.
    pub password: String,
}

/// The answer of a successful login (password, demo): who, and the CSRF token of the session.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LoginAnswer {
    /// Who is now signed in.
    #[serde(flatten)]
    pub principal: Principal,
    /// The header `x-csrf-token` of this session's state-changing requests.
    pub csrf_token: String,
}

/// Answers an opened session as JSON with its cookie (the password and demo logins).
pub fn session_answer(token: &str, principal: Principal) -> Response {
    let answer = LoginAnswer {
        principal,
        csrf_token: csrf::token_for(token),
    };
    ([(SET_COOKIE, set_cookie(token))], Json(answer)).into_response()
}

/// Seconds a client is told to wait after 503 `login_busy`.
const BUSY_RETRY_SECS: u32 = 2;

/// An error answer with a `Retry-After` of `seconds` (at least 1).
fn retry_after(error: AppError, seconds: i64) -> Response {
    let mut resp = error.into_response();
    resp.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    resp
}

/// `POST /v1/login`.
pub async fn login(
    State(state): State<Identity>,
    rid: RequestId,
    client: ClientAddr,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, AppError> {
    match sessions::password_login(&state, &rid, client, &req.account, &req.password).await? {
        PasswordLogin::Session(token, principal) => Ok(session_answer(&token, principal)),
        PasswordLogin::Locked(wait) => Ok(locked(wait)),
        PasswordLogin::Busy => Ok(busy()),
    }
}

/// 429 `too_many_attempts` with a `Retry-After` of `wait` seconds.
pub(super) fn locked(wait: i64) -> Response {
    retry_after(
        AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ApiCode::TooManyAttempts,
            format!("too many failed attempts: try again in {wait} seconds"),
        ),
        wait,
    )
}

/// 503 `login_busy` with a `Retry-After`: no hashing worker was free.
pub(super) fn busy() -> Response {
    retry_after(
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ApiCode::LoginBusy,
            format!("too many password checks at once: try again in {BUSY_RETRY_SECS} seconds"),
        ),
        BUSY_RETRY_SECS.into(),
    )
}
