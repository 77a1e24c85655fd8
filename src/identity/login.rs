//! `POST /v1/login`: local account and password (argon2id), in every mode. The checks, the
//! session and the audit are in [`super::service::sessions`].
//!
//! Unknown account and wrong password give the same 401 `bad_credentials` (and take the same
//! time). After `password::MAX_FAILURES` failures of one account name within
//! `password::FAILURE_WINDOW_SECS`, that name is refused with 429 `too_many_attempts` and a
//! `Retry-After` until the window ends. Only with the right password does the answer say that
//! the account is revoked, not yet valid or expired (403 with that code).

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
use crate::api::{AppError, JsonBody};
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

/// `POST /v1/login`.
pub async fn login(
    State(state): State<Identity>,
    rid: RequestId,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, AppError> {
    match sessions::password_login(&state, &rid, &req.account, &req.password).await? {
        PasswordLogin::Session(token, principal) => Ok(session_answer(&token, principal)),
        PasswordLogin::Locked(wait) => {
            let mut resp = AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ApiCode::TooManyAttempts,
                format!("too many failed logins: try again in {wait} seconds"),
            )
            .into_response();
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(wait.max(1)));
            Ok(resp)
        }
    }
}
