//! Appointments: read one, cancel, reschedule, and the lists of a comune's day and of a
//! sportello's agenda.

use chrono::{NaiveDate, Utc};

use super::super::error::BookingError;
use super::super::model::{Appointment, RescheduleRequest};
use super::super::{Booking, operator_comune, own_comune, rome, unknown_sportello};
use super::{
    APPOINTMENT_SELECT, appointment_from, claim, expire_stale, slot_taken, unknown_appointment,
};
use crate::api::ApiCode;
use crate::identity::{Principal, StaffRole};

impl Booking {
    /// Whether `who` may see `a`.
    fn may_see(who: &Principal, a: &Appointment) -> bool {
        match who.role {
            StaffRole::Operator => who.comune_istat.as_deref() == Some(a.comune_istat.as_str()),
            StaffRole::Official | StaffRole::InpsAdmin => {
                who.may_read_agenda(&a.sportello_id, &a.sede_id)
            }
            // Referenti monitor figures, never an appointment's personal data.
            StaffRole::UserAdmin
            | StaffRole::ReferenteComune
            | StaffRole::ReferenteInps
            | StaffRole::ReferenteAnci => false,
        }
    }

    /// One appointment, if the caller may see it.
    pub async fn appointment(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Appointment, BookingError> {
        let a = self.appointment_row(id).await?;
        if Self::may_see(who, &a) {
            Ok(a)
        } else {
            Err(unknown_appointment())
        }
    }

    /// Cancels a future appointment of the operator's comune; its slot is free again.
    pub async fn cancel(&self, who: &Principal, id: &str) -> Result<Appointment, BookingError> {
        let comune = operator_comune(who)?;
        let now = self.now().timestamp();
        let mut tx = self.db().begin_write().await?;
        let c = claim(&mut tx, id).await?.ok_or_else(unknown_appointment)?;
        if c.comune != comune || !matches!(c.status.as_str(), "booked" | "cancelled") {
            return Err(unknown_appointment());
        }
        if c.status == "cancelled" {
            drop(tx);
            return self.appointment_row(id).await;
        }
        if c.starts_at <= now {
            return Err(BookingError::conflict(
                ApiCode::AppointmentStarted,
                "the appointment has already begun",
            ));
        }
        sqlx::query(
            "UPDATE reservations SET status = 'cancelled', cancelled_at = $2 \
             WHERE id = $1 AND status = 'booked'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.appointment_row(id).await
    }

    /// Moves an appointment to another slot, atomically: the old slot is freed only if the new
    /// one is taken.
    pub async fn reschedule(
        &self,
        who: &Principal,
        id: &str,
        req: &RescheduleRequest,
    ) -> Result<Appointment, BookingError> {
        let comune = operator_comune(who)?.to_owned();
        let now = self.now();
        let current = {
            let mut conn = self.db().pool().acquire().await?;
            claim(&mut conn, id)
                .await?
                .ok_or_else(unknown_appointment)?
        };
        if current.comune != comune || current.status != "booked" {
            return Err(unknown_appointment());
        }
        if current.starts_at <= now.timestamp() {
            return Err(BookingError::conflict(
                ApiCode::AppointmentStarted,
                "the appointment has already begun",
            ));
        }
        let sportello_id = match &req.sportello_id {
            Some(s) => s.clone(),
            None => self.appointment_row(id).await?.sportello_id,
        };
        let start = req.starts_at.with_timezone(&Utc);
        let (sportello, end) = self
            .bookable(&comune, &sportello_id, &current.service, start, now)
            .await?;
        let mut tx = self.db().begin_write().await?;
        expire_stale(&mut tx, &sportello.id, start.timestamp(), now.timestamp()).await?;
        let moved = sqlx::query(
            "UPDATE reservations SET sportello_id = $2, starts_at = $3, ends_at = $4 \
             WHERE id = $1 AND status = 'booked' AND comune_istat = $5",
        )
        .bind(id)
        .bind(&sportello.id)
        .bind(start.timestamp())
        .bind(end.timestamp())
        .bind(&comune)
        .execute(&mut *tx)
        .await;
        match moved.map_err(BookingError::from) {
            Err(e) if e.is_unique_violation() => return Err(slot_taken()),
            Err(e) => return Err(e),
            Ok(r) if r.rows_affected() != 1 => return Err(unknown_appointment()),
            Ok(_) => {}
        }
        tx.commit().await?;
        self.appointment_row(id).await
    }

    async fn appointments_where(
        &self,
        filter: &'static str,
        key: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<Appointment>, BookingError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{APPOINTMENT_SELECT} WHERE {filter} = $1 AND r.status = 'booked' \
             AND r.starts_at >= $2 AND r.starts_at < $3 ORDER BY r.starts_at, r.id"
        ));
        let rows = sqlx::query(sql)
            .bind(key)
            .bind(from)
            .bind(to)
            .fetch_all(self.db().pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut a = appointment_from(r)?;
            a.services = self.services_of(&a.id).await?;
            out.push(a);
        }
        Ok(out)
    }

    /// The booked appointments of a comune on one day (default: today), for the operator home.
    pub async fn day_of_comune(
        &self,
        who: &Principal,
        istat: &str,
        day: Option<NaiveDate>,
    ) -> Result<Vec<Appointment>, BookingError> {
        let day = day.unwrap_or_else(|| rome::local_date(self.now()));
        self.comune_range(who, istat, day, day).await
    }

    /// The booked appointments of a comune between two days (inclusive, at most
    /// [`super::MAX_RANGE_DAYS`]), for the operator home.
    pub async fn comune_range(
        &self,
        who: &Principal,
        istat: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Appointment>, BookingError> {
        own_comune(who, istat)?;
        self.check_range(from, to)?;
        let (from, to) = day_bounds(from, to);
        self.appointments_where("r.comune_istat", istat, from, to)
            .await
    }

    /// The agenda of a sportello between two days (inclusive), for its officials.
    pub async fn agenda(
        &self,
        who: &Principal,
        sportello_id: &str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<Appointment>, BookingError> {
        let sportello = self
            .db()
            .sportello(sportello_id)
            .await?
            .ok_or_else(unknown_sportello)?;
        if !who.may_read_agenda(&sportello.id, &sportello.sede_id) {
            return Err(BookingError::Forbidden(
                "only the officials of this sportello may read its agenda".into(),
            ));
        }
        let today = rome::local_date(self.now());
        let from = from.unwrap_or(today);
        let to = to.unwrap_or(from);
        self.check_range(from, to)?;
        let (a, b) = day_bounds(from, to);
        self.appointments_where("r.sportello_id", sportello_id, a, b)
            .await
    }
}

/// Unix bounds `[start of from, start of the day after to)` in Italian time.
fn day_bounds(from: NaiveDate, to: NaiveDate) -> (i64, i64) {
    let start = rome::from_local(from.and_hms_opt(0, 0, 0).unwrap_or_default());
    let end = rome::from_local(
        to.succ_opt()
            .unwrap_or(to)
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
    );
    (start.timestamp(), end.timestamp())
}
