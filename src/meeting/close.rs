//! The official closes the meeting and records its outcome. Everyone still in the call receives
//! `meeting_ended` and is disconnected, the room refuses later joins, and the citizen session
//! of the meeting may only give the citizen's feedback, for [`citizen::FEEDBACK_GRACE`].

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sportello_signalling::protocol::ErrorCode;

use super::Meetings;
use super::day;
use super::rules::{MAX_OUTCOME_NOTES, MeetingOutcome};
use super::tickets::meeting_scope;
use crate::api::AppError;
use crate::api::PathParams;
use crate::api::{ApiCode, ApiResult, JsonBody};
use crate::audit::audited;
use crate::audit::{AuditAction, RequestId, Scope};
use crate::booking::api::appointment_id;
use crate::booking::rome;
use crate::identity::{Principal, citizen};

/// The body of the close request.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// `resolved`, `call_back` or `no_show`.
    pub outcome: String,
    /// Free notes of the official (at most 2000 characters).
    #[serde(default)]
    #[ts(optional)]
    pub notes: Option<String>,
}

/// The answer of the close request.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct MeetingClosed {
    /// The appointment.
    pub appointment_id: String,
    /// The outcome recorded.
    pub outcome: MeetingOutcome,
    /// When (Italian offset).
    #[ts(type = "string")]
    pub closed_at: DateTime<FixedOffset>,
}

fn parse(req: &CloseRequest) -> ApiResult<(MeetingOutcome, Option<String>)> {
    let outcome = match req.outcome.as_str() {
        "resolved" => MeetingOutcome::Resolved,
        "call_back" => MeetingOutcome::CallBack,
        "no_show" => MeetingOutcome::NoShow,
        _ => {
            return Err(AppError::bad_request(
                ApiCode::BadOutcome,
                "outcome must be one of resolved, call_back, no_show",
            ));
        }
    };
    let notes = req
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(n) = notes {
        if n.chars().count() > MAX_OUTCOME_NOTES {
            return Err(AppError::bad_request(
                ApiCode::NotesTooLong,
                format!("the notes may hold at most {MAX_OUTCOME_NOTES} characters"),
            ));
        }
        if n.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(AppError::bad_request(
                ApiCode::BadNotes,
                "the notes may not contain control characters",
            ));
        }
    }
    Ok((outcome, notes.map(str::to_owned)))
}

/// `POST /v1/booking/appointments/{id}/meeting/close`.
pub async fn close(
    State(s): State<Meetings>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    b: Result<JsonBody<CloseRequest>, AppError>,
) -> ApiResult<Json<MeetingClosed>> {
    appointment_id(&id)?;
    let JsonBody(req) = b?;
    let (outcome, notes) = parse(&req)?;
    let (db, now) = (s.store.db(), s.store.now());
    let r = day::close(db, now, &who, &id, outcome, notes.as_deref())
        .await
        .map_err(AppError::from);
    let (place, at) = audited(
        &s.store,
        &who,
        &rid,
        AuditAction::MeetingClose,
        r,
        |(p, _)| meeting_scope(p),
        Scope::target(id),
    )
    .await?;
    if matches!(outcome, MeetingOutcome::Resolved | MeetingOutcome::CallBack) {
        // Counted for the monitoring without keeping who (a keyed hash); a failure here must
        // not undo the close.
        if let Err(e) =
            crate::monitoring::citizens::record_served(s.store.db(), &place.appointment_id).await
        {
            tracing::error!(error = %e, "recording the served citizen for the monitoring");
        }
    }
    let ended = citizen::keep_for_feedback(
        s.store.db(),
        &place.appointment_id,
        at + citizen::FEEDBACK_GRACE,
    )
    .await?;
    let cut = s
        .signalling
        .rooms()
        .close_room(&place.room, ErrorCode::MeetingEnded)
        .await;
    tracing::info!(
        appointment = %place.appointment_id,
        outcome = outcome.code(),
        citizen_sessions = ended.len(),
        connections = cut,
        "meeting closed by the official"
    );
    Ok(Json(MeetingClosed {
        appointment_id: place.appointment_id,
        outcome,
        closed_at: rome::to_local(at),
    }))
}
