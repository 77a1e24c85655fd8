//! The transport forms of a `.p7m`: raw BER/DER bytes, PEM (`-----BEGIN PKCS7-----`,
//! `-----BEGIN CMS-----`, …) or plain base64 text with line breaks. [`unarmor`] returns the
//! binary form; PEM blocks of certificates are read with [`pem_blocks`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::borrow::Cow;

/// The binary CMS bytes of `bytes`: the bytes themselves when they start like a BER SEQUENCE,
/// the decoded body of the first PEM block, or the decoded base64 text. `None` when the input is
/// none of these.
pub fn unarmor(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    if bytes.first() == Some(&0x30) {
        return Some(Cow::Borrowed(bytes));
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with("-----BEGIN ") {
        let (_, body) = pem_blocks(trimmed).next()?;
        return (body.first() == Some(&0x30)).then_some(Cow::Owned(body));
    }
    let decoded = decode_base64(trimmed)?;
    (decoded.first() == Some(&0x30)).then_some(Cow::Owned(decoded))
}

/// The PEM blocks of `text` as (label, decoded body); blocks whose body is not valid base64
/// are skipped. Headers such as `Proc-Type:` lines are not supported (they are not used for
/// CMS or certificates).
pub fn pem_blocks(text: &str) -> impl Iterator<Item = (&str, Vec<u8>)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("-----BEGIN ")?;
            let after = &rest[start + "-----BEGIN ".len()..];
            let label_end = after.find("-----")?;
            let label = &after[..label_end];
            let body_start = &after[label_end + 5..];
            let end_marker = format!("-----END {label}-----");
            let Some(body_end) = body_start.find(&end_marker) else {
                rest = "";
                return None;
            };
            rest = &body_start[body_end + end_marker.len()..];
            if let Some(body) = decode_base64(&body_start[..body_end]) {
                return Some((label, body));
            }
        }
    })
}

/// Decodes base64 text, ignoring whitespace (line breaks). `None` if anything else is off.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    STANDARD.decode(compact).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_are_recognised() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        assert_eq!(unarmor(&der).unwrap().as_ref(), der);
        let b64 = "MAMCAQU=";
        assert_eq!(unarmor(b64.as_bytes()).unwrap().as_ref(), der);
        let wrapped = "MAMC\r\nAQU=\r\n";
        assert_eq!(unarmor(wrapped.as_bytes()).unwrap().as_ref(), der);
        let pem = "-----BEGIN PKCS7-----\nMAMCAQU=\n-----END PKCS7-----\n";
        assert_eq!(unarmor(pem.as_bytes()).unwrap().as_ref(), der);
        let cms = "\n-----BEGIN CMS-----\nMAMCAQU=\n-----END CMS-----";
        assert_eq!(unarmor(cms.as_bytes()).unwrap().as_ref(), der);
    }

    #[test]
    fn other_inputs_are_not_cms() {
        for input in [
            &b"\x89PNG\r\n\x1a\n"[..],
            b"hello world",
            b"",
            b"   ",
            b"-----BEGIN PKCS7-----\nMAMCAQU=\n",
            b"aGVsbG8=",
        ] {
            assert!(unarmor(input).is_none(), "{input:?}");
        }
    }

    #[test]
    fn several_pem_blocks() {
        let text = "x\n-----BEGIN CERTIFICATE-----\nAQI=\n-----END CERTIFICATE-----\n\
                    -----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n\
                    -----BEGIN CERTIFICATE-----\nAw==\n-----END CERTIFICATE-----\n";
        let blocks: Vec<_> = pem_blocks(text).collect();
        assert_eq!(
            blocks,
            vec![("CERTIFICATE", vec![1, 2]), ("CERTIFICATE", vec![3])]
        );
    }
}
