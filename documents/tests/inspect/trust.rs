//! Signer chains against a trust list.

use crate::support::fixtures;
use sportello_documents::{ChainStatus, TrustList, TrustListError, UntrustedReason, inspect};
use std::time::{Duration, SystemTime};

const DER: &[&str] = &["-nodetach", "-outform", "DER"];

fn list(names: &[&str]) -> TrustList {
    let pem: Vec<u8> = names.iter().flat_map(|n| fixtures().read(n)).collect();
    TrustList::from_pem(&pem).unwrap()
}

#[test]
fn a_signer_issued_by_a_trusted_ca_is_trusted() {
    let p7m = fixtures().sign("doc.pdf", "leaf", DER);
    let trust = list(&["other-ca.crt", "ca.crt"]);
    assert_eq!(trust.len(), 2);
    let inspected = inspect(&p7m, Some(&trust), SystemTime::now()).unwrap();
    let trusted = ChainStatus::Trusted {
        anchor: "Prova Root CA".into(),
    };
    assert_eq!(inspected.chain, trusted);
    assert_eq!(inspected.signer().unwrap().chain, trusted);
    assert_eq!(
        inspected.signer().unwrap().issuer.as_deref(),
        Some("Prova Root CA")
    );
}

#[test]
fn an_intermediate_carried_in_the_p7m_completes_the_chain() {
    let f = fixtures();
    let trust = list(&["ca.crt"]);
    let path = f.path("inter.crt");
    let mut args = DER.to_vec();
    args.extend_from_slice(&["-certfile", path.to_str().unwrap()]);
    let with = f.sign("doc.pdf", "deep", &args);
    let inspected = inspect(&with, Some(&trust), SystemTime::now()).unwrap();
    assert!(
        matches!(inspected.chain, ChainStatus::Trusted { .. }),
        "{:?}",
        inspected.chain
    );

    let without = f.sign("doc.pdf", "deep", DER);
    let inspected = inspect(&without, Some(&trust), SystemTime::now()).unwrap();
    assert_eq!(
        inspected.chain,
        ChainStatus::Untrusted(UntrustedReason::UnknownIssuer)
    );
}

#[test]
fn an_unrelated_ca_leaves_the_signature_valid_but_untrusted() {
    let p7m = fixtures().sign("doc.pdf", "leaf", DER);
    let inspected = inspect(&p7m, Some(&list(&["other-ca.crt"])), SystemTime::now()).unwrap();
    assert_eq!(
        inspected.chain,
        ChainStatus::Untrusted(UntrustedReason::UnknownIssuer)
    );
    let self_signed = fixtures().sign("doc.pdf", "rsa", DER);
    let inspected = inspect(&self_signed, Some(&list(&["ca.crt"])), SystemTime::now()).unwrap();
    assert_eq!(
        inspected.chain,
        ChainStatus::Untrusted(UntrustedReason::UnknownIssuer)
    );
}

#[test]
fn without_a_list_the_chain_is_not_checked() {
    let p7m = fixtures().sign("doc.pdf", "leaf", DER);
    let inspected = inspect(&p7m, None, SystemTime::now()).unwrap();
    assert_eq!(inspected.chain, ChainStatus::NotChecked);
}

#[test]
fn an_expired_certificate_is_reported() {
    // Valid for one day: judged two days later it has expired.
    let p7m = fixtures().sign("doc.pdf", "short", DER);
    let later = SystemTime::now() + Duration::from_secs(2 * 86_400);
    let inspected = inspect(&p7m, Some(&list(&["ca.crt"])), later).unwrap();
    assert_eq!(
        inspected.chain,
        ChainStatus::Untrusted(UntrustedReason::CertificateExpired)
    );
    let signer = inspected.signer().unwrap();
    assert!(!signer.valid_now);
    assert!(signer.not_after < later);
    assert_eq!(signer.valid_at_signing_time, Some(true));

    let inspected = inspect(&p7m, None, later).unwrap();
    assert_eq!(inspected.chain, ChainStatus::NotChecked);
    assert!(!inspected.signer().unwrap().valid_now);
}

#[test]
fn bad_trust_lists_are_refused() {
    assert_eq!(
        TrustList::from_pem(b"no certificates here").unwrap_err(),
        TrustListError::Empty
    );
    assert_eq!(
        TrustList::from_pem(b"\xff\xfe").unwrap_err(),
        TrustListError::NotText
    );
    let bad = b"-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";
    assert_eq!(
        TrustList::from_pem(bad).unwrap_err(),
        TrustListError::BadCertificate { index: 0 }
    );
}
