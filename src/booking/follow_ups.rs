//! Follow-ups "Da richiamare": the appointments of a comune whose meeting the official closed
//! with `call_back`, for which no appointment of the same codice fiscale has been booked (and is
//! still booked) since the close. The comune's operators see them on their home until they book
//! again for that citizen. `GET /v1/booking/comuni/{istat}/follow-ups`, for the operators of
//! that comune only (others: 403, as for the comune's appointments). Each carries the
//! applicant's data so that "Prenota di nuovo" can fill the booking wizard.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use sqlx::Row as _;
use ts_rs::TS;

use super::model::Applicant;
use super::{Booking, BookingError, from_unix, own_comune, rome};
use crate::identity::Principal;

/// The most follow-ups one answer lists (the newest).
pub const MAX_FOLLOW_UPS: i64 = 200;

/// One appointment to call back.
#[derive(Clone, Serialize, TS)]
pub struct FollowUp {
    /// The appointment closed with "Da richiamare".
    pub appointment_id: String,
    /// The applicant as in that appointment's request.
    pub applicant: Applicant,
    /// Its main service.
    pub service_code: String,
    /// The service's name.
    pub service_name: String,
    /// All the services requested.
    pub services: Vec<String>,
    /// When the meeting was (slot start, Italian offset).
    #[ts(type = "string")]
    pub starts_at: DateTime<FixedOffset>,
    /// When the official closed it.
    #[ts(type = "string")]
    pub closed_at: DateTime<FixedOffset>,
    /// The official's closing note, if any.
    pub notes: Option<String>,
}

impl std::fmt::Debug for FollowUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data stays out of debug output.
        f.debug_struct("FollowUp")
            .field("appointment_id", &self.appointment_id)
            .finish_non_exhaustive()
    }
}

const FOLLOW_UPS: &str = "SELECT r.id, r.service_code, sv.name AS service_name, r.starts_at, \
    r.meeting_closed_at, r.meeting_notes, c.given_name, c.family_name, c.codice_fiscale, \
    c.birth_date, c.birth_place, c.sex, c.residence_istat, c.email, c.phone \
    FROM reservations r JOIN citizen_requests c ON c.reservation_id = r.id \
    JOIN services sv ON sv.code = r.service_code \
    WHERE r.comune_istat = $1 AND r.status = 'booked' AND r.meeting_outcome = 'call_back' \
    AND NOT EXISTS (SELECT 1 FROM reservations r2 \
        JOIN citizen_requests c2 ON c2.reservation_id = r2.id \
        WHERE c2.codice_fiscale = c.codice_fiscale AND r2.status = 'booked' \
        AND r2.id <> r.id AND r2.confirmed_at >= r.meeting_closed_at) \
    ORDER BY r.meeting_closed_at DESC, r.id DESC LIMIT $2";

impl Booking {
    /// The follow-ups of comune `istat`, newest close first, for its operators.
    pub async fn follow_ups(
        &self,
        who: &Principal,
        istat: &str,
    ) -> Result<Vec<FollowUp>, BookingError> {
        own_comune(who, istat)?;
        let rows = sqlx::query(FOLLOW_UPS)
            .bind(istat)
            .bind(MAX_FOLLOW_UPS)
            .fetch_all(self.db().pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id")?;
            out.push(FollowUp {
                applicant: super::reservations::applicant_from(r)?,
                service_code: r.try_get("service_code")?,
                service_name: r.try_get("service_name")?,
                services: self.services_of(&id).await?,
                starts_at: rome::to_local(from_unix(r.try_get("starts_at")?)),
                closed_at: rome::to_local(from_unix(r.try_get("meeting_closed_at")?)),
                notes: r
                    .try_get::<Option<String>, _>("meeting_notes")?
                    .filter(|n| !n.trim().is_empty()),
                appointment_id: id,
            });
        }
        Ok(out)
    }
}
