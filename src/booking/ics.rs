//! iCalendar (RFC 5545) export of an appointment, written by hand: one VEVENT, UTC times,
//! escaped text, lines folded at 75 octets, CRLF endings. No personal data in the event.

use chrono::{DateTime, Utc};

use super::model::Appointment;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The calendar file of `a`, stamped at `now`.
pub fn render(a: &Appointment, now: DateTime<Utc>) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//sportello//PUE booking//IT".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@sportello", a.id),
        format!("DTSTAMP:{}", stamp(now)),
        format!("DTSTART:{}", stamp(a.starts_at.with_timezone(&Utc))),
        format!("DTEND:{}", stamp(a.ends_at.with_timezone(&Utc))),
        format!(
            "SUMMARY:{}",
            escape(&format!("Appuntamento INPS in video: {}", a.service_name))
        ),
        format!(
            "LOCATION:{}",
            escape(&format!(
                "Punto Utente Evoluto - videochiamata con {}, {}",
                a.sede_name, a.sportello_name
            ))
        ),
        format!(
            "DESCRIPTION:{}",
            escape(&format!(
                "Codice di prenotazione {}.\nPresentarsi al Punto Utente Evoluto del Comune di {} \
                 qualche minuto prima, con un documento d'identità valido.",
                a.code, a.comune_name
            ))
        ),
        format!(
            "STATUS:{}",
            if a.status == "cancelled" {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    let mut out = String::new();
    for line in &lines {
        fold(line, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::rome;

    #[test]
    fn renders_a_valid_event() {
        let start: DateTime<Utc> = "2026-11-24T07:30:00Z".parse().unwrap();
        let a = Appointment {
            id: "abc".into(),
            code: "PUE-7K4M-2Q".into(),
            status: "booked".into(),
            comune_istat: "090078".into(),
            comune_name: "Villanova Monteleone".into(),
            sede_id: "sede-sassari".into(),
            sede_name: "Sede provinciale di Sassari; città".into(),
            sportello_id: "sassari-1".into(),
            sportello_name: "Sportello 1 - Pensioni e contributi, estratti e certificazioni varie"
                .into(),
            service_code: "pensioni".into(),
            service_name: "Pensioni".into(),
            starts_at: rome::to_local(start),
            ends_at: rome::to_local(start + chrono::Duration::minutes(30)),
            given_name: "Maria".into(),
            family_name: "Sanna".into(),
            services: vec!["pensioni".into()],
            has_delegate: false,
            meeting_closed: false,
            meeting_outcome: None,
            meeting_notes: None,
        };
        let ics = render(&a, start);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART:20261124T073000Z\r\n"));
        assert!(ics.contains("DTEND:20261124T080000Z\r\n"));
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("Sassari\\; città"), "{unfolded}");
        assert!(!ics.contains("Sanna"), "no personal data");
        assert!(
            unfolded.contains("Codice di prenotazione PUE-7K4M-2Q"),
            "{unfolded}"
        );
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
    }
}
