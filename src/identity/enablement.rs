//! Enabling operators: `GET`/`POST /v1/identity/operators` and
//! `PATCH /v1/identity/operators/{account}`.
//!
//! The comune's user administrator (Amministratore utenze) lists and enables the operators of
//! their own comune, with an initial password and optional validity dates, and changes those
//! dates or resets the password later; the INPS administrator may do so for any comune.
//! Revoking and re-enabling are in [`super::operators`]. A change of dates that puts the
//! operator outside them today ends their sessions and meeting connections at once, like a
//! revocation (same event).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

use super::Identity;
use super::accounts::{self, Account, Validity};
use super::operators::{audit_denied, bad_account_id, forbidden, target};
use super::revocation::Revocation;
use super::{Principal, StaffRole, password};
use crate::api::{ApiCode, AppError, JsonBody};
use crate::audit::{self, AuditAction, Outcome, RequestId, Scope};
use crate::booking::{BookingError, rome};
use crate::store::Db;

/// Where an operator stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OperatorStatus {
    /// May log in.
    Active,
    /// Revoked by an administrator.
    Revoked,
    /// Before the first valid day.
    NotYetValid,
    /// After the last valid day.
    Expired,
}

/// An operator as the user administrator sees it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OperatorEntry {
    /// The account id.
    pub account: String,
    /// The comune (ISTAT code).
    pub comune_istat: Option<String>,
    /// The comune's name.
    pub comune_name: Option<String>,
    /// First valid day (YYYY-MM-DD), if any.
    #[ts(type = "string | null")]
    pub valid_from: Option<NaiveDate>,
    /// Last valid day (YYYY-MM-DD, inclusive), if any.
    #[ts(type = "string | null")]
    pub valid_until: Option<NaiveDate>,
    /// Today's status.
    pub status: OperatorStatus,
    /// Whether a password is set (else the operator logs in through OIDC only).
    pub has_password: bool,
}

/// `POST /v1/identity/operators` body.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewOperator {
    /// The account id (1-64 of a-z 0-9 . _ -).
    pub account: String,
    /// The initial password (at least 12 characters).
    pub password: String,
    /// First valid day (YYYY-MM-DD).
    #[serde(default)]
    #[ts(optional)]
    pub valid_from: Option<String>,
    /// Last valid day (YYYY-MM-DD, inclusive).
    #[serde(default)]
    #[ts(optional)]
    pub valid_until: Option<String>,
    /// The comune: required for the INPS administrator, the user administrator's own otherwise.
    #[serde(default)]
    #[ts(optional)]
    pub comune_istat: Option<String>,
}

/// `PATCH /v1/identity/operators/{account}` body: absent fields stay, a date set to null is
/// cleared.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OperatorChange {
    /// First valid day (YYYY-MM-DD) or null.
    #[serde(default, deserialize_with = "present")]
    #[ts(optional, type = "string | null")]
    pub valid_from: Option<Option<String>>,
    /// Last valid day (YYYY-MM-DD) or null.
    #[serde(default, deserialize_with = "present")]
    #[ts(optional, type = "string | null")]
    pub valid_until: Option<Option<String>>,
    /// A new password (at least 12 characters).
    #[serde(default)]
    #[ts(optional)]
    pub password: Option<String>,
}

/// A field that is present (perhaps null) deserializes to `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn bad_dates(message: &str) -> AppError {
    AppError::bad_request(ApiCode::BadDates, message.to_owned())
}

fn day(value: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match value {
        None => Ok(None),
        Some(s) if s.len() == 10 => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad_dates("dates are YYYY-MM-DD")),
        Some(_) => Err(bad_dates("dates are YYYY-MM-DD")),
    }
}

