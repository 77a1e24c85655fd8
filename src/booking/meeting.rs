//! Meeting day: "Apri meeting" (the comune operator opens the video meeting of one of today's
//! appointments) and "Entra nel meeting" (the official of the appointment's sportello joins it).
//!
//! The room id is random (128 bits), stored on the appointment row the first time the meeting is
//! opened and reused afterwards, so opening is idempotent and the room cannot be guessed from the
//! appointment. The official cannot create the room: until the operator has opened the meeting,
//! joining answers 409 `meeting_not_open` (the citizen is at the comune, so the meeting starts
//! there). Both sides may act only inside the meeting window of the appointment's day: from
//! [`MEETING_OPENS_BEFORE`] before the slot starts until [`MEETING_CLOSES_AFTER`] after it ends,
//! by the booking clock.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use super::error::BookingError;
use super::store::new_id;
use super::{Booking, from_unix, operator_comune, rome};
use crate::api::ApiCode;
use crate::identity::{Principal, StaffRole};

/// How long before the slot starts the meeting may be opened.
pub const MEETING_OPENS_BEFORE: Duration = Duration::minutes(30);
/// How long after the slot ends the meeting may still be opened or joined.
pub const MEETING_CLOSES_AFTER: Duration = Duration::minutes(30);

/// How the official closed a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MeetingOutcome {
    /// The citizen's request was dealt with ("Pratica risolta").
    Resolved,
    /// The office will call the citizen back ("Da richiamare").
    CallBack,
    /// The citizen did not come ("Cittadino non presente").
    NoShow,
}

impl MeetingOutcome {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::CallBack => "call_back",
            Self::NoShow => "no_show",
        }
    }
}

/// Longest notes of an outcome, in characters.
pub const MAX_OUTCOME_NOTES: usize = 2000;

/// The meeting of an appointment, as the API needs it to issue a join token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingPlace {
    /// The appointment.
    pub appointment_id: String,
    /// The room id (random, bound to the appointment).
    pub room: String,
    /// The appointment's comune (ISTAT code).
    pub comune_istat: String,
    /// The comune's name.
    pub comune_name: String,
    /// The Sede of the appointment's sportello.
    pub sede_id: String,
    /// The Sede's name.
    pub sede_name: String,
    /// Slot start.
    pub starts_at: DateTime<FixedOffset>,
    /// Slot end.
    pub ends_at: DateTime<FixedOffset>,
}

/// The meeting window of a slot: (opens, closes).
pub fn meeting_window(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        starts_at - MEETING_OPENS_BEFORE,
        ends_at + MEETING_CLOSES_AFTER,
    )
}

struct MeetingRow {
    status: String,
    comune: String,
    sportello: String,
    sede: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    room: Option<String>,
    closed: bool,
    comune_name: String,
    sede_name: String,
}

fn meeting_closed() -> BookingError {
    BookingError::conflict(
        ApiCode::MeetingClosed,
        "the official has already closed this meeting",
    )
}

fn meeting_not_open() -> BookingError {
    BookingError::conflict(
        ApiCode::MeetingNotOpen,
        "the comune operator has not opened the meeting yet",
    )
}

fn unknown_appointment() -> BookingError {
    BookingError::not_found(ApiCode::UnknownAppointment, "no such appointment")
}

