//! Digests and signature verification for the algorithms this crate supports: SHA-1, SHA-256,
//! SHA-384 and SHA-512; RSA PKCS#1 v1.5 and ECDSA over P-256 and P-384. Shared by the CMS
//! signature check and the certificate chain check.

use der::asn1::{ObjectIdentifier, UintRef};
use der::{Decode, Reader, SliceReader};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::Digest as _;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

const fn oid(text: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(text)
}

const ID_SHA1: ObjectIdentifier = oid("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.3");
const RSA_ENCRYPTION: ObjectIdentifier = oid("1.2.840.113549.1.1.1");
const SHA1_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.5");
const SHA256_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.13");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = oid("1.2.840.10045.2.1");
const ECDSA_WITH_SHA1: ObjectIdentifier = oid("1.2.840.10045.4.1");
const ECDSA_WITH_SHA256: ObjectIdentifier = oid("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = oid("1.2.840.10045.4.3.3");
const ECDSA_WITH_SHA512: ObjectIdentifier = oid("1.2.840.10045.4.3.4");
const CURVE_P256: ObjectIdentifier = oid("1.2.840.10045.3.1.7");
const CURVE_P384: ObjectIdentifier = oid("1.3.132.0.34");

/// A supported digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The digest algorithm named by `oid`, if supported.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Hash> {
        match *oid {
            ID_SHA1 => Some(Hash::Sha1),
            ID_SHA256 => Some(Hash::Sha256),
            ID_SHA384 => Some(Hash::Sha384),
            ID_SHA512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    fn pkcs1v15(self) -> Pkcs1v15Sign {
        match self {
            Hash::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
            Hash::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
            Hash::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
            Hash::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }
}

/// The family of a signature algorithm, with the digest it implies if it names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Rsa(Option<Hash>),
    Ecdsa(Option<Hash>),
}

impl Scheme {
    /// The signature algorithm named by `oid`, if supported. The bare key algorithms
    /// (`rsaEncryption`, `id-ecPublicKey`) imply no digest; CMS pairs them with its own.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Scheme> {
        Some(match *oid {
            RSA_ENCRYPTION => Scheme::Rsa(None),
            SHA1_WITH_RSA => Scheme::Rsa(Some(Hash::Sha1)),
            SHA256_WITH_RSA => Scheme::Rsa(Some(Hash::Sha256)),
            SHA384_WITH_RSA => Scheme::Rsa(Some(Hash::Sha384)),
            SHA512_WITH_RSA => Scheme::Rsa(Some(Hash::Sha512)),
            ID_EC_PUBLIC_KEY => Scheme::Ecdsa(None),
            ECDSA_WITH_SHA1 => Scheme::Ecdsa(Some(Hash::Sha1)),
            ECDSA_WITH_SHA256 => Scheme::Ecdsa(Some(Hash::Sha256)),
            ECDSA_WITH_SHA384 => Scheme::Ecdsa(Some(Hash::Sha384)),
            ECDSA_WITH_SHA512 => Scheme::Ecdsa(Some(Hash::Sha512)),
            _ => return None,
        })
    }

    /// The digest this algorithm names, if any.
    pub fn hash(self) -> Option<Hash> {
        match self {
            Scheme::Rsa(hash) | Scheme::Ecdsa(hash) => hash,
        }
    }
}

/// Why a signature was not verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    /// The key or the algorithm is not one this crate supports.
    Unsupported,
    /// The signature does not match (or the key or the signature is malformed).
    Invalid,
}

/// Verifies `signature` over a message whose `hash` digest is `digest`, with the key `spki`.
pub fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    scheme: Scheme,
    hash: Hash,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or(VerifyError::Invalid)?;
    match (scheme, spki.algorithm.oid) {
        (Scheme::Rsa(_), RSA_ENCRYPTION) => {
            // Keys above 4096 bits are refused by `rsa` itself; we report them unsupported.
            let key = RsaPublicKey::from_pkcs1_der(key).map_err(|_| VerifyError::Unsupported)?;
            key.verify(hash.pkcs1v15(), digest, signature)
                .map_err(|_| VerifyError::Invalid)
        }
        (Scheme::Ecdsa(_), ID_EC_PUBLIC_KEY) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or(VerifyError::Unsupported)?;
            match curve {
                CURVE_P256 => verify_p256(key, digest, signature),
                CURVE_P384 => verify_p384(key, digest, signature),
                _ => Err(VerifyError::Unsupported),
            }
        }
        _ => Err(VerifyError::Unsupported),
    }
}

fn verify_p256(key: &[u8], digest: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key).map_err(|_| VerifyError::Invalid)?;
    let raw = ecdsa_raw(signature, 32)?;
    let signature = p256::ecdsa::Signature::from_slice(&raw).map_err(|_| VerifyError::Invalid)?;
    key.verify_prehash(digest, &signature)
        .map_err(|_| VerifyError::Invalid)
}

fn verify_p384(key: &[u8], digest: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
    use p384::ecdsa::signature::hazmat::PrehashVerifier;
    let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(key).map_err(|_| VerifyError::Invalid)?;
    let raw = ecdsa_raw(signature, 48)?;
    let signature = p384::ecdsa::Signature::from_slice(&raw).map_err(|_| VerifyError::Invalid)?;
    key.verify_prehash(digest, &signature)
        .map_err(|_| VerifyError::Invalid)
}

/// The fixed-size `r || s` form of a DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`.
fn ecdsa_raw(der: &[u8], field: usize) -> Result<Vec<u8>, VerifyError> {
    let parse = || -> der::Result<(Vec<u8>, Vec<u8>)> {
        let mut reader = SliceReader::new(der)?;
        let pair = reader.sequence(|seq| {
            let r = UintRef::decode(seq)?;
            let s = UintRef::decode(seq)?;
            Ok((r.as_bytes().to_vec(), s.as_bytes().to_vec()))
        })?;
        reader.finish(pair)
    };
    let (r, s) = parse().map_err(|_| VerifyError::Invalid)?;
    if r.len() > field || s.len() > field {
        return Err(VerifyError::Invalid);
    }
    let mut raw = vec![0u8; 2 * field];
    raw[field - r.len()..field].copy_from_slice(&r);
    raw[2 * field - s.len()..].copy_from_slice(&s);
    Ok(raw)
}
