//! The audit log: an append-only record of who did what (login, holds, "Prenota", cancellations,
//! closures, meetings), with the request id and the outcome (`ok` or `denied`).
//!
//! Only ids and codes are written: never a citizen's name, codice fiscale or any request body
//! content. [`store`] offers insert and read only; [`api`] serves `GET /v1/audit` and
//! `GET /v1/audit.csv`. Every request carries a request id ([`RequestId`]): the client's
//! `x-request-id` header if it is sane, else a generated one; it is echoed in the response.

pub mod api;
mod event;
pub mod store;

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::ApiResult;
use crate::booking::store::new_id;
use crate::identity::{Principal, StaffRole};
use crate::store::Store;

pub use event::Event;
pub use store::{AuditEntry, AuditFilter, Outcome};

sportello_signalling::string_enum! {
    /// What an audit entry records (the `action` column). Entries are only ever written with
    /// one of these; reading takes the stored text as it is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, ts_rs::TS)]
    pub enum AuditAction {
        AppointmentCancel = "appointment.cancel",
        AppointmentReschedule = "appointment.reschedule",
        CaseView = "case.view",
        CatalogueComuneSave = "catalogue.comune_save",
        CatalogueConventionDelete = "catalogue.convention_delete",
        CatalogueConventionSave = "catalogue.convention_save",
        CatalogueImport = "catalogue.import",
        CatalogueOpeningHours = "catalogue.opening_hours",
        CataloguePoloServices = "catalogue.polo_services",
        CatalogueSedeComuni = "catalogue.sede_comuni",
        CatalogueSedeSave = "catalogue.sede_save",
        CatalogueServiceSave = "catalogue.service_save",
        CatalogueSportelloSave = "catalogue.sportello_save",
        CitizenLeave = "citizen.leave",
        DocumentAttest = "document.attest",
        DocumentDownload = "document.download",
        DocumentRefuse = "document.refuse",
        DocumentUpload = "document.upload",
        ClosureAdd = "closure.add",
        HoldConfirm = "hold.confirm",
        HoldPlace = "hold.place",
        HoldRelease = "hold.release",
        MeetingCitizenToken = "meeting.citizen_token",
        MeetingClose = "meeting.close",
        MeetingConnect = "meeting.connect",
        MeetingConnectionHandedOver = "meeting.connection_handed_over",
        MeetingConnectionLost = "meeting.connection_lost",
        MeetingConnectionTakenOver = "meeting.connection_taken_over",
        MeetingDisconnect = "meeting.disconnect",
        MeetingHandover = "meeting.handover",
        MeetingJoin = "meeting.join",
        MeetingOpen = "meeting.open",
        MeetingRemoved = "meeting.removed",
        MeetingReport = "meeting.report",
        MonitoringReports = "monitoring.reports",
        OidcLinkCreate = "oidc_link.create",
        OidcLinkDelete = "oidc_link.delete",
        OperatorCreate = "operator.create",
        OperatorEnable = "operator.enable",
        OperatorPueEnable = "operator.pue_enable",
        OperatorRevoke = "operator.revoke",
        OperatorUpdate = "operator.update",
        PasswordChange = "password.change",
        PrintDone = "print.done",
        PrintSend = "print.send",
        RetentionPurge = "retention.purge",
        SessionLogin = "session.login",
        SessionLogout = "session.logout",
    }
}

/// The request id header.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Whether a client-given request id is acceptable: 1-64 characters of `A-Za-z0-9._-`,
/// starting with a letter or digit.
pub fn sane_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.as_bytes()[0].is_ascii_alphanumeric()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Middleware: gives each request a [`RequestId`] and echoes it in `x-request-id`.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane_request_id(v))
        .map_or_else(new_id, str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId(new_id())))
    }
}

/// The role's code as stored (`operator`, `user_admin`, `official`, `inps_admin`).
pub fn role_code(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Operator => "operator",
        StaffRole::UserAdmin => "user_admin",
        StaffRole::Official => "official",
        StaffRole::InpsAdmin => "inps_admin",
        StaffRole::ReferenteComune => "referente_comune",
        StaffRole::ReferenteInps => "referente_inps",
        StaffRole::ReferenteAnci => "referente_anci",
    }
}

/// What an audited action concerns: its target and (if known) comune and Sede. The comune and
/// Sede default to the actor's.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Target id (appointment, hold, closure, room, account).
    pub target: Option<String>,
    /// The comune concerned.
    pub comune_istat: Option<String>,
    /// The Sede concerned.
    pub sede_id: Option<String>,
}

impl Scope {
    /// A staff account as the target, with its comune and Sede.
    pub fn account(account: &Principal) -> Self {
        Self {
            target: Some(account.subject.clone()),
            comune_istat: account.comune_istat.clone(),
            sede_id: account.sede_id.clone(),
        }
    }

    /// Only a target.
    pub fn target(target: impl Into<String>) -> Self {
        Self {
            target: Some(target.into()),
            ..Self::default()
        }
    }
}

/// Records `event`. A failure to write is logged (kind only) and does not fail the request: the
/// action has already happened. Every audit entry of the server is written here.
pub async fn record(store: &Store, event: Event) {
    let entry = event.entry();
    if let Err(e) = self::store::insert(store.db(), store.now(), &entry).await {
        tracing::error!(
            action = entry.action.as_str(),
            error_kind = if matches!(e, sqlx::Error::Database(_)) {
                "database"
            } else {
                "other"
            },
            "audit log write failed"
        );
    }
}

/// Records the outcome of `action` by `who`: `ok` with the scope `scope` gives the result,
/// `denied` (with `denied`'s scope) when the answer is 403; other failures are not recorded.
/// Answers `r` unchanged.
pub async fn audited<T>(
    store: &Store,
    who: &Principal,
    rid: &RequestId,
    action: AuditAction,
    r: ApiResult<T>,
    scope: impl FnOnce(&T) -> Scope,
    denied: Scope,
) -> ApiResult<T> {
    match &r {
        Ok(t) => record(store, Event::staff(who, rid, action).scope(scope(t))).await,
        Err(e) if e.status == StatusCode::FORBIDDEN => {
            record(store, Event::staff(who, rid, action).scope(denied).denied()).await;
        }
        Err(_) => {}
    }
    r
}
