//! The authenticated caller and its extractor.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::SessionStore;
use super::session::session_token;
use crate::api::{ApiCode, AppError};

/// Staff roles (the citizen has a meeting-scoped token, not a staff session).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Comune operator: books for their own comune.
    Operator,
    /// Comune user administrator.
    UserAdmin,
    /// INPS official: reads the agenda of their sportelli.
    Official,
    /// INPS administrator: Sedi, sportelli, calendars, closures.
    InpsAdmin,
    /// A comune's referente: monitors that comune's PUE (its figures and problem reports).
    ReferenteComune,
    /// INPS referente of a Direzione regionale (its regions) or the central one (all).
    ReferenteInps,
    /// ANCI's national referente: aggregated figures only, never personal data.
    ReferenteAnci,
}

impl StaffRole {
    /// Whether this is one of the three referente roles (monitoring only).
    pub fn is_referente(self) -> bool {
        matches!(
            self,
            Self::ReferenteComune | Self::ReferenteInps | Self::ReferenteAnci
        )
    }
}

/// Who is calling, as established by the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Principal {
    /// Stable account identifier (not personal data: an opaque or role-like id).
    pub subject: String,
    /// Role.
    pub role: StaffRole,
    /// The comune (ISTAT code) of an operator or user administrator.
    pub comune_istat: Option<String>,
    /// The Sede or Polo of an official.
    pub sede_id: Option<String>,
    /// The sportelli whose agenda an official reads.
    #[serde(default)]
    pub sportello_ids: Vec<String>,
    /// The regions a `referente_inps` monitors (`["*"]` = all of Italy).
    #[serde(default)]
    pub regions: Vec<String>,
}

impl Principal {
    /// Whether this principal may read the agenda of `sportello_id` of Sede `sede_id`.
    pub fn may_read_agenda(&self, sportello_id: &str, sede_id: &str) -> bool {
        match self.role {
            StaffRole::InpsAdmin => true,
            StaffRole::Official => {
                self.sportello_ids.iter().any(|s| s == sportello_id)
                    || (self.sportello_ids.is_empty() && self.sede_id.as_deref() == Some(sede_id))
            }
            _ => false,
        }
    }
}

/// 401 with code `unauthenticated`.
pub fn unauthenticated() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        ApiCode::Unauthenticated,
        "a valid session is required",
    )
}

impl<S> FromRequestParts<S> for Principal
where
    S: Send + Sync,
    Arc<dyn SessionStore>: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or_else(unauthenticated)?;
        Arc::<dyn SessionStore>::from_ref(state)
            .lookup(&token)
            .await
            .ok_or_else(unauthenticated)
    }
}
