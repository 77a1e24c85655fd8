//! INPS → PUE documents to print, never kept: the official sends a PDF to the meeting, the kiosk
//! shows it with "Stampa", and it is gone once printed or dismissed, when the meeting ends, or
//! after [`PRINT_TTL`], whichever comes first. The bytes live in this process's memory only
//! (never the data dir, never the database); the memory is bounded in total
//! ([`MAX_PRINT_BYTES`]) and per meeting ([`MAX_PRINTS_PER_MEETING`]).
//!
//! A meeting's prints are dropped when a request finds the meeting can no longer be entered,
//! and by [`sweep_closed`], which the server runs every [`SWEEP_EVERY`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

/// A print document lives at most this long.
pub const PRINT_TTL: Duration = Duration::from_secs(10 * 60);
/// Bytes of print documents held at most, all meetings together.
pub const MAX_PRINT_BYTES: usize = 32 * 1024 * 1024;
/// Print documents one meeting holds at most at a time.
pub const MAX_PRINTS_PER_MEETING: usize = 3;
/// How often the server drops the prints of meetings that ended.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// One document waiting to be printed.
#[derive(Debug)]
struct Print {
    appointment_id: String,
    name: String,
    bytes: Arc<Vec<u8>>,
    added: Instant,
}

/// A print document as listed (no content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PrintEntry {
    /// Its id.
    pub id: String,
    /// The file name the official gave.
    pub name: String,
    /// Bytes.
    pub size: u64,
}

/// Why a print document was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintsFull {
    /// The meeting already holds [`MAX_PRINTS_PER_MEETING`].
    Meeting,
    /// All meetings together hold [`MAX_PRINT_BYTES`].
    Server,
}

/// The print documents of every meeting on this node.
#[derive(Debug, Default)]
pub struct Prints {
    docs: Mutex<HashMap<String, Print>>,
}

