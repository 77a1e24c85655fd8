//! CSRF protection of state-changing staff requests.
//!
//! Every request other than GET, HEAD and OPTIONS that carries the staff session cookie must
//! send header `x-csrf-token` equal to the session's CSRF token, which the page learns from
//! `GET /v1/session` or the login answer (it is derived from the session token, so it needs no
//! storage and dies with the session): else 403 `csrf_failed`. Independently, a request whose
//! `Origin` header names another host is refused with 403 `bad_origin`. The cookie is also
//! `SameSite=Strict`: the token is the second lock, the one that does not depend on the browser.
//!
//! Exempt from the token (not from the origin check): the login routes, which may be posted with
//! a stale cookie, and the citizen routes, which take their own session and token
//! (see [`super::citizen`]).

use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::citizen::CSRF_HEADER;
use super::session::{constant_time_eq, session_token};
use crate::api::{ApiCode, AppError};

/// Routes that open a session: posted without a token.
pub const LOGIN_PATHS: &[&str] = &["/v1/login", "/v1/demo/login"];

/// The CSRF token of the session whose cookie token is `session_token`.
pub fn token_for(session_token: &str) -> String {
    let digest = Sha256::digest(format!("sportello-csrf\n{session_token}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Whether the `Origin` header, if any, names the host the request was sent to (the `Host`
/// header, or the URI's authority on HTTP/2).
fn same_origin(headers: &HeaderMap, authority: Option<&str>) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or(authority);
    let Some(host) = host else {
        return false;
    };
    let origin = origin.to_str().unwrap_or("");
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    origin_host.is_some_and(|o| o.eq_ignore_ascii_case(host))
}

/// Why a state-changing request is refused, if it is.
pub fn refusal(
    method: &Method,
    path: &str,
    authority: Option<&str>,
    headers: &HeaderMap,
) -> Option<AppError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    if !same_origin(headers, authority) {
        return Some(AppError::new(
            StatusCode::FORBIDDEN,
            ApiCode::BadOrigin,
            "the request comes from another site",
        ));
    }
    if LOGIN_PATHS.contains(&path) || path.starts_with("/v1/citizen/") {
        return None;
    }
    let session = session_token(headers)?;
    let given = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if constant_time_eq(given.as_bytes(), token_for(&session).as_bytes()) {
        None
    } else {
        Some(AppError::new(
            StatusCode::FORBIDDEN,
            ApiCode::CsrfFailed,
            "the x-csrf-token header is missing or does not match the session",
        ))
    }
}

/// The middleware.
pub async fn check(req: Request, next: Next) -> Response {
    let authority = req.uri().authority().map(|a| a.as_str());
    match refusal(req.method(), req.uri().path(), authority, req.headers()) {
        Some(err) => err.into_response(),
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn token_rules() {
        let good = token_for("tok");
        let post = Method::POST;
        let code =
            |h: &HeaderMap, path: &str| refusal(&post, path, None, h).map(|e| e.code.as_str());
        let with = headers(&[("cookie", "sportello_session=tok"), ("x-csrf-token", &good)]);
        assert_eq!(code(&with, "/v1/booking/holds"), None);
        let without = headers(&[("cookie", "sportello_session=tok")]);
        assert_eq!(code(&without, "/v1/booking/holds"), Some("csrf_failed"));
        let wrong = headers(&[("cookie", "sportello_session=tok"), ("x-csrf-token", "x")]);
        assert_eq!(code(&wrong, "/v1/booking/holds"), Some("csrf_failed"));
        assert_eq!(code(&without, "/v1/login"), None);
        assert_eq!(code(&without, "/v1/citizen/meeting/token"), None);
        assert_eq!(code(&HeaderMap::new(), "/v1/booking/holds"), None);
        assert_eq!(refusal(&Method::GET, "/v1/session", None, &without), None);
    }

    #[test]
    fn origin_rules() {
        let post = Method::POST;
        let code = |h: &HeaderMap| refusal(&post, "/v1/login", None, h).map(|e| e.code.as_str());
        let same = headers(&[
            ("host", "sportello.example:8443"),
            ("origin", "https://sportello.example:8443"),
        ]);
        assert_eq!(code(&same), None);
        let other = headers(&[
            ("host", "sportello.example"),
            ("origin", "https://evil.example"),
        ]);
        assert_eq!(code(&other), Some("bad_origin"));
        let null = headers(&[("host", "sportello.example"), ("origin", "null")]);
        assert_eq!(code(&null), Some("bad_origin"));
    }
}
