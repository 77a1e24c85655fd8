//! One participant: its `RTCPeerConnection` and the SFU state around it.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rand::Rng;
use rtc::interceptor::{Registry, Slot};
use rtc::peer_connection::RTCPeerConnection;
use rtc::peer_connection::RTCPeerConnectionBuilder;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::media_engine::{
    MIME_TYPE_H264, MIME_TYPE_OPUS, MIME_TYPE_VP8, MediaEngine,
};
use rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use rtc::peer_connection::transport::{CandidateConfig, CandidateHostConfig, RTCIceCandidate};
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RtpCodecKind,
};
use rtc::rtp_transceiver::{RTCRtpReceiverId, RTCRtpSenderId};
use tokio::sync::mpsc;

use crate::forward::{CodecRef, PayloadMap, PliThrottle, SubscribeKeyframe};
use crate::{ParticipantId, SfuError, SfuEvent};

/// A track received from this participant.
#[derive(Debug)]
pub(crate) struct Published {
    /// Engine-wide unique key; legs refer to their source by it.
    pub key: u64,
    /// The receiver track id inside this participant's connection.
    pub track_id: String,
    pub receiver_id: RTCRtpReceiverId,
    pub ssrc: u32,
    pub kind: RtpCodecKind,
    /// The codec the publisher sends (used for the legs' tracks).
    pub codec: RTCRtpCodec,
    /// Payload types negotiated on the publisher's receiver: (pt, mime, fmtp).
    pub codecs: Vec<(u8, String, String)>,
    /// Track id used on subscriber legs, e.g. `"alice-video"`.
    pub out_track_id: String,
    pub pli: PliThrottle,
}

/// A sending leg on this participant's connection, carrying another participant's track.
#[derive(Debug)]
pub(crate) struct Leg {
    pub publisher: ParticipantId,
    pub source_key: u64,
    pub sender_id: RTCRtpSenderId,
    pub ssrc: u32,
    /// Included in a server offer (so the next answer negotiates it).
    pub offered: bool,
    pub keyframe: SubscribeKeyframe,
    pub map: PayloadMap,
}

/// A participant.
pub(crate) struct Peer {
    pub room: String,
    pub label: String,
    pub pc: RTCPeerConnection,
    pub events: mpsc::Sender<SfuEvent>,
    pub published: Vec<Published>,
    pub legs: Vec<Leg>,
    /// A server offer is out and its answer has not arrived.
    pub server_offer_pending: bool,
    /// Legs changed since the last server offer.
    pub needs_renegotiation: bool,
    /// The first client offer has been answered (the transport exists).
    pub initialized: bool,
    /// The host candidates have been added to the connection.
    pub candidates_added: bool,
    pub connected: bool,
    pub failed: bool,
    /// Cached `pc.poll_timeout()`.
    pub next_timeout: Option<Instant>,
    /// Queued for draining.
    pub dirty: bool,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("room", &self.room)
            .field("label", &self.label)
            .field("published", &self.published.len())
            .field("legs", &self.legs.len())
            .finish_non_exhaustive()
    }
}

impl Peer {
    /// Sends an event to the participant's signalling; never blocks (a full queue drops it).
    pub fn emit(&self, event: SfuEvent) {
        if self.events.try_send(event).is_err() {
            tracing::debug!(label = %self.label, "event queue full or closed; event dropped");
        }
    }

    /// Recomputes every leg's payload map from its negotiated sender parameters and the
    /// publisher's codecs (passed as `codecs_of(source_key)`).
    pub fn leg_map(&mut self, leg_index: usize, publisher_codecs: &[(u8, String, String)]) {
        let sender_id = self.legs[leg_index].sender_id;
        let Some(mut sender) = self.pc.rtp_sender(sender_id) else {
            return;
        };
        let params = sender.get_parameters();
        let sub: Vec<CodecRef<'_>> = params
            .rtp_parameters
            .codecs
            .iter()
            .map(|c| CodecRef {
                payload_type: c.payload_type,
                mime_type: &c.rtp_codec.mime_type,
                fmtp: &c.rtp_codec.sdp_fmtp_line,
            })
            .collect();
        let publ: Vec<CodecRef<'_>> = publisher_codecs
            .iter()
            .map(|(pt, m, f)| CodecRef {
                payload_type: *pt,
                mime_type: m,
                fmtp: f,
            })
            .collect();
        let map = PayloadMap::build(&publ, &sub);
        self.legs[leg_index].map = map;
    }
}

/// Random ICE credentials: ufrag of 16 and password of 32 alphanumerics (RFC 8839 minimums are
/// 4 and 22).
pub(crate) fn ice_credentials() -> (String, String) {
    let mut rng = rand::rng();
    let mut gen_str = |n: usize| -> String {
        (0..n)
            .map(|_| rng.sample(rand::distr::Alphanumeric) as char)
            .collect()
    };
    (gen_str(16), gen_str(32))
}

