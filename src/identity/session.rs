//! Opaque server-side sessions: the cookie holds a random token, the server holds a hash of it
//! and the account.

use std::fmt::Debug;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::Principal;
use crate::booking::BookingError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sportello_session";

/// Where sessions live (the database: see [`super::db_sessions::DbSessions`]).
#[async_trait::async_trait]
pub trait SessionStore: Send + Sync + Debug {
    /// Opens a session for `principal` and returns its opaque token.
    async fn create(&self, principal: &Principal) -> Result<String, BookingError>;
    /// The principal of a live session (and refreshes it). A failing store answers `None`.
    async fn lookup(&self, token: &str) -> Option<Principal>;
    /// The principal of the live session whose [`session_ref`] is `session_ref` (and refreshes
    /// it): how a meeting ticket names the staff session that obtained it. A failing store
    /// answers `None`.
    async fn lookup_ref(&self, session_ref: &str) -> Option<Principal>;
    /// Ends one session.
    async fn revoke(&self, token: &str);
    /// Ends every session of `subject`; returns how many.
    async fn revoke_subject(&self, subject: &str) -> usize;
}

/// The SHA-256 (hex) of a cookie token: what the server stores instead of the token.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// The reference of the staff session of a request, as meeting tickets carry it: the hash the
/// server stores (never the cookie token itself).
pub fn session_ref(headers: &HeaderMap) -> Option<String> {
    session_token(headers).map(|t| token_hash(&t))
}

/// Compares two byte strings (tokens) in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session token from the `Cookie` header(s), if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

/// The value of cookie `cookie` from the `Cookie` header(s), if present, non-empty and at most
/// 128 bytes (our tokens are 43).
pub fn cookie_value(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// A fresh random opaque token (256 bits, URL-safe base64).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The `Set-Cookie` value that stores `token` (HttpOnly, SameSite=Strict, Secure).
pub fn set_cookie(token: &str) -> String {
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict")
}

/// The `Set-Cookie` value that clears the session cookie.
pub fn clear_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
    }

    #[test]
    fn token_from_cookie_header() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_static("a=1; sportello_session=xyz; b=2"),
        );
        assert_eq!(session_token(&h).as_deref(), Some("xyz"));
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("sportello_session="));
        assert_eq!(session_token(&h), None);
    }
}
