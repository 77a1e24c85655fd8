//! Enabling operators: `GET`/`POST /v1/identity/operators` and
//! `PATCH /v1/identity/operators/{account}`.
//!
//! The comune's user administrator (Amministratore utenze) lists and enables the operators of
//! their own comune, with an initial password and optional validity dates, and changes those
//! dates or resets the password later; the INPS administrator may do so for any comune.
//! Revoking and re-enabling are in [`super::operators`]; the rules, SQL and audit of both in
//! [`super::service::operators`]. A change of dates that puts the
//! operator outside them today ends their sessions and meeting connections at once, like a
//! revocation (same event).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

use super::service::accounts::{Account, Validity};
use super::service::operators::{self, NewOperatorFields, OperatorFieldsChange};
use super::{Identity, Principal, StaffRole};
use crate::api::PathParams;
use crate::api::{AppError, JsonBody};
use crate::audit::AuditAction;
use crate::audit::RequestId;
use crate::booking::rome;

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
    /// An operator named by the comune, waiting for INPS to enable them for the PUE.
    AwaitingEnablement,
}

/// An operator as the user administrator sees it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OperatorEntry {
    /// The account id.
    pub account: String,
    /// The person's name, if recorded (accounts enabled before names were asked have none).
    pub full_name: Option<String>,
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
    /// The account's role: an operator or a referente.
    pub role: StaffRole,
    /// A `referente_inps`'s regions (`["*"]` = all).
    pub regions: Vec<String>,
    /// An official's Sede or Polo.
    pub sede_id: Option<String>,
    /// An official's sportelli (none = all of the Sede's).
    pub sportello_ids: Vec<String>,
    /// The date of the act authorising the operator to process personal data, if recorded.
    #[ts(type = "string | null")]
    pub data_authorisation_date: Option<NaiveDate>,
    /// That act, if recorded.
    pub data_authorisation_act: Option<String>,
}

/// `POST /v1/identity/operators` body.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewOperator {
    /// The account id (1-64 of a-z 0-9 . _ -).
    pub account: String,
    /// The initial password (at least 12 characters).
    pub password: String,
    /// The person's name ("Nome e cognome", 2-100 characters).
    pub full_name: String,
    /// First valid day (YYYY-MM-DD).
    #[serde(default)]
    #[ts(optional)]
    pub valid_from: Option<String>,
    /// Last valid day (YYYY-MM-DD, inclusive).
    #[serde(default)]
    #[ts(optional)]
    pub valid_until: Option<String>,
    /// The comune: required for the INPS administrator, the user administrator's own otherwise
    /// (operators and comune referenti; none for the other referenti).
    #[serde(default)]
    #[ts(optional)]
    pub comune_istat: Option<String>,
    /// The role: `operator` (the default) or a referente (`referente_comune`, and for the INPS
    /// administrator only `referente_inps` and `referente_anci`).
    #[serde(default)]
    #[ts(optional)]
    pub role: Option<StaffRole>,
    /// A `referente_inps`'s regions (names as in the comuni list), or `["*"]` for all of Italy.
    #[serde(default)]
    #[ts(optional)]
    pub regions: Option<Vec<String>>,
    /// An official's Sede or Polo (required for an official, refused for the other roles).
    #[serde(default)]
    #[ts(optional)]
    pub sede_id: Option<String>,
    /// An official's sportelli, of that Sede (none = all of the Sede's).
    #[serde(default)]
    #[ts(optional)]
    pub sportello_ids: Option<Vec<String>>,
    /// The date of the act authorising the operator to process personal data (YYYY-MM-DD, not
    /// in the future; with `data_authorisation_act`).
    #[serde(default)]
    #[ts(optional)]
    pub data_authorisation_date: Option<String>,
    /// That act (e.g. "Decreto sindacale n. 12/2026", 2-200 characters).
    #[serde(default)]
    #[ts(optional)]
    pub data_authorisation_act: Option<String>,
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
    /// The person's name (2-100 characters).
    #[serde(default)]
    #[ts(optional)]
    pub full_name: Option<String>,
    /// A new data-processing authorisation's date (with `data_authorisation_act`).
    #[serde(default)]
    #[ts(optional)]
    pub data_authorisation_date: Option<String>,
    /// A new data-processing authorisation's act.
    #[serde(default)]
    #[ts(optional)]
    pub data_authorisation_act: Option<String>,
}

