//! Meeting join tickets: "Apri meeting" (the comune operator) and "Entra nel meeting" (the
//! official), and the signed, short-lived token every ticket carries.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use sportello_signalling::protocol::Role;
use sportello_signalling::token::MeetingClaims;

use super::Meetings;
pub use super::day::Door;
use super::day::{self, MeetingPlace};
use crate::api::AppError;
use crate::api::PathParams;
use crate::api::{ApiResult, EmptyBody, JsonBody};
use crate::audit::audited;
use crate::audit::{RequestId, Scope};
use crate::booking::api::appointment_id;
use crate::booking::{from_unix, rome};
use crate::identity::Principal;
use crate::identity::session::session_ref;

/// How long a meeting join token may be used to join, in seconds.
pub const MEETING_TOKEN_TTL_SECS: u64 = 120;

/// Someone else the meeting expects (shown in the lobby: "In attesa di …").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ExpectedParticipant {
    /// Their role.
    pub role: Role,
    /// The name they will have in the meeting.
    pub display_name: String,
}

/// A short-lived join token for the room of an appointment, and what the lobby shows.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct MeetingTicket {
    /// The appointment.
    pub appointment_id: String,
    /// The room (meeting) id, random and bound to the appointment.
    pub room: String,
    /// Signed meeting token bound to `room`, `role` and the caller's subject.
    pub token: String,
    /// Role in the meeting.
    pub role: Role,
    /// The name the other participants see.
    pub display_name: String,
    /// When the token stops being accepted for joining (real time, Italian offset).
    #[ts(type = "string")]
    pub expires_at: DateTime<FixedOffset>,
    /// Who else this meeting expects.
    pub expected: Vec<ExpectedParticipant>,
}

/// The name of the operator in the meeting of `place`.
pub fn operator_name(place: &MeetingPlace) -> String {
    format!("Operatore – {}", place.comune_name)
}

/// The name of the official in the meeting of `place`.
pub fn official_name(place: &MeetingPlace) -> String {
    format!("Funzionario INPS – {}", place.sede_name)
}

/// Who a participant in `role` waits for.
fn expected(place: &MeetingPlace, role: Role) -> Vec<ExpectedParticipant> {
    let official = ExpectedParticipant {
        role: Role::Official,
        display_name: official_name(place),
    };
    match role {
        Role::Official => vec![
            ExpectedParticipant {
                role: Role::Operator,
                display_name: operator_name(place),
            },
            ExpectedParticipant {
                role: Role::Citizen,
                display_name: super::CITIZEN_DISPLAY_NAME.to_owned(),
            },
        ],
        _ => vec![official],
    }
}

/// Signs a single-use ticket for `holder` into the room of `place`.
pub fn ticket(s: &Meetings, holder: Holder, place: MeetingPlace) -> MeetingTicket {
    let claims = MeetingClaims {
        session: holder.session,
        ..MeetingClaims::new(
            &place.room,
            holder.role,
            &holder.subject,
            &holder.display_name,
            MEETING_TOKEN_TTL_SECS,
        )
    };
    let token = s.signalling.token_key().sign(&claims);
    let expected = expected(&place, holder.role);
    MeetingTicket {
        appointment_id: place.appointment_id,
        room: place.room,
        token,
        role: holder.role,
        display_name: holder.display_name,
        expires_at: rome::to_local(from_unix(i64::try_from(claims.exp).unwrap_or(i64::MAX))),
        expected,
    }
}

/// The scope of a meeting: the appointment (the room id is in the application log).
pub fn meeting_scope(p: &MeetingPlace) -> Scope {
    Scope {
        target: Some(p.appointment_id.clone()),
        comune_istat: Some(p.comune_istat.clone()),
        sede_id: Some(p.sede_id.clone()),
    }
}

/// Who a ticket is for, once the caller has been admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The subject the token is bound to.
    pub subject: String,
    /// Role in the meeting.
    pub role: Role,
    /// The name the other participants see.
    pub display_name: String,
    /// The staff session that obtains the ticket ([`crate::identity::session::session_ref`]):
    /// the ticket admits only while it lives. `None` for the citizen, whose subject is its
    /// session.
    pub session: Option<String>,
}

/// The one ticket-issuing path of the staff doors: checks that `who` may pass `door` into the
/// meeting of appointment `id` now (auditing the attempt: ok, or denied on a 403), asks `holder`
/// who the ticket is for (the caller, or the citizen the meeting is handed over to), and signs
/// the join token. Answers the ticket and what `holder` gave besides.
pub async fn issue<T>(
    s: &Meetings,
    who: &Principal,
    rid: &RequestId,
    id: &str,
    door: Door,
    holder: impl AsyncFnOnce(&MeetingPlace) -> ApiResult<(Holder, T)>,
) -> ApiResult<(MeetingTicket, T)> {
    let (db, now) = (s.store.db(), s.store.now());
    let r = day::admit(db, now, who, id, door)
        .await
        .map_err(AppError::from);
    let place = audited(
        &s.store,
        who,
        rid,
        door.action(),
        r,
        meeting_scope,
        Scope::target(id),
    )
    .await?;
    let (holder, extra) = holder(&place).await?;
    match door {
        Door::Open => {
            tracing::info!(appointment = %place.appointment_id, room = %place.room, "meeting opened by the operator");
        }
        Door::Join => {
            tracing::info!(appointment = %place.appointment_id, room = %place.room, "official joins the meeting");
        }
        Door::Handover => {}
    }
    Ok((ticket(s, holder, place), extra))
}

/// A staff member takes a ticket through `door` for themself, in `role` under the staff name of
/// that role.
async fn staff_ticket(
    s: &Meetings,
    who: &Principal,
    rid: &RequestId,
    (id, headers): (&str, &HeaderMap),
    b: Result<JsonBody<EmptyBody>, AppError>,
    door: Door,
    role: Role,
) -> ApiResult<Json<MeetingTicket>> {
    appointment_id(id)?;
    let JsonBody(_) = b?;
    let holder = async |place: &MeetingPlace| {
        let display_name = match role {
            Role::Official => official_name(place),
            _ => operator_name(place),
        };
        let holder = Holder {
            subject: who.subject.clone(),
            role,
            display_name,
            session: session_ref(headers),
        };
        Ok((holder, ()))
    };
    let (ticket, ()) = issue(s, who, rid, id, door, holder).await?;
    Ok(Json(ticket))
}

/// `POST /v1/booking/appointments/{id}/meeting`: "Apri meeting".
pub async fn open_meeting(
    State(s): State<Meetings>,
    who: Principal,
    rid: RequestId,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    b: Result<JsonBody<EmptyBody>, AppError>,
) -> ApiResult<Json<MeetingTicket>> {
    let at = (id.as_str(), &headers);
    let ticket = staff_ticket(&s, &who, &rid, at, b, Door::Open, Role::Operator).await?;
    // The officials waiting for this meeting may enter now.
    s.openings.opened(&ticket.appointment_id);
    Ok(ticket)
}

/// `POST /v1/booking/appointments/{id}/meeting/join`: "Entra nel meeting".
pub async fn join_meeting(
    State(s): State<Meetings>,
    who: Principal,
    rid: RequestId,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    b: Result<JsonBody<EmptyBody>, AppError>,
) -> ApiResult<Json<MeetingTicket>> {
    let at = (id.as_str(), &headers);
    staff_ticket(&s, &who, &rid, at, b, Door::Join, Role::Official).await
}
