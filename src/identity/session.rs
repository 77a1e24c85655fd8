//! Opaque server-side sessions: the cookie holds a random token, the server holds the principal.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use base64::Engine as _;

use super::Principal;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sportello_session";
/// How long a session lives without use.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(8 * 3600);

/// Where sessions live. In memory for now; the identity layer may keep them elsewhere.
#[async_trait::async_trait]
pub trait SessionStore: Send + Sync + Debug {
    /// Opens a session for `principal` and returns its opaque token.
    async fn create(&self, principal: Principal) -> String;
    /// The principal of a live session (and refreshes it).
    async fn lookup(&self, token: &str) -> Option<Principal>;
    /// Ends one session.
    async fn revoke(&self, token: &str);
    /// Ends every session of `subject`; returns how many.
    async fn revoke_subject(&self, subject: &str) -> usize;
}

#[derive(Debug)]
struct Entry {
    principal: Principal,
    last_used: Instant,
}

/// Sessions in a map, lost on restart.
#[derive(Debug, Default)]
pub struct InMemorySessions {
    map: Mutex<HashMap<String, Entry>>,
}

impl InMemorySessions {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait::async_trait]
impl SessionStore for InMemorySessions {
    async fn create(&self, principal: Principal) -> String {
        let token = random_token();
        let mut map = self.map();
        let now = Instant::now();
        map.retain(|_, e| now.duration_since(e.last_used) < IDLE_TIMEOUT);
        map.insert(
            token.clone(),
            Entry {
                principal,
                last_used: now,
            },
        );
        token
    }

    async fn lookup(&self, token: &str) -> Option<Principal> {
        let mut map = self.map();
        let now = Instant::now();
        let entry = map.get_mut(token)?;
        if now.duration_since(entry.last_used) >= IDLE_TIMEOUT {
            map.remove(token);
            return None;
        }
        entry.last_used = now;
        Some(entry.principal.clone())
    }

    async fn revoke(&self, token: &str) {
        self.map().remove(token);
    }

    async fn revoke_subject(&self, subject: &str) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, e| e.principal.subject != subject);
        before - map.len()
    }
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
    use crate::identity::StaffRole;
    use axum::http::HeaderValue;

    fn principal(subject: &str) -> Principal {
        Principal {
            subject: subject.into(),
            role: StaffRole::Operator,
            comune_istat: Some("090078".into()),
            sede_id: None,
            sportello_ids: vec![],
        }
    }

    #[tokio::test]
    async fn create_lookup_revoke() {
        let store = InMemorySessions::new();
        let a = store.create(principal("a")).await;
        let b = store.create(principal("b")).await;
        assert_ne!(a, b);
        assert_eq!(store.lookup(&a).await.unwrap().subject, "a");
        assert!(store.lookup("nope").await.is_none());
        store.revoke(&a).await;
        assert!(store.lookup(&a).await.is_none());
        assert_eq!(store.revoke_subject("b").await, 1);
        assert!(store.lookup(&b).await.is_none());
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
