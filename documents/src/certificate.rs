//! What is read from X.509 certificates: the signer's names (common name, given name and
//! surname, the Italian codice fiscale carried in `serialNumber` as `TINIT-…`), validity dates,
//! the subject key identifier and the CA flag.

use der::asn1::{BmpString, ObjectIdentifier};
use der::{Decode, Tag, Tagged};
use std::time::{SystemTime, UNIX_EPOCH};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::time::Time;

const ID_AT_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const ID_AT_SURNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.4");
const ID_AT_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const ID_AT_GIVEN_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.42");
const ID_AT_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const ID_CE_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const ID_CE_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// The first value of attribute `oid` in `name`, as text.
pub fn attribute(name: &Name, oid: ObjectIdentifier) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == oid)
        .find_map(|atv| directory_string(&atv.value))
}

/// Decodes the string types a DirectoryString may use.
fn directory_string(value: &der::Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            String::from_utf8(bytes.to_vec()).ok()
        }
        // T.61 in theory; in practice Latin-1.
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => BmpString::from_ucs2(bytes).ok().map(|s| s.to_string()),
        _ => None,
    }
}

/// A display name for a certificate subject: the common name, else given name and surname,
/// else the organisation.
pub fn display_name(name: &Name) -> Option<String> {
    if let Some(cn) = attribute(name, ID_AT_COMMON_NAME) {
        return Some(cn);
    }
    match (
        attribute(name, ID_AT_GIVEN_NAME),
        attribute(name, ID_AT_SURNAME),
    ) {
        (Some(given), Some(surname)) => Some(format!("{given} {surname}")),
        (Some(one), None) | (None, Some(one)) => Some(one),
        (None, None) => attribute(name, ID_AT_ORGANIZATION),
    }
}

/// The names the signer's certificate carries.
pub struct Names {
    pub common_name: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub codice_fiscale: Option<String>,
}

/// Reads the subject names of `certificate`. The codice fiscale is the `serialNumber`
/// attribute with the ETSI prefix `TINIT-` (EN 319 412-1), returned without the prefix.
pub fn names(certificate: &Certificate) -> Names {
    let subject = &certificate.tbs_certificate.subject;
    let codice_fiscale = attribute(subject, ID_AT_SERIAL_NUMBER).and_then(|serial| {
        let serial = serial.trim();
        let prefix = serial.get(..6)?;
        prefix
            .eq_ignore_ascii_case("TINIT-")
            .then(|| serial[6..].to_ascii_uppercase())
            .filter(|cf| !cf.is_empty() && cf.bytes().all(|b| b.is_ascii_alphanumeric()))
    });
    Names {
        common_name: attribute(subject, ID_AT_COMMON_NAME),
        given_name: attribute(subject, ID_AT_GIVEN_NAME),
        surname: attribute(subject, ID_AT_SURNAME),
        codice_fiscale,
    }
}

/// An ASN.1 time as a [`SystemTime`].
pub fn system_time(time: &Time) -> SystemTime {
    UNIX_EPOCH + time.to_unix_duration()
}

/// The validity period of `certificate` (not before, not after).
pub fn validity(certificate: &Certificate) -> (SystemTime, SystemTime) {
    let validity = &certificate.tbs_certificate.validity;
    (
        system_time(&validity.not_before),
        system_time(&validity.not_after),
    )
}

/// Whether `certificate` is valid at `at`.
pub fn valid_at(certificate: &Certificate, at: SystemTime) -> bool {
    let (not_before, not_after) = validity(certificate);
    not_before <= at && at <= not_after
}

/// The subject key identifier extension of `certificate`, if present.
pub fn subject_key_identifier(certificate: &Certificate) -> Option<Vec<u8>> {
    extension(certificate, ID_CE_SUBJECT_KEY_IDENTIFIER)
        .and_then(|value| SubjectKeyIdentifier::from_der(value).ok())
        .map(|ski| ski.0.as_bytes().to_vec())
}

/// Whether `certificate` says it is a CA (basic constraints with cA true).
pub fn is_ca(certificate: &Certificate) -> bool {
    extension(certificate, ID_CE_BASIC_CONSTRAINTS)
        .and_then(|value| BasicConstraints::from_der(value).ok())
        .is_some_and(|constraints| constraints.ca)
}

fn extension(certificate: &Certificate, oid: ObjectIdentifier) -> Option<&[u8]> {
    certificate
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|ext| ext.extn_id == oid)
        .map(|ext| ext.extn_value.as_bytes())
}
