//! Receive statistics of one remote track: sequence tracking with wraparound and reordering,
//! loss, RFC 3550 interarrival jitter, first-packet/first-keyframe times and one-way latency.
//! Pure; time is an input.

use hdrhistogram::Histogram;
use std::time::{Duration, Instant};

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

/// RFC 3550 §6.4.1 / A.8 interarrival jitter: for consecutive packets i-1, i,
/// `D = (R_i - R_{i-1}) - (S_i - S_{i-1})` in RTP timestamp units, and
/// `J += (|D| - J) / 16`. Packets are taken in arrival order, as the RFC does. RTP timestamps
/// may wrap: their difference is taken modulo 2^32.
#[derive(Debug, Clone, Copy, Default)]
pub struct JitterEstimator {
    last: Option<(Instant, u32)>,
    jitter: f64,
}

impl JitterEstimator {
    /// Records a packet with RTP timestamp `rtp_timestamp` arriving at `arrival`, for a media
    /// clock of `clock_rate` Hz.
    pub fn record(&mut self, arrival: Instant, rtp_timestamp: u32, clock_rate: u32) {
        if let Some((last_arrival, last_timestamp)) = self.last {
            // Arrival difference in RTP units (signed: reordering in time is impossible for
            // arrivals, but keep the arithmetic general).
            let arrival_ticks = signed_secs(arrival, last_arrival) * f64::from(clock_rate);
            let sent_ticks = f64::from(rtp_timestamp.wrapping_sub(last_timestamp) as i32);
            let d = (arrival_ticks - sent_ticks).abs();
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.last = Some((arrival, rtp_timestamp));
    }

    /// The current estimate in RTP timestamp units.
    pub fn ticks(&self) -> f64 {
        self.jitter
    }

    /// The current estimate as a duration, for a media clock of `clock_rate` Hz.
    pub fn duration(&self, clock_rate: u32) -> Duration {
        if clock_rate == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(self.jitter / f64::from(clock_rate))
    }
}

fn signed_secs(a: Instant, b: Instant) -> f64 {
    match a.checked_duration_since(b) {
        Some(d) => d.as_secs_f64(),
        None => -b.duration_since(a).as_secs_f64(),
    }
}

/// A histogram of one-way latencies in µs (1 µs .. 60 s, 2 significant digits).
#[derive(Debug, Clone)]
pub struct LatencyHistogram(pub Histogram<u32>);

/// Highest latency the histograms hold, µs (larger values are clamped).
pub const LATENCY_MAX_US: u64 = 60_000_000;

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self(
            Histogram::new_with_bounds(1, LATENCY_MAX_US, 2)
                .expect("constant histogram bounds are valid"),
        )
    }
}

impl LatencyHistogram {
    /// Records one latency (clamped to the histogram's range).
    pub fn record(&mut self, latency_us: u64) {
        self.0
            .saturating_record(latency_us.clamp(1, LATENCY_MAX_US));
    }
}

/// Statistics of one received track.
#[derive(Debug, Clone, Default)]
pub struct TrackStats {
    /// RTP clock rate of the track (Hz); 0 if unknown, then jitter is not computed.
    pub clock_rate: u32,
    /// RFC 3550 interarrival jitter.
    pub jitter: JitterEstimator,
    /// Distribution of one-way latencies.
    pub latency: LatencyHistogram,
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
    /// Empty statistics for a track with the given RTP clock rate.
    pub fn with_clock_rate(clock_rate: u32) -> Self {
        Self {
            clock_rate,
            ..Self::default()
        }
    }

