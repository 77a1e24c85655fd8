//! A small BER → DER normaliser for CMS files.
//!
//! `der` 0.7 reads only DER, but real signing tools (and `openssl cms -sign -stream`) write
//! `.p7m` files in BER: constructed elements with *indefinite* lengths (`0x80` … `00 00`) and the
//! signed content as a *constructed* OCTET STRING split into chunks. [`normalise`] rewrites such
//! input into definite, minimal lengths and joins chunked OCTET STRINGs into one primitive OCTET
//! STRING. Everything else (tags, primitive contents) is copied unchanged, so DER input comes out
//! byte for byte as it went in.
//!
//! Hostile input is bounded: nesting deeper than [`MAX_DEPTH`] is refused (no deep recursion),
//! lengths are checked against the input before anything is allocated, and the output can never
//! exceed [`MAX_OUTPUT`] bytes.

/// Deepest nesting of constructed elements accepted (a CMS file needs about 12).
pub const MAX_DEPTH: usize = 40;

/// Largest output accepted. The output of a valid input is at most a few bytes longer than the
/// input per element; this bounds the pathological cases.
pub const MAX_OUTPUT: usize = 2 * crate::MAX_DOCUMENT_BYTES + 1024;

/// Why an input is not acceptable BER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BerError {
    /// The input ends inside an element.
    Truncated,
    /// A length, tag or end-of-contents marker that BER does not allow.
    Malformed,
    /// Deeper than [`MAX_DEPTH`] or longer than [`MAX_OUTPUT`].
    TooComplex,
    /// Bytes left after the first element.
    TrailingData,
}

const OCTET_STRING: u8 = 0x04;
const CONSTRUCTED: u8 = 0x20;

/// Rewrites one BER element (the whole input) as DER-shaped bytes.
pub fn normalise(input: &[u8]) -> Result<Vec<u8>, BerError> {
    let mut reader = Reader { input, pos: 0 };
    let mut out = Vec::with_capacity(input.len().min(MAX_OUTPUT));
    let element = reader.header()?;
    normalise_element(&mut reader, element, 0, &mut out)?;
    if reader.pos != input.len() {
        return Err(BerError::TrailingData);
    }
    Ok(out)
}

/// The identifier and length of one element, read from the input.
#[derive(Debug, Clone, Copy)]
struct Header {
    /// Offset and length of the identifier octets (tag) in the input.
    tag_start: usize,
    tag_len: usize,
    constructed: bool,
    /// `None` for an indefinite length.
    length: Option<usize>,
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, BerError> {
        let b = *self.input.get(self.pos).ok_or(BerError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn header(&mut self) -> Result<Header, BerError> {
        let tag_start = self.pos;
        let first = self.byte()?;
        if first & 0x1f == 0x1f {
            // High tag number form: base-128 digits, the last without the top bit.
            let mut digits = 0;
            loop {
                let b = self.byte()?;
                digits += 1;
                if digits > 4 {
                    return Err(BerError::Malformed);
                }
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let tag_len = self.pos - tag_start;
        let constructed = first & CONSTRUCTED != 0;
        let first_len = self.byte()?;
        let length = match first_len {
            0x00..=0x7f => Some(usize::from(first_len)),
            0x80 if constructed => None,
            0x80 | 0xff => return Err(BerError::Malformed),
            _ => {
                let count = usize::from(first_len & 0x7f);
                if count > 4 {
                    return Err(BerError::Malformed);
                }
                let mut value = 0usize;
                for _ in 0..count {
                    value = (value << 8) | usize::from(self.byte()?);
                }
                Some(value)
            }
        };
        if let Some(length) = length
            && length > self.input.len() - self.pos
        {
            return Err(BerError::Truncated);
        }
        Ok(Header {
            tag_start,
            tag_len,
            constructed,
            length,
        })
    }

    /// Whether the next two bytes are an end-of-contents marker (consumed if so).
    fn end_of_contents(&mut self) -> Result<bool, BerError> {
        match self.input.get(self.pos..self.pos + 2) {
            Some([0, 0]) => {
                self.pos += 2;
                Ok(true)
            }
            Some(_) => Ok(false),
            None => Err(BerError::Truncated),
        }
    }

    /// Calls `each` for every child of a constructed element whose header was just read.
    fn children(
        &mut self,
        header: Header,
        mut each: impl FnMut(&mut Self, Header) -> Result<(), BerError>,
    ) -> Result<(), BerError> {
        match header.length {
            Some(length) => {
                let end = self.pos + length;
                while self.pos < end {
                    let child = self.header()?;
                    each(self, child)?;
                    if self.pos > end {
                        return Err(BerError::Malformed);
                    }
                }
            }
            None => {
                while !self.end_of_contents()? {
                    let child = self.header()?;
                    each(self, child)?;
                }
            }
        }
        Ok(())
    }
}

fn normalise_element(
    reader: &mut Reader<'_>,
    header: Header,
    depth: usize,
    out: &mut Vec<u8>,
) -> Result<(), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError::TooComplex);
    }
    let tag = &reader.input[header.tag_start..header.tag_start + header.tag_len];
    if tag == [0] {
        // A stray end-of-contents marker, or a zero tag BER does not allow.
        return Err(BerError::Malformed);
    }
    if !header.constructed {
        let length = header.length.ok_or(BerError::Malformed)?;
        let start = reader.pos;
        reader.pos += length;
        return emit(out, tag, &reader.input[start..reader.pos]);
    }
    let mut content = Vec::new();
    if tag == [OCTET_STRING | CONSTRUCTED] {
        join_octet_string(reader, header, depth, &mut content)?;
        return emit(out, &[OCTET_STRING], &content);
    }
    reader.children(header, |reader, child| {
        normalise_element(reader, child, depth + 1, &mut content)
    })?;
    emit(out, tag, &content)
}

/// Appends the contents of the chunks of a constructed OCTET STRING (chunks may nest).
fn join_octet_string(
    reader: &mut Reader<'_>,
    header: Header,
    depth: usize,
    content: &mut Vec<u8>,
) -> Result<(), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError::TooComplex);
    }
    reader.children(header, |reader, chunk| {
        let tag = &reader.input[chunk.tag_start..chunk.tag_start + chunk.tag_len];
        match (tag, chunk.constructed, chunk.length) {
            ([OCTET_STRING], false, Some(length)) => {
                if content.len() + length > MAX_OUTPUT {
                    return Err(BerError::TooComplex);
                }
                content.extend_from_slice(&reader.input[reader.pos..reader.pos + length]);
                reader.pos += length;
                Ok(())
            }
            ([t], true, _) if *t == OCTET_STRING | CONSTRUCTED => {
                join_octet_string(reader, chunk, depth + 1, content)
            }
            _ => Err(BerError::Malformed),
        }
    })
}

