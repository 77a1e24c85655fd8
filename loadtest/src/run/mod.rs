//! A load-test run: join meetings of synthetic participants at a ramp-up rate, let media
//! settle, measure a steady window, drain, leave, and build the [`Report`].
//!
//! Every stage is bounded in time, so a run always ends: ramp-up by the participant count and
//! rate, each join by [`RunConfig::join_timeout`], settling by [`RunConfig::settle_timeout`],
//! the window by [`RunConfig::duration`], draining and leaving by fixed bounds.

mod analysis;
mod config;
mod fleet;

use crate::http::{self, HttpError};
use crate::participant::{Participant, ParticipantConfig};
use crate::report::{Outcome, Report};
use crate::resources::{self, ServerProbe};
use crate::target::{Target, TargetError};
use analysis::{Resources, Window, build_report};
pub use config::*;
use fleet::{Fleet, Member, sample_timeline, snapshot_all};
use serde::Deserialize;
use sportello_signalling::protocol::MediaKind;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Time after stopping media for in-flight packets (and retransmissions) to arrive.
const DRAIN: Duration = Duration::from_millis(1_000);
/// Longest wait for all participants to leave.
const LEAVE: Duration = Duration::from_secs(5);
/// Longest wait for one HTTP call.
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The target was refused.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// A parameter is out of range.
    #[error("{0}")]
    Config(String),
    /// The server has no `/v1/dev/token` (it is not in demo mode).
    #[error(
        "{0} has no /v1/dev/token endpoint (HTTP 404): the server is not in demo mode. \
         sportello-loadtest gets meeting tokens only through that endpoint; start the server \
         with --demo (never in production)"
    )]
    NoTokenEndpoint(String),
    /// Getting a token failed otherwise.
    #[error("getting a meeting token from {target}: {message}")]
    Token {
        /// The server.
        target: String,
        /// What went wrong.
        message: String,
    },
    /// The run did not end within its bound.
    #[error("the run did not finish within {0:?}")]
    Overrun(Duration),
}

/// Stages of a run, for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Participants joining (total: participants).
    Joining,
    /// Waiting for media to flow everywhere (total: participants).
    Settling,
    /// The steady window (total: seconds).
    Steady,
    /// Stopping media, draining, leaving.
    Finishing,
}

/// Receives progress. Methods are called from the run's task; keep them cheap.
pub trait Progress: Send + Sync {
    /// A stage begins, with its total of steps.
    fn stage(&self, stage: Stage, total: u64);
    /// Steps done in the current stage, and a short status line.
    fn update(&self, done: u64, status: &str);
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&self, _stage: Stage, _total: u64) {}
    fn update(&self, _done: u64, _status: &str) {}
}

#[derive(Deserialize)]
struct TokenResponse {
    token: String,
}

/// Gets a meeting token through the server's demo endpoint.
async fn fetch_token(target: &Target, room: &str, display_name: &str) -> Result<String, RunError> {
    let body = serde_json::json!({
        "room": room,
        "display_name": display_name,
        "role": "load_tester",
    })
    .to_string();
    let token_error = |message: String| RunError::Token {
        target: target.to_string(),
        message,
    };
    let response = http::request(target, "POST", "/v1/dev/token", Some(&body), HTTP_TIMEOUT)
        .await
        .map_err(|err: HttpError| token_error(err.to_string()))?;
    match response.status {
        200 => serde_json::from_slice::<TokenResponse>(&response.body)
            .map(|r| r.token)
            .map_err(|err| token_error(format!("bad response: {err}"))),
        404 => Err(RunError::NoTokenEndpoint(target.to_string())),
        status => Err(token_error(format!(
            "HTTP {status}: {}",
            response.text().chars().take(200).collect::<String>()
        ))),
    }
}

