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
