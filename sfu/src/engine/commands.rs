//! The engine's signalling calls, one per call of the [`crate::Sfu`] API, each with its side
//! effects (gauges updated before the result is returned, a server offer queued when legs
//! changed), and the participants' lifecycle.

use std::time::Instant;

use rtc::sansio::Protocol;

use super::Engine;
use super::forwarding::send_all;
use crate::peer::{self, Peer, PeerState, Renegotiation, Stage};
use crate::{ParticipantId, SfuError};

impl Engine {
    /// Adds a participant to `room` (created on first use); see [`crate::Sfu::add_participant`].
    /// Its events come out of [`Engine::poll_event`].
    pub fn add_participant(
        &mut self,
        now: Instant,
        room: &str,
        id: ParticipantId,
        label: &str,
    ) -> Result<(), SfuError> {
        self.at(now);
        let r = self.join(now, room, id, label);
        self.update_gauges();
        r
    }

    /// Applies a client offer and returns the answer; see [`crate::Sfu::offer`].
    pub fn offer(
        &mut self,
        now: Instant,
        id: ParticipantId,
        sdp: String,
    ) -> Result<String, SfuError> {
        self.at(now);
        let r = self.apply_offer(id, sdp, now);
        self.update_gauges();
        self.maybe_offer(id, now);
        r
    }

    /// Applies the client's answer to the last server offer; see [`crate::Sfu::answer`].
    pub fn answer(&mut self, now: Instant, id: ParticipantId, sdp: String) -> Result<(), SfuError> {
        self.at(now);
        let r = self.apply_answer(id, sdp, now);
        self.maybe_offer(id, now);
        r
    }

    /// `Ok` when `id` has joined (a trickled candidate for it is accepted and ignored), else
    /// [`SfuError::UnknownParticipant`].
    pub fn check_participant(&self, id: ParticipantId) -> Result<(), SfuError> {
        if self.peers.contains_key(&id) {
            Ok(())
        } else {
            Err(SfuError::UnknownParticipant)
        }
    }

    /// Removes a participant; see [`crate::Sfu::remove_participant`]. Idempotent.
    pub fn remove_participant(&mut self, now: Instant, id: ParticipantId) {
        self.at(now);
        self.leave(id, now);
        self.update_gauges();
    }

    /// Closes every connection (their DTLS close_notify is queued for sending) and empties the
    /// engine.
    pub fn close(&mut self, now: Instant) {
        self.at(now);
        let ids: Vec<ParticipantId> = self.peers.keys().copied().collect();
        for id in ids {
            self.close_peer(id);
        }
        self.rooms.clear();
        self.queue.clear();
        self.update_gauges();
    }

    fn join(
        &mut self,
        now: Instant,
        room: &str,
        id: ParticipantId,
        label: &str,
    ) -> Result<(), SfuError> {
        if self.peers.contains_key(&id) {
            return Err(SfuError::AlreadyJoined);
        }
        let max = self.config.max_participants_per_room;
        if !self.rooms.get(room).is_none_or(|r| r.has_room(max)) || max == 0 {
            return Err(SfuError::RoomFull);
        }
        let (ufrag, pwd) = self.random.ice_credentials();
        let pc = peer::build_connection(now, ufrag.clone(), pwd)?;
        self.demux.add_peer(id, ufrag);
        self.peers.insert(
            id,
            Peer {
                room: room.to_owned(),
                label: label.to_owned(),
                pc,
                published: Vec::new(),
                legs: Vec::new(),
                client_mids: Default::default(),
                state: PeerState::Live(Stage::Joined),
                renegotiation: Renegotiation::Idle,
                next_timeout: None,
                queued: false,
            },
        );
        self.rooms
            .entry(room.to_owned())
            .or_default()
            .members
            .push(id);
        Ok(())
    }

    fn leave(&mut self, id: ParticipantId, now: Instant) {
        let Some(peer) = self.close_peer(id) else {
            return;
        };
        self.queue.retain(|d| *d != id);
        let empty = self.rooms.get_mut(&peer.room).is_none_or(|r| r.remove(id));
        if empty {
            self.rooms.remove(&peer.room);
        } else {
            let members = self
                .rooms
                .get(&peer.room)
                .map(|r| r.members.clone())
                .unwrap_or_default();
            for m in members {
                self.remove_legs(m, |l| l.publisher == id);
                self.maybe_offer(m, now);
            }
        }
        tracing::debug!(label = %peer.label, "participant removed");
    }

    /// Takes the participant out of the engine, closes its connection (the DTLS close_notify
    /// is queued now) and forgets its addresses.
    fn close_peer(&mut self, id: ParticipantId) -> Option<Peer> {
        let mut peer = self.peers.remove(&id);
        if let Some(peer) = peer.as_mut() {
            let _ = peer.pc.close();
            send_all(&mut self.transmits, &mut self.demux, id, &mut peer.pc);
        }
        self.demux.remove_peer(id);
        peer
    }
}
