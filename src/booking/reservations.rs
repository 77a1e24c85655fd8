//! Holds and appointments. Every change is one transaction; the unique index
//! `reservations_one_live_claim_per_slot` is the last word on double booking.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::error::BookingError;
use super::model::{Appointment, CitizenRequest, Hold, HoldRequest, RescheduleRequest};
use super::store::{Sportello, new_id};
use super::validate::check_request;
use super::{
    Booking, HOLD_DURATION, MAX_AHEAD_DAYS, MAX_LIVE_HOLDS, from_unix, operator_comune, own_comune,
    rome, unknown_sportello,
};
use crate::identity::{Principal, StaffRole};

const APPOINTMENT_SELECT: &str = "SELECT r.id, r.status, r.comune_istat, r.sportello_id, \
    p.name AS sportello_name, s.id AS sede_id, s.name AS sede_name, r.service_code, \
    sv.name AS service_name, r.starts_at, r.ends_at, c.given_name, c.family_name, \
    c.delegate_codice_fiscale, cm.name AS comune_name \
    FROM reservations r JOIN sportelli p ON p.id = r.sportello_id \
    JOIN comuni cm ON cm.istat = r.comune_istat \
    JOIN sedi s ON s.id = p.sede_id JOIN services sv ON sv.code = r.service_code \
    JOIN citizen_requests c ON c.reservation_id = r.id";

fn hold_from(row: &AnyRow) -> Result<Hold, sqlx::Error> {
    Ok(Hold {
        id: row.try_get("id")?,
        status: row.try_get("status")?,
        sportello_id: row.try_get("sportello_id")?,
        service_code: row.try_get("service_code")?,
        starts_at: rome::to_local(from_unix(row.try_get("starts_at")?)),
        ends_at: rome::to_local(from_unix(row.try_get("ends_at")?)),
        expires_at: rome::to_local(from_unix(row.try_get("hold_expires_at")?)),
    })
}

fn appointment_from(row: &AnyRow) -> Result<Appointment, sqlx::Error> {
    Ok(Appointment {
        id: row.try_get("id")?,
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
    })
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
    BookingError::not_found("unknown_hold", "no such hold")
}

fn unknown_appointment() -> BookingError {
    BookingError::not_found("unknown_appointment", "no such appointment")
}

fn hold_expired() -> BookingError {
    BookingError::conflict(
        "hold_expired",
        "the hold expired and its slot was freed: choose a slot again",
    )
}

