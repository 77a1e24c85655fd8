//! Holds and appointments. Every change is one transaction; the unique index
//! `reservations_one_live_claim_per_slot` is the last word on double booking.
//!
//! [`holds`]: hold, release and "Prenota"; [`appointments`]: reading, cancelling and
//! rescheduling appointments. This module holds what both share: the row mapping, the claim
//! read inside a transaction, the bookability check.

mod appointments;
mod holds;

use chrono::{DateTime, Duration, Utc};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::error::BookingError;
use super::model::{Applicant, Appointment, Hold, MeetingOutcome};
use super::store::Sportello;
use super::{Booking, MAX_AHEAD_DAYS, from_unix, rome, unknown_sportello};
use crate::api::ApiCode;
use crate::codice_fiscale::Sex;

const APPOINTMENT_SELECT: &str = "SELECT r.id, r.status, r.comune_istat, r.sportello_id, \
    p.name AS sportello_name, s.id AS sede_id, s.name AS sede_name, r.service_code, \
    sv.name AS service_name, r.starts_at, r.ends_at, c.given_name, c.family_name, \
    c.delegate_codice_fiscale, cm.name AS comune_name, r.meeting_closed_at, \
    r.meeting_outcome, r.meeting_notes, r.booking_code \
    FROM reservations r JOIN sportelli p ON p.id = r.sportello_id \
    JOIN comuni cm ON cm.istat = r.comune_istat \
    JOIN sedi s ON s.id = p.sede_id JOIN services sv ON sv.code = r.service_code \
    JOIN citizen_requests c ON c.reservation_id = r.id";

fn hold_from(row: &AnyRow, now: DateTime<Utc>) -> Result<Hold, sqlx::Error> {
    Ok(Hold {
        id: row.try_get("id")?,
        status: row.try_get("status")?,
        sportello_id: row.try_get("sportello_id")?,
        service_code: row.try_get("service_code")?,
        starts_at: rome::to_local(from_unix(row.try_get("starts_at")?)),
        ends_at: rome::to_local(from_unix(row.try_get("ends_at")?)),
        expires_at: rome::to_local(from_unix(row.try_get("hold_expires_at")?)),
        server_now: rome::to_local(now),
    })
}

fn appointment_from(row: &AnyRow) -> Result<Appointment, sqlx::Error> {
    Ok(Appointment {
        id: row.try_get("id")?,
        code: row
            .try_get::<Option<String>, _>("booking_code")?
            .unwrap_or_default(),
        status: row.try_get("status")?,
        comune_istat: row.try_get("comune_istat")?,
        comune_name: row.try_get("comune_name")?,
        sede_id: row.try_get("sede_id")?,
        sede_name: row.try_get("sede_name")?,
        sportello_id: row.try_get("sportello_id")?,
        sportello_name: row.try_get("sportello_name")?,
        service_code: row.try_get("service_code")?,
        service_name: row.try_get("service_name")?,
        starts_at: rome::to_local(from_unix(row.try_get("starts_at")?)),
        ends_at: rome::to_local(from_unix(row.try_get("ends_at")?)),
        given_name: row.try_get("given_name")?,
        family_name: row.try_get("family_name")?,
        services: Vec::new(),
        has_delegate: row
            .try_get::<Option<String>, _>("delegate_codice_fiscale")?
            .is_some(),
        meeting_closed: row
            .try_get::<Option<i64>, _>("meeting_closed_at")?
            .is_some(),
        meeting_outcome: row
            .try_get::<Option<String>, _>("meeting_outcome")?
            .as_deref()
            .and_then(MeetingOutcome::from_code),
        meeting_notes: row.try_get("meeting_notes")?,
    })
}

/// The applicant of a row that joins `citizen_requests` (the reprint of a form, a follow-up).
pub(crate) fn applicant_from(row: &AnyRow) -> Result<Applicant, BookingError> {
    let birth_date: String = row.try_get("birth_date")?;
    let sex: String = row.try_get("sex")?;
    Ok(Applicant {
        given_name: row.try_get("given_name")?,
        family_name: row.try_get("family_name")?,
        codice_fiscale: row.try_get("codice_fiscale")?,
        birth_date: birth_date.parse::<chrono::NaiveDate>().map_err(|_| {
            BookingError::Database(sqlx::Error::Decode("a stored birth date".into()))
        })?,
        birth_place: row.try_get("birth_place")?,
        sex: if sex == "F" { Sex::Female } else { Sex::Male },
        residence_istat: row.try_get("residence_istat")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
    })
}

impl Booking {
    /// The appointments of `rows` (from [`APPOINTMENT_SELECT`]), each with its services.
    async fn appointments_of(&self, rows: &[AnyRow]) -> Result<Vec<Appointment>, BookingError> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut a = appointment_from(r)?;
            a.services = self.services_of(&a.id).await?;
            out.push(a);
        }
        Ok(out)
    }
}

/// The state of a reservation row, as read inside a transaction.
struct Claim {
    status: String,
    comune: String,
    expires: i64,
    key: Option<String>,
    starts_at: i64,
    service: String,
}