/// A field that is present (perhaps null) deserializes to `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn entry(state: &Identity, account: &Account, comune_name: Option<String>) -> OperatorEntry {
    let today = rome::local_date(state.store.now());
    let waiting = account.principal.role == StaffRole::Operator && account.pue_enabled_at.is_none();
    let status = match (account.revoked, waiting, account.validity(today)) {
        (true, _, _) => OperatorStatus::Revoked,
        (false, true, _) => OperatorStatus::AwaitingEnablement,
        (false, false, Validity::Valid) => OperatorStatus::Active,
        (false, false, Validity::NotYetValid) => OperatorStatus::NotYetValid,
        (false, false, Validity::Expired) => OperatorStatus::Expired,
    };
    let p = &account.principal;
    OperatorEntry {
        account: p.subject.clone(),
        full_name: account.full_name.clone(),
        comune_istat: p.comune_istat.clone(),
        comune_name,
        valid_from: account.valid_from,
        valid_until: account.valid_until,
        status,
        has_password: account.password_hash.is_some(),
        role: p.role,
        regions: p.regions.clone(),
        sede_id: p.sede_id.clone(),
        sportello_ids: p.sportello_ids.clone(),
        data_authorisation_date: account.data_authorisation.as_ref().map(|a| a.date),
        data_authorisation_act: account.data_authorisation.as_ref().map(|a| a.act.clone()),
    }
}

/// `GET /v1/identity/operators`.
pub async fn list(
    State(state): State<Identity>,
    who: Principal,
) -> Result<Json<Vec<OperatorEntry>>, AppError> {
    let found = operators::list(&state, &who).await?;
    Ok(Json(
        found
            .iter()
            .map(|(account, name)| entry(&state, account, name.clone()))
            .collect(),
    ))
}

/// `POST /v1/identity/operators`: enables a new operator.
pub async fn create(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    body: Result<JsonBody<NewOperator>, AppError>,
) -> Result<(StatusCode, Json<OperatorEntry>), AppError> {
    operators::may_create(&state, &who, &rid).await?;
    let JsonBody(req) = body?;
    let fields = NewOperatorFields {
        account: &req.account,
        password: &req.password,
        full_name: &req.full_name,
        valid_from: req.valid_from.as_deref(),
        valid_until: req.valid_until.as_deref(),
        comune_istat: req.comune_istat.clone(),
        role: req.role.unwrap_or(StaffRole::Operator),
        regions: req.regions.clone().unwrap_or_default(),
        sede_id: req.sede_id.clone(),
        sportello_ids: req.sportello_ids.clone().unwrap_or_default(),
        data_authorisation_date: req.data_authorisation_date.as_deref(),
        data_authorisation_act: req.data_authorisation_act.as_deref(),
    };
    let (account, name) = operators::create(&state, &who, &rid, fields).await?;
    Ok((StatusCode::CREATED, Json(entry(&state, &account, name))))
}

/// `PATCH /v1/identity/operators/{account}`: changes validity dates or the name, or resets the
/// password.
pub async fn update(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    PathParams(account): PathParams<String>,
    body: Result<JsonBody<OperatorChange>, AppError>,
) -> Result<Json<OperatorEntry>, AppError> {
    let found =
        operators::authorize(&state, &who, &rid, &account, AuditAction::OperatorUpdate).await?;
    let JsonBody(change) = body?;
    let fields = OperatorFieldsChange {
        valid_from: change.valid_from.as_ref().map(Option::as_deref),
        valid_until: change.valid_until.as_ref().map(Option::as_deref),
        password: change.password.as_deref(),
        full_name: change.full_name.as_deref(),
        data_authorisation: match (
            change.data_authorisation_date.as_deref(),
            change.data_authorisation_act.as_deref(),
        ) {
            (None, None) => None,
            (d, a) => Some((d.unwrap_or(""), a.unwrap_or(""))),
        },
    };
    let (found, name) = operators::update(&state, &who, &rid, found, fields).await?;
    Ok(Json(entry(&state, &found, name)))
}

/// `POST /v1/identity/operators/{account}/pue-enable`: INPS (the administrator, or an official
/// of the Sede competent for the operator's comune) enables an operator named by the comune.
pub async fn pue_enable(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    PathParams(account): PathParams<String>,
    JsonBody(crate::api::EmptyBody {}): JsonBody<crate::api::EmptyBody>,
) -> Result<Json<OperatorEntry>, AppError> {
    let (found, name) = operators::enable_for_pue(&state, &who, &rid, &account).await?;
    Ok(Json(entry(&state, &found, name)))
}
