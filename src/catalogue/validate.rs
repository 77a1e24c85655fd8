//! The rules of the catalogue's fields, as plain functions: each answers the clean value or a
//! [`Bad`] (a code and an English message naming the rule). The HTTP handlers answer a `Bad` as
//! 400; the CSV import reports it against its line.

use chrono::NaiveDate;

use crate::api::{ApiCode, AppError};

/// A value that breaks a rule: (code, message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bad(pub ApiCode, pub String);

impl Bad {
    fn new(code: ApiCode, message: impl Into<String>) -> Self {
        Self(code, message.into())
    }
}

impl From<Bad> for AppError {
    fn from(b: Bad) -> Self {
        AppError::bad_request(b.0, b.1)
    }
}

/// The result of a rule.
pub type Checked<T> = Result<T, Bad>;

/// An id or code: 1-40 of `a-z`, `0-9`, `-`.
fn slug(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A service code.
pub fn service_code(s: &str) -> Checked<String> {
    slug(s).then(|| s.to_owned()).ok_or_else(|| {
        Bad::new(
            ApiCode::BadServiceCode,
            "the service code is 1-40 characters among a-z, 0-9 and '-'",
        )
    })
}

/// A Sede or Polo id.
pub fn sede_id(s: &str) -> Checked<String> {
    slug(s).then(|| s.to_owned()).ok_or_else(|| {
        Bad::new(
            ApiCode::BadSedeId,
            "the Sede id is 1-40 characters among a-z, 0-9 and '-'",
        )
    })
}

/// A sportello id.
pub fn sportello_id(s: &str) -> Checked<String> {
    slug(s).then(|| s.to_owned()).ok_or_else(|| {
        Bad::new(
            ApiCode::BadSportelloId,
            "the sportello id is 1-40 characters among a-z, 0-9 and '-'",
        )
    })
}

/// A name (service, comune, Sede, sportello): trimmed, 2-100 characters, no control characters.
pub fn name(s: &str) -> Checked<String> {
    let t = s.trim();
    let n = t.chars().count();
    if (2..=100).contains(&n) && !t.chars().any(char::is_control) {
        Ok(t.to_owned())
    } else {
        Err(Bad::new(
            ApiCode::BadCatalogueName,
            "a name is 2-100 printable characters",
        ))
    }
}

/// An ISTAT code: 6 digits.
pub fn istat(s: &str) -> Checked<String> {
    (s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.to_owned())
        .ok_or_else(|| Bad::new(ApiCode::BadIstat, "the ISTAT code is 6 digits"))
}

/// A province's sigla: 2 letters, upper-cased.
pub fn province(s: &str) -> Checked<String> {
    let t = s.trim();
    (t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| t.to_ascii_uppercase())
        .ok_or_else(|| {
            Bad::new(
                ApiCode::BadProvince,
                "the province is its 2-letter sigla (e.g. SS)",
            )
        })
}

/// A region's name: 2-60 printable characters.
pub fn region(s: &str) -> Checked<String> {
    let t = s.trim();
    let n = t.chars().count();
    ((2..=60).contains(&n) && !t.chars().any(char::is_control))
        .then(|| t.to_owned())
        .ok_or_else(|| {
            Bad::new(
                ApiCode::BadRegion,
                "the region is 2-60 printable characters",
            )
        })
}

/// A resident population: 0 or more.
pub fn population(n: i64) -> Checked<i64> {
    if (0..=100_000_000).contains(&n) {
        Ok(n)
    } else {
        Err(Bad::new(
            ApiCode::BadPopulation,
            "the population is a whole number, 0 or more",
        ))
    }
}

/// A population written as text (CSV).
pub fn population_text(s: &str) -> Checked<i64> {
    s.trim()
        .parse::<i64>()
        .map_err(|_| {
            Bad::new(
                ApiCode::BadPopulation,
                "the population is a whole number, 0 or more",
            )
        })
        .and_then(population)
}

/// A Belfiore (cadastral) code: a capital letter and 3 digits, upper-cased.
pub fn belfiore(s: &str) -> Checked<String> {
    let t = s.trim().to_ascii_uppercase();
    let b = t.as_bytes();
    (b.len() == 4 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit))
        .then_some(t)
        .ok_or_else(|| {
            Bad::new(
                ApiCode::BadBelfiore,
                "the Belfiore code is a letter and 3 digits (e.g. L989)",
            )
        })
}