impl MeetingRow {
    fn place(&self, id: &str, room: String) -> MeetingPlace {
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

impl Booking {
    async fn meeting_row(&self, id: &str) -> Result<MeetingRow, BookingError> {
        let row = sqlx::query(
            "SELECT r.status, r.comune_istat, r.sportello_id, p.sede_id, r.starts_at, r.ends_at, \
             r.meeting_room, r.meeting_closed_at, cm.name AS comune_name, s.name AS sede_name \
             FROM reservations r JOIN sportelli p ON p.id = r.sportello_id \
             JOIN sedi s ON s.id = p.sede_id JOIN comuni cm ON cm.istat = r.comune_istat \
             WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(self.db().pool())
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

    /// A booked appointment whose meeting was not closed, now inside its meeting window (on
    /// the appointment's day).
    fn check_meeting_time(&self, row: &MeetingRow) -> Result<(), BookingError> {
        if row.closed {
            return Err(meeting_closed());
        }
        match row.status.as_str() {
            "booked" => {}
            "cancelled" => {
                return Err(BookingError::conflict(
                    ApiCode::AppointmentCancelled,
                    "the appointment has been cancelled",
                ));
            }
            // Holds that never became appointments.
            _ => return Err(unknown_appointment()),
        }
        let now = self.now();
        let (opens, closes) = meeting_window(row.starts_at, row.ends_at);
        let same_day = rome::local_date(now) == rome::local_date(row.starts_at);
        if !same_day || now < opens || now > closes {
            let opens = rome::to_local(opens);
            let closes = rome::to_local(closes);
            return Err(BookingError::conflict(
                ApiCode::OutsideMeetingWindow,
                format!(
                    "the meeting is available on {} from {} to {}",
                    opens.format("%Y-%m-%d"),
                    opens.format("%H:%M"),
                    closes.format("%H:%M"),
                ),
            ));
        }
        Ok(())
    }

    /// The meeting row of `id`, if `who` is an operator of the appointment's comune.
    async fn operator_row(&self, who: &Principal, id: &str) -> Result<MeetingRow, BookingError> {
        let comune = operator_comune(who)?.to_owned();
        let row = self.meeting_row(id).await?;
        if row.comune != comune {
            return Err(BookingError::Forbidden(
                "an operator acts only on the meetings of their own comune".into(),
            ));
        }
        Ok(row)
    }

    /// The meeting row of `id`, if `who` is an official of the appointment's sportello.
    async fn official_row(&self, who: &Principal, id: &str) -> Result<MeetingRow, BookingError> {
        if who.role != StaffRole::Official {
            return Err(BookingError::Forbidden(
                "only an INPS official may do this with a meeting".into(),
            ));
        }
        let row = self.meeting_row(id).await?;
        if !who.may_read_agenda(&row.sportello, &row.sede) {
            return Err(BookingError::Forbidden(
                "the appointment is not at one of your sportelli".into(),
            ));
        }
        Ok(row)
    }

    /// The place of an opened meeting that may be entered now.
    fn open_place(&self, row: &MeetingRow, id: &str) -> Result<MeetingPlace, BookingError> {
        self.check_meeting_time(row)?;
        let room = row.room.clone().ok_or_else(meeting_not_open)?;
        Ok(row.place(id, room))
    }

    /// "Apri meeting": an operator of the appointment's comune opens (or reopens) its meeting.
    pub async fn open_meeting(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<MeetingPlace, BookingError> {
        let row = self.operator_row(who, id).await?;
        self.check_meeting_time(&row)?;
        if let Some(room) = &row.room {
            return Ok(row.place(id, room.clone()));
        }
        let room = format!("mtg-{}", new_id());
        // Set once: a concurrent "Apri meeting" that wins keeps its room, and both read it back.
        sqlx::query(
            "UPDATE reservations SET meeting_room = $1, meeting_opened_at = $2 \
             WHERE id = $3 AND meeting_room IS NULL",
        )
        .bind(&room)
        .bind(self.now().timestamp())
        .bind(id)
        .execute(self.db().pool())
        .await?;
        let (stored,): (Option<String>,) =
            sqlx::query_as("SELECT meeting_room FROM reservations WHERE id = $1")
                .bind(id)
                .fetch_one(self.db().pool())
                .await?;
        let room = stored.ok_or_else(unknown_appointment)?;
        Ok(row.place(id, room))
    }

    /// "Entra nel meeting": the official of the appointment's sportello joins its open meeting.
    pub async fn join_meeting(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<MeetingPlace, BookingError> {
        let row = self.official_row(who, id).await?;
        self.open_place(&row, id)
    }

    /// "Passa al cittadino": an operator of the appointment's comune hands its open meeting
    /// over to the citizen (the caller issues the citizen session).
    pub async fn handover_meeting(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<MeetingPlace, BookingError> {
        let row = self.operator_row(who, id).await?;
        self.open_place(&row, id)
    }

    /// The meeting of appointment `id` if a citizen may still enter it: opened, not closed,
    /// inside its window.
    pub async fn citizen_may_enter(&self, id: &str) -> Result<MeetingPlace, BookingError> {
        let row = self.meeting_row(id).await?;
        self.open_place(&row, id)
    }

    /// The official of the appointment's sportello closes its meeting with an outcome. Once
    /// only: a second close is 409 `meeting_closed`.
    pub async fn close_meeting(
        &self,
        who: &Principal,
        id: &str,
        outcome: MeetingOutcome,
        notes: Option<&str>,
    ) -> Result<(MeetingPlace, DateTime<Utc>), BookingError> {
        let row = self.official_row(who, id).await?;
        if row.closed {
            return Err(meeting_closed());
        }
        let room = row.room.clone().ok_or_else(meeting_not_open)?;
        let now = self.now();
        let done = sqlx::query(
            "UPDATE reservations SET meeting_closed_at = $1, meeting_outcome = $2, \
             meeting_notes = $3 WHERE id = $4 AND meeting_closed_at IS NULL",
        )
        .bind(now.timestamp())
        .bind(outcome.code())
        .bind(notes)
        .bind(id)
        .execute(self.db().pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(meeting_closed());
        }
        Ok((row.place(id, room), now))
    }

    /// The appointment (and its comune and Sede) of the meeting held in `room`, if any.
    pub async fn meeting_of_room(&self, room: &str) -> Result<Option<MeetingPlace>, BookingError> {
        let id: Option<(String,)> =
            sqlx::query_as("SELECT id FROM reservations WHERE meeting_room = $1")
                .bind(room)
                .fetch_optional(self.db().pool())
                .await?;
        let Some((id,)) = id else { return Ok(None) };
        let row = self.meeting_row(&id).await?;
        let room = row.room.clone().unwrap_or_default();
        Ok(Some(row.place(&id, room)))
    }
}
