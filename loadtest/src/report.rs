//! The result of a load-test run: what the JSON report contains, and the summary table.

use crate::resources::Machine;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

/// Version of the JSON report layout.
pub const REPORT_VERSION: u32 = 1;

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Layout version ([`REPORT_VERSION`]).
    pub version: u32,
    /// Unix time the run started, seconds.
    pub started_at_unix: u64,
    /// What was asked for.
    pub config: ConfigSummary,
    /// Where it ran.
    pub machine: Machine,
    /// How the run went.
    pub outcome: Outcome,
    /// Distributions over participants and streams.
    pub percentiles: Percentiles,
    /// Totals over the steady window.
    pub window: WindowTotals,
    /// Server usage.
    pub server: ServerUsage,
    /// The load generator's own usage (it shares the machine with a local server).
    pub generator: ProcessUsage,
    /// One sample per interval over the whole run.
    pub timeline: Vec<Sample>,
    /// One row per participant.
    pub participants: Vec<ParticipantReport>,
    /// One row per forwarded stream (subscriber × publisher × kind), over the steady window.
    pub streams: Vec<StreamReport>,
}

/// The run's parameters.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigSummary {
    /// Base URL of the server.
    pub target: String,
    /// Meetings.
    pub meetings: u32,
    /// Participants in each meeting.
    pub participants_per_meeting: u32,
    /// Joins per second during ramp-up.
    pub ramp_up_per_s: f64,
    /// Length of the steady window, seconds.
    pub duration_s: f64,
    /// `"audio"` or `"video"`.
    pub media: String,
    /// Video bitrate, kbit/s (video profile only).
    pub video_kbps: Option<u32>,
    /// Video frame rate (video profile only).
    pub video_fps: Option<u32>,
}

/// How the run went.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Participants the run tried to start.
    pub participants: u32,
    /// Participants that received `joined`.
    pub joined: u32,
    /// Participants whose peer connection reached `connected`.
    pub connected: u32,
    /// Whether every connected participant received every expected track before the steady
    /// window started.
    pub media_settled: bool,
    /// Seconds from the start of the run to the start of the steady window.
    pub window_start_s: f64,
    /// Length of the steady window actually measured, seconds.
    pub window_s: f64,
    /// Total wall time of the run, seconds.
    pub total_s: f64,
    /// Errors, one line per failed participant (and other problems).
    pub errors: Vec<String>,
}

/// p50/p95/p99 and friends of one distribution, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Samples.
    pub count: u64,
    /// Smallest value, ms.
    pub min_ms: f64,
    /// Mean, ms.
    pub mean_ms: f64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Largest value, ms.
    pub max_ms: f64,
}

impl Summary {
    /// Summarizes a histogram of microseconds.
    pub fn from_micros(histogram: &Histogram<u32>) -> Self {
        if histogram.is_empty() {
            return Self::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Self {
            count: histogram.len(),
            min_ms: ms(histogram.min()),
            mean_ms: histogram.mean() / 1000.0,
            p50_ms: ms(histogram.value_at_quantile(0.50)),
            p95_ms: ms(histogram.value_at_quantile(0.95)),
            p99_ms: ms(histogram.value_at_quantile(0.99)),
            max_ms: ms(histogram.max()),
        }
    }

    /// Summarizes durations.
    pub fn from_durations(values: impl IntoIterator<Item = Duration>) -> Self {
        let mut histogram = micros_histogram();
        for value in values {
            record_micros(&mut histogram, value);
        }
        Self::from_micros(&histogram)
    }
}

/// A histogram for 1 µs .. 10 min at 3 significant digits.
pub fn micros_histogram() -> Histogram<u32> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("constant histogram bounds are valid")
}

/// Records a duration (clamped into the histogram's range).
pub fn record_micros(histogram: &mut Histogram<u32>, value: Duration) {
    let us = u64::try_from(value.as_micros()).unwrap_or(u64::MAX);
    histogram.saturating_record(us.clamp(1, histogram.high()));
}

/// The distributions of the run.
#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    /// Join started → `joined` received, per participant.
    pub join: Summary,
    /// Join started → peer connection `connected`, per participant.
    pub connect: Summary,
    /// Later of the two joins → first RTP packet, per received stream (subscriber × publisher ×
    /// kind).
    pub first_rtp: Summary,
    /// Later of the two joins → first VP8 keyframe, per received video stream.
    pub first_keyframe: Summary,
    /// One-way latency generator → server → generator, every packet (whole run).
    pub latency: Summary,
    /// The same for audio packets only.
    pub latency_audio: Summary,
    /// The same for video packets only.
    pub latency_video: Summary,
    /// RFC 3550 interarrival jitter at the end of the window, per stream.
    pub jitter: Summary,
}

