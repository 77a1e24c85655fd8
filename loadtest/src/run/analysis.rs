//! Turning the snapshots of a run into its [`Report`].

use super::fleet::{Fleet, Snapshot};
use super::{MediaProfile, RunConfig};
use crate::PublishStats;
use crate::report::{
    self, ConfigSummary, Outcome, ParticipantReport, Percentiles, ProcessUsage, Report, Sample,
    ServerUsage, StreamReport, Summary, WindowTotals,
};
use crate::resources::{Machine, Usage};
use crate::stats::TrackStats;
use sportello_signalling::protocol::MediaKind;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The steady window and the snapshots at its edges.
pub(crate) struct Window<'a> {
    pub(crate) started: Instant,
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    pub(crate) media_settled: bool,
    pub(crate) w0: &'a HashMap<usize, Snapshot>,
    pub(crate) w1: &'a HashMap<usize, Snapshot>,
}

/// Resource readings of the server and of this process.
pub(crate) struct Resources {
    pub(crate) source: &'static str,
    pub(crate) server_baseline: Option<Usage>,
    pub(crate) server_w0: Option<Usage>,
    pub(crate) server_w1: Option<Usage>,
    pub(crate) server_rss_max: Option<u64>,
    pub(crate) own_baseline: Option<Usage>,
    pub(crate) own_w0: Option<Usage>,
    pub(crate) own_w1: Option<Usage>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn sent_packets(publish: &PublishStats, kind: MediaKind) -> u64 {
    match kind {
        MediaKind::Audio => publish.audio_packets,
        MediaKind::Video => publish.video_packets,
    }
}

fn process_usage(
    baseline: Option<Usage>,
    w0: Option<Usage>,
    w1: Option<Usage>,
    window_s: f64,
    rss_max: Option<u64>,
) -> ProcessUsage {
    let cpu_seconds = match (w0, w1) {
        (Some(a), Some(b)) => Some((b.cpu_seconds - a.cpu_seconds).max(0.0)),
        _ => None,
    };
    ProcessUsage {
        cpu_seconds,
        cpu_cores: cpu_seconds.filter(|_| window_s > 0.0).map(|s| s / window_s),
        rss_baseline_bytes: baseline.map(|u| u.rss_bytes),
        rss_end_bytes: w1.map(|u| u.rss_bytes),
        rss_max_bytes: rss_max.or(w1.map(|u| u.rss_bytes)),
    }
}

/// Builds the report (total time is filled in by the caller).
pub(crate) fn build_report(
    config: &RunConfig,
    fleet: &Fleet,
    started_at_unix: u64,
    window: Window<'_>,
    resources: Resources,
    timeline: Vec<Sample>,
) -> Report {
    let per_meeting = config.participants_per_meeting;
    let kinds = config.media.kinds();
    let members = fleet.lock();
    let window_s = window.end.duration_since(window.start).as_secs_f64();

    let mut join = report::micros_histogram();
    let mut connect = report::micros_histogram();
    let mut first_rtp = report::micros_histogram();
    let mut first_keyframe = report::micros_histogram();
    let mut latency = report::micros_histogram();
    let mut latency_audio = report::micros_histogram();
    let mut latency_video = report::micros_histogram();
    let mut jitter = report::micros_histogram();
    let mut errors = Vec::new();
    let mut participants = Vec::new();
    let mut streams = Vec::new();
    let mut totals = WindowTotals::default();
    let mut window_bytes = 0u64;

    for (slot, member) in members.iter().enumerate() {
        let meeting = slot as u32 / per_meeting;
        let index = slot as u32 % per_meeting;
        let mut row = ParticipantReport {
            meeting,
            index,
            error: member.error.clone(),
            ..ParticipantReport::default()
        };
        if let Some(error) = &member.error {
            errors.push(format!("meeting {meeting} participant {index}: {error}"));
        }
        let Some(me) = &member.participant else {
            participants.push(row);
            continue;
        };
        row.id = Some(me.id().to_owned());
        let join_time = me.joined_at().duration_since(me.started_at());
        report::record_micros(&mut join, join_time);
        row.join_ms = Some(ms(join_time));
        if let Some(connected_at) = member.connected_at {
            let connect_time = connected_at.duration_since(me.started_at());
            report::record_micros(&mut connect, connect_time);
            row.connect_ms = Some(ms(connect_time));
        }
        let final_snapshot = window.w1.get(&slot);
        if let Some(snapshot) = final_snapshot {
            row.sent_packets = snapshot.publish.audio_packets + snapshot.publish.video_packets;
            row.nacks_sent = snapshot.feedback.nacks_sent;
            row.nacked_packets_sent = snapshot.feedback.nacked_packets_sent;
            row.nacks_received = snapshot.feedback.nacks_received;
            row.plis_sent = snapshot.feedback.plis_sent;
            row.plis_received = snapshot.feedback.plis_received;
            row.firs_received = snapshot.feedback.firs_received;
        }

        // Every other member of the meeting that joined is a publisher we should receive.
        let mut expected_total = 0u64;
        let mut latency_sum = 0u64;
        let mut latency_samples = 0u64;
        let mut latency_max = 0u64;
        for other_index in (0..per_meeting).filter(|&i| i != index) {
            let other_slot = (meeting * per_meeting + other_index) as usize;
            let Some(publisher) = &members[other_slot].participant else {
                continue;
            };
            let later_join = me.started_at().max(publisher.started_at());
            for &kind in kinds {
                let key = (publisher.id().to_owned(), kind);
                let end = final_snapshot.and_then(|s| s.remote.get(&key));
                if let Some(stats) = end {
                    row.received_packets += stats.seq.received();
                    row.lost_packets += stats.lost();
                    expected_total += stats.seq.expected();
                    row.jitter_ms = row.jitter_ms.max(ms(stats.jitter()));
                    latency_sum += stats.latency_sum_us;
                    latency_samples += stats.latency_samples;
                    latency_max = latency_max.max(stats.latency_max_us);
                    let _ = latency.add(&stats.latency.0);
                    let _ = match kind {
                        MediaKind::Audio => latency_audio.add(&stats.latency.0),
                        MediaKind::Video => latency_video.add(&stats.latency.0),
                    };
                    if let Some(first) = stats.first_packet_at {
                        let t = first.saturating_duration_since(later_join);
                        report::record_micros(&mut first_rtp, t);
                        row.first_rtp_ms = Some(row.first_rtp_ms.unwrap_or(0.0).max(ms(t)));
                    }
                    if let Some(first) = stats.first_keyframe_at {
                        let t = first.saturating_duration_since(later_join);
                        report::record_micros(&mut first_keyframe, t);
                        row.first_keyframe_ms =
                            Some(row.first_keyframe_ms.unwrap_or(0.0).max(ms(t)));
                    }
                } else {
                    errors.push(format!(
                        "meeting {meeting} participant {index}: never received {} from participant {other_index}",
                        kind.as_str()
                    ));
                }

                // The steady window of this stream.
                let start = window.w0.get(&slot).and_then(|s| s.remote.get(&key));
                let publisher_sent = |snapshots: &HashMap<usize, Snapshot>| {
                    snapshots
                        .get(&other_slot)
                        .map_or(0, |s| sent_packets(&s.publish, kind))
                };
                let sent = publisher_sent(window.w1).saturating_sub(publisher_sent(window.w0));
                let (expected, received, bytes) = match (start, end) {
                    (_, None) => (0, 0, 0),
                    (None, Some(e)) => (e.seq.expected(), e.seq.received(), e.bytes),
                    (Some(s), Some(e)) => (
                        e.seq.expected().saturating_sub(s.seq.expected()),
                        e.seq.received().saturating_sub(s.seq.received()),
                        e.bytes.saturating_sub(s.bytes),
                    ),
                };
                let lost = expected.saturating_sub(received);
                let stream_jitter = end.map_or(Duration::ZERO, TrackStats::jitter);
                if end.is_some() {
                    report::record_micros(&mut jitter, stream_jitter);
                }
                if received > 0 {
                    totals.forwarded_streams += 1;
                }
                totals.sent_packets += sent;
                totals.received_packets += received;
                totals.lost_packets += lost;
                window_bytes += bytes;
                streams.push(StreamReport {
                    meeting,
                    publisher: other_index,
                    subscriber: index,
                    kind: kind.as_str(),
                    sent,
                    received,
                    lost,
                    loss_fraction: if expected > 0 {
                        lost as f64 / expected as f64
                    } else {
                        0.0
                    },
                    jitter_ms: ms(stream_jitter),
                    latency_p50_ms: end
                        .filter(|s| !s.latency.0.is_empty())
                        .map(|s| s.latency.0.value_at_quantile(0.5) as f64 / 1000.0),
                });
            }
        }
        row.loss_fraction = if expected_total > 0 {
            row.lost_packets as f64 / expected_total as f64
        } else {
            0.0
        };
        row.latency_mean_ms = latency_sum
            .checked_div(latency_samples)
            .map(|us| us as f64 / 1000.0);
        row.latency_max_ms = (latency_samples > 0).then(|| latency_max as f64 / 1000.0);
        participants.push(row);
    }
    let expected_window = totals.received_packets + totals.lost_packets;
    totals.loss_fraction = if expected_window > 0 {
        totals.lost_packets as f64 / expected_window as f64
    } else {
        0.0
    };
    if window_s > 0.0 {
        totals.received_packets_per_s = totals.received_packets as f64 / window_s;
        totals.received_bits_per_s = window_bytes as f64 * 8.0 / window_s;
    }
    if !window.media_settled {
        errors.push(format!(
            "media did not reach everyone within {:?} of the last join",
            config.settle_timeout
        ));
    }

    let connected = members.iter().filter(|m| m.connected_at.is_some()).count() as u32;
    let joined = members.iter().filter(|m| m.participant.is_some()).count() as u32;
    let server_usage = process_usage(
        resources.server_baseline,
        resources.server_w0,
        resources.server_w1,
        window_s,
        resources.server_rss_max,
    );
    let stream_minutes = totals.forwarded_streams as f64 * window_s / 60.0;
    let server = ServerUsage {
        source: resources.source,
        usage: server_usage,
        cpu_seconds_per_stream_minute: server_usage
            .cpu_seconds
            .filter(|_| stream_minutes > 0.0)
            .map(|cpu| cpu / stream_minutes),
        cpu_us_per_forwarded_packet: server_usage
            .cpu_seconds
            .filter(|_| totals.received_packets > 0)
            .map(|cpu| cpu * 1e6 / totals.received_packets as f64),
        rss_per_participant_bytes: match (
            server_usage.rss_baseline_bytes,
            server_usage.rss_end_bytes,
        ) {
            (Some(before), Some(after)) if connected > 0 => {
                Some((after as f64 - before as f64) / f64::from(connected))
            }
            _ => None,
        },
    };
    let generator = process_usage(
        resources.own_baseline,
        resources.own_w0,
        resources.own_w1,
        window_s,
        None,
    );

    Report {
        version: report::REPORT_VERSION,
        started_at_unix,
        config: ConfigSummary {
            target: config.target.to_string(),
            meetings: config.meetings,
            participants_per_meeting: per_meeting,
            ramp_up_per_s: config.ramp_up_per_s,
            duration_s: config.duration.as_secs_f64(),
            media: match config.media {
                MediaProfile::Audio => "audio",
                MediaProfile::Video { .. } => "video",
            }
            .to_owned(),
            video_kbps: match config.media {
                MediaProfile::Video { kbps, .. } => Some(kbps),
                MediaProfile::Audio => None,
            },
            video_fps: match config.media {
                MediaProfile::Video { fps, .. } => Some(fps),
                MediaProfile::Audio => None,
            },
        },
        machine: Machine::this(),
        outcome: Outcome {
            participants: config.total_participants(),
            joined,
            connected,
            media_settled: window.media_settled,
            window_start_s: window.start.duration_since(window.started).as_secs_f64(),
            window_s,
            total_s: 0.0,
            errors,
        },
        percentiles: Percentiles {
            join: Summary::from_micros(&join),
            connect: Summary::from_micros(&connect),
            first_rtp: Summary::from_micros(&first_rtp),
            first_keyframe: Summary::from_micros(&first_keyframe),
            latency: Summary::from_micros(&latency),
            latency_audio: Summary::from_micros(&latency_audio),
            latency_video: Summary::from_micros(&latency_video),
            jitter: Summary::from_micros(&jitter),
        },
        window: totals,
        server,
        generator,
        timeline,
        participants,
        streams,
    }
}
