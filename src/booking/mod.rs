//! Booking: Sedi, sportelli and calendars, proposals, the 5-minute hold and "Prenota", with the
//! rule "a slot is never booked twice" enforced by a unique index in the database.
//!
//! Layers: [`slots`] and [`holidays`] are plain calendar logic; [`store`] and
//! [`reservations`] talk to the shared database ([`crate::store::Db`]); [`api`] holds the HTTP
//! handlers. "Now" comes from the injectable [`crate::store::Clock`].

pub mod api;
pub mod catalogue;
pub mod code;
pub mod error;
pub mod follow_ups;
pub mod holidays;
pub mod ics;
pub mod model;
pub mod privacy;
pub mod reservations;
pub mod rome;
pub mod slots;
pub mod store;
mod validate;

use chrono::{DateTime, Duration, NaiveDate, Utc};

pub use error::BookingError;

use crate::api::{ApiCode, dates};
use crate::identity::{Principal, StaffRole};
use crate::store::{Db, Store};
use model::{Proposals, Slot, Slots};

/// How long a hold keeps its slot.
pub const HOLD_DURATION: Duration = Duration::minutes(5);
/// The longest date range of a slot or agenda query, in days.
pub const MAX_RANGE_DAYS: i64 = 31;
/// How many live holds one operator account may have at a time.
pub const MAX_LIVE_HOLDS: i64 = 5;
/// How far ahead a slot may be booked, in days.
pub const MAX_AHEAD_DAYS: i64 = 366;
/// The most comuni one search answers with.
pub const MAX_COMUNI_RESULTS: i64 = 20;

/// The booking service, on the shared database and clock.
#[derive(Debug, Clone)]
pub struct Booking {
    store: Store,
}

/// Unix seconds → UTC instant (out-of-range values clamp to the epoch).
pub(crate) fn from_unix(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

impl Booking {
    /// A booking service on `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The shared database and clock.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The database.
    pub fn db(&self) -> &Db {
        self.store.db()
    }

    /// Now, by the shared clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.store.now()
    }

    /// Checks that each of `days` lies within [`dates::WINDOW_YEARS`] of today (in Italy).
    pub fn check_days(&self, days: &[NaiveDate]) -> Result<(), BookingError> {
        let today = rome::local_date(self.now());
        let years = dates::WINDOW_YEARS;
        if days.iter().all(|&d| dates::within(d, today, years, years)) {
            return Ok(());
        }
        Err(BookingError::invalid(
            ApiCode::BadDateRange,
            dates::out_of_window_message(years, years),
        ))
    }

    /// Checks a date range: `from <= to`, at most [`MAX_RANGE_DAYS`] days, both within
    /// [`dates::WINDOW_YEARS`] of today.
    pub fn check_range(&self, from: NaiveDate, to: NaiveDate) -> Result<(), BookingError> {
        self.check_days(&[from, to])?;
        if to < from {
            return Err(BookingError::invalid(
                ApiCode::BadDateRange,
                "'to' is before 'from'",
            ));
        }
        if (to - from).num_days() >= MAX_RANGE_DAYS {
            return Err(BookingError::invalid(
                ApiCode::DateRangeTooLong,
                format!("at most {MAX_RANGE_DAYS} days at a time"),
            ));
        }
        Ok(())
    }

    /// The Sedi/Poli and sportelli the caller's comune may book for `service`.
    pub async fn proposals(
        &self,
        who: &Principal,
        istat: &str,
        service: &str,
    ) -> Result<Proposals, BookingError> {
        own_comune(who, istat)?;
        let comune = self
            .db()
            .comune(istat)
            .await?
            .ok_or_else(|| BookingError::not_found(ApiCode::UnknownComune, "no such comune"))?;
        let service =
            self.db().service(service).await?.ok_or_else(|| {
                BookingError::not_found(ApiCode::UnknownService, "no such service")
            })?;
        let today = rome::local_date(self.now());
        let options = self.db().proposals(istat, &service.code, today).await?;
        Ok(Proposals {
            comune,
            service,
            options,
        })
    }

    /// The free, future, open slots of a sportello between two days (inclusive).
    pub async fn free_slots(
        &self,
        sportello_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Slots, BookingError> {
        self.check_range(from, to)?;
        let sportello = self
            .db()
            .sportello(sportello_id)
            .await?
            .ok_or_else(unknown_sportello)?;
        let now = self.now();
        let calendar = self.db().calendar(&sportello, from, to).await?;
        let window_start = rome::from_local(from.and_hms_opt(0, 0, 0).unwrap_or_default());
        let window_end = rome::from_local(
            to.succ_opt()
                .unwrap_or(to)
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default(),
        );
        let taken = self
            .db()
            .taken(
                sportello_id,
                window_start.timestamp(),
                window_end.timestamp(),
                now.timestamp(),
            )
            .await?;
        let step = Duration::minutes(sportello.slot_minutes);
        let slots = from
            .iter_days()
            .take_while(|d| *d <= to)
            .flat_map(|d| calendar.slots_of_day(d, now))
            .filter(|s| !taken.contains(&s.timestamp()))
            .map(|s| Slot {
                starts_at: rome::to_local(s),
                ends_at: rome::to_local(s + step),
            })
            .collect();
        Ok(Slots {
            sportello_id: sportello.id,
            from,
            to,
            slots,
        })
    }
}

/// 404 `unknown_sportello`.
pub(crate) fn unknown_sportello() -> BookingError {
    BookingError::not_found(ApiCode::UnknownSportello, "no such sportello")
}

/// The caller must be an operator of `istat`.
pub(crate) fn own_comune(who: &Principal, istat: &str) -> Result<(), BookingError> {
    match (who.role, who.comune_istat.as_deref()) {
        (StaffRole::Operator, Some(c)) if c == istat => Ok(()),
        (StaffRole::Operator, _) => Err(BookingError::Forbidden(
            "an operator books only for their own comune".into(),
        )),
        _ => Err(BookingError::Forbidden(
            "only a comune operator may do this".into(),
        )),
    }
}

/// The operator's comune, or 403.
pub(crate) fn operator_comune(who: &Principal) -> Result<&str, BookingError> {
    match (who.role, who.comune_istat.as_deref()) {
        (StaffRole::Operator, Some(c)) => Ok(c),
        _ => Err(BookingError::Forbidden(
            "only a comune operator may do this".into(),
        )),
    }
}