/// A Sede's kind: `sede` or `polo`.
pub fn kind(s: &str) -> Checked<String> {
    match s.trim() {
        k @ ("sede" | "polo") => Ok(k.to_owned()),
        _ => Err(Bad::new(
            ApiCode::BadSedeKind,
            "the kind is 'sede' or 'polo'",
        )),
    }
}

/// A patron day `MM-DD` that exists (29 February included); empty = none.
pub fn patron_day(s: Option<&str>) -> Checked<Option<String>> {
    let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let b = t.as_bytes();
    let ok = b.len() == 5
        && b[2] == b'-'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && NaiveDate::from_ymd_opt(
            2024,
            t[..2].parse().unwrap_or(0),
            t[3..].parse().unwrap_or(0),
        )
        .is_some();
    ok.then(|| Some(t.to_owned())).ok_or_else(|| {
        Bad::new(
            ApiCode::BadPatronDay,
            "the patron day is a real day written MM-DD (e.g. 12-06)",
        )
    })
}

/// A slot length: 5-240 minutes.
pub fn slot_minutes(n: i64) -> Checked<i64> {
    if (5..=240).contains(&n) {
        Ok(n)
    } else {
        Err(Bad::new(
            ApiCode::BadSlotMinutes,
            "an appointment lasts 5-240 minutes",
        ))
    }
}

/// A time `HH:MM` (00:00-23:59) as minutes from midnight.
fn minutes(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let h: u32 = s[..2].parse().ok()?;
    let m: u32 = s[3..].parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// One opening interval: (ISO weekday, opens, closes).
pub type Interval = (i64, String, String);

/// The most intervals of a week.
pub const MAX_INTERVALS: usize = 70;

/// A week of opening intervals: weekdays 1-7, `HH:MM` times, closing after opening, no two
/// intervals of a day overlapping. Answered sorted by day and time.
pub fn opening_hours(list: &[Interval]) -> Checked<Vec<Interval>> {
    if list.len() > MAX_INTERVALS {
        return Err(Bad::new(
            ApiCode::TooManyItems,
            format!("at most {MAX_INTERVALS} intervals a week"),
        ));
    }
    let mut parsed = Vec::with_capacity(list.len());
    for (day, opens, closes) in list {
        if !(1..=7).contains(day) {
            return Err(Bad::new(
                ApiCode::BadOpeningHours,
                "the weekday is 1 (Monday) to 7 (Sunday)",
            ));
        }
        let (Some(a), Some(b)) = (minutes(opens), minutes(closes)) else {
            return Err(Bad::new(
                ApiCode::BadOpeningHours,
                "times are written HH:MM (e.g. 08:30)",
            ));
        };
        if b <= a {
            return Err(Bad::new(
                ApiCode::BadOpeningHours,
                "an interval closes after it opens",
            ));
        }
        parsed.push((*day, a, b, opens.clone(), closes.clone()));
    }
    parsed.sort_by_key(|&(d, a, ..)| (d, a));
    for w in parsed.windows(2) {
        if w[0].0 == w[1].0 && w[1].1 < w[0].2 {
            return Err(Bad::new(
                ApiCode::OverlappingHours,
                format!(
                    "on weekday {} the interval {}-{} overlaps {}-{}",
                    w[0].0, w[1].3, w[1].4, w[0].3, w[0].4
                ),
            ));
        }
    }
    Ok(parsed
        .into_iter()
        .map(|(d, _, _, a, b)| (d, a, b))
        .collect())
}

/// An optional day `YYYY-MM-DD`; empty = none.
fn day(s: Option<&str>, what: &str) -> Checked<Option<NaiveDate>> {
    match s.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .filter(|d| t.len() == 10 && (1900..=2200).contains(&chrono::Datelike::year(d)))
            .map(Some)
            .ok_or_else(|| {
                Bad::new(
                    ApiCode::BadConventionDates,
                    format!("'{what}' is a day written YYYY-MM-DD"),
                )
            }),
    }
}

