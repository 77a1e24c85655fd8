//! Opening one CAdES `.p7m` layer: undo the transport form (PEM, base64), normalise BER to DER,
//! parse the CMS SignedData, take out the encapsulated content and verify every signature over
//! it.

use crate::signature::{self, Verified};
use crate::{MAX_P7M_CERTIFICATES, MAX_P7M_SIGNERS, Refusal, armor, ber};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use x509_cert::Certificate;

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// The DER of the signedData object identifier, to tell a damaged `.p7m` from other data.
const SIGNED_DATA_OID_DER: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
];
/// The PKCS #7 content types arc (1.2.840.113549.1.7).
const PKCS7_ARC: [u8; 8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07];

/// One opened `.p7m` layer.
#[derive(Debug)]
pub struct Layer {
    /// The encapsulated (signed) content.
    pub content: Vec<u8>,
    /// The certificates carried in the SignedData.
    pub certificates: Vec<Certificate>,
    /// The signer infos, verified, in order: index into `certificates` and signing time.
    pub signers: Vec<(usize, Option<std::time::SystemTime>)>,
}

/// Opens `bytes` as a `.p7m`. Input that is not CMS at all gives [`Refusal::NotADocument`].
pub fn open(bytes: &[u8]) -> Result<Layer, Refusal> {
    let binary = armor::unarmor(bytes).ok_or(Refusal::NotADocument)?;
    let looks_signed = binary
        .get(..64.min(binary.len()))
        .is_some_and(|head| head.windows(11).any(|w| w == SIGNED_DATA_OID_DER));
    let broken = if looks_signed {
        Refusal::CorruptDocument
    } else {
        Refusal::NotADocument
    };
    let der = ber::normalise(&binary).map_err(|_| broken)?;
    drop(binary);
    let info = ContentInfo::from_der(&der).map_err(|_| broken)?;
    drop(der);
    if info.content_type != ID_SIGNED_DATA {
        return Err(if info.content_type.as_bytes().starts_with(&PKCS7_ARC) {
            Refusal::UnsupportedP7m
        } else {
            Refusal::NotADocument
        });
    }
    let signed = info
        .content
        .decode_as::<SignedData>()
        .map_err(|_| Refusal::CorruptDocument)?;
    drop(info);

    let content_type = signed.encap_content_info.econtent_type;
    let content = match &signed.encap_content_info.econtent {
        None => return Err(Refusal::P7mWithoutContent),
        Some(econtent) => econtent
            .to_der()
            .ok()
            .and_then(|der| OctetString::from_der(&der).ok())
            .ok_or(Refusal::CorruptDocument)?
            .into_bytes(),
    };
    let carried = signed.certificates.as_ref().map_or(0, |set| set.0.len());
    if signed.signer_infos.0.len() > MAX_P7M_SIGNERS || carried > MAX_P7M_CERTIFICATES {
        return Err(Refusal::P7mTooComplex);
    }
    let certificates: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(certificate) => Some(certificate.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    if signed.signer_infos.0.is_empty() {
        return Err(Refusal::P7mUnsigned);
    }
    let mut signers = Vec::with_capacity(signed.signer_infos.0.len());
    for info in signed.signer_infos.0.iter() {
        let Verified {
            certificate,
            signing_time,
        } = signature::verify(info, &content_type, &content, &certificates)?;
        signers.push((certificate, signing_time));
    }
    Ok(Layer {
        content,
        certificates,
        signers,
    })
}