    /// Records a received packet arriving at `now`. `latency_us` is its one-way latency
    /// (from the send time it carries), when known.
    pub fn record(
        &mut self,
        now: Instant,
        seq: u16,
        rtp_timestamp: u32,
        payload_len: usize,
        keyframe: bool,
        latency_us: Option<u64>,
    ) {
        if self.clock_rate != 0 {
            self.jitter.record(now, rtp_timestamp, self.clock_rate);
        }
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
            self.latency.record(latency);
        }
    }

    /// The current interarrival jitter.
    pub fn jitter(&self) -> Duration {
        self.jitter.duration(self.clock_rate)
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
        stats.record(t0, 5, 0, 100, false, Some(300));
        let t1 = t0 + std::time::Duration::from_millis(10);
        stats.record(t1, 6, 900, 50, true, Some(100));
        assert_eq!((stats.packets, stats.bytes, stats.keyframes), (2, 150, 1));
        assert_eq!(stats.first_packet_at, Some(t0));
        assert_eq!(stats.first_keyframe_at, Some(t1));
        assert_eq!(stats.latency_mean_us(), Some(200));
        assert_eq!(stats.latency_max_us, 300);
        assert_eq!(stats.lost(), 0);
        assert_eq!(stats.latency.0.len(), 2);
        // No clock rate: no jitter.
        assert_eq!(stats.jitter(), Duration::ZERO);
    }

    #[test]
    fn wraparound_with_loss_and_reordering() {
        // 65534, 65535, [0 lost], 2, 1 (late), 3: one lost across the wrap.
        let t = track(&[65_534, 65_535, 2, 1, 3]);
        assert_eq!((t.expected(), t.received(), t.lost()), (6, 5, 1));
        assert_eq!(t.reordered(), 1);
        assert_eq!(t.highest(), Some(65_539));
        // Several wraps in a row, no loss.
        let seqs: Vec<u16> = (0..200_000u32).map(|n| n as u16).collect();
        let t = track(&seqs);
        assert_eq!((t.expected(), t.lost()), (200_000, 0));
    }

    /// The RFC 3550 A.8 recurrence written out directly, for reference.
    fn reference_jitter(arrivals_ticks: &[i64], timestamps: &[u32]) -> f64 {
        let mut jitter = 0.0;
        for i in 1..arrivals_ticks.len() {
            let transit_now = arrivals_ticks[i] - i64::from(timestamps[i]);
            let transit_before = arrivals_ticks[i - 1] - i64::from(timestamps[i - 1]);
            let d = (transit_now - transit_before).abs() as f64;
            jitter += (d - jitter) / 16.0;
        }
        jitter
    }

    #[test]
    fn jitter_is_zero_for_perfectly_paced_packets() {
        let mut j = JitterEstimator::default();
        let t0 = Instant::now();
        for n in 0..100u32 {
            // 20 ms apart on a 48 kHz clock: 960 ticks.
            j.record(
                t0 + Duration::from_millis(20 * u64::from(n)),
                n * 960,
                48_000,
            );
        }
        assert!(j.ticks().abs() < 1e-6, "{}", j.ticks());
    }

    #[test]
    fn jitter_follows_rfc3550_recurrence() {
        // 8 kHz clock so 1 tick = 125 µs; arrivals alternate 0 / +10 ms late.
        let clock = 8_000;
        let t0 = Instant::now();
        let mut arrivals_ticks = Vec::new();
        let mut timestamps = Vec::new();
        let mut j = JitterEstimator::default();
        for n in 0..200u32 {
            let late_us = if n % 2 == 1 { 10_000 } else { 0 };
            let arrival_us = u64::from(n) * 20_000 + late_us;
            let ts = 1000 + n * 160;
            j.record(t0 + Duration::from_micros(arrival_us), ts, clock);
            arrivals_ticks.push(arrival_us as i64 / 125);
            timestamps.push(ts);
        }
        let expected = reference_jitter(&arrivals_ticks, &timestamps);
        assert!(
            (j.ticks() - expected).abs() < 1e-6,
            "{} vs {expected}",
            j.ticks()
        );
        // |D| is 80 ticks every step: J converges to 80 ticks = 10 ms.
        assert!((j.ticks() - 80.0).abs() < 0.01, "{}", j.ticks());
        assert!((j.duration(clock).as_secs_f64() - 0.010).abs() < 0.0005);
        // One step by hand: J1 = (80 - 0) / 16 = 5.
        let mut one = JitterEstimator::default();
        one.record(t0, 0, clock);
        one.record(t0 + Duration::from_millis(30), 160, clock);
        assert!((one.ticks() - 5.0).abs() < 1e-9);
    }

    #[test]
    fn jitter_handles_rtp_timestamp_wraparound() {
        let mut j = JitterEstimator::default();
        let t0 = Instant::now();
        let start = u32::MAX - 2 * 960;
        for n in 0..10u32 {
            j.record(
                t0 + Duration::from_millis(20 * u64::from(n)),
                start.wrapping_add(n * 960),
                48_000,
            );
        }
        assert!(j.ticks().abs() < 1e-6, "{}", j.ticks());
    }

    #[test]
    fn track_stats_computes_jitter_with_clock_rate() {
        let mut stats = TrackStats::with_clock_rate(8_000);
        let t0 = Instant::now();
        stats.record(t0, 1, 0, 10, false, None);
        stats.record(t0 + Duration::from_millis(30), 2, 160, 10, false, None);
        // |D| = 10 ms = 80 ticks, J = 5 ticks = 625 µs.
        assert_eq!(stats.jitter(), Duration::from_micros(625));
    }
}
