//! Timers: the connections' own (ICE, DTLS, RTCP, NACK) and the keyframe-request throttles'.

use std::time::Instant;

use rtc::sansio::Protocol;

use super::keyframes::send_pli;
use super::{Engine, enqueue};

impl Engine {
    /// When [`Engine::handle_timeout`] must be called next; `None` when nothing is scheduled.
    /// Drains queued connections first (their timers change).
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        self.flush();
        let mut next: Option<Instant> = None;
        let mut consider = |t: Instant| next = Some(next.map_or(t, |n| n.min(t)));
        for peer in self.peers.values() {
            if let Some(t) = peer.next_timeout {
                consider(t);
            }
            for p in &peer.published {
                if let Some(t) = p.pli.poll_timeout() {
                    consider(t);
                }
            }
        }
        next
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.at(now);
        for (&id, peer) in self.peers.iter_mut() {
            let mut touched = false;
            if peer.next_timeout.is_some_and(|t| t <= now) {
                let _ = peer.pc.handle_timeout(now);
                touched = true;
            }
            let mut plis: Vec<_> = Vec::new();
            for p in &mut peer.published {
                if p.pli.handle_timeout(now) {
                    plis.push((p.receiver_id, p.ssrc));
                }
            }
            for (receiver_id, ssrc) in plis {
                send_pli(&self.counters, peer, receiver_id, ssrc, now);
                touched = true;
            }
            if touched {
                enqueue(&mut self.queue, peer, id);
            }
        }
    }
}