/// A convention's validity: optional first and last day (inclusive), the last not before the
/// first.
pub fn validity(
    from: Option<&str>,
    until: Option<&str>,
) -> Checked<(Option<NaiveDate>, Option<NaiveDate>)> {
    let from = day(from, "valid_from")?;
    let until = day(until, "valid_until")?;
    if let (Some(a), Some(b)) = (from, until)
        && b < a
    {
        return Err(Bad::new(
            ApiCode::BadConventionDates,
            "'valid_until' is before 'valid_from'",
        ));
    }
    Ok((from, until))
}

/// A list of codes or ids (services, comuni): at most `max`, each checked, no repeats.
pub fn codes(
    list: &[String],
    max: usize,
    check: impl Fn(&str) -> Checked<String>,
) -> Checked<Vec<String>> {
    if list.len() > max {
        return Err(Bad::new(
            ApiCode::TooManyItems,
            format!("at most {max} items"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for s in list {
        let s = check(s)?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(d: i64, a: &str, b: &str) -> Interval {
        (d, a.to_owned(), b.to_owned())
    }

    #[test]
    fn ids_and_codes() {
        for ok in ["pensioni", "sede-sassari", "a", "x1-2"] {
            assert!(service_code(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Pensioni", "a b", "è", &"a".repeat(41)] {
            assert_eq!(sede_id(bad).unwrap_err().0, ApiCode::BadSedeId, "{bad}");
        }
    }

    #[test]
    fn comune_fields() {
        assert!(istat("090078").is_ok());
        for bad in ["90078", "0900781", "09007a"] {
            assert!(istat(bad).is_err(), "{bad}");
        }
        assert_eq!(province(" ss ").unwrap(), "SS");
        assert!(province("S1").is_err());
        assert_eq!(belfiore("l989").unwrap(), "L989");
        for bad in ["L98", "1989", "LL89"] {
            assert!(belfiore(bad).is_err(), "{bad}");
        }
        assert!(population(-1).is_err());
        assert_eq!(population_text(" 2300 ").unwrap(), 2300);
        assert!(population_text("2.300").is_err());
        assert!(name(" X ").is_err());
        assert_eq!(name(" Villanova ").unwrap(), "Villanova");
    }

    #[test]
    fn patron_days() {
        assert_eq!(patron_day(Some("12-06")).unwrap().as_deref(), Some("12-06"));
        assert_eq!(patron_day(Some("02-29")).unwrap().as_deref(), Some("02-29"));
        assert_eq!(patron_day(Some("")).unwrap(), None);
        assert_eq!(patron_day(None).unwrap(), None);
        for bad in ["02-30", "13-01", "1-06", "12/06", "00-10"] {
            assert!(patron_day(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn opening_hours_rules() {
        let week = opening_hours(&[
            iv(2, "14:30", "17:00"),
            iv(1, "08:30", "12:00"),
            iv(2, "08:30", "14:30"),
        ])
        .unwrap();
        assert_eq!(week[0], iv(1, "08:30", "12:00"));
        assert_eq!(week[1], iv(2, "08:30", "14:30"));
        for (list, code) in [
            (vec![iv(0, "08:00", "09:00")], ApiCode::BadOpeningHours),
            (vec![iv(8, "08:00", "09:00")], ApiCode::BadOpeningHours),
            (vec![iv(1, "8:00", "09:00")], ApiCode::BadOpeningHours),
            (vec![iv(1, "24:00", "24:30")], ApiCode::BadOpeningHours),
            (vec![iv(1, "09:00", "09:00")], ApiCode::BadOpeningHours),
            (
                vec![iv(1, "08:00", "12:00"), iv(1, "11:00", "13:00")],
                ApiCode::OverlappingHours,
            ),
        ] {
            assert_eq!(opening_hours(&list).unwrap_err().0, code, "{list:?}");
        }
    }

    #[test]
    fn validity_rules() {
        assert_eq!(validity(None, Some("")).unwrap(), (None, None));
        assert!(validity(Some("2026-01-01"), Some("2026-12-31")).is_ok());
        assert!(validity(Some("2026-12-31"), Some("2026-01-01")).is_err());
        assert!(validity(Some("2026-02-30"), None).is_err());
        assert!(validity(Some("26-01-01"), None).is_err());
    }
}
