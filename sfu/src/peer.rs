//! One participant: its `RTCPeerConnection` and the SFU state around it.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rtc::interceptor::{Registry, Slot};
use rtc::peer_connection::RTCPeerConnection;
use rtc::peer_connection::RTCPeerConnectionBuilder;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use rtc::peer_connection::transport::{CandidateConfig, CandidateHostConfig, RTCIceCandidate};
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RtpCodecKind};
use rtc::rtp_transceiver::{RTCRtpReceiverId, RTCRtpSenderId};

use crate::forward::{CodecRef, PayloadMap, PliThrottle, SubscribeKeyframe};
use crate::rtcp_feedback::{self, FeedbackTap};
use crate::{ParticipantId, SfuError, codecs};

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

/// How far a participant's connection has come. Each stage implies the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    /// Joined; no client offer applied yet.
    Joined,
    /// A client offer was applied and the host candidates added to the connection.
    CandidatesAdded,
    /// The first client offer has been answered (the transport exists; legs may be added).
    Answered,
    /// ICE and DTLS are up.
    Connected,
}

/// A participant's connection state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeerState {
    /// Working, at this stage.
    Live(Stage),
    /// Failed, timed out or closed by the client, after reaching this stage. Final.
    Failed(Stage),
}

impl PeerState {
    /// The stage reached, failed or not.
    pub fn stage(self) -> Stage {
        match self {
            Self::Live(s) | Self::Failed(s) => s,
        }
    }

    /// The first client offer has been answered.
    pub fn answered(self) -> bool {
        self.stage() >= Stage::Answered
    }

    /// ICE and DTLS came up (and may have failed since).
    pub fn connected(self) -> bool {
        self.stage() >= Stage::Connected
    }

    pub fn failed(self) -> bool {
        matches!(self, Self::Failed(_))
    }

    /// Moves to `stage` if that is further; a failed connection stays failed.
    pub fn advance(&mut self, stage: Stage) {
        match self {
            Self::Live(s) | Self::Failed(s) => *s = (*s).max(stage),
        }
    }

    pub fn fail(&mut self) {
        *self = Self::Failed(self.stage());
    }
}

/// Server-initiated renegotiation of a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Renegotiation {
    /// Nothing to offer, no offer out.
    Idle,
    /// Legs changed since the last server offer: offer when possible.
    Needed,
    /// A server offer is out and its answer has not arrived.
    Pending,
    /// A server offer is out, and legs changed again since it was made.
    PendingAndNeeded,
}

impl Renegotiation {
    /// A server offer is out.
    pub fn pending(self) -> bool {
        matches!(self, Self::Pending | Self::PendingAndNeeded)
    }

    /// Legs changed since the last server offer.
    pub fn needed(self) -> bool {
        matches!(self, Self::Needed | Self::PendingAndNeeded)
    }

    /// Legs changed.
    pub fn legs_changed(&mut self) {
        *self = if self.pending() {
            Self::PendingAndNeeded
        } else {
            Self::Needed
        };
    }

    /// The answer to the pending offer was applied.
    pub fn answered(&mut self) {
        *self = if self.needed() {
            Self::Needed
        } else {
            Self::Idle
        };
    }
}

/// A participant.
pub(crate) struct Peer {
    pub room: String,
    pub label: String,
    pub pc: RTCPeerConnection,
    pub published: Vec<Published>,
    pub legs: Vec<Leg>,
    /// Mids of the media sections this participant's own offers added (see
    /// [`crate::SfuConfig::max_client_sections`]).
    pub client_mids: HashSet<String>,
    pub state: PeerState,
    pub renegotiation: Renegotiation,
    /// Cached `pc.poll_timeout()`.
    pub next_timeout: Option<Instant>,
    /// In the engine's queue of connections to drain.
    pub queued: bool,
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
    let mut me = codecs::server_media_engine().map_err(internal)?;
    let registry = Registry::new().with(
        Slot::from(rtcp_feedback::SLOT),
        FeedbackTap::keyframe_requests_and_nacks(),
    );
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
