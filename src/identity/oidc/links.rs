//! Links from a person at an OIDC provider to a staff account, in `staff_oidc_links`, and the
//! routes that manage them: `POST /v1/identity/oidc-links` and
//! `DELETE /v1/identity/oidc-links/{provider}/{account}`.
//!
//! The person is stored as [`subject_hash`] only. Allowed for the comune's user administrator
//! (for operators of their own comune) and the INPS administrator (for any account). Audited as
//! `oidc_link.create` / `oidc_link.delete` with the account as target, never the subject.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sportello_signalling::TokenKey;

use super::config::valid_name;
use crate::api::{ApiCode, AppError, JsonBody};
use crate::audit::{self, AuditAction, Outcome, RequestId, Scope};
use crate::booking::BookingError;
use crate::identity::Identity;
use crate::identity::operators::{audit_denied, bad_account_id, unknown_account};
use crate::identity::{Principal, StaffRole, accounts};
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

/// `POST /v1/identity/oidc-links` body. `Debug` hides the subject.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    account: String,
    provider: String,
    subject: String,
}

impl std::fmt::Debug for NewLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewLink")
            .field("account", &self.account)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

/// A link as answered (never the subject).
#[derive(Debug, Serialize)]
pub struct Link {
    /// The staff account.
    pub account: String,
    /// The provider's name.
    pub provider: String,
}

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
            audit::record(&state.store, who, rid, action, scope, Outcome::Ok).await;
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

/// `POST /v1/identity/oidc-links`: links a person at a provider to an account. 201 with the
/// link when new, 200 when it already existed; 409 `already_linked` when the person is linked to
/// another account.
pub async fn create(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    body: Result<JsonBody<NewLink>, AppError>,
) -> Result<Response, AppError> {
    if let Err(e) = may_manage(&who) {
        let scope = Scope::default();
        audit::record(
            &state.store,
            &who,
            &rid,
            AuditAction::OidcLinkCreate,
            scope,
            Outcome::Denied,
        )
        .await;
        return Err(e);
    }
    let JsonBody(req) = body?;
    if req.subject.is_empty()
        || req.subject.len() > MAX_SUBJECT
        || req.subject.chars().any(char::is_control)
    {
        return Err(AppError::bad_request(
            ApiCode::BadSubject,
            format!("the subject must be 1-{MAX_SUBJECT} bytes without control characters"),
        ));
    }
    let r = async {
        let target = target(&state, &who, &req.provider, &req.account).await?;
        let hash = subject_hash(state.signalling.token_key(), &req.provider, &req.subject);
        let at = state.store.now();
        let status = match insert(
            state.store.db(),
            &req.provider,
            &hash,
            &target.subject,
            &who.subject,
            at,
        )
        .await?
        {
            Inserted::New => StatusCode::CREATED,
            Inserted::Existing => StatusCode::OK,
            Inserted::OtherAccount => {
                return Err(AppError::new(
                    StatusCode::CONFLICT,
                    ApiCode::AlreadyLinked,
                    "this person is already linked to another account at this provider",
                ));
            }
        };
        Ok::<_, AppError>((status, target))
    }
    .await;
    let status = audited(
        &state,
        &who,
        &rid,
        AuditAction::OidcLinkCreate,
        &req.account,
        r,
    )
    .await?;
    Ok((
        status,
        Json(Link {
            account: req.account,
            provider: req.provider,
        }),
    )
        .into_response())
}

/// `DELETE /v1/identity/oidc-links/{provider}/{account}`: removes the account's links at the
/// provider (204, also when there were none).
pub async fn delete(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    Path((provider, account)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let r = async {
        may_manage(&who)?;
        let target = target(&state, &who, &provider, &account).await?;
        remove(state.store.db(), &provider, &target.subject).await?;
        Ok::<_, AppError>(((), target))
    }
    .await;
    audited(&state, &who, &rid, AuditAction::OidcLinkDelete, &account, r).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_keyed_and_per_provider() {
        let key = TokenKey::new(&[7u8; 32]);
        let h = subject_hash(&key, "spid", "RSSMRA80A01H501U");
        assert_eq!(h.len(), 64);
        assert_eq!(h, subject_hash(&key, "spid", "RSSMRA80A01H501U"));
        assert_ne!(h, subject_hash(&key, "cie", "RSSMRA80A01H501U"));
        // Without the server's key the digest cannot be recomputed from a guessed subject.
        assert_ne!(
            h,
            subject_hash(&TokenKey::new(&[8u8; 32]), "spid", "RSSMRA80A01H501U")
        );
        let debug = format!(
            "{:?}",
            NewLink {
                account: "a".into(),
                provider: "p".into(),
                subject: "RSSMRA80A01H501U".into()
            }
        );
        assert!(!debug.contains("RSSMRA"));
    }
}
