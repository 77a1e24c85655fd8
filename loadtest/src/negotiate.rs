//! The signalling loop of one participant: offer/answer (client is the polite peer), server
//! candidates, and the room roster.
//!
//! The client sends the first `offer`; afterwards the server sends `offer`s when other
//! participants' tracks come and go, and the client answers. If a server offer arrives while
//! our own offer is unanswered (a collision), we roll ours back, answer theirs, then offer
//! again.

use crate::error::{ClientError, Result};
use crate::signal::SignalSender;
use sportello_signalling::protocol::{
    ClientMessage, ErrorCode, IceCandidate, ParticipantInfo, ServerMessage,
};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use webrtc::peer_connection::{
    PeerConnection, RTCIceCandidateInit, RTCIceGatheringState, RTCSessionDescription,
};

/// What the signalling loop learned, readable by the participant's owner.
#[derive(Debug, Default)]
pub(crate) struct Room {
    inner: Mutex<RoomState>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct RoomState {
    pub participants: BTreeMap<String, ParticipantInfo>,
    pub errors: Vec<(ErrorCode, String)>,
    pub server_offers: u64,
    pub left: bool,
}

impl Room {
    pub(crate) fn new(participants: &[ParticipantInfo]) -> Self {
        let state = RoomState {
            participants: participants
                .iter()
                .map(|info| (info.id.clone(), info.clone()))
                .collect(),
            ..RoomState::default()
        };
        Self {
            inner: Mutex::new(state),
        }
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut RoomState) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Everything the loop needs.
pub(crate) struct Negotiator {
    pub pc: Arc<dyn PeerConnection>,
    pub signal: SignalSender,
    pub incoming: mpsc::Receiver<ServerMessage>,
    pub gathering: watch::Receiver<RTCIceGatheringState>,
    pub gather_timeout: Duration,
    pub room: Arc<Room>,
    /// Set to true once the first answer has been applied.
    pub negotiated: watch::Sender<bool>,
}

impl Negotiator {
    /// Sends the first offer, then serves server messages until the connection closes or the
    /// server confirms `left`.
    pub(crate) async fn run(mut self) {
        let mut offer_pending = match self.send_offer().await {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!(%err, "initial offer failed");
                self.record_local_error(&err);
                false
            }
        };
        while let Some(message) = self.incoming.recv().await {
            if let Err(err) = self.handle(message, &mut offer_pending).await {
                tracing::warn!(%err, "signalling step failed");
                self.record_local_error(&err);
            }
            if self.room.with(|room| room.left) {
                break;
            }
        }
    }

    fn record_local_error(&self, err: &ClientError) {
        self.room.with(|room| {
            room.errors
                .push((ErrorCode::Internal, format!("client: {err}")))
        });
    }

    async fn handle(&mut self, message: ServerMessage, offer_pending: &mut bool) -> Result<()> {
        match message {
            ServerMessage::Answer { sdp } => {
                if !*offer_pending {
                    return Err(ClientError::Unexpected("answer without an offer".into()));
                }
                self.pc
                    .set_remote_description(RTCSessionDescription::answer(sdp)?)
                    .await?;
                *offer_pending = false;
                self.negotiated.send_replace(true);
            }
            ServerMessage::Offer { sdp } => {
                self.room.with(|room| room.server_offers += 1);
                let collided = *offer_pending;
                if collided {
                    // Polite peer: drop our offer, take theirs.
                    tracing::debug!("offer collision; rolling back our offer");
                    self.pc
                        .set_local_description(RTCSessionDescription::rollback(None)?)
                        .await?;
                    *offer_pending = false;
                }
                self.pc
                    .set_remote_description(RTCSessionDescription::offer(sdp)?)
                    .await?;
                let answer = self.pc.create_answer(None).await?;
                self.pc.set_local_description(answer).await?;
                let sdp = self.local_sdp().await?;
                self.signal.send(ClientMessage::Answer { sdp }).await?;
                if collided {
                    self.send_offer().await?;
                    *offer_pending = true;
                }
            }
            ServerMessage::Candidate { candidate } => {
                if !candidate.candidate.is_empty() {
                    self.pc.add_ice_candidate(candidate_init(candidate)).await?;
                }
            }
            ServerMessage::ParticipantJoined { participant }
            | ServerMessage::ParticipantUpdated { participant } => self.room.with(|room| {
                room.participants
                    .insert(participant.id.clone(), participant);
            }),
            ServerMessage::ParticipantLeft { participant_id, .. } => self.room.with(|room| {
                room.participants.remove(&participant_id);
            }),
            ServerMessage::TrackState {
                participant_id,
                kind,
                muted,
            } => self.room.with(|room| {
                if let Some(info) = room.participants.get_mut(&participant_id) {
                    match kind {
                        sportello_signalling::protocol::MediaKind::Audio => {
                            info.audio_muted = muted
                        }
                        sportello_signalling::protocol::MediaKind::Video => {
                            info.video_muted = muted
                        }
                    }
                }
            }),
            ServerMessage::Error { code, message } => {
                tracing::warn!(?code, %message, "server error");
                self.room.with(|room| room.errors.push((code, message)));
            }
            ServerMessage::Left => self.room.with(|room| room.left = true),
            // The load generator never reauthenticates.
            ServerMessage::Joined { .. }
            | ServerMessage::Reauthenticated { .. }
            | ServerMessage::Ping { .. }
            | ServerMessage::Pong { .. }
            | ServerMessage::DocumentsChanged
            | ServerMessage::PrintsChanged => {}
        }
        Ok(())
    }

    async fn send_offer(&mut self) -> Result<()> {
        let offer = self.pc.create_offer(None).await?;
        self.pc.set_local_description(offer).await?;
        // Wait (bounded) for host candidates so the offer carries them; no trickling.
        let gathered = tokio::time::timeout(
            self.gather_timeout,
            self.gathering
                .wait_for(|state| *state == RTCIceGatheringState::Complete),
        )
        .await
        .is_ok_and(|waited| waited.is_ok());
        if !gathered {
            tracing::debug!("ICE gathering not complete; offering what we have");
        }
        let sdp = self.local_sdp().await?;
        self.signal.send(ClientMessage::Offer { sdp }).await
    }

    async fn local_sdp(&self) -> Result<String> {
        self.pc
            .local_description()
            .await
            .map(|description| description.sdp)
            .ok_or_else(|| ClientError::Unexpected("no local description".into()))
    }
}

fn candidate_init(candidate: IceCandidate) -> RTCIceCandidateInit {
    RTCIceCandidateInit {
        candidate: candidate.candidate,
        sdp_mid: candidate.sdp_mid,
        sdp_mline_index: candidate.sdp_m_line_index,
        ..Default::default()
    }
}
