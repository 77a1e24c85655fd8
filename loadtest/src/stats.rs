//! Receive statistics of one remote track: sequence tracking with wraparound and reordering,
//! loss, first-packet/first-keyframe times and one-way latency. Pure; time is an input.

use std::time::Instant;

/// Extends 16-bit RTP sequence numbers and counts loss as RFC 3550 A.3 does:
/// `expected = highest - base + 1`, `lost = expected - received`. A late (reordered) packet
/// counts as received and so lowers the loss; duplicates are counted separately.
#[derive(Debug, Clone, Default)]
pub struct SeqTracker {
    base: Option<i64>,
    highest: i64,
    received: u64,
    duplicates: u64,
    reordered: u64,
    /// Bitmap of the last 64 extended sequence numbers at or below `highest`, to spot
    /// duplicates within the reordering window.
    recent: u64,
}

impl SeqTracker {
    /// Records a packet; returns its extended sequence number.
    pub fn record(&mut self, seq: u16) -> i64 {
        let Some(base) = self.base else {
            let ext = i64::from(seq);
            self.base = Some(ext);
            self.highest = ext;
            self.received = 1;
            self.recent = 1;
            return ext;
        };
        // Signed distance from the highest seen, modulo 2^16: handles wraparound both ways.
        let delta = i64::from(seq.wrapping_sub(self.highest as u16) as i16);
        let ext = self.highest + delta;
        if delta > 0 {
            self.recent = if delta >= 64 { 0 } else { self.recent << delta } | 1;
            self.highest = ext;
        } else {
            let back = -delta;
            if back < 64 && self.recent & (1 << back) != 0 {
                self.duplicates += 1;
                return ext;
            }
            if back < 64 {
                self.recent |= 1 << back;
            }
            self.reordered += 1;
            if ext < base {
                self.base = Some(ext);
            }
        }
        self.received += 1;
        ext
    }

    /// Distinct packets received.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Packets expected from the lowest to the highest extended sequence number seen.
    pub fn expected(&self) -> u64 {
        self.base.map_or(0, |base| {
            u64::try_from(self.highest - base + 1).unwrap_or(0)
        })
    }

    /// Packets missing (never negative).
    pub fn lost(&self) -> u64 {
        self.expected().saturating_sub(self.received)
    }

    /// Lost / expected, in 0..=1.
    pub fn loss_fraction(&self) -> f64 {
        match self.expected() {
            0 => 0.0,
            expected => self.lost() as f64 / expected as f64,
        }
    }

    /// Highest extended sequence number seen.
    pub fn highest(&self) -> Option<i64> {
        self.base.map(|_| self.highest)
    }

    /// Duplicate packets (within the last 64 sequence numbers).
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Packets that arrived after a higher sequence number.
    pub fn reordered(&self) -> u64 {
        self.reordered
    }
}

/// Statistics of one received track.
#[derive(Debug, Clone, Default)]
pub struct TrackStats {
    /// Packets received (including duplicates).
    pub packets: u64,
    /// Payload bytes received.
    pub bytes: u64,
    /// Sequence/loss tracking.
    pub seq: SeqTracker,
    /// When the first packet arrived.
    pub first_packet_at: Option<Instant>,
    /// When the first keyframe (VP8 keyframe bit) arrived; `None` for audio.
    pub first_keyframe_at: Option<Instant>,
    /// Keyframes received.
    pub keyframes: u64,
    /// When the last packet arrived.
    pub last_packet_at: Option<Instant>,
    /// Packets whose send time could be read (latency samples).
    pub latency_samples: u64,
    /// Sum of one-way latencies, µs.
    pub latency_sum_us: u64,
    /// Largest one-way latency, µs.
    pub latency_max_us: u64,
}

impl TrackStats {
    /// Records a received packet. `send_time_us` and `now_us` are
    /// [`crate::clock::mono_micros`] values, when known.
    pub fn record(
        &mut self,
        now: Instant,
        seq: u16,
        payload_len: usize,
        keyframe: bool,
        latency_us: Option<u64>,
    ) {
        self.packets += 1;
        self.bytes += payload_len as u64;
        self.seq.record(seq);
        self.first_packet_at.get_or_insert(now);
        self.last_packet_at = Some(now);
        if keyframe {
            self.keyframes += 1;
            self.first_keyframe_at.get_or_insert(now);
        }
        if let Some(latency) = latency_us {
            self.latency_samples += 1;
            self.latency_sum_us += latency;
            self.latency_max_us = self.latency_max_us.max(latency);
        }
    }

    /// Mean one-way latency in µs, if any sample.
    pub fn latency_mean_us(&self) -> Option<u64> {
        self.latency_sum_us.checked_div(self.latency_samples)
    }

    /// Lost packets (from sequence gaps).
    pub fn lost(&self) -> u64 {
        self.seq.lost()
    }

    /// Loss fraction in 0..=1.
    pub fn loss_fraction(&self) -> f64 {
        self.seq.loss_fraction()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(seqs: &[u16]) -> SeqTracker {
        let mut tracker = SeqTracker::default();
        for &seq in seqs {
            tracker.record(seq);
        }
        tracker
    }

    #[test]
    fn in_order_no_loss() {
        let t = track(&[10, 11, 12, 13]);
        assert_eq!((t.received(), t.expected(), t.lost()), (4, 4, 0));
        assert_eq!(t.highest(), Some(13));
    }

    #[test]
    fn wraparound_is_continuous() {
        let t = track(&[65_534, 65_535, 0, 1]);
        assert_eq!((t.received(), t.expected(), t.lost()), (4, 4, 0));
        assert_eq!(t.highest(), Some(65_537));
        let t = track(&[65_535, 1]);
        assert_eq!(t.lost(), 1);
    }

    #[test]
    fn gaps_count_as_loss() {
        let t = track(&[100, 101, 104, 105]);
        assert_eq!((t.expected(), t.lost()), (6, 2));
        assert!((t.loss_fraction() - 2.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn reordering_recovers_loss_and_duplicates_do_not_hide_it() {
        let t = track(&[1, 3, 2, 4]);
        assert_eq!((t.lost(), t.reordered(), t.duplicates()), (0, 1, 0));
        let t = track(&[1, 2, 2, 4]);
        assert_eq!((t.lost(), t.duplicates()), (1, 1));
        // Reordered across the wrap, and before the first packet seen.
        let t = track(&[0, 65_535, 1]);
        assert_eq!((t.expected(), t.lost(), t.reordered()), (3, 0, 1));
        assert_eq!(t.highest(), Some(1));
    }

    #[test]
    fn long_jump_forward() {
        let t = track(&[0, 1000]);
        assert_eq!((t.expected(), t.lost()), (1001, 999));
        let late = {
            let mut t = t.clone();
            t.record(999);
            t
        };
        assert_eq!(late.lost(), 998);
    }

    #[test]
    fn track_stats_records_times_and_latency() {
        let mut stats = TrackStats::default();
        let t0 = Instant::now();
        stats.record(t0, 5, 100, false, Some(300));
        let t1 = t0 + std::time::Duration::from_millis(10);
        stats.record(t1, 6, 50, true, Some(100));
        assert_eq!((stats.packets, stats.bytes, stats.keyframes), (2, 150, 1));
        assert_eq!(stats.first_packet_at, Some(t0));
        assert_eq!(stats.first_keyframe_at, Some(t1));
        assert_eq!(stats.latency_mean_us(), Some(200));
        assert_eq!(stats.latency_max_us, 300);
        assert_eq!(stats.lost(), 0);
    }
}
