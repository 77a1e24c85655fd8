//! Session routes in every mode: `GET /v1/session` (who am I) and `DELETE /v1/session` (logout).

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::Identity;
use super::session::{clear_cookie, session_token};
use super::{Principal, StaffRole};
use crate::api::AppError;
use crate::audit::{self, AuditAction, Outcome, RequestId, Scope};
use crate::booking::BookingError;
use crate::store::Db;

/// A sportello of an official, with its name.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SportelloName {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// `GET /v1/session`: the principal plus the names the user interface shows.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SessionInfo {
    /// Who is signed in.
    #[serde(flatten)]
    pub principal: Principal,
    /// Name of the comune of an operator or user administrator.
    pub comune_name: Option<String>,
    /// Name of the Sede or Polo of an official.
    pub sede_name: Option<String>,
    /// The sportelli of an official, with their names.
    pub sportelli: Vec<SportelloName>,
    /// A display label, e.g. "Operatore del Comune di Villanova Monteleone".
    pub label: String,
    /// Now, by the server's booking clock (Italian offset): the pages decide "today" and the
    /// meeting window by it, not by the workstation's clock.
    #[ts(type = "string")]
    pub server_now: chrono::DateTime<chrono::FixedOffset>,
    /// The header `x-csrf-token` of this session's state-changing requests.
    pub csrf_token: String,
}

/// The comune name, the Sede name and a display label of a staff member, e.g.
/// "Operatore del Comune di Villanova Monteleone".
pub async fn display_names(
    db: &Db,
    role: StaffRole,
    comune_istat: Option<&str>,
    sede_id: Option<&str>,
) -> Result<(Option<String>, Option<String>, String), BookingError> {
    let comune_name = match comune_istat {
        Some(istat) => db.comune(istat).await?.map(|c| c.name),
        None => None,
    };
    let sede_name = match sede_id {
        Some(id) => db.sede_name(id).await?,
        None => None,
    };
    let comune = comune_name
        .clone()
        .or_else(|| comune_istat.map(|c| format!("codice ISTAT {c}")))
        .unwrap_or_default();
    let sede = sede_name
        .clone()
        .or_else(|| sede_id.map(str::to_owned))
        .unwrap_or_default();
    let label = match role {
        StaffRole::Operator => format!("Operatore del Comune di {comune}"),
        StaffRole::UserAdmin => format!("Amministratore utenze del Comune di {comune}"),
        StaffRole::Official if sede.is_empty() => "Funzionario INPS".to_owned(),
        StaffRole::Official => format!("Funzionario INPS – {sede}"),
        StaffRole::InpsAdmin => "Amministratore INPS".to_owned(),
    };
    Ok((comune_name, sede_name, label))
}

/// `GET /v1/session`: who am I.
pub async fn whoami(
    State(state): State<Identity>,
    principal: Principal,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, AppError> {
    let csrf_token = session_token(&headers)
        .map(|t| super::csrf::token_for(&t))
        .unwrap_or_default();
    let db = state.store.db();
    let (comune_name, sede_name, label) = display_names(
        db,
        principal.role,
        principal.comune_istat.as_deref(),
        principal.sede_id.as_deref(),
    )
    .await?;
    let mut sportelli = Vec::with_capacity(principal.sportello_ids.len());
    for id in &principal.sportello_ids {
        let name = db
            .sportello(id)
            .await?
            .map_or_else(|| id.clone(), |s| s.name);
        sportelli.push(SportelloName {
            id: id.clone(),
            name,
        });
    }
    Ok(Json(SessionInfo {
        principal,
        comune_name,
        sede_name,
        sportelli,
        label,
        server_now: crate::booking::rome::to_local(state.store.now()),
        csrf_token,
    }))
}

/// `DELETE /v1/session`: logout.
pub async fn logout(State(state): State<Identity>, rid: RequestId, headers: HeaderMap) -> Response {
    if let Some(token) = session_token(&headers) {
        if let Some(who) = state.sessions.lookup(&token).await {
            let scope = Scope::target(who.subject.clone());
            audit::record(
                &state.store,
                &who,
                &rid,
                AuditAction::SessionLogout,
                scope,
                Outcome::Ok,
            )
            .await;
        }
        state.sessions.revoke(&token).await;
    }
    (StatusCode::NO_CONTENT, [(SET_COOKIE, clear_cookie())]).into_response()
}
