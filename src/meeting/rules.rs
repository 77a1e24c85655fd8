//! The rules of the meeting day: when a meeting may be entered (its window, on the appointment's
//! day), who may act on it (an operator of the appointment's comune, an official of its
//! sportello), and the outcomes an official closes it with.
//!
//! Both sides may act only inside the meeting window of the appointment's day: from
//! [`MEETING_OPENS_BEFORE`] before the slot starts until [`MEETING_CLOSES_AFTER`] after it ends,
//! by the server clock.

use chrono::{DateTime, Duration, Utc};

use super::store::MeetingRow;
use crate::api::ApiCode;
use crate::booking::{BookingError, operator_comune, rome};
use crate::identity::{Principal, StaffRole};

/// How long before the slot starts the meeting may be opened.
pub const MEETING_OPENS_BEFORE: Duration = Duration::minutes(30);
/// How long after the slot ends the meeting may still be opened or joined.
pub const MEETING_CLOSES_AFTER: Duration = Duration::minutes(30);

pub use crate::booking::model::MeetingOutcome;

/// Longest notes of an outcome, in characters.
pub const MAX_OUTCOME_NOTES: usize = 2000;

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

/// 409 `meeting_closed`.
pub(crate) fn meeting_closed() -> BookingError {
    BookingError::conflict(
        ApiCode::MeetingClosed,
        "the official has already closed this meeting",
    )
}

/// 409 `meeting_not_open`.
pub(crate) fn meeting_not_open() -> BookingError {
    BookingError::conflict(
        ApiCode::MeetingNotOpen,
        "the comune operator has not opened the meeting yet",
    )
}

/// 404 `unknown_appointment`.
pub(crate) fn unknown_appointment() -> BookingError {
    BookingError::not_found(ApiCode::UnknownAppointment, "no such appointment")
}

/// A booked appointment whose meeting was not closed, `now` inside its meeting window (on the
/// appointment's day).
pub(crate) fn check_time(row: &MeetingRow, now: DateTime<Utc>) -> Result<(), BookingError> {
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

/// The comune of `who`, if `who` is a comune operator (checked before the appointment is read).
pub(crate) fn check_operator_role(who: &Principal) -> Result<&str, BookingError> {
    operator_comune(who)
}

/// The appointment is in `comune`, the operator's.
pub(crate) fn check_operator_comune(comune: &str, row: &MeetingRow) -> Result<(), BookingError> {
    if comune != row.comune {
        return Err(BookingError::Forbidden(
            "an operator acts only on the meetings of their own comune".into(),
        ));
    }
    Ok(())
}

/// `who` is an official (checked before the appointment is read).
pub(crate) fn check_official_role(who: &Principal) -> Result<(), BookingError> {
    if who.role != StaffRole::Official {
        return Err(BookingError::Forbidden(
            "only an INPS official may do this with a meeting".into(),
        ));
    }
    Ok(())
}

/// `who` (an official) serves the appointment's sportello.
pub(crate) fn check_official_sportello(
    who: &Principal,
    row: &MeetingRow,
) -> Result<(), BookingError> {
    if !who.may_read_agenda(&row.sportello, &row.sede) {
        return Err(BookingError::Forbidden(
            "the appointment is not at one of your sportelli".into(),
        ));
    }
    Ok(())
}
