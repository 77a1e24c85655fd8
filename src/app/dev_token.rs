//! `POST /v1/dev/token`: meeting tokens for demo mode only. Production mode has no such route:
//! tokens come from the identity layer.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sportello_signalling::protocol::Role;
use sportello_signalling::token::MeetingClaims;

use super::AppState;
use crate::api::{ApiCode, AppError, JsonBody};

/// How long a development token stays valid.
pub const DEV_TOKEN_SECONDS: u64 = 15 * 60;

/// Request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    room: String,
    display_name: String,
    role: Role,
}

/// Response body.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    token: String,
    expires_at: u64,
}

fn valid_room(room: &str) -> bool {
    (1..=64).contains(&room.len())
        && room
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn valid_name(name: &str) -> bool {
    let n = name.trim().chars().count();
    (1..=64).contains(&n) && !name.chars().any(char::is_control)
}

/// Issues a token for the requested room, name and role.
pub async fn issue(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<TokenRequest>,
) -> Result<Json<TokenResponse>, AppError> {
    if !valid_room(&req.room) {
        return Err(AppError::bad_request(
            ApiCode::BadRoom,
            "room must be 1-64 characters among letters, digits, '-' and '_'",
        ));
    }
    if !valid_name(&req.display_name) {
        return Err(AppError::bad_request(
            ApiCode::BadDisplayName,
            "display_name must be 1-64 printable characters",
        ));
    }
    let sub = format!("dev-{:016x}", rand::random::<u64>());
    let claims = MeetingClaims::new(
        &req.room,
        req.role,
        &sub,
        req.display_name.trim(),
        DEV_TOKEN_SECONDS,
    );
    Ok(Json(TokenResponse {
        token: state.signalling.token_key().sign(&claims),
        expires_at: claims.exp,
    }))
}