/// Packet totals over the steady window.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct WindowTotals {
    /// Streams forwarded (subscriber × publisher × kind) that carried packets in the window.
    pub forwarded_streams: u64,
    /// Packets published in the window, counted once per subscriber that should receive them.
    pub sent_packets: u64,
    /// Distinct packets received in the window.
    pub received_packets: u64,
    /// Packets missing from sequence gaps in the window.
    pub lost_packets: u64,
    /// Lost / expected.
    pub loss_fraction: f64,
    /// Forwarded packets per second (received, all streams).
    pub received_packets_per_s: f64,
    /// Forwarded payload bits per second (received, all streams).
    pub received_bits_per_s: f64,
}

/// CPU and memory of one process over the steady window.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ProcessUsage {
    /// CPU seconds used during the window.
    pub cpu_seconds: Option<f64>,
    /// Mean CPU use in the window, in cores (1.0 = one core busy).
    pub cpu_cores: Option<f64>,
    /// Resident memory before the first join.
    pub rss_baseline_bytes: Option<u64>,
    /// Resident memory at the end of the window.
    pub rss_end_bytes: Option<u64>,
    /// Highest resident memory sampled.
    pub rss_max_bytes: Option<u64>,
}

/// The server's usage, with the ratios the benchmark reports.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ServerUsage {
    /// `"metrics"`, `"proc"` or `"none"`.
    pub source: &'static str,
    /// The raw figures.
    #[serde(flatten)]
    pub usage: ProcessUsage,
    /// Server CPU seconds per forwarded stream-minute.
    pub cpu_seconds_per_stream_minute: Option<f64>,
    /// Server CPU µs per forwarded (received) packet.
    pub cpu_us_per_forwarded_packet: Option<f64>,
    /// (RSS at the end of the window − RSS before the run) / connected participants.
    pub rss_per_participant_bytes: Option<f64>,
}

/// One point of the timeline.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Sample {
    /// Seconds since the start of the run.
    pub t_s: f64,
    /// Participants connected.
    pub connected: u32,
    /// Server CPU over the last interval, cores.
    pub server_cpu_cores: Option<f64>,
    /// Server RSS, bytes.
    pub server_rss_bytes: Option<u64>,
    /// Generator CPU over the last interval, cores.
    pub generator_cpu_cores: Option<f64>,
    /// Packets received per second over the last interval (all streams).
    pub received_packets_per_s: f64,
    /// Loss over the last interval (lost / expected, all streams).
    pub loss_fraction: f64,
}

/// One participant.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ParticipantReport {
    /// Meeting index.
    pub meeting: u32,
    /// Index within the meeting.
    pub index: u32,
    /// Participant id given by the server.
    pub id: Option<String>,
    /// Failure, if any.
    pub error: Option<String>,
    /// Join started → `joined`, ms.
    pub join_ms: Option<f64>,
    /// Join started → connected, ms.
    pub connect_ms: Option<f64>,
    /// Worst over publishers of (later join → first RTP), ms.
    pub first_rtp_ms: Option<f64>,
    /// Worst over publishers of (later join → first keyframe), ms.
    pub first_keyframe_ms: Option<f64>,
    /// Packets published (whole run).
    pub sent_packets: u64,
    /// Distinct packets received (whole run).
    pub received_packets: u64,
    /// Packets lost by sequence gaps (whole run).
    pub lost_packets: u64,
    /// Lost / expected (whole run).
    pub loss_fraction: f64,
    /// Highest interarrival jitter among received streams, ms.
    pub jitter_ms: f64,
    /// Mean one-way latency over all received packets, ms.
    pub latency_mean_ms: Option<f64>,
    /// Highest one-way latency, ms.
    pub latency_max_ms: Option<f64>,
    /// NACK packets sent as subscriber.
    pub nacks_sent: u64,
    /// Sequence numbers asked for in NACKs sent.
    pub nacked_packets_sent: u64,
    /// NACK packets received as publisher.
    pub nacks_received: u64,
    /// PLIs sent as subscriber.
    pub plis_sent: u64,
    /// PLIs received as publisher.
    pub plis_received: u64,
    /// FIRs received as publisher.
    pub firs_received: u64,
}

/// One forwarded stream over the steady window.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StreamReport {
    /// Meeting index.
    pub meeting: u32,
    /// Publisher's index within the meeting.
    pub publisher: u32,
    /// Subscriber's index within the meeting.
    pub subscriber: u32,
    /// `"audio"` or `"video"`.
    pub kind: &'static str,
    /// Packets the publisher sent in the window.
    pub sent: u64,
    /// Distinct packets the subscriber received in the window.
    pub received: u64,
    /// Lost by sequence gaps in the window.
    pub lost: u64,
    /// Lost / expected in the window.
    pub loss_fraction: f64,
    /// Interarrival jitter at the end of the window, ms.
    pub jitter_ms: f64,
    /// Median one-way latency (whole run), ms.
    pub latency_p50_ms: Option<f64>,
}

