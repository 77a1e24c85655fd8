//! Counters shared between the engine task (writer) and [`crate::Sfu::stats`] (readers).
//!
//! Relaxed atomics: each counter is independent, a snapshot is not a consistent cut and does not
//! need to be. Only the engine task writes, so there is no contention on the packet path.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A snapshot of the SFU's gauges and counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SfuStats {
    /// Rooms with at least one participant.
    pub rooms: u64,
    /// Participants currently joined.
    pub participants: u64,
    /// Tracks currently received from publishers.
    pub published_tracks: u64,
    /// Sending legs currently set up (one per published track per other participant).
    pub forwarded_tracks: u64,
    /// Datagrams received on the socket.
    pub packets_in: u64,
    /// Bytes received on the socket.
    pub bytes_in: u64,
    /// RTP packets handed to a subscriber leg.
    pub packets_forwarded: u64,
    /// RTP payload bytes handed to a subscriber leg.
    pub bytes_forwarded: u64,
    /// NACK feedback packets received from subscribers (answered by the NACK responder).
    pub nacks: u64,
    /// Keyframe requests (PLI) sent to publishers, after throttling.
    pub plis: u64,
    /// Datagrams dropped: unroutable input, or output the socket would not take.
    pub dropped_datagrams: u64,
}

impl SfuStats {
    /// What is still held: (rooms, participants, published tracks, forwarded tracks). All zero
    /// once everyone has left.
    pub fn occupancy(&self) -> (u64, u64, u64, u64) {
        (
            self.rooms,
            self.participants,
            self.published_tracks,
            self.forwarded_tracks,
        )
    }
}

/// The shared counters.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub rooms: AtomicU64,
    pub participants: AtomicU64,
    pub published_tracks: AtomicU64,
    pub forwarded_tracks: AtomicU64,
    pub packets_in: AtomicU64,
    pub bytes_in: AtomicU64,
    pub packets_forwarded: AtomicU64,
    pub bytes_forwarded: AtomicU64,
    pub nacks: AtomicU64,
    pub plis: AtomicU64,
    pub dropped_datagrams: AtomicU64,
}

impl Counters {
    #[inline]
    pub fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Relaxed);
    }

    #[inline]
    pub fn set(c: &AtomicU64, n: u64) {
        c.store(n, Relaxed);
    }

    pub fn snapshot(&self) -> SfuStats {
        SfuStats {
            rooms: self.rooms.load(Relaxed),
            participants: self.participants.load(Relaxed),
            published_tracks: self.published_tracks.load(Relaxed),
            forwarded_tracks: self.forwarded_tracks.load(Relaxed),
            packets_in: self.packets_in.load(Relaxed),
            bytes_in: self.bytes_in.load(Relaxed),
            packets_forwarded: self.packets_forwarded.load(Relaxed),
            bytes_forwarded: self.bytes_forwarded.load(Relaxed),
            nacks: self.nacks.load(Relaxed),
            plis: self.plis.load(Relaxed),
            dropped_datagrams: self.dropped_datagrams.load(Relaxed),
        }
    }
}
