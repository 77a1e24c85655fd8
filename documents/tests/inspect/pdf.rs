//! Plain PDFs and inputs that are no document at all.

use crate::support::{encrypted_pdf, pdf, png};
use sportello_documents::{ChainStatus, Kind, MAX_DOCUMENT_BYTES, Refusal, inspect};
use std::time::SystemTime;

fn check(bytes: &[u8]) -> Result<sportello_documents::Inspected, Refusal> {
    inspect(bytes, None, SystemTime::now())
}

#[test]
fn a_valid_pdf_is_accepted_and_its_pages_counted() {
    for pages in [1, 3] {
        let inspected = check(&pdf(pages)).unwrap();
        assert_eq!(inspected.kind, Kind::Pdf);
        assert_eq!(inspected.pages, pages as u32);
        assert_eq!(inspected.media_type(), "application/pdf");
        assert!(inspected.signers.is_empty());
        assert_eq!(inspected.chain, ChainStatus::NotChecked);
    }
}

#[test]
fn leading_junk_before_the_header_is_tolerated() {
    let mut bytes = b"junk before the header\n".to_vec();
    bytes.extend(pdf(1));
    assert_eq!(check(&bytes).unwrap().pages, 1);
}

#[test]
fn bad_inputs_are_refused_with_their_code() {
    let valid = pdf(2);
    let mut header_too_late = vec![b' '; 2000];
    header_too_late.extend(pdf(1));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "empty_document"),
        ("png renamed .pdf", png(), "not_a_document"),
        ("text", b"just some text".to_vec(), "not_a_document"),
        ("header only", b"%PDF-1.7\n".to_vec(), "corrupt_document"),
        (
            "truncated",
            valid[..valid.len() / 2].to_vec(),
            "corrupt_document",
        ),
        (
            "cut before %%EOF",
            valid[..valid.len() - 7].to_vec(),
            "corrupt_document",
        ),
        ("header after 1 KiB", header_too_late, "not_a_document"),
        ("encrypted", encrypted_pdf(), "encrypted_pdf"),
        ("no pages", pdf(0), "pdf_without_pages"),
        (
            "too large",
            vec![b'%'; MAX_DOCUMENT_BYTES + 1],
            "document_too_large",
        ),
    ];
    for (name, bytes, code) in cases {
        let refusal = check(&bytes).expect_err(name);
        assert_eq!(refusal.code(), code, "{name}");
    }
}

#[test]
fn messages_never_echo_the_input() {
    for refusal in Refusal::ALL {
        assert!(!refusal.message().is_empty());
        assert!(refusal.message().is_ascii());
    }
}

/// A PDF encrypted by lopdf (RC4, 128 bits): with an empty user password (opens without
/// asking, restricted by permissions) and with a real one.
fn lopdf_encrypted(user_password: &str) -> Vec<u8> {
    use lopdf::encryption::{EncryptionState, EncryptionVersion, Permissions};
    let mut document = lopdf::Document::load_mem(&pdf(1)).unwrap();
    document.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::string_literal(b"0123456789abcdef".to_vec()),
            lopdf::Object::string_literal(b"0123456789abcdef".to_vec()),
        ]),
    );
    #[allow(deprecated)]
    let version = EncryptionVersion::V2 {
        document: &document,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: Permissions::PRINTABLE,
    };
    let state = EncryptionState::try_from(version).unwrap();
    document.encrypt(&state).unwrap();
    let mut out = Vec::new();
    document.save_to(&mut out).unwrap();
    out
}

#[test]
fn pdfs_encrypted_by_a_real_writer_are_refused() {
    for password in ["", "secret"] {
        let bytes = lopdf_encrypted(password);
        assert_eq!(
            check(&bytes),
            Err(Refusal::EncryptedPdf),
            "user password {password:?}"
        );
    }
}
