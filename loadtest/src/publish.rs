//! Publishing synthetic Opus and VP8 on local tracks, and counting the keyframe requests the
//! publisher receives.

use crate::clock;
use crate::media::{AudioPacketizer, OPUS_FRAME_DURATION, VideoConfig, Vp8Packetizer};
use rtc::media_stream::MediaStreamTrack;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use sportello_sfu::rtcp_feedback::{KeyframeRequest, classify};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::rtp_transceiver::RtpSender;

/// Counters of what one participant published (atomics, read with [`PublishCounters::snapshot`]).
#[derive(Debug, Default)]
pub(crate) struct PublishCounters {
    audio_packets: AtomicU64,
    audio_bytes: AtomicU64,
    video_packets: AtomicU64,
    video_bytes: AtomicU64,
    video_frames: AtomicU64,
    keyframes: AtomicU64,
    plis: AtomicU64,
    firs: AtomicU64,
    write_errors: AtomicU64,
    /// Set by a PLI/FIR, cleared by the next frame (which is then a keyframe).
    keyframe_requested: AtomicBool,
    /// Set by [`PublishCounters::stop`]: the publishing loops end at their next tick.
    stopped: AtomicBool,
}

/// What one participant published so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishStats {
    /// Opus packets sent.
    pub audio_packets: u64,
    /// Opus payload bytes sent.
    pub audio_bytes: u64,
    /// VP8 packets sent.
    pub video_packets: u64,
    /// VP8 payload bytes sent.
    pub video_bytes: u64,
    /// VP8 frames sent.
    pub video_frames: u64,
    /// Keyframes sent (periodic and requested).
    pub keyframes: u64,
    /// PLIs received as publisher.
    pub plis_received: u64,
    /// FIRs received as publisher.
    pub firs_received: u64,
    /// `write_rtp` failures.
    pub write_errors: u64,
}

impl PublishCounters {
    /// Makes the publishing loops end at their next tick.
    pub(crate) fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    pub(crate) fn snapshot(&self) -> PublishStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        PublishStats {
            audio_packets: get(&self.audio_packets),
            audio_bytes: get(&self.audio_bytes),
            video_packets: get(&self.video_packets),
            video_bytes: get(&self.video_bytes),
            video_frames: get(&self.video_frames),
            keyframes: get(&self.keyframes),
            plis_received: get(&self.plis),
            firs_received: get(&self.firs),
            write_errors: get(&self.write_errors),
        }
    }
}

/// A local track we publish on, with the SSRC we chose for it.
#[derive(Clone)]
pub(crate) struct LocalTrack {
    pub track: Arc<TrackLocalStaticRTP>,
    pub ssrc: u32,
}

/// A random-enough `u64` without a `rand` dependency.
pub(crate) fn random_u64() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(clock::mono_micros())
}

/// Creates a local track; its stream id is a placeholder (the server names streams by
/// participant id), its track id is unique so RTCP routing by track id cannot collide with a
/// remote track's.
pub(crate) fn local_track(kind: RtpCodecKind, codec: RTCRtpCodec) -> LocalTrack {
    let ssrc = (random_u64() as u32).max(1);
    let unique = random_u64();
    let name = match kind {
        RtpCodecKind::Video => "video",
        _ => "audio",
    };
    let track = TrackLocalStaticRTP::new(MediaStreamTrack::new(
        format!("loadtest-{unique:016x}"),
        format!("{name}-{unique:016x}"),
        format!("synthetic {name}"),
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            active: true,
            codec,
            ..Default::default()
        }],
    ));
    LocalTrack {
        track: Arc::new(track),
        ssrc,
    }
}

/// The payload type the answer negotiated for this sender.
async fn negotiated_payload_type(sender: &Arc<dyn RtpSender>) -> Option<u8> {
    let parameters = sender.get_parameters().await.ok()?;
    parameters
        .rtp_parameters
        .codecs
        .first()
        .map(|codec| codec.payload_type)
}

/// Waits until `ready` is true; false if its sender is gone.
async fn wait_ready(ready: &mut watch::Receiver<bool>) -> bool {
    ready.wait_for(|ready| *ready).await.is_ok()
}

