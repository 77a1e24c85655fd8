//! How far from today a date in a request may lie: far enough for every real use, near enough
//! that no date arithmetic behind a route can overflow (chrono panics at ±262,143 years).

use chrono::{Months, NaiveDate};

/// Years before and after today that a date in a booking request (a slot, an agenda, a
/// closure) may lie.
pub const WINDOW_YEARS: u32 = 2;

/// Years back that an audit log query may reach.
pub const AUDIT_YEARS_BACK: u32 = 20;

/// The message of a date outside the window.
pub fn out_of_window_message(years_back: u32, years_ahead: u32) -> String {
    format!("dates must lie between {years_back} years before and {years_ahead} years after today")
}

/// Whether `date` lies within `years_back` years before and `years_ahead` years after `today`.
pub fn within(date: NaiveDate, today: NaiveDate, years_back: u32, years_ahead: u32) -> bool {
    let first = today.checked_sub_months(Months::new(years_back.saturating_mul(12)));
    let last = today.checked_add_months(Months::new(years_ahead.saturating_mul(12)));
    first.is_none_or(|f| date >= f) && last.is_none_or(|l| date <= l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_bounds_are_inclusive() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(within(d(2028, 11, 23), today, 2, 2));
        assert!(!within(d(2028, 11, 24), today, 2, 2));
        assert!(within(d(2024, 11, 23), today, 2, 2));
        assert!(!within(d(2024, 11, 22), today, 2, 2));
        assert!(!within(NaiveDate::MAX, today, 2, 2));
        assert!(!within(NaiveDate::MIN, today, 2, 2));
    }
}
