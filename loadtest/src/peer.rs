//! Building the client `PeerConnection` and turning its events into state the participant
//! can wait on.

use crate::error::Result;
use crate::receive::Receivers;
use crate::rtcp_counter::{self, RtcpCounter, RtcpCounters};
use rtc::interceptor::Slot;
use sportello_sfu::codecs;
use sportello_sfu::rtcp_feedback::{self, FeedbackTap};
use sportello_signalling::protocol::IceServer;
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::watch;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceGatheringState, RTCIceServer, RTCPeerConnectionState, Registry, SettingEngineBuilder,
    register_default_interceptors,
};
use webrtc::runtime::TokioRuntime;

/// Connection-level state published by the event handler.
#[derive(Debug, Clone)]
pub(crate) struct PeerEvents {
    pub connection: watch::Receiver<RTCPeerConnectionState>,
    pub gathering: watch::Receiver<RTCIceGatheringState>,
}

struct Handler {
    receivers: Arc<Receivers>,
    connection: watch::Sender<RTCPeerConnectionState>,
    gathering: watch::Sender<RTCIceGatheringState>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        self.gathering.send_replace(state);
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        tracing::debug!(%state, "peer connection state");
        self.connection.send_replace(state);
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        // Runs on the connection's driver: hand off at once.
        tokio::spawn(crate::receive::run_track(
            track,
            Arc::clone(&self.receivers),
        ));
    }
}

/// Builds a client peer connection bound to `bind_ip:0` (loopback candidates allowed, mDNS
/// off), with the client codecs of [`codecs`] (Opus + VP8), the default interceptors, the
/// keyframe-request tap of [`rtcp_feedback`] and the feedback counter.
pub(crate) async fn build(
    bind_ip: IpAddr,
    ice_servers: &[IceServer],
    receivers: Arc<Receivers>,
    rtcp: Arc<RtcpCounters>,
) -> Result<(Arc<dyn PeerConnection>, PeerEvents)> {
    let mut media_engine = codecs::client_media_engine()?;
    let registry = register_default_interceptors(Registry::new(), &mut media_engine)?
        .with(
            Slot::from(rtcp_feedback::SLOT),
            FeedbackTap::keyframe_requests(),
        )
        .with(Slot::from(rtcp_counter::SLOT), RtcpCounter::new(rtcp));

    let settings = SettingEngineBuilder::new()
        .with_include_loopback_candidate(bind_ip.is_loopback())
        .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
        .build();

    let config = RTCConfigurationBuilder::new()
        .with_ice_servers(
            ice_servers
                .iter()
                .map(|server| RTCIceServer {
                    urls: server.urls.clone(),
                    username: server.username.clone().unwrap_or_default(),
                    credential: server.credential.clone().unwrap_or_default(),
                })
                .collect(),
        )
        .build();

    let (connection_tx, connection_rx) = watch::channel(RTCPeerConnectionState::New);
    let (gathering_tx, gathering_rx) = watch::channel(RTCIceGatheringState::New);
    let handler = Arc::new(Handler {
        receivers,
        connection: connection_tx,
        gathering: gathering_tx,
    });

    let pc = PeerConnectionBuilder::new()
        .with_configuration(config)
        .with_media_engine(media_engine)
        .with_interceptor_registry(registry)
        .with_setting_engine(settings)
        .with_runtime(Arc::new(TokioRuntime))
        .with_handler(handler)
        .with_udp_addrs(vec![std::net::SocketAddr::new(bind_ip, 0)])
        .build()
        .await?;
    Ok((
        Arc::new(pc),
        PeerEvents {
            connection: connection_rx,
            gathering: gathering_rx,
        },
    ))
}
