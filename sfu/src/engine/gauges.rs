//! Gauges: rooms, participants and tracks, recomputed after every change of topology.

use super::Engine;
use crate::stats::Counters;

impl Engine {
    /// Sets the occupancy gauges from the current topology.
    pub(super) fn update_gauges(&self) {
        let c = &self.counters;
        Counters::set(&c.rooms, self.rooms.len() as u64);
        Counters::set(&c.participants, self.peers.len() as u64);
        Counters::set(
            &c.published_tracks,
            self.peers.values().map(|p| p.published.len() as u64).sum(),
        );
        Counters::set(
            &c.forwarded_tracks,
            self.peers.values().map(|p| p.legs.len() as u64).sum(),
        );
    }
}
