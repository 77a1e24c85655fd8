//! Links from a person at an OIDC provider to a staff account, in `staff_oidc_links`, and the
//! routes that manage them: `POST /v1/identity/oidc-links` and
//! `DELETE /v1/identity/oidc-links/{provider}/{account}`.
//!
//! The rules, SQL and audit are in [`crate::identity::service::oidc_links`]; the person is stored
//! as its `subject_hash` only. Allowed for the comune's user administrator
//! (for operators of their own comune) and the INPS administrator (for any account). Audited as
//! `oidc_link.create` / `oidc_link.delete` with the account as target, never the subject.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::api::PathParams;
use crate::api::{AppError, JsonBody};
use crate::audit::RequestId;
use crate::identity::service::oidc_links::{self, Inserted};
use crate::identity::{Identity, Principal};

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

/// `POST /v1/identity/oidc-links`: links a person at a provider to an account. 201 with the
/// link when new, 200 when it already existed; 409 `already_linked` when the person is linked to
/// another account.
pub async fn create(
    State(state): State<Identity>,
    who: Principal,
    rid: RequestId,
    body: Result<JsonBody<NewLink>, AppError>,
) -> Result<Response, AppError> {
    oidc_links::may_create(&state, &who, &rid).await?;
    let JsonBody(req) = body?;
    let inserted = oidc_links::link(
        &state,
        &who,
        &rid,
        &req.provider,
        &req.account,
        &req.subject,
    )
    .await?;
    let status = match inserted {
        Inserted::New => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
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
    PathParams((provider, account)): PathParams<(String, String)>,
) -> Result<StatusCode, AppError> {
    oidc_links::unlink(&state, &who, &rid, &provider, &account).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use sportello_signalling::TokenKey;

    use super::*;
    use crate::identity::service::oidc_links::subject_hash;

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