fn check_window(from: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<(), AppError> {
    match (from, until) {
        (Some(f), Some(u)) if u < f => Err(bad_dates("the last valid day is before the first")),
        _ => Ok(()),
    }
}

fn may_enable(who: &Principal) -> Result<(), AppError> {
    match who.role {
        StaffRole::UserAdmin | StaffRole::InpsAdmin => Ok(()),
        _ => Err(forbidden()),
    }
}

async fn comune_name(db: &Db, istat: Option<&str>) -> Result<Option<String>, BookingError> {
    Ok(match istat {
        Some(istat) => db.comune(istat).await?.map(|c| c.name),
        None => None,
    })
}

fn entry(state: &Identity, account: &Account, comune_name: Option<String>) -> OperatorEntry {
    let today = rome::local_date(state.store.now());
    let status = match (account.revoked, account.validity(today)) {
        (true, _) => OperatorStatus::Revoked,
        (false, Validity::Valid) => OperatorStatus::Active,
        (false, Validity::NotYetValid) => OperatorStatus::NotYetValid,
        (false, Validity::Expired) => OperatorStatus::Expired,
    };
    let p = &account.principal;
    OperatorEntry {
        account: p.subject.clone(),
        comune_istat: p.comune_istat.clone(),
        comune_name,
        valid_from: account.valid_from,
        valid_until: account.valid_until,
        status,
        has_password: account.password_hash.is_some(),
    }
}

/// `GET /v1/identity/operators`.
pub async fn list(
    State(state): State<Identity>,
    who: Principal,
) -> Result<Json<Vec<OperatorEntry>>, AppError> {
    may_enable(&who)?;
    let comune = match who.role {
        StaffRole::UserAdmin => Some(who.comune_istat.as_deref().ok_or_else(forbidden)?),
        _ => None,
    };
    let db = state.store.db();
    // One name lookup per comune, not per operator.
    let mut names: HashMap<Option<String>, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for account in accounts::list(db, StaffRole::Operator, comune).await? {
        let istat = account.principal.comune_istat.clone();
        let name = match names.get(&istat) {
            Some(name) => name.clone(),
            None => {
                let name = comune_name(db, istat.as_deref()).await?;
                names.insert(istat, name.clone());
                name
            }
        };
        out.push(entry(&state, &account, name));
    }
    Ok(Json(out))
}

/// The comune a new operator of `who` belongs to.
async fn comune_for(db: &Db, who: &Principal, asked: Option<String>) -> Result<String, AppError> {
    match who.role {
        StaffRole::UserAdmin => {
            let own = who.comune_istat.clone().ok_or_else(forbidden)?;
            match asked {
                Some(a) if a != own => Err(forbidden()),
                _ => Ok(own),
            }
        }
        _ => {
            let istat = asked.ok_or_else(|| {
                AppError::bad_request(ApiCode::MissingComune, "comune_istat is required")
            })?;
            if db.comune(&istat).await?.is_none() {
                return Err(AppError::new(
                    StatusCode::NOT_FOUND,
                    ApiCode::UnknownComune,
                    "no such comune",
                ));
            }
            Ok(istat)
        }
    }
}

/// `POST /v1/identity/operators`: enables a new operator.
pub async fn create(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    body: Result<JsonBody<NewOperator>, AppError>,
) -> Result<(StatusCode, Json<OperatorEntry>), AppError> {
    if let Err(e) = may_enable(&who) {
        audit::record(
            &state.store,
            &who,
            &rid,
            AuditAction::OperatorCreate,
            Scope::default(),
            Outcome::Denied,
        )
        .await;
        return Err(e);
    }
    let JsonBody(req) = body?;
    if !accounts::valid_account_id(&req.account) {
        return Err(bad_account_id());
    }
    password::check_length(&req.password, password::MIN_LEN)?;
    let valid_from = day(req.valid_from.as_deref())?;
    let valid_until = day(req.valid_until.as_deref())?;
    check_window(valid_from, valid_until)?;
    let db = state.store.db();
    let comune = comune_for(db, &who, req.comune_istat).await?;
    let account = Account {
        principal: Principal {
            subject: req.account.clone(),
            role: StaffRole::Operator,
            comune_istat: Some(comune.clone()),
            sede_id: None,
            sportello_ids: vec![],
        },
        password_hash: Some(password::hash(&req.password).await),
        valid_from,
        valid_until,
        revoked: false,
    };
    if !accounts::insert(db, &account, &who.subject, state.store.now()).await? {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            ApiCode::AccountExists,
            "an account with this id exists",
        ));
    }
    let scope = Scope::account(&account.principal);
    audit::record(
        &state.store,
        &who,
        &rid,
        AuditAction::OperatorCreate,
        scope,
        Outcome::Ok,
    )
    .await;
    let name = comune_name(db, Some(&comune)).await?;
    Ok((StatusCode::CREATED, Json(entry(&state, &account, name))))
}

/// `PATCH /v1/identity/operators/{account}`: changes validity dates or resets the password.
pub async fn update(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    Path(account): Path<String>,
    body: Result<JsonBody<OperatorChange>, AppError>,
) -> Result<Json<OperatorEntry>, AppError> {
    let db = state.store.db();
    let mut found = match target(db, &who, &account).await {
        Ok(found) => found,
        Err(e) => {
            audit_denied(
                &state,
                &who,
                &rid,
                AuditAction::OperatorUpdate,
                &account,
                &e,
            )
            .await?;
            return Err(e);
        }
    };
    let JsonBody(change) = body?;
    if let Some(from) = &change.valid_from {
        found.valid_from = day(from.as_deref())?;
    }
    if let Some(until) = &change.valid_until {
        found.valid_until = day(until.as_deref())?;
    }
    check_window(found.valid_from, found.valid_until)?;
    if let Some(new_password) = &change.password {
        password::check_length(new_password, password::MIN_LEN)?;
        found.password_hash = Some(password::hash(new_password).await);
    }
    accounts::update(db, &found).await?;
    let now = state.store.now();
    if found.validity(rome::local_date(now)) != Validity::Valid || change.password.is_some() {
        // Outside the new dates, or a new password: the sessions opened before end now.
        state.revocations.publish(Revocation {
            subject: found.principal.subject.clone(),
            reason: AuditAction::OperatorUpdate.as_str().to_owned(),
            at: now,
        });
    }
    let scope = Scope::account(&found.principal);
    audit::record(
        &state.store,
        &who,
        &rid,
        AuditAction::OperatorUpdate,
        scope,
        Outcome::Ok,
    )
    .await;
    let name = comune_name(db, found.principal.comune_istat.as_deref()).await?;
    Ok(Json(entry(&state, &found, name)))
}
