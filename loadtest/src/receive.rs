//! Remote tracks: one task per track reads its packets into [`TrackStats`], keyed by
//! publisher (the stream id, which the server sets to the publisher's participant id) and kind.

use crate::clock;
use crate::error::{ClientError, Result};
use crate::media;
use crate::stats::TrackStats;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use sportello_signalling::protocol::MediaKind;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

/// Identifies a received track.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemoteTrackKey {
    /// The publisher's participant id (the track's stream id).
    pub publisher: String,
    /// Audio or video.
    pub kind: MediaKind,
}

/// One received track: its stats (locked per packet, uncontended except while snapshotting)
/// and what is needed to send feedback for it.
struct RemoteTrack {
    stats: Mutex<TrackStats>,
    track: Arc<dyn TrackRemote>,
    media_ssrc: AtomicU32,
    ended: AtomicBool,
}

/// All tracks received by one participant.
#[derive(Default)]
pub(crate) struct Receivers {
    tracks: Mutex<HashMap<RemoteTrackKey, Arc<RemoteTrack>>>,
    /// PLIs this participant sent.
    pub(crate) plis_sent: AtomicU64,
}

impl std::fmt::Debug for Receivers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receivers").finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Stats stay usable even if a task panicked while holding the lock.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Receivers {
    /// A copy of every track's stats.
    pub(crate) fn snapshot(&self) -> HashMap<RemoteTrackKey, TrackStats> {
        lock(&self.tracks)
            .iter()
            .map(|(key, track)| (key.clone(), lock(&track.stats).clone()))
            .collect()
    }

    /// A copy of one track's stats.
    pub(crate) fn get(&self, publisher: &str, kind: MediaKind) -> Option<TrackStats> {
        let key = RemoteTrackKey {
            publisher: publisher.to_owned(),
            kind,
        };
        let track = lock(&self.tracks).get(&key).cloned()?;
        let stats = lock(&track.stats).clone();
        Some(stats)
    }

    /// Whether the server ended this track (e.g. the publisher left).
    pub(crate) fn ended(&self, publisher: &str, kind: MediaKind) -> Option<bool> {
        let key = RemoteTrackKey {
            publisher: publisher.to_owned(),
            kind,
        };
        lock(&self.tracks)
            .get(&key)
            .map(|track| track.ended.load(Ordering::Relaxed))
    }

    /// Sends a PLI for `publisher`'s video track.
    pub(crate) async fn send_pli(&self, publisher: &str, sender_ssrc: u32) -> Result<()> {
        let key = RemoteTrackKey {
            publisher: publisher.to_owned(),
            kind: MediaKind::Video,
        };
        let track = lock(&self.tracks)
            .get(&key)
            .cloned()
            .ok_or_else(|| ClientError::Unexpected(format!("no video track from {publisher}")))?;
        let mut media_ssrc = track.media_ssrc.load(Ordering::Relaxed);
        if media_ssrc == 0 {
            media_ssrc = track.track.ssrcs().await.first().copied().unwrap_or(0);
        }
        track
            .track
            .write_rtcp(vec![Box::new(PictureLossIndication {
                sender_ssrc,
                media_ssrc,
            })])
            .await?;
        self.plis_sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn media_kind(kind: RtpCodecKind) -> Option<MediaKind> {
    match kind {
        RtpCodecKind::Audio => Some(MediaKind::Audio),
        RtpCodecKind::Video => Some(MediaKind::Video),
        _ => None,
    }
}

/// Reads one remote track until it ends.
pub(crate) async fn run_track(track: Arc<dyn TrackRemote>, receivers: Arc<Receivers>) {
    let publisher = track.stream_id().await;
    let Some(kind) = media_kind(track.kind().await) else {
        tracing::warn!(%publisher, "remote track of unknown kind, ignored");
        return;
    };
    let track_id = track.track_id().await;
    tracing::debug!(%publisher, ?kind, %track_id, "remote track");
    let remote = Arc::new(RemoteTrack {
        stats: Mutex::new(TrackStats::with_clock_rate(media::clock_rate(kind))),
        track: Arc::clone(&track),
        media_ssrc: AtomicU32::new(0),
        ended: AtomicBool::new(false),
    });
    // A newer track of the same publisher and kind replaces the older one.
    lock(&receivers.tracks).insert(
        RemoteTrackKey {
            publisher: publisher.clone(),
            kind,
        },
        Arc::clone(&remote),
    );

    while let Some(event) = track.poll().await {
        match event {
            TrackRemoteEvent::OnRtpPacket(packet) => {
                let now = Instant::now();
                let keyframe = kind == MediaKind::Video
                    && media::parse_vp8(&packet.payload).is_some_and(|info| info.keyframe);
                let latency = media::send_time_us(kind, &packet.payload)
                    .map(|sent| clock::micros_at(now).saturating_sub(sent));
                remote
                    .media_ssrc
                    .store(packet.header.ssrc, Ordering::Relaxed);
                lock(&remote.stats).record(
                    now,
                    packet.header.sequence_number,
                    packet.header.timestamp,
                    packet.payload.len(),
                    keyframe,
                    latency,
                );
            }
            TrackRemoteEvent::OnEnded | TrackRemoteEvent::OnError => break,
            _ => {}
        }
    }
    remote.ended.store(true, Ordering::Relaxed);
    tracing::debug!(%publisher, ?kind, "remote track ended");
}
