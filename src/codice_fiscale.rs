//! The Italian codice fiscale of natural persons: structure, check character, omocodia, and the
//! birth date, sex and birthplace (Belfiore code) it encodes.
//!
//! The parser takes untrusted input and never panics: every byte is checked before it is used,
//! and non-ASCII input is refused as a whole. The existing crates on the registry reject valid
//! omocodia codes or panic on non-ASCII input, hence this module (see `notes/dependencies.md`).

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// Letters that replace the digits 0–9 in omocodia codes (positions 7, 8, 10, 11, 13, 14, 15).
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
/// Month letters, January to December.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// Values of the characters in odd positions (1, 3, … 15), indexed by digit or letter.
const ODD: [u8; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
/// 0-based positions that hold digits (or their omocodia letters).
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// Sex as encoded in the codice fiscale (day + 40 for women).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub enum Sex {
    /// Male: day of birth as is.
    #[serde(rename = "M")]
    Male,
    /// Female: day of birth + 40.
    #[serde(rename = "F")]
    Female,
}

/// Why a string is not a valid codice fiscale. Messages never repeat the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CfError {
    /// Not 16 characters.
    #[error("a codice fiscale has 16 characters")]
    Length,
    /// A character that is not an ASCII letter or digit.
    #[error("a codice fiscale holds only letters and digits")]
    Charset,
    /// A letter where a digit belongs, or the reverse (1-based position).
    #[error("unexpected character at position {0}")]
    Position(usize),
    /// The month letter is not one of ABCDEHLMPRST.
    #[error("the month letter is not valid")]
    Month,
    /// The day does not exist in that month.
    #[error("the day of birth is not valid")]
    Day,
    /// The birthplace code is not a Belfiore code.
    #[error("the birthplace code is not valid")]
    Place,
    /// The check character does not match.
    #[error("the check character does not match")]
    CheckCharacter,
}

/// A structurally valid codice fiscale (upper case, omocodia letters kept as given).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CodiceFiscale([u8; 16]);

/// Never prints the code itself: it is personal data.
impl fmt::Debug for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodiceFiscale(..)")
    }
}

/// How a codice fiscale disagrees with the declared birth data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Mismatch {
    /// Year, month or day differ.
    #[error("the birth date does not match the codice fiscale")]
    BirthDate,
    /// Sex differs.
    #[error("the sex does not match the codice fiscale")]
    Sex,
    /// Birthplace (Belfiore code) differs.
    #[error("the birthplace does not match the codice fiscale")]
    Place,
}

fn omocodia_digit(c: u8) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c - b'0');
    }
    OMOCODIA.iter().position(|&l| l == c).map(|p| p as u8)
}

/// The check character for the first 15 (upper-case, alphanumeric) characters.
pub fn check_character(first15: &[u8]) -> Option<u8> {
    if first15.len() != 15 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in first15.iter().enumerate() {
        let index = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A',
            _ => return None,
        };
        // 0-based even index = 1-based odd position.
        sum += if i % 2 == 0 {
            u32::from(ODD[usize::from(index)])
        } else {
            u32::from(index)
        };
    }
    Some(b'A' + (sum % 26) as u8)
}

