//! `POST /v1/session/password`: a staff member changes their own password, giving the current
//! one. Counted like logins against guessing ([`super::attempts`], so a stolen session cannot
//! try passwords without limit); on success every session of the account ends (this one too)
//! and its meeting connections are cut, as after an administrator's reset: the person logs in
//! again with the new password. Audited as `password.change`, never with either password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use ts_rs::TS;

use super::attempts::{self, Reserved};
use super::revocation::Revocation;
use super::service::accounts;
use super::{Identity, Principal, password};
use crate::api::{ApiCode, AppError, ClientAddr, JsonBody};
use crate::audit::{self, AuditAction, Event, RequestId, Scope};

/// `POST /v1/session/password` body.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password in use.
    pub current_password: String,
    /// The new one (at least 12 characters, not the same).
    pub new_password: String,
}

/// `POST /v1/session/password`.
pub async fn change(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    client: ClientAddr,
    body: Result<JsonBody<PasswordChange>, AppError>,
) -> Result<Response, AppError> {
    let JsonBody(req) = body?;
    password::check_length(&req.new_password, password::MIN_LEN)?;
    if req.new_password == req.current_password {
        return Err(AppError::bad_request(
            ApiCode::SamePassword,
            "the new password is the same as the current one",
        ));
    }
    let (db, now) = (state.store.db(), state.store.now());
    let reservation = match attempts::reserve(db, client, Some(&who.subject), now).await? {
        Reserved::Go(r) => r,
        Reserved::Locked(wait) => return Ok(super::login::locked(wait)),
    };
    let mut account = accounts::get(db, &who.subject)
        .await?
        .ok_or_else(super::principal::unauthenticated)?;
    let Ok(right) = password::verify(&req.current_password, account.password_hash.as_deref()).await
    else {
        attempts::release(db, reservation).await?;
        return Ok(super::login::busy());
    };
    if !right {
        let event = Event::staff(&who, &rid, AuditAction::PasswordChange)
            .scope(Scope::account(&who))
            .denied();
        audit::record(&state.store, event).await;
        return Err(AppError::bad_request(
            ApiCode::WrongPassword,
            "the current password is not right",
        ));
    }
    attempts::succeeded(db, reservation).await?;
    account.password_hash = Some(password::hash(&req.new_password).await);
    accounts::update(db, &account).await?;
    // Every session opened with the old password ends now, this one too.
    state.revocations.publish(Revocation {
        subject: who.subject.clone(),
        reason: AuditAction::PasswordChange.as_str().to_owned(),
        at: now,
    });
    let event = Event::staff(&who, &rid, AuditAction::PasswordChange).scope(Scope::account(&who));
    audit::record(&state.store, event).await;
    Ok((StatusCode::OK, Json(serde_json::json!({ "changed": true }))).into_response())
}
