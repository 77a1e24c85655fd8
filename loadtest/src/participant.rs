//! One synthetic participant: signalling + one `webrtc` PeerConnection + synthetic media +
//! receive statistics.

use crate::error::{ClientError, Result};
use crate::media::VideoConfig;
use crate::negotiate::{Negotiator, Room};
use crate::peer;
use crate::publish::{self, PublishCounters, PublishStats};
use crate::receive::{Receivers, RemoteTrackKey};
use crate::rtcp_counter::{FeedbackStats, RtcpCounters};
use crate::signal::{Joined, SignalClient, SignalSender};
use crate::stats::TrackStats;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use sportello_signalling::protocol::{ClientMessage, ErrorCode, MediaKind, ParticipantInfo};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::peer_connection::{PeerConnection, RTCPeerConnectionState};

/// Direction of the participant's own audio/video transceivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Publish and (on the same m-lines) accept media.
    #[default]
    SendRecv,
    /// Publish only.
    SendOnly,
}

/// How a participant joins and what it publishes.
#[derive(Debug, Clone)]
pub struct ParticipantConfig {
    /// `ws://host:port/v1/signal`.
    pub ws_url: String,
    /// The signed meeting token.
    pub token: String,
    /// Publish synthetic Opus.
    pub audio: bool,
    /// Publish synthetic VP8 with this shape (`None`: no video).
    pub video: Option<VideoConfig>,
    /// Direction of our own transceivers.
    pub direction: Direction,
    /// Local address to bind the media socket to (port 0). Loopback candidates are enabled when
    /// this is a loopback address.
    pub bind_ip: IpAddr,
    /// Longest wait for ICE gathering before sending an offer.
    pub gather_timeout: Duration,
    /// Accept any certificate on `wss://` (the server's development certificate).
    pub insecure_tls: bool,
}

impl ParticipantConfig {
    /// Audio + 300 kbit/s 15 fps video, sendrecv, bound to 127.0.0.1.
    pub fn new(ws_url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            ws_url: ws_url.into(),
            token: token.into(),
            audio: true,
            video: Some(VideoConfig::default()),
            direction: Direction::SendRecv,
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            gather_timeout: Duration::from_secs(2),
            insecure_tls: false,
        }
    }
}

/// A joined participant. Dropping it stops its tasks; [`Participant::leave`] leaves politely.
pub struct Participant {
    joined: Joined,
    pc: Arc<dyn PeerConnection>,
    signal: SignalSender,
    receivers: Arc<Receivers>,
    counters: Arc<PublishCounters>,
    rtcp: Arc<RtcpCounters>,
    room: Arc<Room>,
    started_at: Instant,
    joined_at: Instant,
    connection: watch::Receiver<RTCPeerConnectionState>,
    negotiated: watch::Receiver<bool>,
    feedback_ssrc: u32,
    tasks: Vec<JoinHandle<()>>,
    closed: bool,
}

impl std::fmt::Debug for Participant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Participant")
            .field("id", &self.joined.participant_id)
            .field("room", &self.joined.room)
            .finish_non_exhaustive()
    }
}

