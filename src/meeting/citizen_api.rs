//! What a citizen session may do, and nothing more: tell which meeting it is bound to, fetch a
//! fresh join token for that meeting's room (every reconnect), and end.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use sportello_signalling::protocol::Role;

use super::Meetings;
use super::day::{self, MeetingPlace};
use super::tickets::{Holder, MeetingTicket, ticket};
use crate::api::ApiCode;
use crate::api::AppError;
use crate::api::{ApiResult, EmptyBody, JsonBody};
use crate::audit::AuditAction;
use crate::audit::{self, Event, RequestId};
use crate::booking::BookingError;
use crate::identity::citizen::{self, CitizenSession, EndingSession};

/// `GET /v1/citizen/session`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CitizenSessionInfo {
    /// The appointment whose meeting this session may join.
    pub appointment_id: String,
    /// The room of that meeting.
    pub room: String,
    /// The comune where the citizen sits.
    pub comune_name: String,
    /// The INPS Sede serving them.
    pub sede_name: String,
    /// Slot start (Italian offset).
    #[ts(type = "string")]
    pub starts_at: DateTime<FixedOffset>,
    /// Slot end.
    #[ts(type = "string")]
    pub ends_at: DateTime<FixedOffset>,
    /// The CSRF token (header `x-csrf-token` on POST and DELETE).
    pub csrf_token: String,
}

/// The meeting of `session` if it may still be entered; otherwise the session ends (the meeting
/// was closed or its window is over) and the reason is the answer.
async fn meeting(s: &Meetings, session: &CitizenSession) -> ApiResult<MeetingPlace> {
    let (db, now) = (s.store.db(), s.store.now());
    match day::citizen_may_enter(db, now, &session.appointment_id).await {
        Ok(place) if place.room == session.room => Ok(place),
        Ok(_) => Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            ApiCode::Unauthenticated,
            "this citizen session is not for the current meeting",
        )),
        // Closed meanwhile: the session stays for the feedback (its grace was set by the close).
        Err(e @ BookingError::Conflict(ApiCode::MeetingClosed, _)) => Err(e.into()),
        Err(e) => {
            citizen::end_for_appointment(s.store.db(), &session.appointment_id).await?;
            Err(e.into())
        }
    }
}

/// Records an action of the citizen session (its random subject; never personal data).
pub(crate) async fn record(
    s: &Meetings,
    session: &CitizenSession,
    place: Option<&MeetingPlace>,
    rid: &RequestId,
    action: AuditAction,
) {
    let event = Event::actor(session.subject.clone(), "citizen", rid, action)
        .place(
            place.map(|p| p.comune_istat.clone()),
            place.map(|p| p.sede_id.clone()),
        )
        .target(session.appointment_id.clone());
    audit::record(&s.store, event).await;
}

/// `GET /v1/citizen/session`: which meeting this session is for.
pub async fn whoami(
    State(s): State<Meetings>,
    session: CitizenSession,
) -> ApiResult<Json<CitizenSessionInfo>> {
    let place = meeting(&s, &session).await?;
    Ok(Json(CitizenSessionInfo {
        appointment_id: place.appointment_id,
        room: place.room,
        comune_name: place.comune_name,
        sede_name: place.sede_name,
        starts_at: place.starts_at,
        ends_at: place.ends_at,
        csrf_token: session.csrf_token,
    }))
}

/// `POST /v1/citizen/meeting/token`: a fresh join token for the session's meeting.
pub async fn token(
    State(s): State<Meetings>,
    session: CitizenSession,
    rid: RequestId,
    JsonBody(_): JsonBody<EmptyBody>,
) -> ApiResult<Json<MeetingTicket>> {
    let place = meeting(&s, &session).await?;
    record(
        &s,
        &session,
        Some(&place),
        &rid,
        AuditAction::MeetingCitizenToken,
    )
    .await;
    let holder = Holder {
        subject: session.subject.clone(),
        role: Role::Citizen,
        display_name: super::CITIZEN_DISPLAY_NAME.to_owned(),
        session: None,
    };
    Ok(Json(ticket(&s, holder, place)))
}

/// `DELETE /v1/citizen/session`: the citizen session ends (its connections stay until they
/// leave; they cannot rejoin). Also in the feedback grace after the close ("Salta").
pub async fn leave(
    State(s): State<Meetings>,
    EndingSession(session): EndingSession,
    rid: RequestId,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    if let Some(t) = citizen::token(&headers) {
        citizen::end(s.store.db(), &t).await?;
    }
    record(&s, &session, None, &rid, AuditAction::CitizenLeave).await;
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, citizen::clear_cookie())],
    )
        .into_response())
}
