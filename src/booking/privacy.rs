//! The GDPR notice (art. 13 Reg. UE 2016/679) printed on the request form for signature: a text
//! file chosen by the administrator (`privacy_notice_file`) or the built-in Italian default.

use std::path::Path;

use anyhow::Context as _;

use super::model::PrivacyNotice;

/// Title of the notice.
pub const TITLE: &str =
    "Informativa sul trattamento dei dati personali (art. 13 Regolamento UE 2016/679)";

/// The largest notice file accepted, in bytes.
pub const MAX_BYTES: u64 = 64 * 1024;

/// The built-in notice; paragraphs are separated by blank lines.
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

I dati della prenotazione sono conservati per il tempo necessario a gestire la richiesta e poi \
cancellati secondo i tempi previsti dall’INPS. L’interessato può chiedere l’accesso ai dati, la \
rettifica, la cancellazione o la limitazione del trattamento e opporsi al trattamento (artt. \
15–22 del Regolamento), rivolgendosi all’INPS o al suo Responsabile della protezione dei dati, i \
cui recapiti sono pubblicati sul sito www.inps.it. Può inoltre proporre reclamo al Garante per la \
protezione dei dati personali.";

/// The built-in notice.
pub fn default_notice() -> PrivacyNotice {
    PrivacyNotice {
        title: TITLE.to_owned(),
        text: DEFAULT_TEXT.to_owned(),
        configured: false,
    }
}

/// Loads the notice: the file's text (UTF-8, not blank, at most [`MAX_BYTES`]) or the default.
pub fn load(file: Option<&Path>) -> anyhow::Result<PrivacyNotice> {
    let Some(path) = file else {
        return Ok(default_notice());
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
    Ok(PrivacyNotice {
        title: TITLE.to_owned(),
        text: text.to_owned(),
        configured: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_file() {
        assert!(!load(None).unwrap().configured);
        let dir = std::env::temp_dir().join(format!("sportello-privacy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("n.txt");
        std::fs::write(&f, "  Primo.\r\n\r\nSecondo.\n").unwrap();
        let n = load(Some(&f)).unwrap();
        assert!(n.configured);
        assert_eq!(n.text, "Primo.\n\nSecondo.");
        std::fs::write(&f, " \n").unwrap();
        assert!(load(Some(&f)).is_err());
        std::fs::write(&f, [0xff, 0xfe]).unwrap();
        assert!(load(Some(&f)).is_err());
        assert!(load(Some(&dir.join("missing.txt"))).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
