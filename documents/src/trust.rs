//! An optional list of trusted CA certificates (for example the AgID / EU trusted lists exported
//! as PEM) and the check of a signer's chain against it: the signer certificate must be issued
//! by a trusted CA directly, or through intermediate CA certificates carried in the `.p7m`, with
//! every certificate valid at the given time. Revocation (CRL, OCSP) is not checked.

use crate::algorithms::{self, Scheme};
use crate::{armor, certificate};
use der::{Decode, Encode};
use std::time::SystemTime;
use x509_cert::Certificate;

/// Most certificates in a chain, the signer's included, below the trust anchor.
pub const MAX_CHAIN: usize = 5;

/// Trusted CA certificates (trust anchors).
#[derive(Debug, Clone)]
pub struct TrustList {
    anchors: Vec<Certificate>,
}

/// Why a trust list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustListError {
    /// The bundle is not UTF-8 text.
    #[error("the trust list is not PEM text")]
    NotText,
    /// The bundle holds no `CERTIFICATE` block.
    #[error("the trust list holds no certificate")]
    Empty,
    /// A `CERTIFICATE` block (counted from 0) is not a valid X.509 certificate.
    #[error("certificate {index} of the trust list is not valid")]
    BadCertificate {
        /// Position of the block among the `CERTIFICATE` blocks.
        index: usize,
    },
}

impl TrustList {
    /// Reads a PEM bundle of CA certificates (`-----BEGIN CERTIFICATE-----` blocks; other
    /// blocks and text between them are ignored).
    pub fn from_pem(pem: &[u8]) -> Result<TrustList, TrustListError> {
        let text = std::str::from_utf8(pem).map_err(|_| TrustListError::NotText)?;
        let anchors = armor::pem_blocks(text)
            .filter(|(label, _)| *label == "CERTIFICATE")
            .enumerate()
            .map(|(index, (_, der))| {
                Certificate::from_der(&der).map_err(|_| TrustListError::BadCertificate { index })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if anchors.is_empty() {
            return Err(TrustListError::Empty);
        }
        Ok(TrustList { anchors })
    }

    /// How many trusted certificates the list holds.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the list is empty (never, for a list read with [`TrustList::from_pem`]).
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// Whether a signer's certificate leads to a trusted CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStatus {
    /// No trust list was configured: the signature is valid but the certificate not verified
    /// ("firma valida, certificato non verificato").
    NotChecked,
    /// The chain ends at a trusted CA, named by `anchor` (its subject's common name, or its
    /// organisation).
    Trusted {
        /// Display name of the trust anchor.
        anchor: String,
    },
    /// The chain could not be verified. The signature itself is valid; this is not a refusal.
    Untrusted(UntrustedReason),
}

/// Why a chain is not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UntrustedReason {
    /// No trusted CA (nor carried intermediate) issued a certificate of the chain.
    UnknownIssuer,
    /// A certificate of the chain (or the anchor) has expired at the time of the check.
    CertificateExpired,
    /// A certificate of the chain (or the anchor) is not yet valid at the time of the check.
    CertificateNotYetValid,
    /// An intermediate certificate is not a CA certificate.
    IntermediateNotCa,
    /// More than [`MAX_CHAIN`] certificates below the anchor.
    ChainTooLong,
}

impl UntrustedReason {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            UntrustedReason::UnknownIssuer => "unknown_issuer",
            UntrustedReason::CertificateExpired => "certificate_expired",
            UntrustedReason::CertificateNotYetValid => "certificate_not_yet_valid",
            UntrustedReason::IntermediateNotCa => "intermediate_not_ca",
            UntrustedReason::ChainTooLong => "chain_too_long",
        }
    }
}

/// Checks the chain of `signer` against `trust` at `now`, using the certificates `carried` in
/// the `.p7m` as possible intermediates.
pub fn check_chain(
    signer: &Certificate,
    carried: &[Certificate],
    trust: &TrustList,
    now: SystemTime,
) -> ChainStatus {
    let mut current = signer;
    for position in 0..MAX_CHAIN {
        if let Some(reason) = time_problem(current, now) {
            return ChainStatus::Untrusted(reason);
        }
        if position > 0 && !certificate::is_ca(current) {
            return ChainStatus::Untrusted(UntrustedReason::IntermediateNotCa);
        }
        if let Some(anchor) = trust.anchors.iter().find(|a| *a == current) {
            return trusted(anchor);
        }
        if let Some(anchor) = trust.anchors.iter().find(|a| issued(a, current)) {
            return match time_problem(anchor, now) {
                Some(reason) => ChainStatus::Untrusted(reason),
                None => trusted(anchor),
            };
        }
        match carried.iter().find(|c| *c != current && issued(c, current)) {
            Some(issuer) => current = issuer,
            None => return ChainStatus::Untrusted(UntrustedReason::UnknownIssuer),
        }
    }
    ChainStatus::Untrusted(UntrustedReason::ChainTooLong)
}

fn trusted(anchor: &Certificate) -> ChainStatus {
    ChainStatus::Trusted {
        anchor: certificate::display_name(&anchor.tbs_certificate.subject).unwrap_or_default(),
    }
}

fn time_problem(certificate: &Certificate, now: SystemTime) -> Option<UntrustedReason> {
    let (not_before, not_after) = certificate::validity(certificate);
    if now < not_before {
        Some(UntrustedReason::CertificateNotYetValid)
    } else if now > not_after {
        Some(UntrustedReason::CertificateExpired)
    } else {
        None
    }
}

/// Whether `issuer` issued `child`: names match and `child`'s signature verifies with
/// `issuer`'s key.
fn issued(issuer: &Certificate, child: &Certificate) -> bool {
    if issuer.tbs_certificate.subject != child.tbs_certificate.issuer {
        return false;
    }
    let Some(scheme) = Scheme::from_oid(&child.signature_algorithm.oid) else {
        return false;
    };
    let (Some(hash), Ok(tbs), Some(signature)) = (
        scheme.hash(),
        child.tbs_certificate.to_der(),
        child.signature.as_bytes(),
    ) else {
        return false;
    };
    algorithms::verify(
        &issuer.tbs_certificate.subject_public_key_info,
        scheme,
        hash,
        &hash.digest(&tbs),
        signature,
    )
    .is_ok()
}