/// Sends Opus every 20 ms once `ready` (connected and negotiated).
pub(crate) async fn run_audio(
    local: LocalTrack,
    sender: Arc<dyn RtpSender>,
    mut ready: watch::Receiver<bool>,
    counters: Arc<PublishCounters>,
) {
    if !wait_ready(&mut ready).await {
        return;
    }
    let Some(payload_type) = negotiated_payload_type(&sender).await else {
        tracing::warn!("audio sender has no negotiated codec; not sending");
        return;
    };
    let seed = random_u64();
    let mut packetizer =
        AudioPacketizer::new(local.ssrc, payload_type, seed as u16, (seed >> 16) as u32);
    let mut ticker = tokio::time::interval(OPUS_FRAME_DURATION);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if counters.stopped() {
            return;
        }
        let packet = packetizer.next_packet(clock::mono_micros());
        let len = packet.payload.len() as u64;
        match local.track.write_rtp(packet).await {
            Ok(()) => {
                counters.audio_packets.fetch_add(1, Ordering::Relaxed);
                counters.audio_bytes.fetch_add(len, Ordering::Relaxed);
            }
            Err(err) => {
                if counters.write_errors.fetch_add(1, Ordering::Relaxed) == 0 {
                    tracing::warn!(%err, "audio write_rtp failed");
                }
            }
        }
    }
}

/// Sends VP8 frames at the configured rate once `ready`; a keyframe follows each PLI/FIR.
pub(crate) async fn run_video(
    local: LocalTrack,
    sender: Arc<dyn RtpSender>,
    config: VideoConfig,
    mut ready: watch::Receiver<bool>,
    counters: Arc<PublishCounters>,
) {
    if !wait_ready(&mut ready).await {
        return;
    }
    let Some(payload_type) = negotiated_payload_type(&sender).await else {
        tracing::warn!("video sender has no negotiated codec; not sending");
        return;
    };
    let seed = random_u64();
    let mut packetizer = Vp8Packetizer::new(
        config,
        local.ssrc,
        payload_type,
        seed as u16,
        (seed >> 16) as u32,
    );
    let mut ticker = tokio::time::interval(config.frame_interval());
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut packets = Vec::new();
    loop {
        ticker.tick().await;
        if counters.stopped() {
            return;
        }
        let force = counters.keyframe_requested.swap(false, Ordering::Relaxed);
        packets.clear();
        let keyframe = packetizer.next_frame(clock::mono_micros(), force, &mut packets);
        counters.video_frames.fetch_add(1, Ordering::Relaxed);
        if keyframe {
            counters.keyframes.fetch_add(1, Ordering::Relaxed);
        }
        for packet in packets.drain(..) {
            let len = packet.payload.len() as u64;
            match local.track.write_rtp(packet).await {
                Ok(()) => {
                    counters.video_packets.fetch_add(1, Ordering::Relaxed);
                    counters.video_bytes.fetch_add(len, Ordering::Relaxed);
                }
                Err(err) => {
                    if counters.write_errors.fetch_add(1, Ordering::Relaxed) == 0 {
                        tracing::warn!(%err, "video write_rtp failed");
                    }
                }
            }
        }
    }
}

/// Counts PLI/FIR arriving for our video track and requests a keyframe for each.
///
/// `TrackLocalStaticRTP::poll` holds the track's event lock while waiting, which `unbind`
/// also takes: abort this task before closing the connection.
pub(crate) async fn run_feedback(track: Arc<TrackLocalStaticRTP>, counters: Arc<PublishCounters>) {
    loop {
        match track.poll().await {
            Some(TrackLocalEvent::OnRtcpPacket(packets)) => {
                for packet in &packets {
                    match classify(packet.as_ref()) {
                        Some(KeyframeRequest::Pli) => {
                            counters.plis.fetch_add(1, Ordering::Relaxed);
                            counters.keyframe_requested.store(true, Ordering::Relaxed);
                        }
                        Some(KeyframeRequest::Fir) => {
                            counters.firs.fetch_add(1, Ordering::Relaxed);
                            counters.keyframe_requested.store(true, Ordering::Relaxed);
                        }
                        None => {}
                    }
                }
            }
            Some(_) => {}
            // Not bound (yet, or any more): look again shortly.
            None => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
