//! Italian public holidays: the national fixed days, Easter Monday (computed), and optionally the
//! patron saint's day of the Sede's city.

use chrono::{Datelike, Duration, NaiveDate};

/// National fixed holidays as (month, day).
const FIXED: [(u32, u32); 10] = [
    (1, 1),   // Capodanno
    (1, 6),   // Epifania
    (4, 25),  // Festa della Liberazione
    (5, 1),   // Festa del Lavoro
    (6, 2),   // Festa della Repubblica
    (8, 15),  // Ferragosto
    (11, 1),  // Ognissanti
    (12, 8),  // Immacolata Concezione
    (12, 25), // Natale
    (12, 26), // Santo Stefano
];

/// Easter Sunday (Gregorian computus, anonymous algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Whether `date` is a national public holiday (Easter Sunday and Monday included). San
/// Francesco d'Assisi (4 October) is a national holiday again from 2026 (Legge 151/2025).
pub fn is_national_holiday(date: NaiveDate) -> bool {
    let md = (date.month(), date.day());
    if FIXED.contains(&md) || (date.year() >= 2026 && md == (10, 4)) {
        return true;
    }
    easter_sunday(date.year()).is_some_and(|e| date == e || date == e + Duration::days(1))
}

/// Italian names of the fixed national holidays, in the order of [`FIXED`].
const FIXED_NAMES: [&str; 10] = [
    "Capodanno",
    "Epifania",
    "Festa della Liberazione",
    "Festa del Lavoro",
    "Festa della Repubblica",
    "Ferragosto",
    "Ognissanti",
    "Immacolata Concezione",
    "Natale",
    "Santo Stefano",
];

/// One holiday of a year: (date, Italian name, "national" or "patron").
pub type YearHoliday = (NaiveDate, &'static str, &'static str);

/// Every holiday of `year` in date order: the national ones (Easter Sunday and Monday computed)
/// and, with `patron` ("MM-DD"), the patron saint's day of the Sede's city.
pub fn holidays_of_year(year: i32, patron: Option<&str>) -> Vec<YearHoliday> {
    let mut out: Vec<YearHoliday> = FIXED
        .iter()
        .zip(FIXED_NAMES)
        .filter_map(|(&(m, d), name)| {
            Some((NaiveDate::from_ymd_opt(year, m, d)?, name, "national"))
        })
        .collect();
    if year >= 2026
        && let Some(d) = NaiveDate::from_ymd_opt(year, 10, 4)
    {
        out.push((d, "San Francesco d’Assisi, patrono d’Italia", "national"));
    }
    if let Some(e) = easter_sunday(year) {
        out.push((e, "Pasqua", "national"));
        out.push((
            e + Duration::days(1),
            "Lunedì dell’Angelo (Pasquetta)",
            "national",
        ));
    }
    if let Some(d) = patron
        .and_then(parse_month_day)
        .and_then(|(m, d)| NaiveDate::from_ymd_opt(year, m, d))
        && !out.iter().any(|h| h.0 == d)
    {
        out.push((d, "Santo patrono della città della Sede", "patron"));
    }
    out.sort_by_key(|h| h.0);
    out
}

/// Parses a patron day "MM-DD".
pub fn parse_month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.split_once('-')?;
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    // Validate against a leap year so 02-29 is accepted.
    NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
}

/// Whether `date` is a holiday for a Sede whose city celebrates its patron on `patron` ("MM-DD").
pub fn is_holiday(date: NaiveDate, patron: Option<&str>) -> bool {
    is_national_holiday(date)
        || patron
            .and_then(parse_month_day)
            .is_some_and(|md| md == (date.month(), date.day()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_dates() {
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
    }

    #[test]
    fn holidays_of_a_year() {
        let all = holidays_of_year(2026, Some("12-06"));
        assert_eq!(all.len(), 14);
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            all.iter()
                .any(|h| h.0 == d(2026, 4, 6) && h.1.contains("Pasquetta"))
        );
        assert!(all.iter().any(|h| h.0 == d(2026, 12, 6) && h.2 == "patron"));
        assert!(all.iter().all(|h| is_holiday(h.0, Some("12-06"))));
        assert_eq!(holidays_of_year(2025, None).len(), 12);
    }

    #[test]
    fn holidays() {
        assert!(is_national_holiday(d(2026, 4, 6)), "Pasquetta 2026");
        assert!(is_national_holiday(d(2026, 6, 2)));
        assert!(is_national_holiday(d(2026, 12, 8)));
        assert!(is_national_holiday(d(2026, 10, 4)));
        assert!(!is_national_holiday(d(2025, 10, 4)));
        assert!(!is_national_holiday(d(2026, 11, 24)));
        assert!(
            is_holiday(d(2026, 12, 6), Some("12-06")),
            "San Nicola, Sassari"
        );
        assert!(!is_holiday(d(2026, 12, 7), Some("12-06")));
        assert!(!is_holiday(d(2026, 12, 7), Some("garbage")));
    }
}
