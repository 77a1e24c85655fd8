//! Verification of one CMS `SignerInfo`: find the signer's certificate among those carried in
//! the SignedData (by issuer and serial number or by subject key identifier), check the
//! `messageDigest` signed attribute against the content, and verify the signature over the DER
//! of the signed attributes (or over the content when there are none).

use crate::Refusal;
use crate::algorithms::{self, Hash, Scheme, VerifyError};
use crate::certificate;
use cms::signed_data::{SignerIdentifier, SignerInfo};
use der::Encode;
use der::asn1::{ObjectIdentifier, OctetString};
use std::time::SystemTime;
use x509_cert::Certificate;
use x509_cert::attr::Attributes;
use x509_cert::time::Time;

const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

/// A signature that verified.
#[derive(Debug)]
pub struct Verified {
    /// The index of the signer's certificate among those carried in the SignedData.
    pub certificate: usize,
    /// The `signingTime` signed attribute, if present.
    pub signing_time: Option<SystemTime>,
}

/// Verifies `info` over `content` (the encapsulated content, of type `content_type`).
pub fn verify(
    info: &SignerInfo,
    content_type: &ObjectIdentifier,
    content: &[u8],
    certificates: &[Certificate],
) -> Result<Verified, Refusal> {
    let index = certificates
        .iter()
        .position(|c| identifies(&info.sid, c))
        .ok_or(Refusal::SignerCertificateMissing)?;
    let certificate = &certificates[index];
    let hash = Hash::from_oid(&info.digest_alg.oid).ok_or(Refusal::UnsupportedSignature)?;
    let scheme =
        Scheme::from_oid(&info.signature_algorithm.oid).ok_or(Refusal::UnsupportedSignature)?;
    if scheme.hash().is_some_and(|implied| implied != hash) {
        return Err(Refusal::UnsupportedSignature);
    }

    let (digest, signing_time) = match &info.signed_attrs {
        Some(attrs) => {
            check_signed_attributes(attrs, hash, content_type, content)?;
            // The signature covers the DER of the attributes with the SET OF tag, not the
            // [0] IMPLICIT tag they carry inside SignerInfo (RFC 5652 §5.4).
            let der = attrs.to_der().map_err(|_| Refusal::CorruptDocument)?;
            (hash.digest(&der), signing_time(attrs)?)
        }
        None => (hash.digest(content), None),
    };
    algorithms::verify(
        &certificate.tbs_certificate.subject_public_key_info,
        scheme,
        hash,
        &digest,
        info.signature.as_bytes(),
    )
    .map_err(|error| match error {
        VerifyError::Unsupported => Refusal::UnsupportedSignature,
        VerifyError::Invalid => Refusal::SignatureInvalid,
    })?;
    Ok(Verified {
        certificate: index,
        signing_time,
    })
}

/// Whether `certificate` is the one `sid` names.
fn identifies(sid: &SignerIdentifier, certificate: &Certificate) -> bool {
    let tbs = &certificate.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            tbs.issuer == id.issuer && tbs.serial_number == id.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            certificate::subject_key_identifier(certificate).as_deref() == Some(ski.0.as_bytes())
        }
    }
}

/// The single value of attribute `oid`, decoded as `T`; `Ok(None)` when absent.
fn single_value<T: der::DecodeOwned>(
    attrs: &Attributes,
    oid: ObjectIdentifier,
) -> Result<Option<T>, Refusal> {
    let mut found = attrs.iter().filter(|attr| attr.oid == oid);
    let Some(attr) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() || attr.values.len() != 1 {
        return Err(Refusal::SignatureInvalid);
    }
    let value = attr.values.get(0).ok_or(Refusal::SignatureInvalid)?;
    let der = value.to_der().map_err(|_| Refusal::SignatureInvalid)?;
    T::from_der(&der)
        .map(Some)
        .map_err(|_| Refusal::SignatureInvalid)
}

/// The `messageDigest` attribute must be present and equal the digest of the content; a
/// `contentType` attribute, if present, must name the encapsulated content type.
fn check_signed_attributes(
    attrs: &Attributes,
    hash: Hash,
    content_type: &ObjectIdentifier,
    content: &[u8],
) -> Result<(), Refusal> {
    let digest: OctetString =
        single_value(attrs, ID_MESSAGE_DIGEST)?.ok_or(Refusal::SignatureInvalid)?;
    if digest.as_bytes() != hash.digest(content).as_slice() {
        return Err(Refusal::SignatureInvalid);
    }
    if let Some(declared) = single_value::<ObjectIdentifier>(attrs, ID_CONTENT_TYPE)?
        && declared != *content_type
    {
        return Err(Refusal::SignatureInvalid);
    }
    Ok(())
}

fn signing_time(attrs: &Attributes) -> Result<Option<SystemTime>, Refusal> {
    Ok(single_value::<Time>(attrs, ID_SIGNING_TIME)?.map(|t| certificate::system_time(&t)))
}
