//! SDP negotiation: client offers (first publish and renegotiation), the answers to server
//! offers, and server offers when a participant's legs change.

use std::collections::HashSet;
use std::time::Instant;

use rtc::peer_connection::RTCPeerConnection;
use rtc::peer_connection::sdp::RTCSessionDescription;

use super::{Engine, enqueue, limits};
use crate::peer::{self, Renegotiation, Stage};
use crate::{ParticipantId, SfuError, SfuEvent};

impl Engine {
    /// Applies a client offer and returns the answer.
    pub(super) fn apply_offer(
        &mut self,
        id: ParticipantId,
        sdp: String,
        now: Instant,
    ) -> Result<String, SfuError> {
        let peer = self
            .peers
            .get_mut(&id)
            .ok_or(SfuError::UnknownParticipant)?;
        if peer.renegotiation.pending() {
            return Err(SfuError::Glare);
        }
        let desc =
            RTCSessionDescription::offer(sdp).map_err(|e| SfuError::BadSdp(e.to_string()))?;
        let parsed = desc
            .unmarshal()
            .map_err(|e| SfuError::BadSdp(e.to_string()))?;
        let known = transceiver_mids(&mut peer.pc);
        let added = limits::check_offer(&parsed, &known, &peer.client_mids, &self.config)?;
        peer.pc
            .set_remote_description(now, desc)
            .map_err(|e| SfuError::BadSdp(e.to_string()))?;
        added.commit(&mut peer.client_mids);
        let first = !peer.state.answered();
        if peer.state.stage() < Stage::CandidatesAdded {
            peer::add_host_candidates(&mut peer.pc, &self.announce, self.port)?;
            peer.state.advance(Stage::CandidatesAdded);
        }
        let answer = peer
            .pc
            .create_answer(None)
            .map_err(|e| SfuError::BadSdp(e.to_string()))?;
        peer.pc
            .set_local_description(now, answer)
            .map_err(|e| SfuError::Internal(e.to_string()))?;
        let sdp = peer
            .pc
            .local_description()
            .map(|d| d.sdp)
            .ok_or_else(|| SfuError::Internal("no local description".into()))?;
        enqueue(&mut self.queue, peer, id);

        // Tracks the client stopped sending.
        let stopped: Vec<u64> = {
            let pc = &mut peer.pc;
            let transceivers: Vec<_> = pc.get_transceivers().collect();
            peer.published
                .iter()
                .filter(|p| {
                    !transceivers.iter().any(|&t| {
                        pc.rtp_transceiver(t).is_some_and(|t| {
                            t.receiver() == Some(p.receiver_id) && t.current_direction().has_recv()
                        })
                    })
                })
                .map(|p| p.key)
                .collect()
        };
        for key in stopped {
            self.unpublish(id, key, now);
        }

        if first {
            if let Some(peer) = self.peers.get_mut(&id) {
                peer.state.advance(Stage::Answered);
            }
            // Legs for everything already published in the room.
            for (publisher, key) in self.room_sources(id) {
                self.add_leg(id, publisher, key);
            }
        }
        Ok(sdp)
    }

    /// Applies the client's answer to the pending server offer.
    pub(super) fn apply_answer(
        &mut self,
        id: ParticipantId,
        sdp: String,
        now: Instant,
    ) -> Result<(), SfuError> {
        let peer = self
            .peers
            .get_mut(&id)
            .ok_or(SfuError::UnknownParticipant)?;
        if !peer.renegotiation.pending() {
            return Err(SfuError::NoPendingOffer);
        }
        let desc =
            RTCSessionDescription::answer(sdp).map_err(|e| SfuError::BadSdp(e.to_string()))?;
        peer.pc
            .set_remote_description(now, desc)
            .map_err(|e| SfuError::BadSdp(e.to_string()))?;
        peer.renegotiation.answered();
        enqueue(&mut self.queue, peer, id);
        // Negotiated legs: payload maps, and a keyframe for each newly usable one.
        let offered: Vec<(usize, ParticipantId, u64)> = peer
            .legs
            .iter()
            .enumerate()
            .filter(|(_, l)| l.offered)
            .map(|(i, l)| (i, l.publisher, l.source_key))
            .collect();
        let mut due = Vec::new();
        for (i, publisher, key) in offered {
            let codecs = self
                .peers
                .get(&publisher)
                .and_then(|p| p.published.iter().find(|t| t.key == key))
                .map(|t| t.codecs.clone())
                .unwrap_or_default();
            let Some(peer) = self.peers.get_mut(&id) else {
                break;
            };
            peer.leg_map(i, &codecs);
            if peer.legs[i].keyframe.on_negotiated() {
                due.push((publisher, key));
            }
        }
        self.request_keyframes(due, now);
        Ok(())
    }

    /// Creates and emits a server offer if one is needed and none is pending.
    pub(super) fn maybe_offer(&mut self, id: ParticipantId, now: Instant) {
        let Some(peer) = self.peers.get_mut(&id) else {
            return;
        };
        if !peer.state.answered()
            || peer.renegotiation != Renegotiation::Needed
            || peer.state.failed()
        {
            return;
        }
        peer.renegotiation = Renegotiation::Idle;
        let offer = match peer.pc.create_offer(None) {
            Ok(o) => o,
            Err(err) => {
                tracing::warn!(%err, label = %peer.label, "create_offer failed");
                return;
            }
        };
        if let Err(err) = peer.pc.set_local_description(now, offer) {
            tracing::warn!(%err, label = %peer.label, "set_local_description(offer) failed");
            return;
        }
        let Some(sdp) = peer.pc.local_description().map(|d| d.sdp) else {
            return;
        };
        for leg in &mut peer.legs {
            leg.offered = true;
        }
        peer.renegotiation = Renegotiation::Pending;
        enqueue(&mut self.queue, peer, id);
        self.emit(id, SfuEvent::Offer { sdp });
    }
}

/// The mids of a connection's transceivers (those negotiated so far).
fn transceiver_mids(pc: &mut RTCPeerConnection) -> HashSet<String> {
    let ids: Vec<_> = pc.get_transceivers().collect();
    ids.into_iter()
        .filter_map(|t| pc.rtp_transceiver(t).and_then(|t| t.mid().clone()))
        .collect()
}
