//! CAdES `.p7m` files in their forms (DER, BER, PEM, base64), signers and refusals.

use crate::support::{fixtures, pdf};
use sportello_documents::{ChainStatus, Inspected, Kind, Refusal, inspect};
use std::time::{Duration, SystemTime};

const DER: &[&str] = &["-nodetach", "-outform", "DER"];

fn check(bytes: &[u8]) -> Result<Inspected, Refusal> {
    inspect(bytes, None, SystemTime::now())
}

fn assert_mario_rossi(inspected: &Inspected) {
    assert_eq!(inspected.kind, Kind::P7m);
    assert_eq!(inspected.media_type(), "application/pkcs7-mime");
    assert_eq!(inspected.pages, 2);
    assert_eq!(inspected.chain, ChainStatus::NotChecked);
    let signer = inspected.signer().expect("a signer");
    assert_eq!(signer.name.as_deref(), Some("Mario Rossi"));
    assert_eq!(signer.common_name.as_deref(), Some("Mario Rossi"));
    assert_eq!(signer.codice_fiscale.as_deref(), Some("RSSMRA80A01H501U"));
    assert!(signer.valid_now);
    assert!(signer.not_before < signer.not_after);
    let signed_at = signer.signing_time.expect("openssl adds signingTime");
    let age = SystemTime::now()
        .duration_since(signed_at)
        .unwrap_or_default();
    assert!(age < Duration::from_secs(3600));
    assert_eq!(signer.valid_at_signing_time, Some(true));
}

#[test]
fn der_p7m_is_accepted() {
    let p7m = fixtures().sign("doc.pdf", "rsa", DER);
    assert_eq!(p7m[1] & 0x80, 0x80, "long definite length");
    assert_ne!(p7m[1], 0x80);
    assert_mario_rossi(&check(&p7m).unwrap());
}

#[test]
fn ber_p7m_with_indefinite_lengths_is_accepted() {
    let p7m = fixtures().sign(
        "doc.pdf",
        "rsa",
        &["-nodetach", "-stream", "-outform", "DER"],
    );
    assert_eq!(
        &p7m[..2],
        &[0x30, 0x80],
        "openssl -stream writes indefinite lengths"
    );
    assert_mario_rossi(&check(&p7m).unwrap());
}

#[test]
fn pem_and_plain_base64_p7m_are_accepted() {
    let pem = fixtures().sign("doc.pdf", "rsa", &["-nodetach", "-outform", "PEM"]);
    let text = String::from_utf8(pem.clone()).unwrap();
    assert!(text.starts_with("-----BEGIN CMS-----"));
    assert_mario_rossi(&check(&pem).unwrap());

    let pkcs7 = text
        .replace("BEGIN CMS", "BEGIN PKCS7")
        .replace("END CMS", "END PKCS7");
    assert_mario_rossi(&check(pkcs7.as_bytes()).unwrap());

    let base64: String = text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .map(|line| format!("{line}\r\n"))
        .collect();
    assert_mario_rossi(&check(base64.as_bytes()).unwrap());
}

#[test]
fn ecdsa_signers_are_accepted() {
    let f = fixtures();
    for (signer, extra) in [("p256", &[][..]), ("p384", &["-md", "sha384"][..])] {
        let mut args = DER.to_vec();
        args.extend_from_slice(extra);
        assert_mario_rossi(&check(&f.sign("doc.pdf", signer, &args)).unwrap());
    }
}

#[test]
fn other_digests_key_identifiers_and_no_signed_attributes() {
    let f = fixtures();
    for extra in [&["-md", "sha512"][..], &["-md", "sha1"], &["-keyid"]] {
        let mut args = DER.to_vec();
        args.extend_from_slice(extra);
        assert_mario_rossi(&check(&f.sign("doc.pdf", "rsa", &args)).unwrap());
    }
    let mut args = DER.to_vec();
    args.push("-noattr");
    let inspected = check(&f.sign("doc.pdf", "rsa", &args)).unwrap();
    let signer = inspected.signer().unwrap();
    assert_eq!(signer.name.as_deref(), Some("Mario Rossi"));
    assert_eq!(signer.signing_time, None);
    assert_eq!(signer.valid_at_signing_time, None);
}

