//! Session routes in every mode: `GET /v1/session` (who am I) and `DELETE /v1/session` (logout).

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::Principal;
use super::session::{clear_cookie, session_token};
use crate::http::AppState;

/// `GET /v1/session`: who am I.
pub async fn whoami(principal: Principal) -> Json<Principal> {
    Json(principal)
}

/// `DELETE /v1/session`: logout.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session_token(&headers) {
        state.sessions.revoke(&token).await;
    }
    (StatusCode::NO_CONTENT, [(SET_COOKIE, clear_cookie())]).into_response()
}
