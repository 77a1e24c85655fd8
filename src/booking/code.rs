//! Booking codes: short codes people can read aloud and type back, such as `PUE-7K4M-2Q`.
//!
//! Five random characters and one check character (Luhn mod 32, which catches every single
//! wrong character and every swap of two neighbours but "2Z") from an alphabet without the look-alikes
//! 0/O and 1/I. Unique by the index `reservations_booking_code`; a collision is retried.

use rand::Rng as _;

/// The 32 characters a code is made of: digits 2-9 and the letters without I and O.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The fixed prefix.
const PREFIX: &str = "PUE";

/// Random characters per code (the check character is added to them).
const RANDOM_CHARS: usize = 5;

fn value(c: u8) -> Option<usize> {
    ALPHABET.iter().position(|&a| a == c)
}

/// The Luhn mod 32 check character of `body`.
fn check_char(body: &[u8]) -> Option<u8> {
    let n = ALPHABET.len();
    let mut sum = 0;
    // Doubling starts from the rightmost character of the body.
    for (i, &c) in body.iter().rev().enumerate() {
        let mut v = value(c)?;
        if i % 2 == 0 {
            v *= 2;
            v = v / n + v % n;
        }
        sum += v;
    }
    Some(ALPHABET[(n - sum % n) % n])
}

fn format(chars: &[u8]) -> String {
    let s = String::from_utf8_lossy(chars);
    format!("{PREFIX}-{}-{}", &s[..4], &s[4..])
}

/// A new random code, `PUE-XXXX-XC`.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    let mut chars: Vec<u8> = (0..RANDOM_CHARS)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
        .collect();
    let check = check_char(&chars).unwrap_or(ALPHABET[0]);
    chars.push(check);
    format(&chars)
}

/// The canonical form of a code as typed ("pue 7k4m 2q", "7K4M2Q", "PUE-7K4M-2Q"), if it is
/// one: six characters of the alphabet with a right check character.
pub fn normalize(typed: &str) -> Option<String> {
    let mut chars: Vec<u8> = typed
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'-' | b'.'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if chars.len() == RANDOM_CHARS + 1 + PREFIX.len() && chars.starts_with(PREFIX.as_bytes()) {
        chars.drain(..PREFIX.len());
    }
    if chars.len() != RANDOM_CHARS + 1 {
        return None;
    }
    let (body, check) = chars.split_at(RANDOM_CHARS);
    (check_char(body)? == check[0]).then(|| format(&chars))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_codes_have_the_format_and_check() {
        for _ in 0..1000 {
            let c = new_code();
            assert_eq!(c.len(), 11, "{c}");
            assert!(c.starts_with("PUE-") && &c[8..9] == "-", "{c}");
            assert!(!c[4..].contains(['0', 'O', '1', 'I']), "{c}");
            assert_eq!(normalize(&c).as_deref(), Some(c.as_str()));
        }
    }

    #[test]
    fn typed_forms_are_normalized() {
        let c = new_code();
        let bare: String = c[4..].chars().filter(|&ch| ch != '-').collect();
        assert_eq!(normalize(&bare.to_lowercase()).as_deref(), Some(c.as_str()));
        assert_eq!(
            normalize(&format!(" pue {bare} ")).as_deref(),
            Some(c.as_str())
        );
        assert_eq!(normalize("Sanna"), None);
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn one_wrong_character_or_a_swap_is_caught() {
        let c = new_code();
        let bare: Vec<u8> = c[4..].bytes().filter(|&b| b != b'-').collect();
        for i in 0..bare.len() {
            for &a in ALPHABET {
                if a == bare[i] {
                    continue;
                }
                let mut wrong = bare.clone();
                wrong[i] = a;
                assert_eq!(normalize(&String::from_utf8_lossy(&wrong)), None);
            }
            // Luhn mod 32 misses only the swap of the first and last characters ("2Z").
            let pair = [bare[i], *bare.get(i + 1).unwrap_or(&bare[i])];
            if i + 1 < bare.len() && bare[i] != bare[i + 1] && pair != *b"2Z" && pair != *b"Z2" {
                let mut swapped = bare.clone();
                swapped.swap(i, i + 1);
                assert_eq!(normalize(&String::from_utf8_lossy(&swapped)), None);
            }
        }
    }
}