#[test]
fn a_changed_byte_of_the_content_breaks_the_signature() {
    let f = fixtures();
    for (extra, attrs) in [
        (&[][..], "with signed attributes"),
        (&["-noattr"][..], "without"),
    ] {
        let mut args = DER.to_vec();
        args.extend_from_slice(extra);
        let mut p7m = f.sign("doc.pdf", "rsa", &args);
        let start = find(&p7m, b"%PDF-").unwrap();
        let page = start + find(&p7m[start..], b"/MediaBox").unwrap();
        p7m[page + 12] ^= 0x01; // a digit of the media box
        assert_eq!(check(&p7m), Err(Refusal::SignatureInvalid), "{attrs}");
    }
}

#[test]
fn a_changed_byte_of_the_signature_breaks_it() {
    let p7m = fixtures().sign("doc.pdf", "p256", DER);
    let mut tampered = p7m.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 0x01;
    assert_eq!(check(&tampered), Err(Refusal::SignatureInvalid));
}

#[test]
fn a_detached_signature_is_refused() {
    let p7m = fixtures().sign("doc.pdf", "rsa", &["-outform", "DER"]);
    assert_eq!(check(&p7m), Err(Refusal::P7mWithoutContent));
}

#[test]
fn a_p7m_wrapping_something_else_than_a_pdf_is_refused() {
    let f = fixtures();
    let png = f.sign("image.png", "rsa", DER);
    assert_eq!(check(&png), Err(Refusal::P7mContentNotPdf));
    let text = f.sign_bytes(b"hello", "rsa", DER);
    assert_eq!(check(&text), Err(Refusal::P7mContentNotPdf));
    let bad_pdf = f.sign_bytes(&pdf(2)[..100], "rsa", DER);
    assert_eq!(check(&bad_pdf), Err(Refusal::CorruptDocument));
}

#[test]
fn double_signatures_are_unwrapped_to_three_layers() {
    let f = fixtures();
    let once = f.sign("doc.pdf", "rsa", DER);
    let twice = f.sign_bytes(&once, "p256", &["-nodetach", "-stream", "-outform", "DER"]);
    let inspected = check(&twice).unwrap();
    assert_eq!(inspected.pages, 2);
    assert_eq!(inspected.signers.len(), 2);
    let thrice = f.sign_bytes(&twice, "rsa", DER);
    assert_eq!(check(&thrice).unwrap().signers.len(), 3);
    let four = f.sign_bytes(&thrice, "rsa", DER);
    assert_eq!(check(&four), Err(Refusal::P7mNestingTooDeep));
}

#[test]
fn damaged_p7m_files_are_refused() {
    let p7m = fixtures().sign("doc.pdf", "rsa", DER);
    assert_eq!(check(&p7m[..p7m.len() / 2]), Err(Refusal::CorruptDocument));
    assert_eq!(check(&p7m[..40]), Err(Refusal::CorruptDocument));
    // A DER SEQUENCE that is not CMS at all.
    assert_eq!(
        check(&[0x30, 0x03, 0x02, 0x01, 0x05]),
        Err(Refusal::NotADocument)
    );
}

#[test]
fn other_p7m_refusals() {
    let f = fixtures();
    let mut no_certs = DER.to_vec();
    no_certs.push("-nocerts");
    let p7m = f.sign("doc.pdf", "rsa", &no_certs);
    assert_eq!(check(&p7m), Err(Refusal::SignerCertificateMissing));

    let mut pss = DER.to_vec();
    pss.extend_from_slice(&["-keyopt", "rsa_padding_mode:pss"]);
    let p7m = f.sign("doc.pdf", "rsa", &pss);
    assert_eq!(check(&p7m), Err(Refusal::UnsupportedSignature));

    f.openssl(&[
        "cms",
        "-encrypt",
        "-binary",
        "-in",
        "doc.pdf",
        "-outform",
        "DER",
        "-out",
        "enveloped.p7m",
        "rsa.crt",
    ]);
    assert_eq!(
        check(&f.read("enveloped.p7m")),
        Err(Refusal::UnsupportedP7m)
    );
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
