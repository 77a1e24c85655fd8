//! The period of a monitoring view: from a month to a month ('YYYY-MM'), at most five years,
//! by default the twelve months up to the current one.

use chrono::{Datelike as _, Months, NaiveDate};

use crate::api::{ApiCode, AppError};

/// The longest period, in months.
pub const MAX_MONTHS: u32 = 60;

/// A period of whole months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day of the first month.
    pub first: NaiveDate,
    /// The first day of the last month.
    pub last: NaiveDate,
}

fn bad(message: &str) -> AppError {
    AppError::bad_request(ApiCode::BadMonth, message.to_owned())
}

/// A month 'YYYY-MM' (years 2000-2100), as its first day.
pub fn parse_month(s: &str) -> Result<NaiveDate, AppError> {
    let parsed = (s.len() == 7 && s.as_bytes()[4] == b'-')
        .then(|| {
            let year: i32 = s[..4].parse().ok()?;
            let month: u32 = s[5..].parse().ok()?;
            (2000..=2100)
                .contains(&year)
                .then(|| NaiveDate::from_ymd_opt(year, month, 1))?
        })
        .flatten();
    parsed.ok_or_else(|| bad("months are YYYY-MM, years 2000-2100"))
}

impl Period {
    /// From the query's `from` and `to` (either may be absent) on `today`.
    pub fn new(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Self, AppError> {
        let this_month = today.with_day(1).unwrap_or(today);
        let last = match to {
            Some(t) => parse_month(t)?,
            None => this_month,
        };
        let first = match from {
            Some(f) => parse_month(f)?,
            None => last.checked_sub_months(Months::new(11)).unwrap_or(last),
        };
        if first > last {
            return Err(bad("'from' is after 'to'"));
        }
        if first
            .checked_add_months(Months::new(MAX_MONTHS))
            .is_some_and(|m| m <= last)
        {
            return Err(bad("a period covers at most 60 months"));
        }
        Ok(Self { first, last })
    }

    /// Every month of the period, 'YYYY-MM', in order.
    pub fn months(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut m = self.first;
        while m <= self.last {
            out.push(super::facts::month_of(m));
            match m.checked_add_months(Months::new(1)) {
                Some(next) => m = next,
                None => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods() {
        let today = day("2026-11-23");
        let p = Period::new(None, None, today).unwrap();
        assert_eq!(p.months().len(), 12);
        assert_eq!(p.months()[0], "2025-12");
        assert_eq!(p.months()[11], "2026-11");
        let p = Period::new(Some("2026-01"), Some("2026-03"), today).unwrap();
        assert_eq!(p.months(), ["2026-01", "2026-02", "2026-03"]);
        for (from, to) in [
            (Some("2026-13"), None),
            (Some("262142-01"), None),
            (Some("2026-1"), None),
            (Some("1999-12"), None),
            (Some("2026-05"), Some("2026-04")),
            (Some("2020-01"), Some("2025-01")),
            (None, Some("+026-01")),
        ] {
            let e = Period::new(from, to, today).unwrap_err();
            assert_eq!(
                (e.status.as_u16(), e.code),
                (400, ApiCode::BadMonth),
                "{from:?} {to:?}"
            );
        }
        assert!(Period::new(Some("2020-01"), Some("2024-12"), today).is_ok());
    }
}
