//! Session routes in every mode: `GET /v1/session` (who am I) and `DELETE /v1/session` (logout).

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::Identity;
use super::Principal;
use super::service::sessions;
use super::session::{clear_cookie, session_token};
use crate::api::AppError;
use crate::audit::RequestId;

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
    let (comune_name, sede_name, label) = sessions::display_names(
        db,
        principal.role,
        principal.comune_istat.as_deref(),
        principal.sede_id.as_deref(),
        &principal.regions,
    )
    .await?;
    let sportelli = sessions::sportello_names(db, &principal.sportello_ids)
        .await?
        .into_iter()
        .map(|(id, name)| SportelloName { id, name })
        .collect();
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
        sessions::logout(&state, &rid, &token).await;
    }
    (StatusCode::NO_CONTENT, [(SET_COOKIE, clear_cookie())]).into_response()
}