fn slot_taken() -> BookingError {
    BookingError::conflict("slot_taken", "the slot is already held or booked")
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

impl Booking {
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
                "unknown_service",
                "no such service",
            ));
        }
        if !self.db().handles(sportello_id, service).await? {
            return Err(BookingError::invalid(
                "service_not_handled",
                "the sportello does not handle this service",
            ));
        }
        if !self.db().has_convention(comune, &sportello.sede_id).await? {
            return Err(BookingError::Forbidden(
                "the comune has no PUE convention with this Sede".into(),
            ));
        }
        if start > now + Duration::days(MAX_AHEAD_DAYS) {
            return Err(BookingError::invalid(
                "too_far_ahead",
                format!("slots can be booked at most {MAX_AHEAD_DAYS} days ahead"),
            ));
        }
        let day = rome::local_date(start);
        let calendar = self.db().calendar(&sportello, day, day).await?;
        let end = calendar
            .check(start, now)
            .map_err(BookingError::NotBookable)?;
        Ok((sportello, end))
    }

    /// Places a 5-minute hold on a slot for the operator's comune.
    pub async fn hold(&self, who: &Principal, req: &HoldRequest) -> Result<Hold, BookingError> {
        let comune = operator_comune(who)?.to_owned();
        let now = self.now();
        let start = req.starts_at.with_timezone(&Utc);
        let (sportello, end) = self
            .bookable(&comune, &req.sportello_id, &req.service_code, start, now)
            .await?;
        let id = new_id();
        let expires = now + HOLD_DURATION;
        let mut tx = self.db().begin_write().await?;
        // One operator cannot sit on a Sede's calendar: a few live holds at a time.
        let (live,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM reservations WHERE created_by = $1 AND status = 'held' \
             AND hold_expires_at > $2",
        )
        .bind(&who.subject)
        .bind(now.timestamp())
        .fetch_one(&mut *tx)
        .await?;
        if live >= MAX_LIVE_HOLDS {
            return Err(BookingError::conflict(
                "too_many_holds",
                format!("at most {MAX_LIVE_HOLDS} slots held at a time: confirm or release one"),
            ));
        }
        expire_stale(&mut tx, &sportello.id, start.timestamp(), now.timestamp()).await?;
        let inserted = sqlx::query(
            "INSERT INTO reservations (id, sportello_id, starts_at, ends_at, service_code, \
             comune_istat, status, hold_expires_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'held', $7, $8, $9)",
        )
        .bind(&id)
        .bind(&sportello.id)
        .bind(start.timestamp())
        .bind(end.timestamp())
        .bind(&req.service_code)
        .bind(&comune)
        .bind(expires.timestamp())
        .bind(&who.subject)
        .bind(now.timestamp())
        .execute(&mut *tx)
        .await;
        match inserted.map_err(BookingError::from) {
            Err(e) if e.is_unique_violation() => return Err(slot_taken()),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        tx.commit().await?;
        metrics::counter!("booking_holds_total").increment(1);
        Ok(Hold {
            id,
            status: "held".into(),
            sportello_id: sportello.id,
            service_code: req.service_code.clone(),
            starts_at: rome::to_local(start),
            ends_at: rome::to_local(end),
            expires_at: rome::to_local(expires),
        })
    }

    /// A hold of the caller's comune.
    pub async fn get_hold(&self, who: &Principal, id: &str) -> Result<Hold, BookingError> {
        let comune = operator_comune(who)?;
        let row = sqlx::query(
            "SELECT id, status, sportello_id, service_code, starts_at, ends_at, hold_expires_at \
             FROM reservations WHERE id = $1 AND comune_istat = $2",
        )
        .bind(id)
        .bind(comune)
        .fetch_optional(self.db().pool())
        .await?
        .ok_or_else(unknown_hold)?;
        let mut hold = hold_from(&row)?;
        if hold.status == "held" && hold.expires_at.with_timezone(&Utc) <= self.now() {
            hold.status = "expired".into();
        }
        Ok(hold)
    }

    /// Releases a hold (its slot is free again).
    pub async fn release(&self, who: &Principal, id: &str) -> Result<(), BookingError> {
        let comune = operator_comune(who)?;
        let mut tx = self.db().begin_write().await?;
        let c = claim(&mut tx, id).await?.ok_or_else(unknown_hold)?;
        if c.comune != comune {
            return Err(unknown_hold());
        }
        match c.status.as_str() {
            "held" => {}
            "released" | "expired" => return Ok(()),
            _ => {
                return Err(BookingError::conflict(
                    "hold_not_active",
                    "the hold was already confirmed: cancel the appointment instead",
                ));
            }
        }
        // Guarded by the status: a concurrent "Prenota" that committed first wins.
        let released = sqlx::query(
            "UPDATE reservations SET status = 'released' WHERE id = $1 AND status = 'held'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if released.rows_affected() != 1 {
            return Err(BookingError::conflict(
                "hold_not_active",
                "the hold was confirmed meanwhile: cancel the appointment instead",
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    /// "Prenota": turns a live hold into an appointment with the citizen's request. Repeating
    /// it with the same idempotency key returns the same appointment (`false` = not new).
    pub async fn confirm(
        &self,
        who: &Principal,
        id: &str,
        idempotency_key: &str,
        req: &CitizenRequest,
    ) -> Result<(Appointment, bool), BookingError> {
        let comune = operator_comune(who)?.to_owned();
        let now = self.now();
        let (cf, delegate_cf) = check_request(req, rome::local_date(now))?;
        if self
            .db()
            .comune(&req.applicant.residence_istat)
            .await?
            .is_none()
        {
            return Err(BookingError::invalid(
                "unknown_residence",
                "the comune of residence is not known",
            ));
        }
        let mut services: Vec<String> = Vec::new();
        for s in &req.services {
            if self.db().service(s).await?.is_none() {
                return Err(BookingError::invalid(
                    "unknown_service",
                    "a requested service is not in the catalogue",
                ));
            }
            if !services.contains(s) {
                services.push(s.clone());
            }
        }
        let key = format!("{}:{idempotency_key}", who.subject);
        let outcome = self
            .confirm_tx(
                id,
                &comune,
                &key,
                now,
                req,
                &cf,
                delegate_cf.as_ref(),
                services,
            )
            .await;
        match outcome {
            Ok(()) => {
                metrics::counter!("booking_confirmations_total").increment(1);
                Ok((self.appointment_row(id).await?, true))
            }
            // A concurrent retry with the same key won the race: answer like a replay.
            Err(e) if e.is_unique_violation() || matches!(e, BookingError::Conflict(..)) => {
                let current = {
                    // Released before `appointment_row` takes its own connection.
                    let mut conn = self.db().pool().acquire().await?;
                    claim(&mut conn, id).await?
                };
                match current {
                    Some(c) if c.status == "booked" && c.key.as_deref() == Some(&key) => {
                        Ok((self.appointment_row(id).await?, false))
                    }
                    _ if e.is_unique_violation() => Err(BookingError::invalid(
                        "idempotency_key_reused",
                        "this idempotency key was used for another hold",
                    )),
                    Some(c) if c.status == "booked" => Err(BookingError::conflict(
                        "already_confirmed",
                        "this hold was already confirmed",
                    )),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn confirm_tx(
        &self,
        id: &str,
        comune: &str,
        key: &str,
        now: DateTime<Utc>,
        req: &CitizenRequest,
        cf: &crate::codice_fiscale::CodiceFiscale,
        delegate_cf: Option<&crate::codice_fiscale::CodiceFiscale>,
        mut services: Vec<String>,
    ) -> Result<(), BookingError> {
        let mut tx = self.db().begin_write().await?;
        let c = claim(&mut tx, id).await?.ok_or_else(unknown_hold)?;
        if c.comune != comune {
            return Err(unknown_hold());
        }
        match c.status.as_str() {
            "held" if c.expires > now.timestamp() => {}
            "held" => {
                sqlx::query(
                    "UPDATE reservations SET status = 'expired' WHERE id = $1 AND status = 'held'",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                return Err(hold_expired());
            }
            "expired" => return Err(hold_expired()),
            "booked" if c.key.as_deref() == Some(key) => {
                return Err(BookingError::conflict("replay", "already confirmed"));
            }
            "booked" | "cancelled" => {
                return Err(BookingError::conflict(
                    "already_confirmed",
                    "this hold was already confirmed",
                ));
            }
            _ => {
                return Err(BookingError::conflict(
                    "hold_released",
                    "the hold was released",
                ));
            }
        }
        let reused = sqlx::query("SELECT id FROM reservations WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = reused {
            let used_for: String = row.try_get("id")?;
            if used_for == id {
                // Confirmed by a concurrent retry since we read the claim.
                return Err(BookingError::conflict("replay", "already confirmed"));
            }
            return Err(BookingError::invalid(
                "idempotency_key_reused",
                "this idempotency key was used for another hold",
            ));
        }
        let updated = sqlx::query(
            "UPDATE reservations SET status = 'booked', confirmed_at = $2, idempotency_key = $3 \
             WHERE id = $1 AND status = 'held' AND hold_expires_at > $2",
        )
        .bind(id)
        .bind(now.timestamp())
        .bind(key)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(BookingError::conflict("replay", "changed concurrently"));
        }
        let a = &req.applicant;
        let d = req.delegate.as_ref();
        sqlx::query(
            "INSERT INTO citizen_requests (reservation_id, given_name, family_name, \
             codice_fiscale, birth_date, birth_place, sex, residence_istat, email, phone, \
             delegate_given_name, delegate_family_name, delegate_codice_fiscale, delegation_act, \
             delegator_id_copy, digital_delegation, gdpr_notice_signed, id_copy_acquired, notes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19)",
        )
        .bind(id)
        .bind(a.given_name.trim())
        .bind(a.family_name.trim())
        .bind(cf.as_str())
        .bind(a.birth_date.to_string())
        .bind(a.birth_place.trim().to_ascii_uppercase())
        .bind(match a.sex {
            crate::codice_fiscale::Sex::Male => "M",
            crate::codice_fiscale::Sex::Female => "F",
        })
        .bind(&a.residence_istat)
        .bind(a.email.as_deref())
        .bind(a.phone.as_deref())
        .bind(d.map(|d| d.given_name.trim()))
        .bind(d.map(|d| d.family_name.trim()))
        .bind(delegate_cf.map(|c| c.as_str()))
        .bind(d.and_then(|d| d.delegation_act.as_deref()))
        .bind(d.map(|d| i64::from(d.delegator_id_copy)))
        .bind(d.map(|d| i64::from(d.digital_delegation)))
        .bind(i64::from(req.gdpr_notice_signed))
        .bind(i64::from(req.id_copy_acquired))
        .bind(req.notes.as_deref())
        .execute(&mut *tx)
        .await?;
        if !services.contains(&c.service) {
            services.insert(0, c.service.clone());
        }
        for s in &services {
            sqlx::query(
                "INSERT INTO request_services (reservation_id, service_code) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(s)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
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

    async fn services_of(&self, id: &str) -> Result<Vec<String>, BookingError> {
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

    /// Whether `who` may see `a`.
    fn may_see(who: &Principal, a: &Appointment) -> bool {
        match who.role {
            StaffRole::Operator => who.comune_istat.as_deref() == Some(a.comune_istat.as_str()),
            StaffRole::Official | StaffRole::InpsAdmin => {
                who.may_read_agenda(&a.sportello_id, &a.sede_id)
            }
            StaffRole::UserAdmin => false,
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
                "appointment_started",
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
                "appointment_started",
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
        Self::check_range(from, to)?;
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
        Self::check_range(from, to)?;
        let (a, b) = day_bounds(from, to);
        self.appointments_where("r.sportello_id", sportello_id, a, b)
            .await
    }
}

/// Unix bounds `[start of from, start of the day after to)` in Italian time.
fn day_bounds(from: NaiveDate, to: NaiveDate) -> (i64, i64) {
    let start = rome::from_local(from.and_hms_opt(0, 0, 0).unwrap_or_default());
    let end = rome::from_local(
        (to + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
    );
    (start.timestamp(), end.timestamp())
}
