//! Login attempts in flight: `state` → what the callback needs (nonce, PKCE verifier, where to
//! return, which browser). Kept in memory for [`LIFETIME`], at most [`MAX_PENDING`] at once
//! and [`MAX_PER_CLIENT`] per client address (the oldest is dropped first), and taken exactly
//! once; every operation is O(log n). Time is an input, for tests.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::identity::session::constant_time_eq;

/// How long a login attempt may take.
pub const LIFETIME: Duration = Duration::from_secs(600);
/// Login attempts kept at once.
pub const MAX_PENDING: usize = 10_000;
/// Login attempts kept at once from one client address (a town hall's staff behind one NAT
/// address start a few at a time); a client's next one drops its own oldest.
pub const MAX_PER_CLIENT: usize = 64;

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

/// The order of attempts: when each started, then a sequence number (unique).
type Key = (Instant, u64);

#[derive(Debug)]
struct Entry {
    pending: Pending,
    key: Key,
    client: IpAddr,
}

#[derive(Debug, Default)]
struct Inner {
    by_state: HashMap<String, Entry>,
    by_age: BTreeMap<Key, String>,
    by_client: HashMap<IpAddr, BTreeSet<Key>>,
    seq: u64,
}

impl Inner {
    fn remove(&mut self, state: &str) -> Option<Pending> {
        let entry = self.by_state.remove(state)?;
        self.by_age.remove(&entry.key);
        if let Some(keys) = self.by_client.get_mut(&entry.client) {
            keys.remove(&entry.key);
            if keys.is_empty() {
                self.by_client.remove(&entry.client);
            }
        }
        Some(entry.pending)
    }

    fn remove_key(&mut self, key: &Key) {
        if let Some(state) = self.by_age.get(key).cloned() {
            self.remove(&state);
        }
    }
}

/// The attempts in flight, indexed by state, by age (to expire and to drop the oldest in
/// O(log n)) and by client address (so one client cannot push out the others' attempts).
#[derive(Debug)]
pub struct PendingLogins {
    inner: Mutex<Inner>,
    max: usize,
    max_per_client: usize,
}

impl Default for PendingLogins {
    fn default() -> Self {
        Self::with_capacity(MAX_PENDING, MAX_PER_CLIENT)
    }
}

impl PendingLogins {
    /// A store holding at most `max` attempts, `max_per_client` from one client address.
    pub fn with_capacity(max: usize, max_per_client: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max: max.max(1),
            max_per_client: max_per_client.max(1),
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `pending`, started by `client`, under `state`: drops expired attempts, then the
    /// client's oldest when it has [`MAX_PER_CLIENT`], then the oldest of all when full.
    pub fn insert(&self, state: String, pending: Pending, client: IpAddr, now: Instant) {
        let mut inner = self.inner();
        while let Some((&key, _)) = inner.by_age.first_key_value()
            && now.saturating_duration_since(key.0) >= LIFETIME
        {
            inner.remove_key(&key);
        }
        inner.remove(&state);
        while let Some(&key) = inner
            .by_client
            .get(&client)
            .filter(|keys| keys.len() >= self.max_per_client)
            .and_then(|keys| keys.first())
        {
            inner.remove_key(&key);
        }
        while inner.by_state.len() >= self.max {
            let Some((&key, _)) = inner.by_age.first_key_value() else {
                break;
            };
            inner.remove_key(&key);
        }
        inner.seq += 1;
        let key = (pending.created, inner.seq);
        inner.by_age.insert(key, state.clone());
        inner.by_client.entry(client).or_default().insert(key);
        inner.by_state.insert(
            state,
            Entry {
                pending,
                key,
                client,
            },
        );
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
        let pending = self.inner().remove(state).ok_or(StateError::Unknown)?;
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
        self.inner().by_state.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

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
        store.insert("s1".into(), pending("b1", t0), A, t0);
        assert_eq!(
            store.take("s1", "spid", Some("b2"), t0).unwrap_err(),
            StateError::OtherBrowser
        );
        // Refused once: gone.
        assert_eq!(
            store.take("s1", "spid", Some("b1"), t0).unwrap_err(),
            StateError::Unknown
        );
        store.insert("s2".into(), pending("b1", t0), A, t0);
        assert_eq!(
            store.take("s2", "spid", None, t0).unwrap_err(),
            StateError::OtherBrowser
        );
        store.insert("s3".into(), pending("b1", t0), A, t0);
        assert_eq!(
            store.take("s3", "cie", Some("b1"), t0).unwrap_err(),
            StateError::OtherProvider
        );
        store.insert("s4".into(), pending("b1", t0), A, t0);
        assert!(store.take("s4", "spid", Some("b1"), t0).is_ok());
        assert_eq!(
            store.take("s4", "spid", Some("b1"), t0).unwrap_err(),
            StateError::Unknown
        );
        store.insert("s5".into(), pending("b1", t0), A, t0);
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
        let store = PendingLogins::with_capacity(3, 3);
        for i in 0..5u64 {
            let at = t0 + Duration::from_secs(i);
            store.insert(format!("s{i}"), pending("b", at), A, at);
        }
        assert_eq!(store.len(), 3);
        let at = t0 + Duration::from_secs(5);
        assert!(store.take("s0", "spid", Some("b"), at).is_err());
        assert!(store.take("s1", "spid", Some("b"), at).is_err());
        assert!(store.take("s4", "spid", Some("b"), at).is_ok());
        // Expired attempts are dropped on the next insert.
        let later = t0 + LIFETIME + Duration::from_secs(10);
        store.insert("new".into(), pending("b", later), A, later);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn one_client_pushes_out_only_its_own_attempts() {
        let t0 = Instant::now();
        let store = PendingLogins::with_capacity(100, 2);
        store.insert("b0".into(), pending("b", t0), B, t0);
        for i in 0..50u64 {
            let at = t0 + Duration::from_millis(i);
            store.insert(format!("a{i}"), pending("a", at), A, at);
        }
        assert_eq!(store.len(), 3);
        let at = t0 + Duration::from_secs(1);
        assert!(store.take("b0", "spid", Some("b"), at).is_ok());
        assert!(store.take("a47", "spid", Some("a"), at).is_err());
        assert!(store.take("a49", "spid", Some("a"), at).is_ok());
    }

    #[test]
    fn many_attempts_stay_fast() {
        // The old store scanned every attempt when full: 50,000 starts took O(n²).
        let t0 = Instant::now();
        let store = PendingLogins::with_capacity(10_000, 64);
        let started = Instant::now();
        for i in 0..50_000u64 {
            let client = IpAddr::from((i as u32).to_be_bytes());
            store.insert(format!("s{i}"), pending("b", t0), client, t0);
        }
        let took = started.elapsed();
        eprintln!("50,000 inserts into a full store of 10,000: {took:?}");
        assert_eq!(store.len(), 10_000);
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
}