impl Prints {
    fn locked(&self) -> std::sync::MutexGuard<'_, HashMap<String, Print>> {
        self.locked_at(Instant::now())
    }

    /// The documents, those older than [`PRINT_TTL`] at `now` dropped.
    fn locked_at(&self, now: Instant) -> std::sync::MutexGuard<'_, HashMap<String, Print>> {
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        docs.retain(|_, p| now.saturating_duration_since(p.added) < PRINT_TTL);
        docs
    }

    /// Holds `bytes` for appointment `appointment_id` under a new id.
    pub fn add(
        &self,
        appointment_id: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<String, PrintsFull> {
        let mut docs = self.locked();
        let mine = docs
            .values()
            .filter(|p| p.appointment_id == appointment_id)
            .count();
        if mine >= MAX_PRINTS_PER_MEETING {
            return Err(PrintsFull::Meeting);
        }
        let total: usize = docs.values().map(|p| p.bytes.len()).sum();
        if total + bytes.len() > MAX_PRINT_BYTES {
            return Err(PrintsFull::Server);
        }
        let id = crate::booking::store::new_id();
        docs.insert(
            id.clone(),
            Print {
                appointment_id: appointment_id.to_owned(),
                name: name.to_owned(),
                bytes: Arc::new(bytes),
                added: Instant::now(),
            },
        );
        Ok(id)
    }

    /// The documents waiting for appointment `appointment_id`, oldest first.
    pub fn list(&self, appointment_id: &str) -> Vec<PrintEntry> {
        let docs = self.locked();
        let mut list: Vec<(&Instant, PrintEntry)> = docs
            .iter()
            .filter(|(_, p)| p.appointment_id == appointment_id)
            .map(|(id, p)| {
                let entry = PrintEntry {
                    id: id.clone(),
                    name: p.name.clone(),
                    size: p.bytes.len() as u64,
                };
                (&p.added, entry)
            })
            .collect();
        list.sort_by(|a, b| a.0.cmp(b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        list.into_iter().map(|(_, e)| e).collect()
    }

    /// The name and bytes of document `id`, if it is one of `appointment_id`'s.
    pub fn get(&self, appointment_id: &str, id: &str) -> Option<(String, Arc<Vec<u8>>)> {
        let docs = self.locked();
        docs.get(id)
            .filter(|p| p.appointment_id == appointment_id)
            .map(|p| (p.name.clone(), p.bytes.clone()))
    }

    /// Drops document `id` of `appointment_id`; its size if it was there.
    pub fn remove(&self, appointment_id: &str, id: &str) -> Option<usize> {
        let mut docs = self.locked();
        if docs.get(id)?.appointment_id != appointment_id {
            return None;
        }
        docs.remove(id).map(|p| p.bytes.len())
    }

    /// Drops every document of `appointment_id`; how many.
    pub fn remove_meeting(&self, appointment_id: &str) -> usize {
        let mut docs = self.locked();
        let before = docs.len();
        docs.retain(|_, p| p.appointment_id != appointment_id);
        before - docs.len()
    }

    /// The appointments that hold documents now.
    pub fn appointments(&self) -> Vec<String> {
        let docs = self.locked();
        let mut ids: Vec<String> = docs.values().map(|p| p.appointment_id.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Bytes held now, all meetings together.
    pub fn bytes(&self) -> usize {
        self.locked().values().map(|p| p.bytes.len()).sum()
    }
}

/// Every [`SWEEP_EVERY`] until `shutdown`: drops the prints of meetings that can no longer be
/// entered (closed, cancelled, past their window).
pub async fn sweep_closed(
    prints: Arc<Prints>,
    store: crate::store::Store,
    shutdown: tokio_util::sync::CancellationToken,
) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = every.tick() => {}
        }
        for id in prints.appointments() {
            let open = crate::meeting::day::citizen_may_enter(store.db(), store.now(), &id).await;
            if open.is_err() {
                let n = prints.remove_meeting(&id);
                tracing::info!(dropped = n, "print documents of an ended meeting dropped");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_per_meeting_and_in_total() {
        let p = Prints::default();
        for _ in 0..MAX_PRINTS_PER_MEETING {
            p.add("a", "x.pdf", vec![1; 10]).unwrap();
        }
        assert_eq!(p.add("a", "x.pdf", vec![1; 10]), Err(PrintsFull::Meeting));
        assert!(p.add("b", "big.pdf", vec![1; MAX_PRINT_BYTES]).is_err());
        assert_eq!(
            p.add("b", "big.pdf", vec![1; MAX_PRINT_BYTES]),
            Err(PrintsFull::Server)
        );
        assert_eq!(p.list("a").len(), MAX_PRINTS_PER_MEETING);
        assert_eq!(p.remove_meeting("a"), MAX_PRINTS_PER_MEETING);
        assert_eq!(p.bytes(), 0);
    }

    #[test]
    fn only_the_meetings_own() {
        let p = Prints::default();
        let id = p.add("a", "x.pdf", vec![7; 3]).unwrap();
        assert!(p.get("b", &id).is_none());
        assert_eq!(p.remove("b", &id), None);
        assert_eq!(p.get("a", &id).unwrap().1.as_slice(), &[7, 7, 7]);
        assert_eq!(p.remove("a", &id), Some(3));
        assert!(p.get("a", &id).is_none());
    }

    #[test]
    fn gone_after_the_time_limit() {
        let p = Prints::default();
        let start = Instant::now();
        let id = p.add("a", "x.pdf", vec![1]).unwrap();
        assert_eq!(
            p.locked_at(start + PRINT_TTL - Duration::from_secs(1))
                .len(),
            1
        );
        assert_eq!(
            p.locked_at(start + PRINT_TTL + Duration::from_secs(1))
                .len(),
            0
        );
        assert!(p.get("a", &id).is_none());
        assert_eq!(p.bytes(), 0);
    }
}
