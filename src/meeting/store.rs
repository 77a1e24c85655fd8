//! The meeting day's SQL: the meeting columns of an appointment (`reservations.meeting_*`) and
//! the names around it.

use chrono::{DateTime, Utc};
use sqlx::Row as _;

use super::MeetingPlace;
use super::rules::{MeetingOutcome, unknown_appointment};
use crate::booking::{BookingError, from_unix, rome};
use crate::store::Db;

/// An appointment as the meeting rules read it.
pub(crate) struct MeetingRow {
    /// `booked`, `cancelled`, or a hold's status.
    pub status: String,
    /// The appointment's comune (ISTAT code).
    pub comune: String,
    /// Its sportello.
    pub sportello: String,
    /// The sportello's Sede.
    pub sede: String,
    /// Slot start.
    pub starts_at: DateTime<Utc>,
    /// Slot end.
    pub ends_at: DateTime<Utc>,
    /// The room, once the meeting was opened.
    pub room: Option<String>,
    /// Whether the official closed the meeting.
    pub closed: bool,
    /// The comune's name.
    pub comune_name: String,
    /// The Sede's name.
    pub sede_name: String,
}

impl MeetingRow {
    /// The place of appointment `id`'s meeting in `room`.
    pub fn place(&self, id: &str, room: String) -> MeetingPlace {
        MeetingPlace {
            appointment_id: id.to_owned(),
            room,
            comune_istat: self.comune.clone(),
            comune_name: self.comune_name.clone(),
            sede_id: self.sede.clone(),
            sede_name: self.sede_name.clone(),
            starts_at: rome::to_local(self.starts_at),
            ends_at: rome::to_local(self.ends_at),
        }
    }
}

