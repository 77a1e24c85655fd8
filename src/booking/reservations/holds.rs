//! Holds: place, read and release a 5-minute hold, and "Prenota" (confirm it into an
//! appointment, idempotent by key).

use chrono::{DateTime, Utc};
use sqlx::Row as _;

use super::super::error::BookingError;
use super::super::model::{Appointment, CitizenRequest, Hold, HoldRequest};
use super::super::store::new_id;
use super::super::validate::check_request;
use super::super::{Booking, HOLD_DURATION, MAX_LIVE_HOLDS, operator_comune, rome};
use super::{claim, expire_stale, hold_expired, hold_from, slot_taken, unknown_hold};
use crate::api::ApiCode;
use crate::identity::Principal;

impl Booking {
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
                ApiCode::TooManyHolds,
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
            server_now: rome::to_local(now),
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
        let now = self.now();
        let mut hold = hold_from(&row, now)?;
        if hold.status == "held" && hold.expires_at.with_timezone(&Utc) <= now {
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
                    ApiCode::HoldNotActive,
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
                ApiCode::HoldNotActive,
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
                ApiCode::UnknownResidence,
                "the comune of residence is not known",
            ));
        }
        let mut services: Vec<String> = Vec::new();
        for s in &req.services {
            if self.db().service(s).await?.is_none() {
                return Err(BookingError::invalid(
                    ApiCode::UnknownService,
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
                        ApiCode::IdempotencyKeyReused,
                        "this idempotency key was used for another hold",
                    )),
                    Some(c) if c.status == "booked" => Err(BookingError::conflict(
                        ApiCode::AlreadyConfirmed,
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
                return Err(BookingError::conflict(ApiCode::Replay, "already confirmed"));
            }
            "booked" | "cancelled" => {
                return Err(BookingError::conflict(
                    ApiCode::AlreadyConfirmed,
                    "this hold was already confirmed",
                ));
            }
            _ => {
                return Err(BookingError::conflict(
                    ApiCode::HoldReleased,
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
                return Err(BookingError::conflict(ApiCode::Replay, "already confirmed"));
            }
            return Err(BookingError::invalid(
                ApiCode::IdempotencyKeyReused,
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
            return Err(BookingError::conflict(
                ApiCode::Replay,
                "changed concurrently",
            ));
        }
        super::assign_code(&mut tx, id).await?;
        let a = &req.applicant;
        let d = req.delegate.as_ref();
        sqlx::query(
            "INSERT INTO citizen_requests (reservation_id, given_name, family_name, \
             codice_fiscale, birth_date, birth_place, sex, residence_istat, email, phone, \
             delegate_given_name, delegate_family_name, delegate_codice_fiscale, delegation_act, \
             delegator_id_copy, digital_delegation, gdpr_notice_signed, id_copy_acquired, notes, \
             data_processing_authorised, delegate_id_copy) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21)",
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
        .bind(i64::from(req.data_processing_authorised))
        .bind(d.map(|d| i64::from(d.delegate_id_copy)))
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
}