impl CodiceFiscale {
    /// Parses and validates `input` (surrounding spaces ignored, case-insensitive).
    pub fn parse(input: &str) -> Result<Self, CfError> {
        let trimmed = input.trim();
        if !trimmed.is_ascii() {
            return Err(CfError::Charset);
        }
        let bytes = trimmed.as_bytes();
        if bytes.len() != 16 {
            return Err(CfError::Length);
        }
        let mut code = [0u8; 16];
        for (slot, &b) in code.iter_mut().zip(bytes) {
            if !b.is_ascii_alphanumeric() {
                return Err(CfError::Charset);
            }
            *slot = b.to_ascii_uppercase();
        }
        for (i, &c) in code.iter().enumerate() {
            let ok = if DIGIT_POSITIONS.contains(&i) {
                omocodia_digit(c).is_some()
            } else {
                c.is_ascii_uppercase()
            };
            if !ok {
                return Err(CfError::Position(i + 1));
            }
        }
        let cf = Self(code);
        let month = cf.month().ok_or(CfError::Month)?;
        let (day, _) = cf.day_and_sex().ok_or(CfError::Day)?;
        let yy = cf.year_two_digits();
        // Any year ending in yy works for validation; a leap year is needed only for 29 February,
        // and every yy divisible by 4 has a leap year among its centuries (2000, 1904, …).
        let probe_year = if yy.is_multiple_of(4) {
            2000 + yy
        } else {
            2001
        };
        if NaiveDate::from_ymd_opt(i32::from(probe_year), month, day).is_none() {
            return Err(CfError::Day);
        }
        let place_letter = code[11];
        if !(place_letter.is_ascii_uppercase() && (place_letter <= b'M' || place_letter == b'Z')) {
            return Err(CfError::Place);
        }
        if check_character(&code[..15]) != Some(code[15]) {
            return Err(CfError::CheckCharacter);
        }
        Ok(cf)
    }