async fn claim(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Option<Claim>, BookingError> {
    let row = sqlx::query(
        "SELECT status, comune_istat, hold_expires_at, idempotency_key, starts_at, service_code \
         FROM reservations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Claim {
        status: r.try_get("status")?,
        comune: r.try_get("comune_istat")?,
        expires: r.try_get("hold_expires_at")?,
        key: r.try_get("idempotency_key")?,
        starts_at: r.try_get("starts_at")?,
        service: r.try_get("service_code")?,
    }))
}

fn unknown_hold() -> BookingError {
    BookingError::not_found(ApiCode::UnknownHold, "no such hold")
}

fn unknown_appointment() -> BookingError {
    BookingError::not_found(ApiCode::UnknownAppointment, "no such appointment")
}

fn hold_expired() -> BookingError {
    BookingError::conflict(
        ApiCode::HoldExpired,
        "the hold expired and its slot was freed: choose a slot again",
    )
}

fn slot_taken() -> BookingError {
    BookingError::conflict(ApiCode::SlotTaken, "the slot is already held or booked")
}

/// Marks lapsed holds of one slot as expired, so the unique index lets a new claim in.
async fn expire_stale(
    conn: &mut sqlx::AnyConnection,
    sportello_id: &str,
    starts_at: i64,
    now: i64,
) -> Result<(), BookingError> {
    sqlx::query(
        "UPDATE reservations SET status = 'expired' WHERE sportello_id = $1 \
         AND starts_at = $2 AND status = 'held' AND hold_expires_at <= $3",
    )
    .bind(sportello_id)
    .bind(starts_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many codes "Prenota" draws before giving up (a collision is rare: 32^5 codes).
const CODE_ATTEMPTS: usize = 16;

/// Gives reservation `id` a new booking code, retrying on a collision. Each attempt runs in a
/// savepoint, so a unique violation (which aborts a PostgreSQL transaction) can be retried.
async fn assign_code(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
) -> Result<String, BookingError> {
    use sqlx::Acquire as _;
    for _ in 0..CODE_ATTEMPTS {
        let code = super::code::new_code();
        let mut sp = tx.begin().await?;
        let set = sqlx::query("UPDATE reservations SET booking_code = $2 WHERE id = $1")
            .bind(id)
            .bind(&code)
            .execute(&mut *sp)
            .await
            .map_err(BookingError::from);
        match set {
            Ok(_) => {
                sp.commit().await?;
                return Ok(code);
            }
            Err(e) if e.is_unique_violation() => sp.rollback().await?,
            Err(e) => return Err(e),
        }
    }
    Err(BookingError::conflict(
        ApiCode::Conflict,
        "no free booking code found: try again",
    ))
}

impl Booking {
    /// Gives a booking code to the appointments booked before codes existed (run at start-up,
    /// after the migrations); returns how many got one.
    pub async fn backfill_codes(&self) -> Result<usize, BookingError> {
        let rows = sqlx::query(
            "SELECT id FROM reservations WHERE booking_code IS NULL \
             AND status IN ('booked', 'cancelled')",
        )
        .fetch_all(self.db().pool())
        .await?;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let mut tx = self.db().begin_write().await?;
            assign_code(&mut tx, &id).await?;
            tx.commit().await?;
        }
        Ok(rows.len())
    }

    /// Checks that `comune` may book `start` at `sportello_id` for `service`.
    async fn bookable(
        &self,
        comune: &str,
        sportello_id: &str,
        service: &str,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(Sportello, DateTime<Utc>), BookingError> {
        let sportello = self
            .db()
            .sportello(sportello_id)
            .await?
            .ok_or_else(unknown_sportello)?;
        if self.db().service(service).await?.is_none() {
            return Err(BookingError::not_found(
                ApiCode::UnknownService,
                "no such service",
            ));
        }
        if !self.db().handles(sportello_id, service).await? {
            return Err(BookingError::invalid(
                ApiCode::ServiceNotHandled,
                "the sportello does not handle this service",
            ));
        }
        let day = rome::local_date(start);
        if !self
            .db()
            .has_convention(comune, &sportello.sede_id, day)
            .await?
        {
            return Err(BookingError::Forbidden(
                "the comune has no PUE convention with this Sede".into(),
            ));
        }
        if start > now + Duration::days(MAX_AHEAD_DAYS) {
            return Err(BookingError::invalid(
                ApiCode::TooFarAhead,
                format!("slots can be booked at most {MAX_AHEAD_DAYS} days ahead"),
            ));
        }
        let calendar = self.db().calendar(&sportello, day, day).await?;
        let end = calendar
            .check(start, now)
            .map_err(BookingError::NotBookable)?;
        Ok((sportello, end))
    }

    async fn appointment_row(&self, id: &str) -> Result<Appointment, BookingError> {
        let sql = sqlx::AssertSqlSafe(format!("{APPOINTMENT_SELECT} WHERE r.id = $1"));
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.db().pool())
            .await?
            .ok_or_else(unknown_appointment)?;
        let mut a = appointment_from(&row)?;
        a.services = self.services_of(id).await?;
        Ok(a)
    }

    pub(crate) async fn services_of(&self, id: &str) -> Result<Vec<String>, BookingError> {
        let rows = sqlx::query(
            "SELECT service_code FROM request_services WHERE reservation_id = $1 \
             ORDER BY service_code",
        )
        .bind(id)
        .fetch_all(self.db().pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("service_code"))
            .collect::<Result<_, _>>()?)
    }
}