/// Joins one participant and waits for its connection; records the outcome in the fleet.
async fn join_one(config: Arc<RunConfig>, fleet: Arc<Fleet>, slot: usize) {
    let meeting = slot as u32 / config.participants_per_meeting;
    let index = slot as u32 % config.participants_per_meeting;
    let result: Result<(), String> = async {
        let token = fetch_token(
            &config.target,
            &config.room(meeting),
            &format!("load {meeting}.{index}"),
        )
        .await
        .map_err(|err| err.to_string())?;
        let mut participant_config = ParticipantConfig::new(config.target.ws_url(), token);
        participant_config.audio = true;
        participant_config.video = config.media.video();
        participant_config.insecure_tls = config.insecure;
        let participant =
            tokio::time::timeout(config.join_timeout, Participant::join(participant_config))
                .await
                .map_err(|_| format!("no joined within {:?}", config.join_timeout))?
                .map_err(|err| format!("join: {err}"))?;
        let participant = Arc::new(participant);
        fleet.lock()[slot].participant = Some(Arc::clone(&participant));
        participant
            .wait_connected(config.join_timeout)
            .await
            .map_err(|err| format!("connect: {err}"))?;
        fleet.lock()[slot].connected_at = Some(Instant::now());
        Ok(())
    }
    .await;
    if let Err(error) = result {
        tracing::debug!(meeting, index, %error, "participant failed");
        fleet.lock()[slot].error = Some(error);
    }
    fleet.finished_joins.fetch_add(1, Ordering::Relaxed);
}

/// Whether `me` receives every expected track from every other connected member of its
/// meeting (first packet; first keyframe for video).
fn receives_everyone(me: &Participant, others: &[Arc<Participant>], kinds: &[MediaKind]) -> bool {
    others.iter().all(|other| {
        kinds.iter().all(|&kind| {
            me.remote_stats(other.id(), kind).is_some_and(|stats| {
                stats.first_packet_at.is_some()
                    && (kind == MediaKind::Audio || stats.first_keyframe_at.is_some())
            })
        })
    })
}

/// Connected members grouped by meeting.
fn connected_by_meeting(fleet: &Fleet) -> HashMap<u32, Vec<(usize, Arc<Participant>)>> {
    let mut meetings: HashMap<u32, Vec<(usize, Arc<Participant>)>> = HashMap::new();
    let members = fleet.lock();
    for (slot, member) in members.iter().enumerate() {
        if let (Some(p), Some(_)) = (&member.participant, member.connected_at) {
            meetings
                .entry(slot as u32 / fleet.per_meeting)
                .or_default()
                .push((slot, Arc::clone(p)));
        }
    }
    meetings
}

/// How many connected participants receive everyone else in their meeting.
fn settled_count(fleet: &Fleet, kinds: &[MediaKind]) -> u32 {
    let mut settled = 0;
    for members in connected_by_meeting(fleet).values() {
        for (slot, me) in members {
            let others: Vec<_> = members
                .iter()
                .filter(|(other, _)| other != slot)
                .map(|(_, p)| Arc::clone(p))
                .collect();
            if receives_everyone(me, &others, kinds) {
                settled += 1;
            }
        }
    }
    settled
}

/// Runs a load test. See the module documentation.
pub async fn run(config: RunConfig, progress: &dyn Progress) -> Result<Report, RunError> {
    config.validate()?;
    let bound = config.max_wall_time();
    tokio::time::timeout(bound, run_inner(config, progress))
        .await
        .map_err(|_| RunError::Overrun(bound))?
}

