//! Appointments: read one, cancel, reschedule, and the lists of a comune's day and of a
//! sportello's agenda.

use chrono::{NaiveDate, Utc};

use super::super::error::BookingError;
use super::super::model::{
    Appointment, AppointmentRequest, CitizenRequest, Delegate, RescheduleRequest,
};
use super::super::{Booking, operator_comune, own_comune, rome, unknown_sportello};
use super::{
    APPOINTMENT_SELECT, applicant_from, claim, expire_stale, slot_taken, unknown_appointment,
};
use crate::api::ApiCode;
use crate::identity::{Principal, StaffRole};
use sqlx::Row as _;

/// The most appointments a search answers with.
pub const MAX_SEARCH_RESULTS: i64 = 50;

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

    /// Cancels a future appointment of the operator's comune, with the operator's reason (if
    /// given); its slot is free again.
    pub async fn cancel(
        &self,
        who: &Principal,
        id: &str,
        reason: Option<&str>,
    ) -> Result<Appointment, BookingError> {
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
            "UPDATE reservations SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3 \
             WHERE id = $1 AND status = 'booked'",
        )
        .bind(id)
        .bind(now)
        .bind(reason)
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
        if let Some(hold_id) = &req.hold_id {
            return self
                .move_into_hold(id, hold_id, &comune, &current.service, now)
                .await;
        }
        let Some(starts_at) = req.starts_at else {
            return Err(BookingError::invalid(
                ApiCode::BadQuery,
                "give the new slot's 'starts_at' or a 'hold_id'",
            ));
        };
        let sportello_id = match &req.sportello_id {
            Some(s) => s.clone(),
            None => self.appointment_row(id).await?.sportello_id,
        };
        let start = starts_at.with_timezone(&Utc);
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

    /// Moves appointment `id` into the slot of the live hold `hold_id` (same comune, same
    /// service), in one transaction: the hold is used up and the old slot freed.
    async fn move_into_hold(
        &self,
        id: &str,
        hold_id: &str,
        comune: &str,
        service: &str,
        now: chrono::DateTime<Utc>,
    ) -> Result<Appointment, BookingError> {
        let mut tx = self.db().begin_write().await?;
        let hold = sqlx::query(
            "SELECT status, comune_istat, service_code, hold_expires_at, sportello_id, \
             starts_at, ends_at FROM reservations WHERE id = $1",
        )
        .bind(hold_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(super::unknown_hold)?;
        let h_comune: String = hold.try_get("comune_istat")?;
        let h_status: String = hold.try_get("status")?;
        let h_service: String = hold.try_get("service_code")?;
        let h_expires: i64 = hold.try_get("hold_expires_at")?;
        if h_comune != comune || hold_id == id {
            return Err(super::unknown_hold());
        }
        if h_status != "held" || h_expires <= now.timestamp() {
            return Err(super::hold_expired());
        }
        if h_service != service {
            return Err(BookingError::invalid(
                ApiCode::ServiceNotHandled,
                "the hold is for another service",
            ));
        }
        let sportello: String = hold.try_get("sportello_id")?;
        let starts: i64 = hold.try_get("starts_at")?;
        let ends: i64 = hold.try_get("ends_at")?;
        // The hold leaves the unique index first, then the appointment takes its slot.
        let released = sqlx::query(
            "UPDATE reservations SET status = 'released' WHERE id = $1 AND status = 'held'",
        )
        .bind(hold_id)
        .execute(&mut *tx)
        .await?;
        if released.rows_affected() != 1 {
            return Err(super::hold_expired());
        }
        let moved = sqlx::query(
            "UPDATE reservations SET sportello_id = $2, starts_at = $3, ends_at = $4 \
             WHERE id = $1 AND status = 'booked' AND comune_istat = $5",
        )
        .bind(id)
        .bind(&sportello)
        .bind(starts)
        .bind(ends)
        .bind(comune)
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
        self.appointments_of(&rows).await
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

    /// The appointments of comune `istat` (booked or cancelled, newest first, at most
    /// [`MAX_SEARCH_RESULTS`]) whose booking code is `q` or whose applicant's family name starts
    /// with `q` (case-insensitive), for its operators.
    pub async fn search_comune(
        &self,
        who: &Principal,
        istat: &str,
        q: &str,
    ) -> Result<Vec<Appointment>, BookingError> {
        own_comune(who, istat)?;
        let q = q.trim();
        if q.is_empty() || q.chars().count() > 60 || q.chars().any(char::is_control) {
            return Err(BookingError::invalid(
                ApiCode::BadSearch,
                "'q' must be 1-60 printable characters",
            ));
        }
        let (filter, key) = match super::super::code::normalize(q) {
            Some(code) => ("r.booking_code = $2", code),
            None => {
                let mut pattern = String::with_capacity(q.len() + 1);
                for c in q.to_lowercase().chars() {
                    if matches!(c, '%' | '_' | '\\') {
                        pattern.push('\\');
                    }
                    pattern.push(c);
                }
                pattern.push('%');
                ("LOWER(c.family_name) LIKE $2 ESCAPE '\\'", pattern)
            }
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "{APPOINTMENT_SELECT} WHERE r.comune_istat = $1 AND {filter} \
             AND r.status IN ('booked', 'cancelled') ORDER BY r.starts_at DESC, r.id LIMIT $3"
        ));
        let rows = sqlx::query(sql)
            .bind(istat)
            .bind(key)
            .bind(MAX_SEARCH_RESULTS)
            .fetch_all(self.db().pool())
            .await?;
        self.appointments_of(&rows).await
    }

    /// An appointment with the citizen's request, to reprint its form: for the operators of
    /// its comune only.
    pub async fn appointment_request(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<AppointmentRequest, BookingError> {
        let comune = operator_comune(who)?;
        let appointment = self.appointment_row(id).await?;
        if appointment.comune_istat != comune {
            return Err(unknown_appointment());
        }
        let r = sqlx::query(
            "SELECT given_name, family_name, codice_fiscale, birth_date, birth_place, sex, \
             residence_istat, email, phone, delegate_given_name, delegate_family_name, \
             delegate_codice_fiscale, delegation_act, delegator_id_copy, digital_delegation, \
             delegate_id_copy, gdpr_notice_signed, data_processing_authorised, id_copy_acquired, \
             notes FROM citizen_requests WHERE reservation_id = $1",
        )
        .bind(id)
        .fetch_optional(self.db().pool())
        .await?
        .ok_or_else(unknown_appointment)?;
        let flag = |name: &str| -> Result<bool, sqlx::Error> {
            Ok(r.try_get::<Option<i64>, _>(name)?.unwrap_or(0) == 1)
        };
        let delegate = match r.try_get::<Option<String>, _>("delegate_codice_fiscale")? {
            None => None,
            Some(codice_fiscale) => Some(Delegate {
                given_name: r
                    .try_get::<Option<String>, _>("delegate_given_name")?
                    .unwrap_or_default(),
                family_name: r
                    .try_get::<Option<String>, _>("delegate_family_name")?
                    .unwrap_or_default(),
                codice_fiscale,
                delegation_act: r.try_get("delegation_act")?,
                delegator_id_copy: flag("delegator_id_copy")?,
                digital_delegation: flag("digital_delegation")?,
                delegate_id_copy: flag("delegate_id_copy")?,
            }),
        };
        let request = CitizenRequest {
            applicant: applicant_from(&r)?,
            services: appointment.services.clone(),
            delegate,
            gdpr_notice_signed: flag("gdpr_notice_signed")?,
            data_processing_authorised: flag("data_processing_authorised")?,
            id_copy_acquired: flag("id_copy_acquired")?,
            notes: r.try_get("notes")?,
        };
        Ok(AppointmentRequest {
            appointment,
            request,
        })
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
