//! Operator revocation and re-enabling: `POST /v1/identity/operators/{account}/revoke` and
//! `POST /v1/identity/operators/{account}/enable`.
//!
//! Allowed for the comune's user administrator (for operators of their own comune only) and for
//! the INPS administrator. Revoking records the account in `staff_revocations` (so it cannot log
//! in again until re-enabled) and publishes a `Revocation` event, whose subscriber ends the
//! account's sessions and signalling connections on receipt.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::service::operators;
use super::{Identity, Principal};
use crate::api::PathParams;
use crate::api::{AppError, EmptyBody, JsonBody};
use crate::audit::RequestId;

/// The answer: the account and whether it is now revoked.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct OperatorState {
    /// The account id.
    pub account: String,
    /// Whether the account is revoked.
    pub revoked: bool,
}

async fn change(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    account: &str,
    revoke: bool,
) -> Result<Json<OperatorState>, AppError> {
    let target = operators::set_revoked(state, who, rid, account, revoke).await?;
    Ok(Json(OperatorState {
        account: target.subject,
        revoked: revoke,
    }))
}

/// `POST /v1/identity/operators/{account}/revoke`.
pub async fn revoke(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    PathParams(account): PathParams<String>,
    JsonBody(EmptyBody {}): JsonBody<EmptyBody>,
) -> Result<Json<OperatorState>, AppError> {
    change(&state, &who, &rid, &account, true).await
}

/// `POST /v1/identity/operators/{account}/enable`.
pub async fn enable(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    PathParams(account): PathParams<String>,
    JsonBody(EmptyBody {}): JsonBody<EmptyBody>,
) -> Result<Json<OperatorState>, AppError> {
    change(&state, &who, &rid, &account, false).await
}
