//! Single-use meeting tickets: the ids (`jti`) of the tickets already presented, each kept until
//! its ticket expires (after that the signature check refuses the ticket anyway).
//!
//! [`TicketLedger`] is shared short-lived state, like the rooms: [`LocalTicketLedger`] keeps it
//! in this process; a Redis implementation (`SET jti 1 NX EXAT exp`) plugs in behind the same
//! trait when several nodes accept connections.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Mutex;

use crate::rooms::BoxFuture;

/// Records which tickets were used.
pub trait TicketLedger: Send + Sync + std::fmt::Debug + 'static {
    /// Records ticket `jti`, valid until `exp` (unix seconds), as used at `now`: `true` on its
    /// first use, `false` if it was presented before.
    fn first_use(&self, jti: &str, exp: u64, now: u64) -> BoxFuture<'_, bool>;
}

/// The used tickets of this process, forgotten as they expire.
#[derive(Debug, Default)]
pub struct LocalTicketLedger {
    inner: Mutex<Used>,
}

#[derive(Debug, Default)]
struct Used {
    ids: HashSet<String>,
    by_expiry: BinaryHeap<Reverse<(u64, String)>>,
}

impl Used {
    /// Forgets the tickets expired at `now`.
    fn prune(&mut self, now: u64) {
        while let Some(Reverse((exp, _))) = self.by_expiry.peek() {
            if *exp > now {
                break;
            }
            if let Some(Reverse((_, jti))) = self.by_expiry.pop() {
                self.ids.remove(&jti);
            }
        }
    }
}

impl LocalTicketLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many used tickets are remembered now (for tests and metrics).
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |u| u.ids.len())
    }

    /// Whether no used ticket is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn record(&self, jti: &str, exp: u64, now: u64) -> bool {
        let Ok(mut used) = self.inner.lock() else {
            // A poisoned lock: refuse rather than accept a ticket twice.
            return false;
        };
        used.prune(now);
        if exp <= now || !used.ids.insert(jti.to_owned()) {
            return false;
        }
        used.by_expiry.push(Reverse((exp, jti.to_owned())));
        true
    }
}

impl TicketLedger for LocalTicketLedger {
    fn first_use(&self, jti: &str, exp: u64, now: u64) -> BoxFuture<'_, bool> {
        let first = self.record(jti, exp, now);
        Box::pin(async move { first })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ticket_is_accepted_once_and_forgotten_after_its_expiry() {
        let ledger = LocalTicketLedger::new();
        assert!(ledger.first_use("a", 200, 100).await);
        assert!(!ledger.first_use("a", 200, 150).await);
        assert!(ledger.first_use("b", 300, 150).await);
        assert_eq!(ledger.len(), 2);
        // At 200 "a" has expired (the signature check refuses it from then on): forgotten.
        assert!(ledger.first_use("c", 400, 200).await);
        assert_eq!(ledger.len(), 2);
        // An expired ticket is never recorded as a first use.
        assert!(!ledger.first_use("d", 200, 250).await);
    }
}