/// Appends tag, minimal definite length and content.
fn emit(out: &mut Vec<u8>, tag: &[u8], content: &[u8]) -> Result<(), BerError> {
    if out.len() + tag.len() + 5 + content.len() > MAX_OUTPUT {
        return Err(BerError::TooComplex);
    }
    out.extend_from_slice(tag);
    let length = content.len();
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes = length.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_passes_through_unchanged() {
        // SEQUENCE { INTEGER 5, OCTET STRING "ab", [0] { NULL } }
        let der = [
            0x30, 0x0b, 0x02, 0x01, 0x05, 0x04, 0x02, b'a', b'b', 0xa0, 0x02, 0x05, 0x00,
        ];
        assert_eq!(normalise(&der).unwrap(), der);
    }

    #[test]
    fn indefinite_lengths_become_definite() {
        let ber = [
            0x30, 0x80, 0xa0, 0x80, 0x02, 0x01, 0x07, 0x00, 0x00, 0x00, 0x00,
        ];
        let der = [0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x07];
        assert_eq!(normalise(&ber).unwrap(), der);
    }

    #[test]
    fn chunked_octet_strings_are_joined() {
        // [0] (indefinite) { OCTET STRING (constructed, indefinite) { "ab", { "c" }, "de" } }
        let ber = [
            0xa0, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x24, 0x03, 0x04, 0x01, b'c', 0x04,
            0x02, b'd', b'e', 0x00, 0x00, 0x00, 0x00,
        ];
        let der = [0xa0, 0x07, 0x04, 0x05, b'a', b'b', b'c', b'd', b'e'];
        assert_eq!(normalise(&ber).unwrap(), der);
    }

    #[test]
    fn long_and_non_minimal_lengths() {
        let mut ber = vec![0x04, 0x83, 0x00, 0x01, 0x00];
        ber.extend(std::iter::repeat_n(7u8, 256));
        let out = normalise(&ber).unwrap();
        assert_eq!(&out[..4], &[0x04, 0x82, 0x01, 0x00]);
        assert_eq!(out.len(), 4 + 256);
    }

    #[test]
    fn high_tag_numbers_are_copied() {
        let ber = [0xbf, 0x81, 0x00, 0x80, 0x05, 0x00, 0x00, 0x00];
        assert_eq!(
            normalise(&ber).unwrap(),
            [0xbf, 0x81, 0x00, 0x02, 0x05, 0x00]
        );
    }

    #[test]
    fn bad_inputs_are_refused() {
        let cases: &[(&[u8], BerError)] = &[
            (&[], BerError::Truncated),
            (&[0x30], BerError::Truncated),
            (&[0x30, 0x05, 0x02, 0x01], BerError::Truncated),
            (&[0x30, 0x80, 0x02, 0x01, 0x01], BerError::Truncated),
            (&[0x04, 0x80, 0x00, 0x00], BerError::Malformed),
            (&[0x30, 0x85, 1, 1, 1, 1, 1], BerError::Malformed),
            (&[0x30, 0x02, 0x00, 0x00], BerError::Malformed),
            (&[0x24, 0x03, 0x02, 0x01, 0x00], BerError::Malformed),
            (&[0x05, 0x00, 0x05, 0x00], BerError::TrailingData),
            // A child whose length runs past its parent's end.
            (&[0x30, 0x02, 0x04, 0x01, 0x05], BerError::Malformed),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise(input), Err(*expected), "{input:02x?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let depth = 100_000;
        let mut ber = Vec::new();
        for _ in 0..depth {
            ber.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..depth {
            ber.extend_from_slice(&[0x00, 0x00]);
        }
        assert_eq!(normalise(&ber), Err(BerError::TooComplex));

        let mut chunks = Vec::new();
        for _ in 0..depth {
            chunks.extend_from_slice(&[0x24, 0x80]);
        }
        assert!(normalise(&chunks).is_err());
    }
}
