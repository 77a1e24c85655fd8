//! Italian civil time (Europe/Rome): CET, and CEST from the last Sunday of March to the last
//! Sunday of October, switching at 01:00 UTC (EU rule since 1996). Opening hours are local
//! times; instants are stored in UTC.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset as _, Utc, Weekday,
};

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    Some(last - Duration::days(i64::from(back)))
}

/// The UTC offset in Italy at the instant `at`.
pub fn offset_at(at: DateTime<Utc>) -> FixedOffset {
    let year = at.year();
    let summer = match (last_sunday(year, 3), last_sunday(year, 10)) {
        (Some(start), Some(end)) => {
            let start = start.and_hms_opt(1, 0, 0).map(|t| t.and_utc());
            let end = end.and_hms_opt(1, 0, 0).map(|t| t.and_utc());
            matches!((start, end), (Some(s), Some(e)) if at >= s && at < e)
        }
        _ => false,
    };
    let seconds = if summer { 7200 } else { 3600 };
    FixedOffset::east_opt(seconds).unwrap_or_else(|| Utc.fix())
}

/// The instant `at` in Italian civil time.
pub fn to_local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&offset_at(at))
}

/// The instant of the Italian wall-clock time `local` (the summer offset wins in the repeated
/// autumn hour; the skipped spring hour maps one hour later — opening hours never fall there).
pub fn from_local(local: NaiveDateTime) -> DateTime<Utc> {
    // Checked: at the ends of chrono's range the instant stays as it is rather than panic.
    let at = local.and_utc();
    let minus = |hours| at.checked_sub_signed(Duration::hours(hours)).unwrap_or(at);
    let summer = minus(2);
    if offset_at(summer).local_minus_utc() == 7200 {
        summer
    } else {
        minus(1)
    }
}

/// Today's date in Italy.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    to_local(at).date_naive()
}

/// ISO weekday number, Monday = 1 … Sunday = 7.
pub fn iso_weekday(date: NaiveDate) -> u32 {
    date.weekday().number_from_monday()
}

/// Whether `date` is a Sunday.
pub fn is_sunday(date: NaiveDate) -> bool {
    date.weekday() == Weekday::Sun
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn offsets_follow_the_eu_rule() {
        assert_eq!(
            offset_at(utc("2026-01-15T12:00:00Z")).local_minus_utc(),
            3600
        );
        assert_eq!(
            offset_at(utc("2026-07-15T12:00:00Z")).local_minus_utc(),
            7200
        );
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            offset_at(utc("2026-03-29T00:59:59Z")).local_minus_utc(),
            3600
        );
        assert_eq!(
            offset_at(utc("2026-03-29T01:00:00Z")).local_minus_utc(),
            7200
        );
        assert_eq!(
            offset_at(utc("2026-10-25T00:59:59Z")).local_minus_utc(),
            7200
        );
        assert_eq!(
            offset_at(utc("2026-10-25T01:00:00Z")).local_minus_utc(),
            3600
        );
    }

    #[test]
    fn local_wall_time_round_trips() {
        for s in [
            "2026-01-15T09:30:00",
            "2026-07-15T09:30:00",
            "2026-10-25T08:30:00",
        ] {
            let local: NaiveDateTime = s.parse().unwrap();
            let at = from_local(local);
            assert_eq!(to_local(at).naive_local(), local, "{s}");
        }
        let local: NaiveDateTime = "2026-07-15T09:30:00".parse().unwrap();
        assert_eq!(from_local(local), utc("2026-07-15T07:30:00Z"));
    }
}
