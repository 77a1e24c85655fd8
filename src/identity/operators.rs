//! Operator revocation and re-enabling: `POST /v1/identity/operators/{account}/revoke` and
//! `POST /v1/identity/operators/{account}/enable`.
//!
//! Allowed for the comune's user administrator (for operators of their own comune only) and for
//! the INPS administrator. Revoking records the account in `staff_revocations` (so it cannot log
//! in again until re-enabled) and publishes a [`Revocation`] event, whose subscriber ends the
//! account's sessions and signalling connections on receipt.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Identity;
use super::revocation::Revocation;
use super::{Principal, StaffRole, accounts};
use crate::api::{ApiCode, AppError, EmptyBody, JsonBody};
use crate::audit::{self, AuditAction, Outcome, RequestId, Scope};
use crate::booking::BookingError;
use crate::store::Db;

/// Records `account` as revoked by `by` at `at` (idempotent).
pub async fn mark_revoked(
    db: &Db,
    account: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(), BookingError> {
    sqlx::query(
        "INSERT INTO staff_revocations (subject, revoked_at, revoked_by) VALUES ($1, $2, $3) \
         ON CONFLICT (subject) DO NOTHING",
    )
    .bind(account)
    .bind(at.timestamp())
    .bind(by)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Re-enables `account` (idempotent).
pub async fn mark_enabled(db: &Db, account: &str) -> Result<(), BookingError> {
    sqlx::query("DELETE FROM staff_revocations WHERE subject = $1")
        .bind(account)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The answer: the account and whether it is now revoked.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct OperatorState {
    /// The account id.
    pub account: String,
    /// Whether the account is revoked.
    pub revoked: bool,
}

pub(crate) fn forbidden() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        ApiCode::Forbidden,
        "not allowed to manage this operator",
    )
}

/// 400 `bad_account_id`.
pub(crate) fn bad_account_id() -> AppError {
    AppError::bad_request(
        ApiCode::BadAccountId,
        "the account id must be 1-64 characters of a-z, 0-9, '.', '_' and '-'",
    )
}

/// 404 `unknown_account`.
pub(crate) fn unknown_account() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        ApiCode::UnknownAccount,
        "no such account",
    )
}

/// Checks that `who` may manage operator `account` (the comune's user administrator, for
/// operators of their comune; the INPS administrator) and returns the account.
pub(crate) async fn target(
    db: &Db,
    who: &Principal,
    account: &str,
) -> Result<accounts::Account, AppError> {
    if !matches!(who.role, StaffRole::UserAdmin | StaffRole::InpsAdmin) {
        return Err(forbidden());
    }
    if !accounts::valid_account_id(account) {
        return Err(bad_account_id());
    }
    let Some(found) = accounts::get(db, account).await? else {
        return Err(unknown_account());
    };
    let target = &found.principal;
    if target.role != StaffRole::Operator {
        return Err(forbidden());
    }
    if who.role == StaffRole::UserAdmin
        && (who.comune_istat.is_none() || who.comune_istat != target.comune_istat)
    {
        return Err(forbidden());
    }
    Ok(found)
}

/// Audits a refused change of `account` (a 403): with the id only when it is an account's.
pub(crate) async fn audit_denied(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    action: AuditAction,
    account: &str,
    e: &AppError,
) -> Result<(), AppError> {
    if e.status == StatusCode::FORBIDDEN {
        let scope = if accounts::find(state.store.db(), account).await?.is_some() {
            Scope::target(account)
        } else {
            Scope::default()
        };
        audit::record(&state.store, who, rid, action, scope, Outcome::Denied).await;
    }
    Ok(())
}

async fn change(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    account: &str,
    action: AuditAction,
) -> Result<Json<OperatorState>, AppError> {
    let db = state.store.db();
    let target = match target(db, who, account).await {
        Ok(t) => t.principal,
        Err(e) => {
            audit_denied(state, who, rid, action, account, &e).await?;
            return Err(e);
        }
    };
    let revoked = action == AuditAction::OperatorRevoke;
    if revoked {
        // Recorded first, so a login racing the event is already refused.
        let at = state.store.now();
        mark_revoked(state.store.db(), &target.subject, &who.subject, at).await?;
        state.revocations.publish(Revocation {
            subject: target.subject.clone(),
            reason: action.as_str().to_owned(),
            at,
        });
    } else {
        mark_enabled(state.store.db(), &target.subject).await?;
    }
    let scope = Scope::account(&target);
    audit::record(&state.store, who, rid, action, scope, Outcome::Ok).await;
    Ok(Json(OperatorState {
        account: target.subject,
        revoked,
    }))
}

/// `POST /v1/identity/operators/{account}/revoke`.
pub async fn revoke(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    Path(account): Path<String>,
    JsonBody(EmptyBody {}): JsonBody<EmptyBody>,
) -> Result<Json<OperatorState>, AppError> {
    change(&state, &who, &rid, &account, AuditAction::OperatorRevoke).await
}

/// `POST /v1/identity/operators/{account}/enable`.
pub async fn enable(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    Path(account): Path<String>,
    JsonBody(EmptyBody {}): JsonBody<EmptyBody>,
) -> Result<Json<OperatorState>, AppError> {
    change(&state, &who, &rid, &account, AuditAction::OperatorEnable).await
}
