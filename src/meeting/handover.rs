//! "Passa al cittadino": the operator hands the meeting over to the citizen and is logged out.
//!
//! The answer carries a citizen ticket (a meeting token with role `citizen` and the citizen
//! session's random subject) and two cookies: the staff cookie cleared (the staff session is
//! also deleted on the server) and the citizen session's. The kiosk page sends the ticket's
//! token as `reauthenticate` on its live signalling connection, which then continues as the
//! citizen's: no new connection, no renegotiation, the media never stops. A connection of the
//! operator in that room which has not taken the new identity within [`HANDOVER_GRACE`] is cut
//! off, so the logged-out operator cannot stay in the call. A handover replaces the meeting's
//! earlier citizen session, if any: that session's connections are cut off at once (`removed`).
//! From the handover on, operator tickets no longer admit a new connection (see
//! [`super::admission`]).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use sportello_signalling::protocol::{ErrorCode, Role};

use super::Meetings;
use super::day::MeetingPlace;
use super::rules::meeting_window;
use super::tickets::{Door, Holder, MeetingTicket, issue};
use crate::api::PathParams;
use crate::api::{ApiResult, AppError, EmptyBody, JsonBody};
use crate::audit::AuditAction;
use crate::audit::{self, Event, RequestId};
use crate::booking::api::appointment_id;
use crate::identity::session::{clear_cookie, session_token};
use crate::identity::{Principal, citizen};

/// How long the operator's connection has to take the citizen's identity.
pub const HANDOVER_GRACE: Duration = Duration::from_secs(10);

/// The answer of the handover.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct HandoverTicket {
    /// The citizen's ticket: send its token as `reauthenticate` on the live connection.
    pub ticket: MeetingTicket,
    /// The CSRF token of the citizen session (header `x-csrf-token` on its POST and DELETE).
    pub csrf_token: String,
}

/// `POST /v1/booking/appointments/{id}/meeting/handover`.
pub async fn handover(
    State(s): State<Meetings>,
    who: Principal,
    rid: RequestId,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    b: Result<JsonBody<EmptyBody>, AppError>,
) -> ApiResult<Response> {
    appointment_id(&id)?;
    let JsonBody(_) = b?;
    let citizen_holder = async |place: &MeetingPlace| {
        let (_, closes) = meeting_window(
            place.starts_at.with_timezone(&Utc),
            place.ends_at.with_timezone(&Utc),
        );
        let opened = citizen::create(
            s.store.db(),
            s.store.now(),
            &place.appointment_id,
            &place.room,
            closes,
        )
        .await?;
        let holder = Holder {
            subject: opened.session.subject.clone(),
            role: Role::Citizen,
            display_name: super::CITIZEN_DISPLAY_NAME.to_owned(),
            session: None,
        };
        Ok((holder, opened))
    };
    let (ticket, opened) = issue(&s, &who, &rid, &id, Door::Handover, citizen_holder).await?;
    cut_off_after_grace(&s, &ticket.room, &who.subject);
    cut_off_earlier_citizens(&s, &opened.ended).await;
    let citizen::Opened { token, session, .. } = opened;
    // The operator is logged out: the staff session ends now, on the server.
    if let Some(staff) = session_token(&headers) {
        s.sessions.revoke(&staff).await;
    }
    let logout = Event::staff(&who, &rid, AuditAction::SessionLogout).target(who.subject.clone());
    audit::record(&s.store, logout).await;
    tracing::info!(appointment = %ticket.appointment_id, "meeting handed over to the citizen");
    let cookies = AppendHeaders([
        (SET_COOKIE, clear_cookie()),
        (SET_COOKIE, citizen::set_cookie(&token)),
    ]);
    let answer = HandoverTicket {
        ticket,
        csrf_token: session.csrf_token,
    };
    Ok((cookies, Json(answer)).into_response())
}

/// Cuts off at once the connections of the citizen sessions this handover replaced: the
/// meeting has one citizen, the one the handover names now.
async fn cut_off_earlier_citizens(s: &Meetings, subjects: &[String]) {
    for subject in subjects {
        let cut = s
            .signalling
            .rooms()
            .kick_subject(subject, ErrorCode::Removed)
            .await;
        if cut > 0 {
            tracing::info!(
                connections = cut,
                "earlier citizen connection cut off by the handover"
            );
        }
    }
}

/// Cuts off, after [`HANDOVER_GRACE`], the connections that `subject` has in `room` now and
/// that still act as `subject` then.
fn cut_off_after_grace(s: &Meetings, room: &str, subject: &str) {
    let rooms = s.signalling.rooms().clone();
    let ids = rooms.participants_of(room, subject);
    if ids.is_empty() {
        return;
    }
    let (room, subject) = (room.to_owned(), subject.to_owned());
    let stop = s.shutdown.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = stop.cancelled() => {}
            () = tokio::time::sleep(HANDOVER_GRACE) => {
                for id in ids {
                    if rooms.kick_if_subject(&room, &id, &subject, ErrorCode::Removed).await {
                        tracing::info!(participant = %id, "operator connection cut off after the handover");
                    }
                }
            }
        }
    });
}