/// The meeting row of appointment `id` (404 `unknown_appointment` if none).
pub(crate) async fn row(db: &Db, id: &str) -> Result<MeetingRow, BookingError> {
    let row = sqlx::query(
        "SELECT r.status, r.comune_istat, r.sportello_id, p.sede_id, r.starts_at, r.ends_at, \
         r.meeting_room, r.meeting_closed_at, cm.name AS comune_name, s.name AS sede_name \
         FROM reservations r JOIN sportelli p ON p.id = r.sportello_id \
         JOIN sedi s ON s.id = p.sede_id JOIN comuni cm ON cm.istat = r.comune_istat \
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(unknown_appointment)?;
    Ok(MeetingRow {
        status: row.try_get("status")?,
        comune: row.try_get("comune_istat")?,
        sportello: row.try_get("sportello_id")?,
        sede: row.try_get("sede_id")?,
        starts_at: from_unix(row.try_get("starts_at")?),
        ends_at: from_unix(row.try_get("ends_at")?),
        room: row.try_get("meeting_room")?,
        closed: row
            .try_get::<Option<i64>, _>("meeting_closed_at")?
            .is_some(),
        comune_name: row.try_get("comune_name")?,
        sede_name: row.try_get("sede_name")?,
    })
}

/// Stores `room` as appointment `id`'s room unless it has one (set once: a concurrent
/// "Apri meeting" that wins keeps its room), and returns the stored room.
pub(crate) async fn set_room_once(
    db: &Db,
    id: &str,
    room: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, BookingError> {
    sqlx::query(
        "UPDATE reservations SET meeting_room = $1, meeting_opened_at = $2 \
         WHERE id = $3 AND meeting_room IS NULL",
    )
    .bind(room)
    .bind(now.timestamp())
    .bind(id)
    .execute(db.pool())
    .await?;
    let (stored,): (Option<String>,) =
        sqlx::query_as("SELECT meeting_room FROM reservations WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await?;
    Ok(stored)
}

/// Records the close of appointment `id`'s meeting unless it was closed; `false` if it was.
pub(crate) async fn close(
    db: &Db,
    id: &str,
    now: DateTime<Utc>,
    outcome: MeetingOutcome,
    notes: Option<&str>,
) -> Result<bool, BookingError> {
    let done = sqlx::query(
        "UPDATE reservations SET meeting_closed_at = $1, meeting_outcome = $2, \
         meeting_notes = $3 WHERE id = $4 AND meeting_closed_at IS NULL",
    )
    .bind(now.timestamp())
    .bind(outcome.code())
    .bind(notes)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() != 0)
}

/// The appointment whose meeting is held in `room`, if any.
pub(crate) async fn appointment_of_room(
    db: &Db,
    room: &str,
) -> Result<Option<String>, BookingError> {
    let id: Option<(String,)> =
        sqlx::query_as("SELECT id FROM reservations WHERE meeting_room = $1")
            .bind(room)
            .fetch_optional(db.pool())
            .await?;
    Ok(id.map(|(id,)| id))
}

/// The case of appointment `id` (after the caller was authorised): the request, its services
/// and who booked it.
pub(crate) async fn case_file(db: &Db, id: &str) -> Result<super::case::CaseFile, BookingError> {
    use super::case::{CaseApplicant, CaseBooker, CaseDelegate, CaseFile};
    let row = sqlx::query(
        "SELECT r.starts_at, r.ends_at, r.created_by, r.created_at, r.confirmed_at, \
         cm.name AS comune_name, p.name AS sportello_name, \
         q.given_name, q.family_name, q.codice_fiscale, q.birth_date, q.birth_place, \
         q.delegate_given_name, q.delegate_family_name, q.delegate_codice_fiscale, \
         q.delegation_act, q.notes, a.full_name AS booked_by_name \
         FROM reservations r JOIN citizen_requests q ON q.reservation_id = r.id \
         JOIN sportelli p ON p.id = r.sportello_id JOIN comuni cm ON cm.istat = r.comune_istat \
         LEFT JOIN staff_accounts a ON a.account = r.created_by \
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(unknown_appointment)?;
    let services: Vec<String> = sqlx::query(
        "SELECT s.name FROM request_services rs JOIN services s ON s.code = rs.service_code \
         WHERE rs.reservation_id = $1 ORDER BY s.name",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| r.try_get("name"))
    .collect::<Result<_, _>>()?;
    let birth_date: String = row.try_get("birth_date")?;
    let delegate = match (
        row.try_get::<Option<String>, _>("delegate_given_name")?,
        row.try_get::<Option<String>, _>("delegate_family_name")?,
        row.try_get::<Option<String>, _>("delegate_codice_fiscale")?,
    ) {
        (Some(given_name), Some(family_name), Some(codice_fiscale)) => Some(CaseDelegate {
            given_name,
            family_name,
            codice_fiscale,
            delegation_act: row.try_get("delegation_act")?,
        }),
        _ => None,
    };
    let booked_at: Option<i64> = row.try_get("confirmed_at")?;
    let booked_at = match booked_at {
        Some(t) => t,
        None => row.try_get("created_at")?,
    };
    Ok(CaseFile {
        appointment_id: id.to_owned(),
        starts_at: rome::to_local(from_unix(row.try_get("starts_at")?)),
        ends_at: rome::to_local(from_unix(row.try_get("ends_at")?)),
        comune_name: row.try_get("comune_name")?,
        sportello_name: row.try_get("sportello_name")?,
        applicant: CaseApplicant {
            given_name: row.try_get("given_name")?,
            family_name: row.try_get("family_name")?,
            codice_fiscale: row.try_get("codice_fiscale")?,
            birth_date: birth_date.parse().map_err(|_| {
                BookingError::Database(sqlx::Error::Decode("a stored birth date".into()))
            })?,
            birth_place: row.try_get("birth_place")?,
        },
        services,
        delegate,
        notes: row
            .try_get::<Option<String>, _>("notes")?
            .filter(|n| !n.trim().is_empty()),
        booked_by: CaseBooker {
            account: row.try_get("created_by")?,
            full_name: row.try_get("booked_by_name")?,
        },
        booked_at: rome::to_local(from_unix(booked_at)),
    })
}