    /// The code, upper case.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits were stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    fn digit(&self, i: usize) -> u8 {
        omocodia_digit(self.0[i]).unwrap_or(0)
    }

    /// The two digits of the year of birth.
    pub fn year_two_digits(&self) -> u16 {
        u16::from(self.digit(6)) * 10 + u16::from(self.digit(7))
    }

    fn month(&self) -> Option<u32> {
        MONTHS
            .iter()
            .position(|&m| m == self.0[8])
            .map(|p| p as u32 + 1)
    }

    fn day_and_sex(&self) -> Option<(u32, Sex)> {
        let raw = u32::from(self.digit(9)) * 10 + u32::from(self.digit(10));
        match raw {
            1..=31 => Some((raw, Sex::Male)),
            41..=71 => Some((raw - 40, Sex::Female)),
            _ => None,
        }
    }

    /// The sex encoded in the day of birth.
    pub fn sex(&self) -> Sex {
        self.day_and_sex().map_or(Sex::Male, |(_, s)| s)
    }

    /// The birth date, choosing the century so that the date is not after `today`.
    pub fn birth_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        let yy = i32::from(self.year_two_digits());
        let month = self.month()?;
        let (day, _) = self.day_and_sex()?;
        let century = today.year() - today.year().rem_euclid(100);
        [century, century - 100]
            .into_iter()
            .filter_map(|c| NaiveDate::from_ymd_opt(c + yy, month, day))
            .find(|d| *d <= today)
    }

    /// The Belfiore (cadastral) code of the birthplace, omocodia letters turned back into digits.
    pub fn belfiore(&self) -> String {
        let mut s = String::with_capacity(4);
        s.push(char::from(self.0[11]));
        for i in 12..15 {
            s.push(char::from(b'0' + self.digit(i)));
        }
        s
    }

    /// Whether the code was issued with omocodia substitutions.
    pub fn is_omocodia(&self) -> bool {
        DIGIT_POSITIONS.iter().any(|&i| !self.0[i].is_ascii_digit())
    }

    /// Checks the code against the declared birth date, sex and birthplace (each optional).
    pub fn check_consistency(
        &self,
        birth_date: Option<NaiveDate>,
        sex: Option<Sex>,
        belfiore: Option<&str>,
    ) -> Result<(), Mismatch> {
        if let Some(date) = birth_date {
            let same = self.month() == Some(date.month())
                && self.day_and_sex().map(|(d, _)| d) == Some(date.day())
                && i32::from(self.year_two_digits()) == date.year().rem_euclid(100);
            if !same {
                return Err(Mismatch::BirthDate);
            }
        }
        if let Some(sex) = sex
            && sex != self.sex()
        {
            return Err(Mismatch::Sex);
        }
        if let Some(place) = belfiore
            && !place.trim().eq_ignore_ascii_case(&self.belfiore())
        {
            return Err(Mismatch::Place);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const TODAY: fn() -> NaiveDate = || date(2026, 11, 23);

    #[test]
    fn well_known_vectors() {
        // Mario Rossi, born in Roma (H501) on 1 January 1980.
        let cf = CodiceFiscale::parse("RSSMRA80A01H501U").unwrap();
        assert_eq!(cf.birth_date(TODAY()), Some(date(1980, 1, 1)));
        assert_eq!(cf.sex(), Sex::Male);
        assert_eq!(cf.belfiore(), "H501");
        assert!(!cf.is_omocodia());
        // A woman born in Sassari (I452) on 15 September 1992: day 55.
        let cf = CodiceFiscale::parse("BNCLRA92P55I452E").unwrap();
        assert_eq!(cf.birth_date(TODAY()), Some(date(1992, 9, 15)));
        assert_eq!(cf.sex(), Sex::Female);
        assert_eq!(cf.belfiore(), "I452");
        // Lower case and surrounding spaces are accepted.
        assert!(CodiceFiscale::parse("  rssmra80a01h501u ").is_ok());
    }

    #[test]
    fn omocodia_codes_are_valid_and_decode_like_the_original() {
        // The first substitution replaces the last digit (1 -> M), then the check changes.
        for code in ["RSSMRA80A01H50MM", "RSSMRA80A01H5LMX", "RSSMRAULALMHRLMD"] {
            let cf = CodiceFiscale::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert!(cf.is_omocodia());
            assert_eq!(cf.birth_date(TODAY()), Some(date(1980, 1, 1)), "{code}");
            assert_eq!(cf.belfiore(), "H501", "{code}");
        }
    }

    #[test]
    fn wrong_check_characters_are_refused() {
        for last in b'A'..=b'Z' {
            let mut code = *b"RSSMRA80A01H501U";
            code[15] = last;
            let s = std::str::from_utf8(&code).unwrap();
            let r = CodiceFiscale::parse(s);
            if last == b'U' {
                assert!(r.is_ok());
            } else {
                assert_eq!(r, Err(CfError::CheckCharacter), "{s}");
            }
        }
        assert_eq!(
            CodiceFiscale::parse("RSSMRA80A01H50MU"),
            Err(CfError::CheckCharacter)
        );
    }

    #[test]
    fn structural_errors() {
        assert_eq!(CodiceFiscale::parse(""), Err(CfError::Length));
        assert_eq!(
            CodiceFiscale::parse("RSSMRA80A01H501"),
            Err(CfError::Length)
        );
        assert_eq!(
            CodiceFiscale::parse("RSSMRA80A01H501U1"),
            Err(CfError::Length)
        );
        assert_eq!(
            CodiceFiscale::parse("RSSMRÀ80A01H501U"),
            Err(CfError::Charset)
        );
        assert_eq!(
            CodiceFiscale::parse("RSSMRA80A01H501-"),
            Err(CfError::Charset)
        );
        assert_eq!(
            CodiceFiscale::parse("RSSMRA8AA01H501U"),
            Err(CfError::Position(8))
        );
        assert_eq!(
            CodiceFiscale::parse("1SSMRA80A01H501U"),
            Err(CfError::Position(1))
        );
        // Month letter F does not exist.
        assert_eq!(
            CodiceFiscale::parse("RSSMRA80F01H501U"),
            Err(CfError::Month)
        );
        // Day 32, 00, 40 and 72 do not exist; 30 February neither.
        for bad in ["RSSMRA80A32H501U", "RSSMRA80A00H501U", "RSSMRA80A40H501U"] {
            assert_eq!(CodiceFiscale::parse(bad), Err(CfError::Day), "{bad}");
        }
        assert_eq!(CodiceFiscale::parse("RSSMRA80B30H501U"), Err(CfError::Day));
        // 29 February only in years that can be leap.
        assert_eq!(CodiceFiscale::parse("RSSMRA81B29H501U"), Err(CfError::Day));
        // Birthplace letters run from A to M, plus Z for foreign countries.
        assert_eq!(
            CodiceFiscale::parse("RSSMRA80A01Q501U"),
            Err(CfError::Place)
        );
    }

    #[test]
    fn consistency_with_declared_data() {
        let cf = CodiceFiscale::parse("BNCLRA92P55I452E").unwrap();
        assert_eq!(
            cf.check_consistency(Some(date(1992, 9, 15)), Some(Sex::Female), Some("i452")),
            Ok(())
        );
        assert_eq!(
            cf.check_consistency(Some(date(1992, 9, 16)), None, None),
            Err(Mismatch::BirthDate)
        );
        assert_eq!(
            cf.check_consistency(Some(date(1892, 9, 15)), None, None),
            Ok(()),
            "the century is not encoded"
        );
        assert_eq!(
            cf.check_consistency(None, Some(Sex::Male), None),
            Err(Mismatch::Sex)
        );
        assert_eq!(
            cf.check_consistency(None, None, Some("H501")),
            Err(Mismatch::Place)
        );
    }

    #[test]
    fn century_is_chosen_from_today() {
        let cf = CodiceFiscale::parse(&build("RSSMRA", 2010, 3, 4, Sex::Male, "L989", 0)).unwrap();
        assert_eq!(cf.birth_date(TODAY()), Some(date(2010, 3, 4)));
        let cf = CodiceFiscale::parse(&build("RSSMRA", 1930, 3, 4, Sex::Male, "L989", 0)).unwrap();
        assert_eq!(cf.birth_date(TODAY()), Some(date(1930, 3, 4)));
    }

    #[test]
    fn debug_hides_the_code() {
        let cf = CodiceFiscale::parse("RSSMRA80A01H501U").unwrap();
        assert!(!format!("{cf:?}").contains("RSS"));
    }

    /// Builds a code; `omocodia` = how many digits to replace, from the right.
    fn build(
        name: &str,
        year: i32,
        month: u32,
        day: u32,
        sex: Sex,
        place: &str,
        omocodia: usize,
    ) -> String {
        let day = if sex == Sex::Female { day + 40 } else { day };
        let mut s = format!(
            "{name}{:02}{}{day:02}{place}",
            year.rem_euclid(100),
            char::from(MONTHS[month as usize - 1])
        )
        .into_bytes();
        for &i in DIGIT_POSITIONS.iter().rev().take(omocodia) {
            s[i] = OMOCODIA[usize::from(s[i] - b'0')];
        }
        let check = check_character(&s).unwrap();
        s.push(check);
        String::from_utf8(s).unwrap()
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(s in any::<String>()) {
            let _ = CodiceFiscale::parse(&s);
        }

        #[test]
        fn never_panics_on_code_shaped_strings(s in "[A-Z0-9LMNPQRSTUVàé€ -]{14,18}") {
            if let Ok(cf) = CodiceFiscale::parse(&s) {
                let _ = cf.birth_date(TODAY());
                let _ = cf.belfiore();
                prop_assert_eq!(cf.as_str().len(), 16);
            }
        }

        #[test]
        fn generated_codes_round_trip(
            name in "[A-Z]{6}",
            year in 1927i32..=2026,
            month in 1u32..=12,
            day in 1u32..=28,
            female in any::<bool>(),
            letter in prop::sample::select(b"ABCDEFGHILMZ".to_vec()),
            number in 0u32..1000,
            omocodia in 0usize..=7,
        ) {
            let sex = if female { Sex::Female } else { Sex::Male };
            let place = format!("{}{number:03}", char::from(letter));
            let code = build(&name, year, month, day, sex, &place, omocodia);
            let cf = CodiceFiscale::parse(&code).unwrap();
            prop_assert_eq!(cf.sex(), sex);
            prop_assert_eq!(cf.belfiore(), place.clone());
            prop_assert_eq!(cf.is_omocodia(), omocodia > 0);
            let born = date(year, month, day);
            prop_assert_eq!(cf.check_consistency(Some(born), Some(sex), Some(&place)), Ok(()));
            prop_assert_eq!(cf.birth_date(date(2026, 12, 31)), Some(born));
            // Any other check character is refused.
            let mut wrong = code.into_bytes();
            wrong[15] = if wrong[15] == b'A' { b'B' } else { b'A' };
            prop_assert_eq!(
                CodiceFiscale::parse(std::str::from_utf8(&wrong).unwrap()),
                Err(CfError::CheckCharacter)
            );
        }
    }
}
