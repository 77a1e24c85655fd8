//! [`inspect`]: the one entry point, and what it reports.

use crate::trust::{self, ChainStatus, TrustList};
use crate::{MAX_DOCUMENT_BYTES, MAX_P7M_NESTING, Refusal, certificate, p7m, pdf};
use std::borrow::Cow;
use std::time::SystemTime;

/// The kind of an accepted document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A plain PDF.
    Pdf,
    /// A CAdES-signed `.p7m` wrapping a PDF.
    P7m,
}

impl Kind {
    /// The media type to serve the document with.
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::P7m => "application/pkcs7-mime",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::P7m => "p7m",
        }
    }
}

/// What [`inspect`] found in an accepted document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    /// PDF or `.p7m`.
    pub kind: Kind,
    /// Pages of the PDF (for a `.p7m`, of the PDF inside it).
    pub pages: u32,
    /// The signers whose signatures verified, outermost `.p7m` layer first; empty for a PDF.
    pub signers: Vec<Signer>,
    /// The chain status of the document as a whole: [`ChainStatus::NotChecked`] for a PDF or
    /// without a trust list; [`ChainStatus::Trusted`] (the first signer's anchor) when every
    /// signer is trusted; otherwise the first signer's [`ChainStatus::Untrusted`].
    pub chain: ChainStatus,
}

impl Inspected {
    /// The media type to serve the document with (`application/pdf` or
    /// `application/pkcs7-mime`).
    pub fn media_type(&self) -> &'static str {
        self.kind.media_type()
    }

    /// The first signer (of the outermost layer), if any.
    pub fn signer(&self) -> Option<&Signer> {
        self.signers.first()
    }
}

/// A signer whose signature verified, as its certificate names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The name to show: the common name, else given name and surname, else the organisation.
    pub name: Option<String>,
    /// The subject's common name (CN).
    pub common_name: Option<String>,
    /// The subject's given name.
    pub given_name: Option<String>,
    /// The subject's surname.
    pub surname: Option<String>,
    /// The codice fiscale from the subject's `serialNumber` (`TINIT-…`), without the prefix.
    pub codice_fiscale: Option<String>,
    /// The display name of the certificate's issuer.
    pub issuer: Option<String>,
    /// Start of the certificate's validity.
    pub not_before: SystemTime,
    /// End of the certificate's validity.
    pub not_after: SystemTime,
    /// The `signingTime` signed attribute, if present (declared by the signer, not proven).
    pub signing_time: Option<SystemTime>,
    /// Whether the certificate was valid at `signing_time`; `None` without a signing time.
    pub valid_at_signing_time: Option<bool>,
    /// Whether the certificate is valid at the `now` given to [`inspect`] (false once expired).
    pub valid_now: bool,
    /// This signer's chain against the trust list.
    pub chain: ChainStatus,
}

/// Checks a document by its content (see the crate documentation).
///
/// `trust` is the list of trusted CAs, if configured; `now` is the time at which certificate
/// validity is judged.
pub fn inspect(
    bytes: &[u8],
    trust: Option<&TrustList>,
    now: SystemTime,
) -> Result<Inspected, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::EmptyDocument);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Refusal::DocumentTooLarge);
    }
    // A `.p7m` in DER carries the `%PDF-` of its content near its start, so the header alone
    // does not make a PDF: a file starting with it is one, anything else is tried as `.p7m`
    // first and as a PDF (with leading junk) after.
    if bytes.starts_with(pdf::HEADER) {
        return plain_pdf(bytes);
    }
    let mut signers = Vec::new();
    let mut current = Cow::Borrowed(bytes);
    for depth in 0..=MAX_P7M_NESTING {
        if depth > 0 && current.starts_with(pdf::HEADER) {
            return signed_pdf(&current, signers);
        }
        match p7m::open(&current) {
            Ok(_) if depth == MAX_P7M_NESTING => return Err(Refusal::P7mNestingTooDeep),
            Ok(layer) => {
                for &(index, signing_time) in &layer.signers {
                    let certificate = &layer.certificates[index];
                    let carried = &layer.certificates;
                    signers.push(signer(certificate, signing_time, carried, trust, now));
                }
                current = Cow::Owned(layer.content);
            }
            Err(Refusal::NotADocument) if pdf::has_pdf_header(&current) => {
                return match depth {
                    0 => plain_pdf(&current),
                    _ => signed_pdf(&current, signers),
                };
            }
            Err(Refusal::NotADocument) if depth > 0 => return Err(Refusal::P7mContentNotPdf),
            Err(refusal) => return Err(refusal),
        }
    }
    // The last round (depth == MAX_P7M_NESTING) always returns.
    Err(Refusal::P7mNestingTooDeep)
}

fn signed_pdf(content: &[u8], signers: Vec<Signer>) -> Result<Inspected, Refusal> {
    let pages = pdf::check(content)?;
    let chain = overall_chain(&signers);
    Ok(Inspected {
        kind: Kind::P7m,
        pages,
        signers,
        chain,
    })
}

fn plain_pdf(bytes: &[u8]) -> Result<Inspected, Refusal> {
    Ok(Inspected {
        kind: Kind::Pdf,
        pages: pdf::check(bytes)?,
        signers: Vec::new(),
        chain: ChainStatus::NotChecked,
    })
}

fn signer(
    certificate: &x509_cert::Certificate,
    signing_time: Option<SystemTime>,
    carried: &[x509_cert::Certificate],
    trust: Option<&TrustList>,
    now: SystemTime,
) -> Signer {
    let names = certificate::names(certificate);
    let (not_before, not_after) = certificate::validity(certificate);
    Signer {
        name: certificate::display_name(&certificate.tbs_certificate.subject),
        common_name: names.common_name,
        given_name: names.given_name,
        surname: names.surname,
        codice_fiscale: names.codice_fiscale,
        issuer: certificate::display_name(&certificate.tbs_certificate.issuer),
        not_before,
        not_after,
        signing_time,
        valid_at_signing_time: signing_time.map(|t| certificate::valid_at(certificate, t)),
        valid_now: certificate::valid_at(certificate, now),
        chain: match trust {
            Some(trust) => trust::check_chain(certificate, carried, trust, now),
            None => ChainStatus::NotChecked,
        },
    }
}

fn overall_chain(signers: &[Signer]) -> ChainStatus {
    match signers
        .iter()
        .find(|s| !matches!(s.chain, ChainStatus::Trusted { .. }))
        .or(signers.first())
    {
        Some(signer) => signer.chain.clone(),
        None => ChainStatus::NotChecked,
    }
}
