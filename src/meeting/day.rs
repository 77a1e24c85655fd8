//! The meeting day's operations: "Apri meeting" (the comune operator opens the video meeting of
//! one of today's appointments), "Entra nel meeting" (the official of the appointment's sportello
//! joins it), "Passa al cittadino" (the operator hands it over), the citizen entering, and the
//! official closing it. Each checks [`super::rules`] and reads or writes through
//! [`super::store`].
//!
//! The room id is random (128 bits), stored on the appointment row the first time the meeting is
//! opened and reused afterwards, so opening is idempotent and the room cannot be guessed from the
//! appointment. The official cannot create the room: until the operator has opened the meeting,
//! joining answers 409 `meeting_not_open` (the citizen is at the comune, so the meeting starts
//! there).

use chrono::{DateTime, FixedOffset, Utc};

use super::rules::{self, MeetingOutcome, meeting_closed, meeting_not_open, unknown_appointment};
use super::store::{self, MeetingRow};
use crate::audit::AuditAction;
use crate::booking::BookingError;
use crate::booking::store::new_id;
use crate::identity::Principal;
use crate::store::Db;

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

/// The meeting row of `id`, if `who` is an operator of the appointment's comune.
async fn operator_row(db: &Db, who: &Principal, id: &str) -> Result<MeetingRow, BookingError> {
    let comune = rules::check_operator_role(who)?.to_owned();
    let row = store::row(db, id).await?;
    rules::check_operator_comune(&comune, &row)?;
    Ok(row)
}

/// The meeting row of `id`, if `who` is an official of the appointment's sportello.
async fn official_row(db: &Db, who: &Principal, id: &str) -> Result<MeetingRow, BookingError> {
    rules::check_official_role(who)?;
    let row = store::row(db, id).await?;
    rules::check_official_sportello(who, &row)?;
    Ok(row)
}

/// The place of an opened meeting that may be entered at `now`.
fn open_place(
    row: &MeetingRow,
    id: &str,
    now: DateTime<Utc>,
) -> Result<MeetingPlace, BookingError> {
    rules::check_time(row, now)?;
    let room = row.room.clone().ok_or_else(meeting_not_open)?;
    Ok(row.place(id, room))
}

/// "Apri meeting": an operator of the appointment's comune opens (or reopens) its meeting.
async fn open(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    id: &str,
) -> Result<MeetingPlace, BookingError> {
    let row = operator_row(db, who, id).await?;
    rules::check_time(&row, now)?;
    if let Some(room) = &row.room {
        return Ok(row.place(id, room.clone()));
    }
    let room = format!("mtg-{}", new_id());
    let room = store::set_room_once(db, id, &room, now)
        .await?
        .ok_or_else(unknown_appointment)?;
    Ok(row.place(id, room))
}

/// The ways into a meeting that issue a ticket to a staff action, each with its own admission
/// rule and audit action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// "Apri meeting": the comune operator opens the meeting and enters it.
    Open,
    /// "Entra nel meeting": the official of the appointment's sportello joins the open meeting.
    Join,
    /// "Passa al cittadino": the operator hands the open meeting over to the citizen (the
    /// caller issues the citizen session).
    Handover,
}

impl Door {
    /// The audit action of passing this door.
    pub fn action(self) -> AuditAction {
        match self {
            Self::Open => AuditAction::MeetingOpen,
            Self::Join => AuditAction::MeetingJoin,
            Self::Handover => AuditAction::MeetingHandover,
        }
    }
}

/// Whether `who` may pass `door` into the meeting of appointment `id` at `now`: the meeting
/// they may enter (opening it first for [`Door::Open`]).
pub async fn admit(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    id: &str,
    door: Door,
) -> Result<MeetingPlace, BookingError> {
    let row = match door {
        Door::Open => return open(db, now, who, id).await,
        Door::Join => official_row(db, who, id).await?,
        Door::Handover => operator_row(db, who, id).await?,
    };
    open_place(&row, id, now)
}

/// The place of appointment `id` if `who` is an official of its sportello and it is booked
/// (opened or not, at any time): who may read its case.
pub async fn official_may_read(
    db: &Db,
    who: &Principal,
    id: &str,
) -> Result<MeetingPlace, BookingError> {
    let row = official_row(db, who, id).await?;
    if row.status != "booked" {
        return Err(unknown_appointment());
    }
    let room = row.room.clone().unwrap_or_default();
    Ok(row.place(id, room))
}

/// The meeting of appointment `id` if `who` may be in it now as staff (an `official` of its
/// sportello, otherwise an operator of its comune): opened, not closed, inside its window.
pub async fn staff_may_enter(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    id: &str,
    official: bool,
) -> Result<MeetingPlace, BookingError> {
    let row = if official {
        official_row(db, who, id).await?
    } else {
        operator_row(db, who, id).await?
    };
    open_place(&row, id, now)
}

/// The meeting of appointment `id` if a citizen may still enter it: opened, not closed,
/// inside its window.
pub async fn citizen_may_enter(
    db: &Db,
    now: DateTime<Utc>,
    id: &str,
) -> Result<MeetingPlace, BookingError> {
    let row = store::row(db, id).await?;
    open_place(&row, id, now)
}

/// The official of the appointment's sportello closes its meeting with an outcome. Once
/// only: a second close is 409 `meeting_closed`.
pub async fn close(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    id: &str,
    outcome: MeetingOutcome,
    notes: Option<&str>,
) -> Result<(MeetingPlace, DateTime<Utc>), BookingError> {
    let row = official_row(db, who, id).await?;
    if row.closed {
        return Err(meeting_closed());
    }
    let room = row.room.clone().ok_or_else(meeting_not_open)?;
    if !store::close(db, id, now, outcome, notes).await? {
        return Err(meeting_closed());
    }
    Ok((row.place(id, room), now))
}

/// The appointment (and its comune and Sede) of the meeting held in `room`, if any.
pub async fn of_room(db: &Db, room: &str) -> Result<Option<MeetingPlace>, BookingError> {
    let Some(id) = store::appointment_of_room(db, room).await? else {
        return Ok(None);
    };
    let row = store::row(db, &id).await?;
    let room = row.room.clone().unwrap_or_default();
    Ok(Some(row.place(&id, room)))
}
