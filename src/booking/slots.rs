//! The calendar of one sportello as plain data: which slots exist on a day, and why a given
//! instant is not a bookable slot. No database, no clock: "now" is an argument.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::{holidays, rome};

/// An opening interval on a weekday (local time, `closes` exclusive for slot starts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    /// ISO weekday, Monday = 1.
    pub weekday: u32,
    /// Opening time.
    pub opens: NaiveTime,
    /// Closing time: the last slot ends at or before it.
    pub closes: NaiveTime,
}

/// Everything needed to list and check the slots of a sportello.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Slot length.
    pub slot_minutes: i64,
    /// Weekly opening hours.
    pub openings: Vec<Opening>,
    /// The Sede city's patron day ("MM-DD").
    pub patron_day: Option<String>,
    /// Extraordinary closures of the Sede (inclusive ranges).
    pub closures: Vec<(NaiveDate, NaiveDate)>,
}

/// Why an instant is not a bookable slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotBookable {
    /// It is not after now.
    Past,
    /// A public or patron holiday.
    Holiday,
    /// An extraordinary closure of the Sede.
    Closed,
    /// Not the start of a slot within the opening hours.
    OutsideOpeningHours,
}

/// Parses "HH:MM".
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

impl Calendar {
    fn day_closed(&self, date: NaiveDate) -> Option<NotBookable> {
        if holidays::is_holiday(date, self.patron_day.as_deref()) {
            Some(NotBookable::Holiday)
        } else if self.closures.iter().any(|&(a, b)| a <= date && date <= b) {
            Some(NotBookable::Closed)
        } else {
            None
        }
    }

    /// The local start times of the slots of `date`, ignoring holidays and closures.
    fn grid(&self, date: NaiveDate) -> Vec<NaiveDateTime> {
        let step = Duration::minutes(self.slot_minutes.max(1));
        let weekday = rome::iso_weekday(date);
        let mut out = Vec::new();
        for o in self.openings.iter().filter(|o| o.weekday == weekday) {
            let mut t = date.and_time(o.opens);
            let end = date.and_time(o.closes);
            while t + step <= end {
                out.push(t);
                t += step;
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The bookable slot starts (UTC) of `date` that begin after `now`, before reservations.
    pub fn slots_of_day(&self, date: NaiveDate, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        if self.day_closed(date).is_some() {
            return Vec::new();
        }
        self.grid(date)
            .into_iter()
            .map(rome::from_local)
            .filter(|start| *start > now)
            .collect()
    }

    /// Checks that `start` is a bookable slot start at `now`; returns the slot's end.
    pub fn check(
        &self,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, NotBookable> {
        if start <= now {
            return Err(NotBookable::Past);
        }
        let local = rome::to_local(start).naive_local();
        if let Some(why) = self.day_closed(local.date()) {
            return Err(why);
        }
        if self.grid(local.date()).contains(&local) {
            Ok(start + Duration::minutes(self.slot_minutes))
        } else {
            Err(NotBookable::OutsideOpeningHours)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> Calendar {
        let t = |s| parse_time(s).unwrap();
        Calendar {
            slot_minutes: 30,
            openings: (1..=5)
                .map(|weekday| Opening {
                    weekday,
                    opens: t("08:30"),
                    closes: t("12:30"),
                })
                .chain([Opening {
                    weekday: 2,
                    opens: t("14:30"),
                    closes: t("16:00"),
                }])
                .collect(),
            patron_day: Some("12-06".into()),
            closures: vec![(
                NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
                NaiveDate::from_ymd_opt(2026, 12, 11).unwrap(),
            )],
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn slots_follow_opening_hours_and_skip_holidays() {
        let cal = calendar();
        let now = utc("2026-11-01T00:00:00Z");
        // Tuesday 24 November 2026: 8 morning + 3 afternoon slots.
        let slots = cal.slots_of_day(day("2026-11-24"), now);
        assert_eq!(slots.len(), 11);
        assert_eq!(slots[0], utc("2026-11-24T07:30:00Z"));
        assert_eq!(slots[10], utc("2026-11-24T14:30:00Z"));
        assert!(
            cal.slots_of_day(day("2026-11-29"), now).is_empty(),
            "Sunday"
        );
        assert!(
            cal.slots_of_day(day("2026-12-08"), now).is_empty(),
            "Immacolata"
        );
        assert!(
            cal.slots_of_day(day("2026-12-10"), now).is_empty(),
            "closure"
        );
        // 6 December 2026 is a Sunday; 7 December is open.
        assert_eq!(cal.slots_of_day(day("2026-12-07"), now).len(), 8);
    }

    #[test]
    fn past_slots_are_not_offered() {
        let cal = calendar();
        let now = utc("2026-11-24T09:10:00Z"); // 10:10 in Italy
        let slots = cal.slots_of_day(day("2026-11-24"), now);
        assert_eq!(slots[0], utc("2026-11-24T09:30:00Z"));
    }

    #[test]
    fn check_explains_refusals() {
        let cal = calendar();
        let now = utc("2026-11-01T00:00:00Z");
        assert_eq!(
            cal.check(utc("2026-11-24T07:30:00Z"), now),
            Ok(utc("2026-11-24T08:00:00Z"))
        );
        assert_eq!(
            cal.check(utc("2026-11-24T07:45:00Z"), now),
            Err(NotBookable::OutsideOpeningHours)
        );
        assert_eq!(
            cal.check(utc("2026-11-24T11:30:00Z"), now),
            Err(NotBookable::OutsideOpeningHours),
            "12:30 is closing time"
        );
        assert_eq!(
            cal.check(utc("2026-12-08T08:30:00Z"), now),
            Err(NotBookable::Holiday)
        );
        assert_eq!(
            cal.check(utc("2026-12-11T08:30:00Z"), now),
            Err(NotBookable::Closed)
        );
        assert_eq!(
            cal.check(utc("2026-10-20T07:30:00Z"), now),
            Err(NotBookable::Past)
        );
    }
}
