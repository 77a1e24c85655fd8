//! Links from a person at an OIDC provider to a staff account (`staff_oidc_links`): their SQL,
//! who may manage them (the comune's user administrator, for operators of their own comune; the
//! INPS administrator, for any account), and the audit of each change (`oidc_link.create` /
//! `oidc_link.delete` with the account as target, never the subject).
//!
//! The person is stored as [`subject_hash`] only.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use sportello_signalling::TokenKey;

use super::accounts;
use super::operators::{audit_denied, bad_account_id, unknown_account};
use crate::api::ApiCode;
use crate::api::AppError;
use crate::audit::AuditAction;
use crate::audit::{self, Event, RequestId, Scope};
use crate::booking::BookingError;
use crate::identity::oidc::config::valid_name;
use crate::identity::{Identity, Principal, StaffRole};
use crate::store::Db;

/// Longest subject value accepted.
const MAX_SUBJECT: usize = 255;

/// The stored form of a subject: HMAC-SHA256 (lowercase hex) under the server's token key of
/// `oidc-link`, `provider` and `subject`. Without the key (not in the database) a guessed
/// codice fiscale cannot be checked against it.
pub fn subject_hash(key: &TokenKey, provider: &str, subject: &str) -> String {
    key.keyed_digest(&format!("oidc-link\n{provider}"), subject.as_bytes())
}

/// The account linked to (`provider`, `subject_hash`), if any.
pub async fn account_for(
    db: &Db,
    provider: &str,
    subject_hash: &str,
) -> Result<Option<String>, BookingError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT account FROM staff_oidc_links WHERE provider = $1 AND subject_hash = $2",
    )
    .bind(provider)
    .bind(subject_hash)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(a,)| a))
}

/// What [`insert`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// A new link.
    New,
    /// The same link was already there.
    Existing,
    /// The person is already linked to another account.
    OtherAccount,
}

/// Links (`provider`, `subject_hash`) to `account`.
pub async fn insert(
    db: &Db,
    provider: &str,
    subject_hash: &str,
    account: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Inserted, BookingError> {
    let done = sqlx::query(
        "INSERT INTO staff_oidc_links (provider, subject_hash, account, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider, subject_hash) DO NOTHING",
    )
    .bind(provider)
    .bind(subject_hash)
    .bind(account)
    .bind(at.timestamp())
    .bind(by)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 1 {
        return Ok(Inserted::New);
    }
    Ok(match account_for(db, provider, subject_hash).await? {
        Some(a) if a == account => Inserted::Existing,
        _ => Inserted::OtherAccount,
    })
}

/// Removes every link of `account` at `provider`; returns how many.
pub async fn remove(db: &Db, provider: &str, account: &str) -> Result<u64, BookingError> {
    let done = sqlx::query("DELETE FROM staff_oidc_links WHERE provider = $1 AND account = $2")
        .bind(provider)
        .bind(account)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

/// 403 `forbidden`: not allowed to manage this account's links.
fn forbidden() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        ApiCode::Forbidden,
        "not allowed to manage the OIDC links of this account",
    )
}

/// Checks the caller, the provider and the account; returns the account's principal.
async fn target(
    state: &Identity,
    who: &Principal,
    provider: &str,
    account: &str,
) -> Result<Principal, AppError> {
    if !accounts::valid_account_id(account) {
        return Err(bad_account_id());
    }
    if !valid_name(provider) || state.oidc.get(provider).is_none() {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            ApiCode::UnknownProvider,
            "no such OIDC provider",
        ));
    }
    let Some(target) = accounts::find(state.store.db(), account).await? else {
        return Err(unknown_account());
    };
    if who.role == StaffRole::UserAdmin
        && (target.role != StaffRole::Operator
            || who.comune_istat.is_none()
            || who.comune_istat != target.comune_istat)
    {
        return Err(forbidden());
    }
    Ok(target)
}

/// Audits `action`: ok, or denied when the answer is 403 (other refusals are not recorded).
async fn audited<T>(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    action: AuditAction,
    account: &str,
    r: Result<(T, Principal), AppError>,
) -> Result<T, AppError> {
    match r {
        Ok((t, target)) => {
            let scope = Scope::account(&target);
            audit::record(&state.store, Event::staff(who, rid, action).scope(scope)).await;
            Ok(t)
        }
        Err(e) => {
            audit_denied(state, who, rid, action, account, &e).await?;
            Err(e)
        }
    }
}

fn may_manage(who: &Principal) -> Result<(), AppError> {
    if matches!(who.role, StaffRole::UserAdmin | StaffRole::InpsAdmin) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// Checks that `who` may manage links at all; a refusal is audited as `oidc_link.create`.
pub async fn may_create(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
) -> Result<(), AppError> {
    if let Err(e) = may_manage(who) {
        let event = Event::staff(who, rid, AuditAction::OidcLinkCreate).denied();
        audit::record(&state.store, event).await;
        return Err(e);
    }
    Ok(())
}

/// Links the person `subject` at `provider` to `account` (after [`may_create`]): [`Inserted::New`]
/// or [`Inserted::Existing`]; 409 `already_linked` when the person is linked to another account.
pub async fn link(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    provider: &str,
    account: &str,
    subject: &str,
) -> Result<Inserted, AppError> {
    if subject.is_empty() || subject.len() > MAX_SUBJECT || subject.chars().any(char::is_control) {
        return Err(AppError::bad_request(
            ApiCode::BadSubject,
            format!("the subject must be 1-{MAX_SUBJECT} bytes without control characters"),
        ));
    }
    let r = async {
        let target = target(state, who, provider, account).await?;
        let hash = subject_hash(state.signalling.token_key(), provider, subject);
        let at = state.store.now();
        let inserted = insert(
            state.store.db(),
            provider,
            &hash,
            &target.subject,
            &who.subject,
            at,
        )
        .await?;
        if inserted == Inserted::OtherAccount {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                ApiCode::AlreadyLinked,
                "this person is already linked to another account at this provider",
            ));
        }
        Ok::<_, AppError>((inserted, target))
    }
    .await;
    audited(state, who, rid, AuditAction::OidcLinkCreate, account, r).await
}

/// Removes the links of `account` at `provider` (none is not an error).
pub async fn unlink(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    provider: &str,
    account: &str,
) -> Result<(), AppError> {
    let r = async {
        may_manage(who)?;
        let target = target(state, who, provider, account).await?;
        remove(state.store.db(), provider, &target.subject).await?;
        Ok::<_, AppError>(((), target))
    }
    .await;
    audited(state, who, rid, AuditAction::OidcLinkDelete, account, r).await
}