fn video_feedback() -> Vec<RTCPFeedback> {
    vec![
        RTCPFeedback {
            typ: "ccm".to_owned(),
            parameter: "fir".to_owned(),
        },
        RTCPFeedback {
            typ: "nack".to_owned(),
            parameter: "".to_owned(),
        },
        RTCPFeedback {
            typ: "nack".to_owned(),
            parameter: "pli".to_owned(),
        },
    ]
}

/// The codecs the SFU accepts and forwards: Opus, VP8, H.264 (constrained baseline, both common
/// profile-level-ids, packetization-mode 1). No RTX: retransmissions are answered from the
/// NACK responder's buffer on the original SSRC.
fn media_engine() -> Result<MediaEngine, SfuError> {
    let mut me = MediaEngine::default();
    let internal = |e: rtc::shared::error::Error| SfuError::Internal(e.to_string());
    me.register_codec(
        RTCRtpCodecParameters {
            rtp_codec: RTCRtpCodec {
                mime_type: MIME_TYPE_OPUS.to_owned(),
                clock_rate: 48000,
                channels: 2,
                sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
                rtcp_feedback: vec![],
            },
            payload_type: 111,
        },
        RtpCodecKind::Audio,
    )
    .map_err(internal)?;
    let video = [
        (96u8, MIME_TYPE_VP8, ""),
        (
            102,
            MIME_TYPE_H264,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
        ),
        (
            106,
            MIME_TYPE_H264,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
        ),
    ];
    for (pt, mime, fmtp) in video {
        me.register_codec(
            RTCRtpCodecParameters {
                rtp_codec: RTCRtpCodec {
                    mime_type: mime.to_owned(),
                    clock_rate: 90000,
                    channels: 0,
                    sdp_fmtp_line: fmtp.to_owned(),
                    rtcp_feedback: video_feedback(),
                },
                payload_type: pt,
            },
            RtpCodecKind::Video,
        )
        .map_err(internal)?;
    }
    Ok(me)
}

/// ICE timeouts: disconnected after 4 s without checks, failed after 8 s; keepalive 2 s.
const ICE_DISCONNECTED: Duration = Duration::from_secs(4);
const ICE_FAILED: Duration = Duration::from_secs(8);
const ICE_KEEPALIVE: Duration = Duration::from_secs(2);

/// Builds a server-side connection: ICE-lite with the given credentials, default interceptors
/// (NACK generator/responder, RR/SR, TWCC receiver) plus the feedback tap.
pub(crate) fn build_connection(
    now: Instant,
    ufrag: String,
    pwd: String,
) -> Result<RTCPeerConnection, SfuError> {
    let internal = |e: rtc::shared::error::Error| SfuError::Internal(e.to_string());
    let mut me = media_engine()?;
    let registry = Registry::new().with(Slot::from(14_000), crate::tap::FeedbackTap::default());
    let registry = register_default_interceptors(registry, &mut me).map_err(internal)?;
    let se = SettingEngineBuilder::new()
        .with_lite(true)
        .with_ice_credentials(ufrag, pwd)
        .with_ice_timeouts(
            Some(ICE_DISCONNECTED),
            Some(ICE_FAILED),
            Some(ICE_KEEPALIVE),
        )
        .build();
    RTCPeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_setting_engine(se)
        .with_media_engine(me)
        .with_interceptor_registry(registry)
        .build(now)
        .map_err(internal)
}

/// Adds one host candidate per announced IP, all on the shared socket's port.
pub(crate) fn add_host_candidates(
    pc: &mut RTCPeerConnection,
    announce: &[IpAddr],
    port: u16,
) -> Result<(), SfuError> {
    let internal = |e: rtc::shared::error::Error| SfuError::Internal(e.to_string());
    for ip in announce {
        let candidate = CandidateHostConfig {
            base_config: CandidateConfig {
                network: "udp".to_owned(),
                address: ip.to_string(),
                port,
                component: 1,
                ..Default::default()
            },
            ..Default::default()
        }
        .new_candidate_host()
        .map_err(internal)?;
        let init = RTCIceCandidate::from(&candidate)
            .to_json()
            .map_err(internal)?;
        pc.add_local_candidate(init).map_err(internal)?;
    }
    Ok(())
}

/// The address the ICE agent must see as `local_addr` of every datagram: the first host
/// candidate's address (the agent matches inbound datagrams to local candidates by address).
pub(crate) fn candidate_addr(announce: &[IpAddr], bound: SocketAddr) -> SocketAddr {
    SocketAddr::new(
        announce.first().copied().unwrap_or(bound.ip()),
        bound.port(),
    )
}
