//! A small CSV reader (RFC 4180): fields separated by commas — or by semicolons, as spreadsheets
//! set to Italian write them, when the first line has semicolons and no comma — optionally
//! quoted with `"` (a doubled `""` inside is one quote; quoted fields may hold separators and
//! line breaks), records ending in LF or CRLF. Each record keeps the line number it starts on.

/// One record: its first line's number (from 1) and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Line number where the record starts.
    pub line: i64,
    /// The fields, as written (quotes removed).
    pub fields: Vec<String>,
}

/// A record that cannot be read: the line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Line number where the record starts.
    pub line: i64,
    /// What is wrong.
    pub reason: &'static str,
}

/// `;` when the first line has semicolons and no comma outside quotes, else `,`.
fn separator_of(text: &str) -> char {
    let (mut quoted, mut commas, mut semicolons) = (false, 0, 0);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > 0 && commas == 0 {
        ';'
    } else {
        ','
    }
}

/// The records of `text` (a leading byte-order mark is ignored; blank lines are skipped).
/// A quote that never closes ends the reading with [`Malformed`] for that record.
pub fn records(text: &str) -> Result<Vec<Record>, Malformed> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let separator = separator_of(text);
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line: i64 = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut was_quoted = false;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    return Err(Malformed {
                        line: start,
                        reason: "a quoted field is never closed",
                    });
                }
                fields.push(std::mem::take(&mut field));
                break;
            };
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        field.push('\n');
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.is_empty() && !was_quoted => {
                    quoted = true;
                    was_quoted = true;
                }
                c if c == separator => {
                    fields.push(std::mem::take(&mut field));
                    was_quoted = false;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    line += 1;
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                _ => field.push(c),
            }
        }
        if !(fields.len() == 1 && fields[0].trim().is_empty()) {
            out.push(Record {
                line: start,
                fields,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(text: &str) -> Vec<(i64, Vec<String>)> {
        records(text)
            .unwrap()
            .into_iter()
            .map(|r| (r.line, r.fields))
            .collect()
    }

    fn strs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn plain_quoted_and_blank_lines() {
        let got = fields("\u{feff}a,b\r\n\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nlast,");
        assert_eq!(
            got,
            vec![
                (1, strs(&["a", "b"])),
                (3, strs(&["x, y", "say \"hi\""])),
                (4, strs(&["two\nlines", "z"])),
                (6, strs(&["last", ""])),
            ]
        );
    }

    #[test]
    fn semicolons_when_the_header_has_no_comma() {
        assert_eq!(
            fields("istat;name\n090078;\"Villanova; Monteleone\"\n1,5;x\n"),
            vec![
                (1, strs(&["istat", "name"])),
                (2, strs(&["090078", "Villanova; Monteleone"])),
                (3, strs(&["1,5", "x"])),
            ]
        );
    }

    #[test]
    fn a_quoted_semicolon_does_not_make_semicolons_the_separator() {
        assert_eq!(
            fields("\"a;\"\n\"x\",\"y\"\n"),
            vec![(1, strs(&["a;"])), (2, strs(&["x", "y"]))]
        );
    }

    #[test]
    fn an_open_quote_is_reported_with_its_line() {
        assert_eq!(
            records("a,b\n\"open,c\nd\n").unwrap_err(),
            Malformed {
                line: 2,
                reason: "a quoted field is never closed"
            }
        );
    }

    proptest! {
        #[test]
        fn never_panics(text in ".{0,200}") {
            let _ = records(&text);
        }

        #[test]
        fn written_fields_read_back(rows in proptest::collection::vec(
            proptest::collection::vec("[^\r]{0,8}", 1..4), 1..5)) {
            let mut text = String::new();
            for r in &rows {
                crate::api::csv::row(&mut text, r);
            }
            let got = records(&text).unwrap();
            let want: Vec<&Vec<String>> = rows
                .iter()
                .filter(|r| !(r.len() == 1 && r[0].trim().is_empty()))
                .collect();
            prop_assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(want) {
                let w: Vec<String> = w.iter().map(|v| {
                    if v.starts_with(['=', '+', '-', '@']) { format!("'{v}") } else { v.clone() }
                }).collect();
                prop_assert_eq!(&g.fields, &w);
            }
        }
    }
}
