//! "Passa al cittadino": the operator hands the meeting over to the citizen and is logged out.
//!
//! The answer carries a citizen ticket (a meeting token with role `citizen` and the citizen
//! session's random subject) and two cookies: the staff cookie cleared (the staff session is
//! also deleted on the server) and the citizen session's. The kiosk page sends the ticket's
//! token as `reauthenticate` on its live signalling connection, which then continues as the
//! citizen's: no new connection, no renegotiation, the media never stops. A connection of the
//! operator in that room which has not taken the new identity within [`HANDOVER_GRACE`] is cut
//! off, so the logged-out operator cannot stay in the call.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use sportello_signalling::protocol::{ErrorCode, Role};

use super::Meetings;
use super::tickets::{MeetingTicket, meeting_scope, ticket};
use crate::api::AppError;
use crate::api::{ApiResult, EmptyBody, JsonBody};
use crate::audit::audited;
use crate::audit::{self, AuditAction, Outcome, RequestId, Scope};
use crate::booking::api::appointment_id;
use crate::booking::meeting::meeting_window;
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
    Path(id): Path<String>,
    b: Result<JsonBody<EmptyBody>, AppError>,
) -> ApiResult<Response> {
    appointment_id(&id)?;
    let JsonBody(_) = b?;
    let r = s
        .booking
        .handover_meeting(&who, &id)
        .await
        .map_err(AppError::from);
    let place = audited(
        s.booking.store(),
        &who,
        &rid,
        AuditAction::MeetingHandover,
        r,
        meeting_scope,
        Scope::target(id),
    )
    .await?;
    let (_, closes) = meeting_window(
        place.starts_at.with_timezone(&Utc),
        place.ends_at.with_timezone(&Utc),
    );
    let (token, session) = citizen::create(
        s.booking.db(),
        s.booking.now(),
        &place.appointment_id,
        &place.room,
        closes,
    )
    .await?;
    cut_off_after_grace(&s, &place.room, &who.subject);
    // The operator is logged out: the staff session ends now, on the server.
    if let Some(staff) = session_token(&headers) {
        s.sessions.revoke(&staff).await;
    }
    audit::record(
        s.booking.store(),
        &who,
        &rid,
        AuditAction::SessionLogout,
        Scope::target(who.subject.clone()),
        Outcome::Ok,
    )
    .await;
    tracing::info!(appointment = %place.appointment_id, "meeting handed over to the citizen");
    let ticket = ticket(
        &s,
        &session.subject,
        place,
        Role::Citizen,
        super::CITIZEN_DISPLAY_NAME.to_owned(),
    );
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

/// Cuts off, after [`HANDOVER_GRACE`], the connections that `subject` has in `room` now and
/// that still act as `subject` then.
fn cut_off_after_grace(s: &Meetings, room: &str, subject: &str) {
    let router = s.signalling.router().clone();
    let ids = router.participants_of(room, subject);
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
                    if router.kick_if_subject(&room, &id, &subject, ErrorCode::Removed).await {
                        tracing::info!(participant = %id, "operator connection cut off after the handover");
                    }
                }
            }
        }
    });
}
