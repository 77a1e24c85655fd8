//! The retention periods in the words of the privacy notice: "un anno", "3 mesi", "45 giorni",
//! and the placeholders a notice text may hold (the built-in text and a configured file alike).

use super::RetentionConfig;

/// Placeholder for the request data's period.
pub const REQUESTS: &str = "{conservazione_richiesta}";
/// Placeholder for the documents' period.
pub const DOCUMENTS: &str = "{conservazione_documenti}";
/// Placeholder for the (anonymised) appointments' period.
pub const APPOINTMENTS: &str = "{conservazione_appuntamenti}";
/// Placeholder for the audit log's period.
pub const AUDIT: &str = "{conservazione_registro}";
/// Placeholder for the feedback's period.
pub const FEEDBACK: &str = "{conservazione_valutazioni}";

/// Every placeholder.
pub const PLACEHOLDERS: [&str; 5] = [REQUESTS, DOCUMENTS, APPOINTMENTS, AUDIT, FEEDBACK];

/// A period in Italian: whole years ("un anno", "2 anni") when the days are a multiple of 365,
/// else whole months (30 days: "un mese", "3 mesi"), else days ("un giorno", "45 giorni").
pub fn period_text(days: u32) -> String {
    let (n, one, many) = if days.is_multiple_of(365) {
        (days / 365, "un anno", "anni")
    } else if days.is_multiple_of(30) {
        (days / 30, "un mese", "mesi")
    } else {
        (days, "un giorno", "giorni")
    };
    if n == 1 {
        one.to_owned()
    } else {
        format!("{n} {many}")
    }
}

/// `text` with every placeholder replaced by its period.
pub fn fill(text: &str, periods: &RetentionConfig) -> String {
    [
        (REQUESTS, periods.requests_days),
        (DOCUMENTS, periods.documents_days),
        (APPOINTMENTS, periods.appointments_days),
        (AUDIT, periods.audit_days),
        (FEEDBACK, periods.feedback_days),
    ]
    .iter()
    .fold(text.to_owned(), |t, (placeholder, days)| {
        t.replace(placeholder, &period_text(*days))
    })
}

/// Whether `text` names at least one period placeholder.
pub fn has_placeholders(text: &str) -> bool {
    PLACEHOLDERS.iter().any(|p| text.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_words() {
        for (days, text) in [
            (1, "un giorno"),
            (45, "45 giorni"),
            (30, "un mese"),
            (90, "3 mesi"),
            (365, "un anno"),
            (730, "2 anni"),
            (400, "400 giorni"),
        ] {
            assert_eq!(period_text(days), text);
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let p = RetentionConfig::default();
        let t = fill(
            "richiesta {conservazione_richiesta}, documenti {conservazione_documenti}, \
             {conservazione_appuntamenti}/{conservazione_registro}/{conservazione_valutazioni}, \
             {altro}",
            &p,
        );
        assert_eq!(
            t,
            "richiesta un anno, documenti 3 mesi, 2 anni/2 anni/2 anni, {altro}"
        );
        assert!(has_placeholders("x {conservazione_registro}"));
        assert!(!has_placeholders("nessuno"));
    }
}
