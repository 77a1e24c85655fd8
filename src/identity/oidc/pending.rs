//! Login attempts in flight: `state` → what the callback needs (nonce, PKCE verifier, where to
//! return, which browser). Kept in memory for [`LIFETIME`], at most [`MAX_PENDING`] at once
//! (the oldest is dropped first), and taken exactly once. Time is an input, for tests.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::identity::session::constant_time_eq;

/// How long a login attempt may take.
pub const LIFETIME: Duration = Duration::from_secs(600);
/// Login attempts kept at once.
pub const MAX_PENDING: usize = 10_000;

/// One login attempt.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The provider's name.
    pub provider: String,
    /// The nonce sent in the authorization request.
    pub nonce: String,
    /// The PKCE code verifier.
    pub pkce_verifier: String,
    /// Where to go after login (a same-origin path).
    pub torna: Option<String>,
    /// The browser binding: the value of the `sportello_oidc` cookie.
    pub browser: String,
    /// When the attempt started.
    pub created: Instant,
}

/// Why a callback's state is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateError {
    /// No such state (never issued, already used, or dropped).
    Unknown,
    /// Older than [`LIFETIME`].
    Expired,
    /// Issued to another browser (or the binding cookie is missing).
    OtherBrowser,
    /// Issued for another provider.
    OtherProvider,
}

/// The attempts in flight.
#[derive(Debug)]
pub struct PendingLogins {
    map: Mutex<HashMap<String, Pending>>,
    max: usize,
}

impl Default for PendingLogins {
    fn default() -> Self {
        Self::with_capacity(MAX_PENDING)
    }
}

impl PendingLogins {
    /// A store holding at most `max` attempts.
    pub fn with_capacity(max: usize) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            max: max.max(1),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `pending` under `state`, dropping expired attempts and, when full, the oldest.
    pub fn insert(&self, state: String, pending: Pending, now: Instant) {
        let mut map = self.map();
        map.retain(|_, p| now.saturating_duration_since(p.created) < LIFETIME);
        while map.len() >= self.max {
            let Some(oldest) = map
                .iter()
                .min_by_key(|(_, p)| p.created)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            map.remove(&oldest);
        }
        map.insert(state, pending);
    }

    /// Takes (removes) the attempt of `state`, if it is live and was issued to `browser` for
    /// `provider`. A state is usable once, whatever the outcome.
    pub fn take(
        &self,
        state: &str,
        provider: &str,
        browser: Option<&str>,
        now: Instant,
    ) -> Result<Pending, StateError> {
        let pending = self.map().remove(state).ok_or(StateError::Unknown)?;
        if now.saturating_duration_since(pending.created) >= LIFETIME {
            return Err(StateError::Expired);
        }
        if browser.is_none_or(|b| !constant_time_eq(b.as_bytes(), pending.browser.as_bytes())) {
            return Err(StateError::OtherBrowser);
        }
        if pending.provider != provider {
            return Err(StateError::OtherProvider);
        }
        Ok(pending)
    }

    /// How many attempts are kept.
    pub fn len(&self) -> usize {
        self.map().len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(browser: &str, created: Instant) -> Pending {
        Pending {
            provider: "spid".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            torna: None,
            browser: browser.into(),
            created,
        }
    }

    #[test]
    fn taken_once_by_its_browser_while_live() {
        let t0 = Instant::now();
        let store = PendingLogins::default();
        store.insert("s1".into(), pending("b1", t0), t0);
        assert_eq!(
            store.take("s1", "spid", Some("b2"), t0).unwrap_err(),
            StateError::OtherBrowser
        );
        // Refused once: gone.
        assert_eq!(
            store.take("s1", "spid", Some("b1"), t0).unwrap_err(),
            StateError::Unknown
        );
        store.insert("s2".into(), pending("b1", t0), t0);
        assert_eq!(
            store.take("s2", "spid", None, t0).unwrap_err(),
            StateError::OtherBrowser
        );
        store.insert("s3".into(), pending("b1", t0), t0);
        assert_eq!(
            store.take("s3", "cie", Some("b1"), t0).unwrap_err(),
            StateError::OtherProvider
        );
        store.insert("s4".into(), pending("b1", t0), t0);
        assert!(store.take("s4", "spid", Some("b1"), t0).is_ok());
        assert_eq!(
            store.take("s4", "spid", Some("b1"), t0).unwrap_err(),
            StateError::Unknown
        );
        store.insert("s5".into(), pending("b1", t0), t0);
        assert_eq!(
            store
                .take("s5", "spid", Some("b1"), t0 + LIFETIME)
                .unwrap_err(),
            StateError::Expired
        );
    }

    #[test]
    fn bounded_oldest_dropped_first() {
        let t0 = Instant::now();
        let store = PendingLogins::with_capacity(3);
        for i in 0..5u64 {
            let at = t0 + Duration::from_secs(i);
            store.insert(format!("s{i}"), pending("b", at), at);
        }
        assert_eq!(store.len(), 3);
        let at = t0 + Duration::from_secs(5);
        assert!(store.take("s0", "spid", Some("b"), at).is_err());
        assert!(store.take("s1", "spid", Some("b"), at).is_err());
        assert!(store.take("s4", "spid", Some("b"), at).is_ok());
        // Expired attempts are dropped on the next insert.
        let later = t0 + LIFETIME + Duration::from_secs(10);
        store.insert("new".into(), pending("b", later), later);
        assert_eq!(store.len(), 1);
    }
}
