//! Content checks for the documents a citizen sends to INPS through the comune operator: each
//! file must be a PDF or a CAdES-signed `.p7m` wrapping a PDF, and no larger than 4 MB.
//!
//! Documents are judged by their content, never by their name or declared type. [`inspect`] is
//! pure (no I/O, no clock: the caller passes `now`) and never panics on any input:
//!
//! - **PDF**: a `%PDF-` header in the first KiB, a complete end of file, a structure `lopdf`
//!   can load and at least one page. Encrypted PDFs are refused ([`Refusal::EncryptedPdf`]).
//! - **`.p7m`**: a CMS SignedData in DER, BER (indefinite lengths, chunked content, as real
//!   signing tools write it), PEM or plain base64. The encapsulated content must itself be a PDF
//!   (or a `.p7m` wrapping one, up to [`MAX_P7M_NESTING`] layers); every signature must verify
//!   (RSA PKCS#1 v1.5, ECDSA P-256/P-384; SHA-1/256/384/512). The signers' names, codice
//!   fiscale and certificate dates are reported in [`Signer`].
//! - **Trust**: with a [`TrustList`], each signer's certificate chain is checked and reported in
//!   [`ChainStatus`]; an untrusted chain is reported, not refused.
//!
//! ```no_run
//! # use std::time::SystemTime;
//! # let bytes: Vec<u8> = Vec::new();
//! match sportello_documents::inspect(&bytes, None, SystemTime::now()) {
//!     Ok(inspected) => println!("{} pages, {}", inspected.pages, inspected.media_type()),
//!     Err(refusal) => println!("refused: {}", refusal.code()),
//! }
//! ```

mod algorithms;
mod armor;
mod ber;
mod certificate;
mod inspect;
mod p7m;
mod pdf;
mod refusal;
mod signature;
mod trust;

pub use inspect::{Inspected, Kind, Signer, inspect};
pub use refusal::Refusal;
pub use trust::{ChainStatus, MAX_CHAIN, TrustList, TrustListError, UntrustedReason};

/// Largest document accepted: 4 MB, defined as 4,000,000 bytes. The caller enforces it while
/// streaming an upload; [`inspect`] refuses longer input as a second line of defence.
pub const MAX_DOCUMENT_BYTES: usize = 4_000_000;

/// Most `.p7m` layers unwrapped (a `.p7m` signed again as a `.p7m`, common in Italy).
pub const MAX_P7M_NESTING: usize = 3;

/// Most signatures (SignerInfos) accepted in one `.p7m` layer.
pub const MAX_P7M_SIGNERS: usize = 16;

/// Most certificates accepted in one `.p7m` layer.
pub const MAX_P7M_CERTIFICATES: usize = 64;
