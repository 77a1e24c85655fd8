//! The messages of rejected JSON bodies and query strings: fixed texts that never repeat the
//! request. Parser errors quote the input (an unknown field's name, a string where a number
//! was expected), so only their kind is kept, and the field's name when it is a short
//! identifier (the names of the API's fields are).

use std::error::Error;

/// The longest field path a message names.
const MAX_PATH: usize = 48;

type JsonError = serde_path_to_error::Error<serde_json::Error>;
type QueryError = serde_path_to_error::Error<serde::de::value::Error>;

/// The message of a JSON body that does not fit its type.
pub fn body_mismatch(error: &(dyn Error + 'static)) -> String {
    describe(error).unwrap_or_else(|| "the body does not fit the expected fields".to_owned())
}

/// The message of a query string that does not fit its type.
pub fn query_mismatch(error: &(dyn Error + 'static)) -> String {
    describe(error)
        .unwrap_or_else(|| "the query string does not fit the expected parameters".to_owned())
}

/// What went wrong, in fixed words, with the field path if it is safe to repeat.
fn describe(error: &(dyn Error + 'static)) -> Option<String> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(e) = e.downcast_ref::<JsonError>() {
            return Some(phrase(&e.inner().to_string(), &e.path().to_string()));
        }
        if let Some(e) = e.downcast_ref::<QueryError>() {
            return Some(phrase(&e.inner().to_string(), &e.path().to_string()));
        }
        next = e.source();
    }
    None
}

/// A fixed phrase for serde's message `inner` at `path`.
fn phrase(inner: &str, path: &str) -> String {
    if inner.starts_with("unknown field") {
        return "an unknown field was sent".to_owned();
    }
    if let Some(rest) = inner.strip_prefix("missing field `")
        && let Some((name, _)) = rest.split_once('`')
        && is_field_path(name)
    {
        return format!("the field '{name}' is missing");
    }
    let what = [
        ("invalid type", "has the wrong type"),
        ("invalid length", "has the wrong length"),
        ("unknown variant", "has an unknown value"),
        ("duplicate field", "is given twice"),
    ]
    .iter()
    .find(|(prefix, _)| inner.starts_with(prefix))
    .map_or("has an invalid value", |(_, what)| what);
    if path != "." && is_field_path(path) {
        format!("the field '{path}' {what}")
    } else {
        format!("a field {what}")
    }
}

/// Whether `path` looks like a path of the API's fields (`from`, `services[0].code`).
fn is_field_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= MAX_PATH
        && path
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_never_hold_the_input() {
        assert_eq!(
            phrase("unknown field `<script>`, expected `account`", "."),
            "an unknown field was sent"
        );
        assert_eq!(
            phrase("missing field `account`", "."),
            "the field 'account' is missing"
        );
        assert_eq!(
            phrase("invalid type: string \"x\", expected i64", "limit"),
            "the field 'limit' has the wrong type"
        );
        assert_eq!(
            phrase("invalid value: 1", "Evil Key<>"),
            "a field has an invalid value"
        );
    }
}
