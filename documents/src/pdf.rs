//! The PDF check: a `%PDF-` header in the first KiB, the end-of-file marks a complete file
//! carries, and a parse of the structure with `lopdf` that finds at least one page. Encrypted
//! PDFs (a trailer with `/Encrypt`) are refused with their own code.

use crate::Refusal;
use lopdf::{Document, LoadOptions};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The start of a PDF file.
pub const HEADER: &[u8] = b"%PDF-";
/// Where the `%PDF-` header may start (readers accept leading junk up to 1 KiB).
const HEADER_WINDOW: usize = 1024;
/// How close to the end the last `%%EOF` must be (a truncated file lost it).
const TRAILER_WINDOW: usize = 1024;
/// Bound on what one object or cross-reference stream may inflate to while loading.
const MAX_DECOMPRESSED: usize = 32 * 1024 * 1024;

/// Whether `bytes` announce themselves as a PDF (`%PDF-` within the first KiB).
pub fn has_pdf_header(bytes: &[u8]) -> bool {
    find(
        &bytes[..bytes.len().min(HEADER_WINDOW + HEADER.len())],
        HEADER,
    )
    .is_some()
}

/// Checks a document that [`has_pdf_header`]; returns its number of pages.
pub fn check(bytes: &[u8]) -> Result<u32, Refusal> {
    let tail = &bytes[bytes.len().saturating_sub(TRAILER_WINDOW)..];
    if find(tail, b"%%EOF").is_none() || find(bytes, b"startxref").is_none() {
        // A file cut short (an interrupted upload) loses its end; lopdf would rebuild it.
        return Err(if find(bytes, b"/Encrypt").is_some() {
            Refusal::EncryptedPdf
        } else {
            Refusal::CorruptDocument
        });
    }
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_DECOMPRESSED),
        ..LoadOptions::default()
    };
    // lopdf is not expected to panic; if a hostile file finds a way, it is a corrupt document
    // rather than a crashed request.
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        let document = Document::load_mem_with_options(bytes, options)?;
        let encrypted = document.encryption_state.is_some() || document.trailer.has(b"Encrypt");
        Ok::<_, lopdf::Error>((encrypted, document.get_pages().len()))
    }));
    match loaded {
        Ok(Ok((true, _))) => Err(Refusal::EncryptedPdf),
        Ok(Ok((false, 0))) => Err(Refusal::PdfWithoutPages),
        Ok(Ok((false, pages))) => Ok(u32::try_from(pages).unwrap_or(u32::MAX)),
        Ok(Err(_)) | Err(_) if find(bytes, b"/Encrypt").is_some() => Err(Refusal::EncryptedPdf),
        Ok(Err(_)) | Err(_) => Err(Refusal::CorruptDocument),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
