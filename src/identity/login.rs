//! `POST /v1/login`: local account and password (argon2id), in every mode.
//!
//! Unknown account and wrong password give the same 401 `bad_credentials` (and take the same
//! time). After [`password::MAX_FAILURES`] failures of one account name within
//! [`password::FAILURE_WINDOW_SECS`], that name is refused with 429 `too_many_attempts` and a
//! `Retry-After` until the window ends. Only with the right password does the answer say that
//! the account is revoked, not yet valid or expired (403 with that code).

use axum::Json;
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Identity;
use super::session::set_cookie;
use super::{Principal, accounts, csrf, password};
use crate::api::{ApiCode, AppError, JsonBody};
use crate::audit::{self, AuditAction, Outcome, RequestId, Scope};

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

fn bad_credentials() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        ApiCode::BadCredentials,
        "unknown account or wrong password",
    )
}

/// Opens a session for an admitted `principal` and audits the login; returns the cookie token.
/// Every login path (password, demo, OIDC) goes through it.
pub async fn start_session(
    state: &Identity,
    rid: &RequestId,
    principal: &Principal,
) -> Result<String, AppError> {
    let token = state.sessions.create(principal).await?;
    let scope = Scope::target(principal.subject.clone());
    audit::record(
        &state.store,
        principal,
        rid,
        AuditAction::SessionLogin,
        scope,
        Outcome::Ok,
    )
    .await;
    Ok(token)
}

/// Opens a session and answers it as JSON with its cookie (the password and demo logins).
pub async fn open_session(
    state: &Identity,
    rid: &RequestId,
    principal: Principal,
) -> Result<Response, AppError> {
    let token = start_session(state, rid, &principal).await?;
    let answer = LoginAnswer {
        principal,
        csrf_token: csrf::token_for(&token),
    };
    Ok(([(SET_COOKIE, set_cookie(&token))], Json(answer)).into_response())
}

/// Audits a refused login of a known account.
pub async fn refused(state: &Identity, rid: &RequestId, principal: &Principal) {
    let scope = Scope::target(principal.subject.clone());
    audit::record(
        &state.store,
        principal,
        rid,
        AuditAction::SessionLogin,
        scope,
        Outcome::Denied,
    )
    .await;
}

/// `POST /v1/login`.
pub async fn login(
    State(state): State<Identity>,
    rid: RequestId,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, AppError> {
    // Any length may be tried (a wrong one is just wrong), up to the hashing bound.
    password::check_length(&req.password, 0)?;
    let db = state.store.db();
    let now = state.store.now();
    // What was typed as the account is request content (it may be a person's name): it is
    // recorded only once it is known to be an account id.
    let name = req.account.trim().to_ascii_lowercase();
    if !accounts::valid_account_id(&name) {
        password::verify(&req.password, None).await;
        audit::record_anonymous(
            &state.store,
            &rid,
            AuditAction::SessionLogin,
            Outcome::Denied,
        )
        .await;
        return Err(bad_credentials());
    }
    if let Some(wait) = password::locked_for(db, &name, now).await? {
        audit::record_anonymous(
            &state.store,
            &rid,
            AuditAction::SessionLogin,
            Outcome::Denied,
        )
        .await;
        let mut resp = AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ApiCode::TooManyAttempts,
            format!("too many failed logins: try again in {wait} seconds"),
        )
        .into_response();
        resp.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(wait.max(1)));
        return Ok(resp);
    }
    let account = accounts::get(db, &name).await?;
    let hash = account.as_ref().and_then(|a| a.password_hash.as_deref());
    if !password::verify(&req.password, hash).await {
        password::record_failure(db, &name, now).await?;
        match &account {
            Some(a) => refused(&state, &rid, &a.principal).await,
            None => {
                audit::record_anonymous(
                    &state.store,
                    &rid,
                    AuditAction::SessionLogin,
                    Outcome::Denied,
                )
                .await;
            }
        }
        return Err(bad_credentials());
    }
    let Some(account) = account else {
        return Err(bad_credentials());
    };
    password::clear_failures(db, &name).await?;
    if let Err(e) = accounts::check(&account, now) {
        refused(&state, &rid, &account.principal).await;
        return Err(e.into_app_error());
    }
    open_session(&state, &rid, account.principal).await
}