impl Participant {
    /// Connects, joins with the token, sets up the peer connection and sends the first offer.
    /// Returns once `joined` arrived; media starts when the connection is up (see
    /// [`Participant::wait_connected`]).
    pub async fn join(config: ParticipantConfig) -> Result<Self> {
        let started_at = Instant::now();
        let mut signal = SignalClient::connect_with(&config.ws_url, config.insecure_tls).await?;
        let joined = signal.join(&config.token).await?;
        let joined_at = Instant::now();
        let (signal, incoming) = signal.into_parts();

        let receivers = Arc::new(Receivers::default());
        let counters = Arc::new(PublishCounters::default());
        let rtcp = Arc::new(RtcpCounters::default());
        let (pc, events) = peer::build(
            config.bind_ip,
            &joined.ice_servers,
            Arc::clone(&receivers),
            Arc::clone(&rtcp),
        )
        .await?;

        let direction = match config.direction {
            Direction::SendRecv => RTCRtpTransceiverDirection::Sendrecv,
            Direction::SendOnly => RTCRtpTransceiverDirection::Sendonly,
        };
        let (ready_tx, ready_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let mut feedback_ssrc = 1;

        if config.audio {
            let local = publish::local_track(RtpCodecKind::Audio, sportello_sfu::codecs::opus());
            let sender = add_sender(&pc, &local.track, direction).await?;
            tasks.push(tokio::spawn(publish::run_audio(
                local,
                sender,
                ready_rx.clone(),
                Arc::clone(&counters),
            )));
        }
        if let Some(video) = config.video {
            let local = publish::local_track(RtpCodecKind::Video, sportello_sfu::codecs::vp8());
            feedback_ssrc = local.ssrc;
            let sender = add_sender(&pc, &local.track, direction).await?;
            tasks.push(tokio::spawn(publish::run_feedback(
                Arc::clone(&local.track),
                Arc::clone(&counters),
            )));
            tasks.push(tokio::spawn(publish::run_video(
                local,
                sender,
                video,
                ready_rx.clone(),
                Arc::clone(&counters),
            )));
        }
        if !config.audio && config.video.is_none() {
            // Nothing to publish: still offer something to negotiate a transport on.
            for kind in [RtpCodecKind::Audio, RtpCodecKind::Video] {
                pc.add_transceiver_from_kind(
                    kind,
                    Some(RTCRtpTransceiverInit {
                        direction: RTCRtpTransceiverDirection::Recvonly,
                        streams: vec![],
                        send_encodings: vec![],
                    }),
                )
                .await?;
            }
        }

        let room = Arc::new(Room::new(&joined.participants));
        let (negotiated_tx, negotiated_rx) = watch::channel(false);
        tasks.push(tokio::spawn(
            Negotiator {
                pc: Arc::clone(&pc),
                signal: signal.clone(),
                incoming,
                gathering: events.gathering.clone(),
                gather_timeout: config.gather_timeout,
                room: Arc::clone(&room),
                negotiated: negotiated_tx,
            }
            .run(),
        ));
        // Media starts once negotiated and connected.
        {
            let mut negotiated = negotiated_rx.clone();
            let mut connection = events.connection.clone();
            tasks.push(tokio::spawn(async move {
                if negotiated.wait_for(|done| *done).await.is_ok()
                    && connection
                        .wait_for(|state| *state == RTCPeerConnectionState::Connected)
                        .await
                        .is_ok()
                {
                    ready_tx.send_replace(true);
                }
            }));
        }

        Ok(Self {
            joined,
            pc,
            signal,
            receivers,
            counters,
            rtcp,
            room,
            started_at,
            joined_at,
            connection: events.connection,
            negotiated: negotiated_rx,
            feedback_ssrc,
            tasks,
            closed: false,
        })
    }

    /// Our participant id.
    pub fn id(&self) -> &str {
        &self.joined.participant_id
    }

    /// The `joined` message.
    pub fn joined(&self) -> &Joined {
        &self.joined
    }

    /// When [`Participant::join`] was called (before the WebSocket connected).
    pub fn started_at(&self) -> Instant {
        self.started_at
    }

    /// When the `joined` message arrived.
    pub fn joined_at(&self) -> Instant {
        self.joined_at
    }

    /// The underlying peer connection.
    pub fn peer_connection(&self) -> &Arc<dyn PeerConnection> {
        &self.pc
    }

    /// The current connection state.
    pub fn connection_state(&self) -> RTCPeerConnectionState {
        *self.connection.borrow()
    }

    /// Waits until the first answer is applied and the connection is `Connected`.
    pub async fn wait_connected(&self, timeout: Duration) -> Result<()> {
        let mut negotiated = self.negotiated.clone();
        let mut connection = self.connection.clone();
        tokio::time::timeout(timeout, async {
            negotiated
                .wait_for(|done| *done)
                .await
                .map_err(|_| ClientError::Closed)?;
            let state = connection
                .wait_for(|state| {
                    matches!(
                        state,
                        RTCPeerConnectionState::Connected
                            | RTCPeerConnectionState::Failed
                            | RTCPeerConnectionState::Closed
                    )
                })
                .await
                .map_err(|_| ClientError::Closed)?;
            match *state {
                RTCPeerConnectionState::Connected => Ok(()),
                other => Err(ClientError::Unexpected(format!("connection {other}"))),
            }
        })
        .await
        .map_err(|_| ClientError::Timeout("connection"))?
    }

    /// Stats of the track `publisher` sends us, if it arrived.
    pub fn remote_stats(&self, publisher: &str, kind: MediaKind) -> Option<TrackStats> {
        self.receivers.get(publisher, kind)
    }

    /// Stats of every track received so far.
    pub fn all_remote_stats(&self) -> HashMap<RemoteTrackKey, TrackStats> {
        self.receivers.snapshot()
    }

    /// Whether the remote track ended (`None`: never received).
    pub fn remote_track_ended(&self, publisher: &str, kind: MediaKind) -> Option<bool> {
        self.receivers.ended(publisher, kind)
    }

    /// What we published, including PLIs/FIRs received as publisher.
    pub fn publish_stats(&self) -> PublishStats {
        self.counters.snapshot()
    }

    /// NACK/PLI/FIR sent and received on the wire (including those the interceptors make and
    /// answer by themselves).
    pub fn feedback_stats(&self) -> FeedbackStats {
        self.rtcp.snapshot()
    }

    /// Stops publishing: the audio and video senders send nothing more (the connection and the
    /// receiving side stay up). Used to drain in-flight packets before final statistics.
    pub fn stop_media(&self) {
        self.counters.stop();
    }

    /// PLIs we sent with [`Participant::send_pli`].
    pub fn plis_sent(&self) -> u64 {
        self.receivers
            .plis_sent
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends a PLI for `publisher`'s video track (fails if we do not receive it).
    pub async fn send_pli(&self, publisher: &str) -> Result<()> {
        self.receivers.send_pli(publisher, self.feedback_ssrc).await
    }

    /// Others in the room, as the signalling told us.
    pub fn participants(&self) -> Vec<ParticipantInfo> {
        self.room
            .with(|room| room.participants.values().cloned().collect())
    }

    /// `error` messages from the server, and client-side signalling failures (as `Internal`).
    pub fn errors(&self) -> Vec<(ErrorCode, String)> {
        self.room.with(|room| room.errors.clone())
    }

    /// Server-initiated offers answered so far.
    pub fn server_offers(&self) -> u64 {
        self.room.with(|room| room.server_offers)
    }

    /// Sends a raw message on the signalling connection.
    pub async fn send(&self, message: ClientMessage) -> Result<()> {
        self.signal.send(message).await
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        what: &'static str,
        mut condition: impl FnMut(&Self) -> bool,
    ) -> Result<()> {
        tokio::time::timeout(timeout, async {
            while !condition(self) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .map_err(|_| ClientError::Timeout(what))
    }

    /// Sends `leave`, waits (≤ 2 s) for `left`, stops media and closes the peer connection.
    pub async fn leave(mut self) -> Result<()> {
        let sent = self.signal.send(ClientMessage::Leave).await;
        let confirmed = if sent.is_ok() {
            self.wait_until(Duration::from_secs(2), "left", |p| {
                p.room.with(|room| room.left)
            })
            .await
        } else {
            sent
        };
        self.stop().await;
        confirmed
    }

    /// Stops media and closes the peer connection without telling the server.
    pub async fn close(mut self) {
        self.stop().await;
    }

    async fn stop(&mut self) {
        // Abort first: the feedback task holds a lock that closing the connection needs.
        for task in self.tasks.drain(..) {
            task.abort();
        }
        if let Err(err) = tokio::time::timeout(Duration::from_secs(2), self.pc.close())
            .await
            .unwrap_or(Ok(()))
        {
            tracing::debug!(%err, "closing the peer connection");
        }
        self.closed = true;
    }
}

impl Drop for Participant {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        for task in &self.tasks {
            task.abort();
        }
        // The connection's driver runs on as a detached task unless closed.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let pc = Arc::clone(&self.pc);
            runtime.spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(2), pc.close()).await;
            });
        }
    }
}

async fn add_sender(
    pc: &Arc<dyn PeerConnection>,
    track: &Arc<webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP>,
    direction: RTCRtpTransceiverDirection,
) -> Result<Arc<dyn webrtc::rtp_transceiver::RtpSender>> {
    let transceiver = pc
        .add_transceiver_from_track(
            Arc::clone(track) as Arc<dyn TrackLocal>,
            Some(RTCRtpTransceiverInit {
                direction,
                streams: vec![],
                send_encodings: vec![],
            }),
        )
        .await?;
    transceiver
        .sender()
        .await?
        .ok_or_else(|| ClientError::Unexpected("transceiver without a sender".into()))
}
