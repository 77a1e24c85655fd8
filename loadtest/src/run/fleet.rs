//! The participants of a run, snapshots of what they measured, and the timeline sampler.

use crate::participant::Participant;
use crate::report::Sample;
use crate::resources::{self, ServerProbe, Usage};
use crate::stats::TrackStats;
use crate::{FeedbackStats, PublishStats};
use sportello_signalling::protocol::MediaKind;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// One participant slot of the run.
#[derive(Default)]
pub(crate) struct Member {
    pub(crate) participant: Option<Arc<Participant>>,
    pub(crate) connected_at: Option<Instant>,
    pub(crate) error: Option<String>,
}

/// All members, indexed `meeting * per_meeting + index`.
pub(crate) struct Fleet {
    pub(crate) per_meeting: u32,
    pub(crate) members: Mutex<Vec<Member>>,
    pub(crate) finished_joins: AtomicU64,
}

impl Fleet {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Member>> {
        self.members.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The participants that are up, with their slot.
    pub(crate) fn live(&self) -> Vec<(usize, Arc<Participant>)> {
        self.lock()
            .iter()
            .enumerate()
            .filter_map(|(slot, m)| m.participant.clone().map(|p| (slot, p)))
            .collect()
    }

    pub(crate) fn connected(&self) -> u32 {
        self.lock()
            .iter()
            .filter(|m| m.connected_at.is_some())
            .count() as u32
    }
}

/// Everything measured about one participant at one instant.
pub(crate) struct Snapshot {
    pub(crate) publish: PublishStats,
    pub(crate) feedback: FeedbackStats,
    /// Keyed by publisher participant id and kind.
    pub(crate) remote: HashMap<(String, MediaKind), TrackStats>,
}

fn snapshot(participant: &Participant) -> Snapshot {
    Snapshot {
        publish: participant.publish_stats(),
        feedback: participant.feedback_stats(),
        remote: participant
            .all_remote_stats()
            .into_iter()
            .map(|(key, stats)| ((key.publisher, key.kind), stats))
            .collect(),
    }
}

pub(crate) fn snapshot_all(fleet: &Fleet) -> HashMap<usize, Snapshot> {
    fleet
        .live()
        .into_iter()
        .map(|(slot, p)| (slot, snapshot(&p)))
        .collect()
}

/// (expected, received, bytes) summed over every received track of every participant.
fn totals(fleet: &Fleet) -> (u64, u64, u64) {
    let mut expected = 0;
    let mut received = 0;
    let mut bytes = 0;
    for (_, p) in fleet.live() {
        for stats in p.all_remote_stats().into_values() {
            expected += stats.seq.expected();
            received += stats.seq.received();
            bytes += stats.bytes;
        }
    }
    (expected, received, bytes)
}

/// Samples the timeline until told to stop.
pub(crate) async fn sample_timeline(
    fleet: Arc<Fleet>,
    probe: Option<ServerProbe>,
    started: Instant,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) -> (Vec<Sample>, Option<u64>) {
    let mut samples = Vec::new();
    let mut rss_max: Option<u64> = None;
    let mut last_server: Option<(Instant, Usage)> = None;
    let mut last_own: Option<(Instant, Usage)> = None;
    let mut last_totals = (0u64, 0u64, 0u64);
    let mut last_at = Instant::now();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.wait_for(|stop| *stop) => break,
        }
        let now = Instant::now();
        let server = match &probe {
            Some(probe) => probe.read().await.map(|u| (Instant::now(), u)),
            None => None,
        };
        let own = resources::own_usage().map(|u| (Instant::now(), u));
        let cores = |last: &Option<(Instant, Usage)>, current: &Option<(Instant, Usage)>| {
            let ((t0, u0), (t1, u1)) = (last.as_ref()?, current.as_ref()?);
            let dt = t1.duration_since(*t0).as_secs_f64();
            (dt > 0.0).then(|| (u1.cpu_seconds - u0.cpu_seconds).max(0.0) / dt)
        };
        let current_totals = totals(&fleet);
        let dt = now.duration_since(last_at).as_secs_f64();
        let d_expected = current_totals.0.saturating_sub(last_totals.0);
        let d_received = current_totals.1.saturating_sub(last_totals.1);
        let sample = Sample {
            t_s: now.duration_since(started).as_secs_f64(),
            connected: fleet.connected(),
            server_cpu_cores: cores(&last_server, &server),
            server_rss_bytes: server.map(|(_, u)| u.rss_bytes),
            generator_cpu_cores: cores(&last_own, &own),
            received_packets_per_s: if dt > 0.0 {
                d_received as f64 / dt
            } else {
                0.0
            },
            loss_fraction: if d_expected > 0 {
                d_expected.saturating_sub(d_received) as f64 / d_expected as f64
            } else {
                0.0
            },
        };
        if let Some(rss) = sample.server_rss_bytes {
            rss_max = Some(rss_max.map_or(rss, |max| max.max(rss)));
        }
        samples.push(sample);
        if server.is_some() {
            last_server = server;
        }
        last_own = own;
        last_totals = current_totals;
        last_at = now;
    }
    (samples, rss_max)
}
