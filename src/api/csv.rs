//! CSV downloads (RFC 4180): every field quoted, CRLF line ends, a leading `'` against formula
//! injection, served as an attachment that is never cached.

use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse as _, Response};

/// One CSV field, always quoted, with a leading `'` when a value starts with `=`, `+`, `-` or
/// `@` (a spreadsheet would take it for a formula).
pub fn field(out: &mut String, value: &str) {
    out.push('"');
    if value.starts_with(['=', '+', '-', '@']) {
        out.push('\'');
    }
    out.push_str(&value.replace('"', "\"\""));
    out.push('"');
}

/// One row of fields, CRLF-terminated.
pub fn row<S: AsRef<str>>(out: &mut String, values: &[S]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, v.as_ref());
    }
    out.push_str("\r\n");
}

/// `body` as a CSV attachment named `filename` (a fixed ASCII name).
pub fn attachment(filename: &'static str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}
