//! Why a document is refused: one variant per reason, each with a stable snake_case code (for the
//! HTTP edge and the web client) and a short fixed English message that never echoes the input.

use std::fmt;

/// The reason [`crate::inspect`] refuses a document.
///
/// The codes returned by [`Refusal::code`] are stable: the HTTP edge passes them on and the web
/// client switches on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The document has no bytes at all.
    EmptyDocument,
    /// The document is longer than [`crate::MAX_DOCUMENT_BYTES`].
    DocumentTooLarge,
    /// Neither a PDF nor a CAdES `.p7m` (for example a PNG renamed `.pdf`).
    NotADocument,
    /// Looks like a PDF or a `.p7m` but its structure is broken or truncated.
    CorruptDocument,
    /// A PDF protected by encryption (a password or permissions), which the office cannot file.
    EncryptedPdf,
    /// A PDF without a single page.
    PdfWithoutPages,
    /// A CMS file that is not a signed file (SignedData), e.g. an encrypted envelope.
    UnsupportedP7m,
    /// A `.p7m` whose signature is detached: the signed file is not inside it.
    P7mWithoutContent,
    /// A `.p7m` whose signed content is not a PDF (nor another `.p7m` wrapping one).
    P7mContentNotPdf,
    /// `.p7m` files nested deeper than [`crate::MAX_P7M_NESTING`].
    P7mNestingTooDeep,
    /// A `.p7m` that carries no signature at all.
    P7mUnsigned,
    /// A `.p7m` with more signatures or certificates than [`crate::MAX_P7M_SIGNERS`] and
    /// [`crate::MAX_P7M_CERTIFICATES`] allow (bounds the work a hostile file can cause).
    P7mTooComplex,
    /// The certificate of a signer is not among the certificates carried in the `.p7m`.
    SignerCertificateMissing,
    /// A signature does not verify: the content or the signed attributes were altered.
    SignatureInvalid,
    /// A signature uses an algorithm or key this service cannot verify.
    UnsupportedSignature,
}

impl Refusal {
    /// Every refusal, for tables and exhaustive tests.
    pub const ALL: [Refusal; 15] = [
        Refusal::EmptyDocument,
        Refusal::DocumentTooLarge,
        Refusal::NotADocument,
        Refusal::CorruptDocument,
        Refusal::EncryptedPdf,
        Refusal::PdfWithoutPages,
        Refusal::UnsupportedP7m,
        Refusal::P7mWithoutContent,
        Refusal::P7mContentNotPdf,
        Refusal::P7mNestingTooDeep,
        Refusal::P7mUnsigned,
        Refusal::P7mTooComplex,
        Refusal::SignerCertificateMissing,
        Refusal::SignatureInvalid,
        Refusal::UnsupportedSignature,
    ];

    /// The stable snake_case code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::EmptyDocument => "empty_document",
            Refusal::DocumentTooLarge => "document_too_large",
            Refusal::NotADocument => "not_a_document",
            Refusal::CorruptDocument => "corrupt_document",
            Refusal::EncryptedPdf => "encrypted_pdf",
            Refusal::PdfWithoutPages => "pdf_without_pages",
            Refusal::UnsupportedP7m => "unsupported_p7m",
            Refusal::P7mWithoutContent => "p7m_without_content",
            Refusal::P7mContentNotPdf => "p7m_content_not_pdf",
            Refusal::P7mNestingTooDeep => "p7m_nesting_too_deep",
            Refusal::P7mUnsigned => "p7m_unsigned",
            Refusal::P7mTooComplex => "p7m_too_complex",
            Refusal::SignerCertificateMissing => "signer_certificate_missing",
            Refusal::SignatureInvalid => "signature_invalid",
            Refusal::UnsupportedSignature => "unsupported_signature",
        }
    }

    /// A short fixed English message for logs and API answers; it never contains input data.
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::EmptyDocument => "the document is empty",
            Refusal::DocumentTooLarge => "the document is larger than 4 MB",
            Refusal::NotADocument => "the document is neither a PDF nor a signed .p7m file",
            Refusal::CorruptDocument => "the document is damaged or incomplete",
            Refusal::EncryptedPdf => "the PDF is encrypted or password protected",
            Refusal::PdfWithoutPages => "the PDF has no pages",
            Refusal::UnsupportedP7m => "the .p7m file is not a signed file",
            Refusal::P7mWithoutContent => {
                "the .p7m file does not contain the signed document (detached signature)"
            }
            Refusal::P7mContentNotPdf => "the document inside the .p7m file is not a PDF",
            Refusal::P7mNestingTooDeep => "the .p7m file is signed too many times over",
            Refusal::P7mUnsigned => "the .p7m file carries no signature",
            Refusal::P7mTooComplex => "the .p7m file has too many signatures or certificates",
            Refusal::SignerCertificateMissing => {
                "the .p7m file does not contain the signer's certificate"
            }
            Refusal::SignatureInvalid => "the signature does not match the document",
            Refusal::UnsupportedSignature => "the signature uses an unsupported algorithm",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case() {
        let codes: HashSet<_> = Refusal::ALL.iter().map(Refusal::code).collect();
        assert_eq!(codes.len(), Refusal::ALL.len());
        for code in codes {
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code}"
            );
        }
    }
}
