//! The GDPR notice (art. 13 Reg. UE 2016/679) printed on the request form for signature: a text
//! file chosen by the administrator (`privacy_notice_file`) or the built-in Italian default.
//! Both may name the retention periods with placeholders ([`crate::retention::notice`], e.g.
//! `{conservazione_richiesta}`), replaced by the configured periods in words ("un anno").

use std::path::Path;

use anyhow::Context as _;

use super::model::PrivacyNotice;
use crate::retention::{RetentionConfig, notice};

/// Title of the notice.
pub const TITLE: &str =
    "Informativa sul trattamento dei dati personali (art. 13 Regolamento UE 2016/679)";

/// The largest notice file accepted, in bytes.
pub const MAX_BYTES: u64 = 64 * 1024;

/// The built-in notice; paragraphs are separated by blank lines. The retention placeholders are
/// replaced by the configured periods.
pub const DEFAULT_TEXT: &str = "\
Titolare del trattamento è l’Istituto Nazionale della Previdenza Sociale (INPS). Il Comune presso \
cui è attivo il Punto Utente Evoluto tratta i dati per conto dell’INPS, come responsabile del \
trattamento, sulla base della convenzione sottoscritta.

I dati personali (nome, cognome, codice fiscale, data e luogo di nascita, comune di residenza, \
recapiti e, se presente, i dati del delegato) sono trattati per prenotare e svolgere \
l’appuntamento in videochiamata con l’INPS e per dare seguito alla richiesta. Il trattamento è \
necessario per l’esecuzione di compiti di interesse pubblico (art. 6, par. 1, lett. e, del \
Regolamento).

Il conferimento dei dati è necessario: senza di essi non è possibile prenotare l’appuntamento. I \
dati sono trattati con strumenti informatici da personale autorizzato, non sono diffusi e sono \
comunicati solo ai soggetti previsti dalla legge. La videochiamata non viene registrata.

I dati della richiesta (dati anagrafici, recapiti, dati del delegato, note dell’appuntamento) \
sono cancellati {conservazione_richiesta} dopo la data dell’appuntamento; i documenti consegnati \
durante la videochiamata sono cancellati da questo sistema {conservazione_documenti} dopo \
l’appuntamento, perché l’INPS li ha acquisiti nelle proprie procedure. I dati dell’appuntamento \
privi di dati personali (luogo, servizio, data, esito) sono conservati per \
{conservazione_appuntamenti} e poi ridotti a soli conteggi statistici. Il registro delle \
operazioni, che non contiene i dati della richiesta, è conservato per {conservazione_registro}; \
le valutazioni facoltative lasciate al termine della videochiamata, non collegate alla persona, \
per {conservazione_valutazioni}.

L’interessato può chiedere l’accesso ai dati, la \
rettifica, la cancellazione o la limitazione del trattamento e opporsi al trattamento (artt. \
15–22 del Regolamento), rivolgendosi all’INPS o al suo Responsabile della protezione dei dati, i \
cui recapiti sono pubblicati sul sito www.inps.it. Può inoltre proporre reclamo al Garante per la \
protezione dei dati personali.";

/// The built-in notice, naming the retention `periods`.
pub fn default_notice(periods: &RetentionConfig) -> PrivacyNotice {
    PrivacyNotice {
        title: TITLE.to_owned(),
        text: notice::fill(DEFAULT_TEXT, periods),
        configured: false,
    }
}

/// Loads the notice: the file's text (UTF-8, not blank, at most [`MAX_BYTES`]) or the default,
/// with the retention placeholders replaced by `periods`.
pub fn load(file: Option<&Path>, periods: &RetentionConfig) -> anyhow::Result<PrivacyNotice> {
    let Some(path) = file else {
        return Ok(default_notice(periods));
    };
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading the privacy notice file {}", path.display()))?
        .len();
    anyhow::ensure!(
        size <= MAX_BYTES,
        "the privacy notice file {} is larger than {MAX_BYTES} bytes",
        path.display()
    );
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the privacy notice file {} (UTF-8)", path.display()))?;
    let text = text.replace("\r\n", "\n");
    let text = text.trim();
    anyhow::ensure!(
        !text.is_empty(),
        "the privacy notice file {} is empty",
        path.display()
    );
    if !notice::has_placeholders(text) {
        tracing::warn!(
            "the privacy notice file names no retention period placeholder \
             ({{conservazione_richiesta}} …): check that its periods match the configured ones"
        );
    }
    Ok(PrivacyNotice {
        title: TITLE.to_owned(),
        text: notice::fill(text, periods),
        configured: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_file() {
        let p = RetentionConfig::default();
        let load = |f: Option<&Path>| load(f, &p);
        assert!(!load(None).unwrap().configured);
        let dir = std::env::temp_dir().join(format!("sportello-privacy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("n.txt");
        std::fs::write(&f, "  Primo.\r\n\r\nSecondo.\n").unwrap();
        let n = load(Some(&f)).unwrap();
        assert!(n.configured);
        assert_eq!(n.text, "Primo.\n\nSecondo.");
        std::fs::write(&f, "Documenti: {conservazione_documenti}.").unwrap();
        assert_eq!(load(Some(&f)).unwrap().text, "Documenti: 3 mesi.");
        std::fs::write(&f, " \n").unwrap();
        assert!(load(Some(&f)).is_err());
        std::fs::write(&f, [0xff, 0xfe]).unwrap();
        assert!(load(Some(&f)).is_err());
        assert!(load(Some(&dir.join("missing.txt"))).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_default_names_every_period() {
        let p = RetentionConfig {
            requests_days: 180,
            documents_days: 45,
            appointments_days: 365,
            audit_days: 1095,
            feedback_days: 730,
        };
        let text = default_notice(&p).text;
        assert!(!text.contains('{'), "{text}");
        for period in [
            "cancellati 6 mesi dopo",
            "45 giorni dopo",
            "per un anno",
            "per 3 anni",
            "per 2 anni",
        ] {
            assert!(text.contains(period), "{period}: {text}");
        }
    }
}