async fn run_inner(config: RunConfig, progress: &dyn Progress) -> Result<Report, RunError> {
    let config = Arc::new(config);
    let started = Instant::now();
    let started_at_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let total = config.total_participants();
    let kinds = config.media.kinds();

    // Fail fast (and clearly) if the server hands out no tokens.
    fetch_token(&config.target, &config.room(0), "load probe").await?;

    let probe = match config.server_pid {
        Some(pid) => Some(ServerProbe::Proc(pid)),
        None => Some(ServerProbe::Metrics(config.target.clone())),
    };
    let server_baseline = match &probe {
        Some(probe) => probe.read().await,
        None => None,
    };
    let probe = probe.filter(|_| server_baseline.is_some());
    let own_baseline = resources::own_usage();

    let fleet = Arc::new(Fleet {
        per_meeting: config.participants_per_meeting,
        members: Mutex::new((0..total).map(|_| Member::default()).collect()),
        finished_joins: AtomicU64::new(0),
    });
    let (stop_sampling, stop_rx) = watch::channel(false);
    let sampler = tokio::spawn(sample_timeline(
        Arc::clone(&fleet),
        probe.clone(),
        started,
        config.sample_interval,
        stop_rx,
    ));

    // Ramp-up: one join every 1/rate seconds, each in its own task.
    progress.stage(Stage::Joining, u64::from(total));
    let spacing = Duration::from_secs_f64(1.0 / config.ramp_up_per_s);
    let mut joins = Vec::with_capacity(total as usize);
    for slot in 0..total as usize {
        let due = tokio::time::Instant::from_std(started) + spacing * slot as u32;
        tokio::time::sleep_until(due).await;
        joins.push(tokio::spawn(join_one(
            Arc::clone(&config),
            Arc::clone(&fleet),
            slot,
        )));
        progress.update(
            fleet.finished_joins.load(Ordering::Relaxed),
            &format!("{} started, {} connected", slot + 1, fleet.connected()),
        );
    }
    while joins.iter().any(|j| !j.is_finished()) {
        progress.update(
            fleet.finished_joins.load(Ordering::Relaxed),
            &format!("{total} started, {} connected", fleet.connected()),
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for join in joins {
        if let Err(err) = join.await {
            tracing::warn!(%err, "join task failed");
        }
    }

    // Settle: media from everyone to everyone (bounded).
    let connected = fleet.connected();
    progress.stage(Stage::Settling, u64::from(connected));
    let settle_deadline = Instant::now() + config.settle_timeout;
    let media_settled = loop {
        let settled = settled_count(&fleet, kinds);
        progress.update(u64::from(settled), "waiting for media from everyone");
        if settled >= connected {
            break true;
        }
        if Instant::now() >= settle_deadline {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // Steady window.
    progress.stage(Stage::Steady, config.duration.as_secs());
    let window_start = Instant::now();
    let server_w0 = match &probe {
        Some(probe) => probe.read().await,
        None => None,
    };
    let own_w0 = resources::own_usage();
    let snapshots_w0 = snapshot_all(&fleet);
    let window_end_due = window_start + config.duration;
    loop {
        let now = Instant::now();
        if now >= window_end_due {
            break;
        }
        progress.update(
            now.duration_since(window_start).as_secs(),
            &format!("{} connected", fleet.connected()),
        );
        tokio::time::sleep((window_end_due - now).min(Duration::from_millis(250))).await;
    }
    let server_w1 = match &probe {
        Some(probe) => probe.read().await,
        None => None,
    };
    let own_w1 = resources::own_usage();
    let window_end = Instant::now();

    // Stop media, let in-flight packets arrive, then take the final snapshot.
    progress.stage(Stage::Finishing, 2);
    for (_, p) in fleet.live() {
        p.stop_media();
    }
    tokio::time::sleep(DRAIN).await;
    let snapshots_w1 = snapshot_all(&fleet);
    progress.update(1, "leaving");
    let _ = stop_sampling.send(true);
    let (timeline, server_rss_max) = sampler.await.unwrap_or_default();

    let report = build_report(
        &config,
        &fleet,
        started_at_unix,
        Window {
            started,
            start: window_start,
            end: window_end,
            media_settled,
            w0: &snapshots_w0,
            w1: &snapshots_w1,
        },
        Resources {
            source: probe.as_ref().map_or("none", ServerProbe::source),
            server_baseline,
            server_w0,
            server_w1,
            server_rss_max,
            own_baseline,
            own_w0,
            own_w1,
        },
        timeline,
    );

    leave_all(&fleet).await;
    progress.update(2, "done");
    Ok(Report {
        outcome: Outcome {
            total_s: started.elapsed().as_secs_f64(),
            ..report.outcome
        },
        ..report
    })
}

/// Every participant leaves, concurrently, within [`LEAVE`].
async fn leave_all(fleet: &Fleet) {
    let participants: Vec<Arc<Participant>> = fleet
        .lock()
        .iter_mut()
        .filter_map(|m| m.participant.take())
        .collect();
    let leaving = participants.into_iter().map(|p| async move {
        match Arc::try_unwrap(p) {
            Ok(p) => {
                let _ = p.leave().await;
            }
            // Still shared (should not happen once sampling stopped): dropping closes it.
            Err(p) => drop(p),
        }
    });
    let _ = tokio::time::timeout(LEAVE, futures_util::future::join_all(leaving)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_server_without_the_token_endpoint_is_refused_clearly() {
        // A tiny HTTP server that answers 404 to everything.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .await;
            }
        });
        let mut c = RunConfig::new(Target::parse(&format!("http://127.0.0.1:{port}")).unwrap());
        c.duration = Duration::from_secs(1);
        let err = run(c, &NoProgress).await.unwrap_err();
        assert!(matches!(err, RunError::NoTokenEndpoint(_)), "{err}");
        assert!(err.to_string().contains("not in demo mode"), "{err}");
    }
}
