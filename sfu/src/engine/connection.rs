//! Events of a participant's connection: connected, failed, a track opened.

use std::time::Instant;

use rtc::peer_connection::event::{RTCPeerConnectionEvent, RTCTrackEvent};
use rtc::peer_connection::state::{RTCIceConnectionState, RTCPeerConnectionState};

use super::Engine;
use crate::peer::Stage;
use crate::{ParticipantId, SfuEvent};

impl Engine {
    /// Acts on one connection event. Returns true when published tracks or legs changed.
    pub(super) fn handle_pc_event(
        &mut self,
        id: ParticipantId,
        event: RTCPeerConnectionEvent,
        now: Instant,
    ) -> bool {
        match event {
            RTCPeerConnectionEvent::OnConnectionStateChangeEvent(state) => {
                match state {
                    RTCPeerConnectionState::Connected => self.on_connected(id, now),
                    // Closed here means closed by the remote (DTLS close_notify): our own
                    // closes remove the participant first, so they raise no event.
                    RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed => {
                        self.on_failed(id)
                    }
                    _ => {}
                }
                false
            }
            RTCPeerConnectionEvent::OnIceConnectionStateChangeEvent(
                RTCIceConnectionState::Failed,
            ) => {
                self.on_failed(id);
                false
            }
            RTCPeerConnectionEvent::OnTrack(RTCTrackEvent::OnOpen(init)) => {
                self.publish(id, init.track_id, init.receiver_id, init.ssrc, now)
            }
            _ => false,
        }
    }

    fn on_connected(&mut self, id: ParticipantId, now: Instant) {
        let Some(peer) = self.peers.get_mut(&id) else {
            return;
        };
        if peer.state.connected() {
            return;
        }
        peer.state.advance(Stage::Connected);
        tracing::debug!(label = %peer.label, "connected");
        let due: Vec<(ParticipantId, u64)> = peer
            .legs
            .iter_mut()
            .filter_map(|l| {
                l.keyframe
                    .on_connected()
                    .then_some((l.publisher, l.source_key))
            })
            .collect();
        self.emit(id, SfuEvent::Connected);
        self.request_keyframes(due, now);
    }

    fn on_failed(&mut self, id: ParticipantId) {
        if let Some(peer) = self.peers.get_mut(&id)
            && !peer.state.failed()
        {
            peer.state.fail();
            tracing::info!(label = %peer.label, "connection failed");
            self.emit(id, SfuEvent::Failed);
        }
    }
}
