//! The case of a meeting as the INPS official sees it: the citizen's request (names, codice
//! fiscale, birth, the services asked for, the delegate), the operator's notes for the official,
//! and who booked it and when. `GET /v1/booking/appointments/{id}/case`, for the officials of the
//! appointment's sportello only (anyone else: 403, audited as denied); every reading is audited
//! (`case.view`, without the content). The answer is personal data: it is never logged, never
//! put in metrics or signalling messages, and is sent with `Cache-Control: no-store`.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::Meetings;
use super::day;
use super::store;
use super::tickets::meeting_scope;
use crate::api::{ApiResult, AppError, PathParams};
use crate::audit::{AuditAction, RequestId, Scope, audited};
use crate::booking::api::appointment_id;
use crate::identity::Principal;

/// The citizen as in the request.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CaseApplicant {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Codice fiscale.
    pub codice_fiscale: String,
    /// Birth date.
    #[ts(type = "string")]
    pub birth_date: NaiveDate,
    /// Birthplace (Belfiore code).
    pub birth_place: String,
}

/// The delegate who acts for the citizen, if any.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CaseDelegate {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Codice fiscale.
    pub codice_fiscale: String,
    /// Reference of the delegation act, if given.
    pub delegation_act: Option<String>,
}

/// Who booked the appointment.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CaseBooker {
    /// The operator's account.
    pub account: String,
    /// The operator's name, if recorded.
    pub full_name: Option<String>,
}

/// The case of a meeting, for its officials.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CaseFile {
    /// The appointment.
    pub appointment_id: String,
    /// Slot start (Italian offset).
    #[ts(type = "string")]
    pub starts_at: DateTime<FixedOffset>,
    /// Slot end (Italian offset).
    #[ts(type = "string")]
    pub ends_at: DateTime<FixedOffset>,
    /// The comune where the citizen is.
    pub comune_name: String,
    /// The sportello booked.
    pub sportello_name: String,
    /// The citizen.
    pub applicant: CaseApplicant,
    /// The services asked for, by name.
    pub services: Vec<String>,
    /// The delegate, if the citizen is represented.
    pub delegate: Option<CaseDelegate>,
    /// The operator's "Note per il funzionario INPS".
    pub notes: Option<String>,
    /// Who booked it.
    pub booked_by: CaseBooker,
    /// When it was booked (confirmed), Italian offset.
    #[ts(type = "string")]
    pub booked_at: DateTime<FixedOffset>,
}

/// `GET /v1/booking/appointments/{id}/case`.
pub async fn case_file(
    State(s): State<Meetings>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
) -> ApiResult<Response> {
    appointment_id(&id)?;
    let db = s.store.db();
    let r = day::official_may_read(db, &who, &id)
        .await
        .map_err(AppError::from);
    let scope = Scope::target(&id);
    audited(
        &s.store,
        &who,
        &rid,
        AuditAction::CaseView,
        r,
        meeting_scope,
        scope,
    )
    .await?;
    let case = store::case_file(db, &id).await?;
    let mut resp = Json(case).into_response();
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