fn opt(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
}

fn mib(bytes: Option<u64>) -> Option<f64> {
    bytes.map(|b| b as f64 / (1024.0 * 1024.0))
}

impl Report {
    /// Whether every participant joined and connected.
    pub fn all_connected(&self) -> bool {
        self.outcome.connected == self.outcome.participants
    }

    /// The human-readable summary printed at the end of a run.
    pub fn summary_table(&self) -> String {
        let mut out = String::new();
        let c = &self.config;
        let o = &self.outcome;
        let media = match (c.video_kbps, c.video_fps) {
            (Some(kbps), Some(fps)) => format!("audio + video {kbps} kbit/s {fps} fps"),
            _ => "audio".to_owned(),
        };
        let _ = writeln!(
            out,
            "sportello-loadtest: {} meetings × {} participants ({media}) against {}",
            c.meetings, c.participants_per_meeting, c.target
        );
        let _ = writeln!(
            out,
            "joined {}/{}, connected {}/{}, media settled: {}, steady window {:.1} s (of {:.1} s)",
            o.joined,
            o.participants,
            o.connected,
            o.participants,
            if o.media_settled { "yes" } else { "NO" },
            o.window_s,
            o.total_s
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<28} {:>7} {:>9} {:>9} {:>9} {:>9}",
            "distribution (ms)", "count", "p50", "p95", "p99", "max"
        );
        let p = &self.percentiles;
        for (name, s) in [
            ("join (→ joined)", &p.join),
            ("connect (→ connected)", &p.connect),
            ("first RTP", &p.first_rtp),
            ("first keyframe", &p.first_keyframe),
            ("one-way latency, all", &p.latency),
            ("one-way latency, audio", &p.latency_audio),
            ("one-way latency, video", &p.latency_video),
            ("jitter (RFC 3550)", &p.jitter),
        ] {
            if s.count == 0 {
                let _ = writeln!(out, "{name:<28} {:>7}", 0);
                continue;
            }
            let _ = writeln!(
                out,
                "{name:<28} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                s.count, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms
            );
        }
        let w = &self.window;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "window: {} streams, sent {} / received {} packets, lost {} ({:.3}%), {:.0} pkt/s, {:.2} Mbit/s forwarded",
            w.forwarded_streams,
            w.sent_packets,
            w.received_packets,
            w.lost_packets,
            w.loss_fraction * 100.0,
            w.received_packets_per_s,
            w.received_bits_per_s / 1e6
        );
        let s = &self.server;
        let _ = writeln!(
            out,
            "server ({}): CPU {} cores ({} s), {} CPU-s per stream-minute, {} µs per forwarded packet, RSS {} MiB (+{} KiB per participant)",
            s.source,
            opt(s.usage.cpu_cores, 3),
            opt(s.usage.cpu_seconds, 2),
            opt(s.cpu_seconds_per_stream_minute, 4),
            opt(s.cpu_us_per_forwarded_packet, 1),
            opt(mib(s.usage.rss_end_bytes), 1),
            opt(s.rss_per_participant_bytes.map(|b| b / 1024.0), 0),
        );
        let g = &self.generator;
        let _ = writeln!(
            out,
            "generator (this process): CPU {} cores ({} s), RSS {} MiB; machine: {} CPUs, {}",
            opt(g.cpu_cores, 3),
            opt(g.cpu_seconds, 2),
            opt(mib(g.rss_end_bytes), 1),
            self.machine.cpus,
            self.machine.cpu_model
        );
        if !o.errors.is_empty() {
            let _ = writeln!(out, "\nerrors ({}):", o.errors.len());
            for error in o.errors.iter().take(10) {
                let _ = writeln!(out, "  {error}");
            }
            if o.errors.len() > 10 {
                let _ = writeln!(
                    out,
                    "  … and {} more (see the JSON report)",
                    o.errors.len() - 10
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_percentiles_in_ms() {
        let s = Summary::from_durations((1..=100).map(Duration::from_millis));
        assert_eq!(s.count, 100);
        assert!((s.p50_ms - 50.0).abs() < 0.1, "{s:?}");
        assert!((s.p95_ms - 95.0).abs() < 0.1, "{s:?}");
        assert!((s.p99_ms - 99.0).abs() < 0.1, "{s:?}");
        assert!((s.max_ms - 100.0).abs() < 0.1, "{s:?}");
        assert!((s.min_ms - 1.0).abs() < 0.01, "{s:?}");
        assert_eq!(Summary::from_durations([]), Summary::default());
    }
}
