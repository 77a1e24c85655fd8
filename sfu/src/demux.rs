//! The demultiplexer: which participant a datagram on the shared UDP socket belongs to.
//!
//! STUN Binding Requests are routed by the server ufrag in their USERNAME attribute. Everything
//! else (DTLS, SRTP, SRTCP, STUN responses) is routed by source address, and a source address is
//! bound to a participant only once that participant's ICE agent has authenticated a check from it
//! (the engine sees the agent answer with a Binding Success Response to that address).

use std::collections::HashMap;
use std::net::SocketAddr;

use crate::ParticipantId;
use crate::stun;

/// Where a datagram should go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// To this participant's connection.
    Peer(ParticipantId),
    /// Nobody claims it: drop.
    Drop,
}

/// Ufrag and address tables. Lookups do not allocate.
#[derive(Debug, Default)]
pub struct Demux {
    by_ufrag: HashMap<String, ParticipantId>,
    by_addr: HashMap<SocketAddr, ParticipantId>,
    addrs_of: HashMap<ParticipantId, Vec<SocketAddr>>,
}

/// Upper bound on addresses remembered per participant (network changes, several candidates).
const MAX_ADDRS_PER_PEER: usize = 8;

impl Demux {
    /// Registers the server ufrag of a participant's connection.
    pub fn add_peer(&mut self, id: ParticipantId, ufrag: String) {
        self.by_ufrag.insert(ufrag, id);
        self.addrs_of.entry(id).or_default();
    }

    /// Forgets a participant: its ufrag and every address bound to it.
    pub fn remove_peer(&mut self, id: ParticipantId) {
        self.by_ufrag.retain(|_, p| *p != id);
        if let Some(addrs) = self.addrs_of.remove(&id) {
            for a in addrs {
                if self.by_addr.get(&a) == Some(&id) {
                    self.by_addr.remove(&a);
                }
            }
        }
    }

    /// Binds `addr` to `id` after an authenticated ICE check. A later authenticated check from
    /// the same address for another participant takes it over.
    pub fn bind_addr(&mut self, id: ParticipantId, addr: SocketAddr) {
        if self.by_addr.get(&addr) == Some(&id) {
            return;
        }
        if let Some(prev) = self.by_addr.insert(addr, id)
            && let Some(list) = self.addrs_of.get_mut(&prev)
        {
            list.retain(|a| *a != addr);
        }
        let Some(list) = self.addrs_of.get_mut(&id) else {
            // Not a registered peer: undo.
            self.by_addr.remove(&addr);
            return;
        };
        list.push(addr);
        if list.len() > MAX_ADDRS_PER_PEER {
            let old = list.remove(0);
            if self.by_addr.get(&old) == Some(&id) {
                self.by_addr.remove(&old);
            }
        }
    }

    /// Decides where a datagram from `from` goes.
    pub fn route(&self, datagram: &[u8], from: SocketAddr) -> Route {
        if let Some(ufrag) = stun::binding_request_local_ufrag(datagram) {
            return match self.by_ufrag.get(ufrag) {
                Some(id) => Route::Peer(*id),
                None => Route::Drop,
            };
        }
        match self.by_addr.get(&from) {
            Some(id) => Route::Peer(*id),
            None => Route::Drop,
        }
    }

    /// Number of registered participants (for leak checks).
    pub fn len(&self) -> usize {
        self.addrs_of.len()
    }

    /// True when no participant is registered.
    pub fn is_empty(&self) -> bool {
        self.addrs_of.is_empty() && self.by_ufrag.is_empty() && self.by_addr.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stun::tests::binding_request;

    fn addr(p: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], p))
    }

    #[test]
    fn routes_stun_by_ufrag_then_media_by_bound_address() {
        let mut r = Demux::default();
        let a = ParticipantId(1);
        let b = ParticipantId(2);
        r.add_peer(a, "ufragA".into());
        r.add_peer(b, "ufragB".into());

        // STUN checks route by ufrag regardless of source address.
        assert_eq!(
            r.route(&binding_request("ufragA:x"), addr(1000)),
            Route::Peer(a)
        );
        assert_eq!(
            r.route(&binding_request("ufragB:y"), addr(1000)),
            Route::Peer(b)
        );
        assert_eq!(
            r.route(&binding_request("nobody:y"), addr(1000)),
            Route::Drop
        );

        // Media from an unbound address is dropped.
        let rtp = [0x80u8, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(r.route(&rtp, addr(1000)), Route::Drop);
        r.bind_addr(a, addr(1000));
        r.bind_addr(b, addr(2000));
        assert_eq!(r.route(&rtp, addr(1000)), Route::Peer(a));
        assert_eq!(r.route(&rtp, addr(2000)), Route::Peer(b));

        // An address re-authenticated by another peer moves.
        r.bind_addr(b, addr(1000));
        assert_eq!(r.route(&rtp, addr(1000)), Route::Peer(b));

        r.remove_peer(b);
        assert_eq!(r.route(&rtp, addr(1000)), Route::Drop);
        assert_eq!(r.route(&binding_request("ufragB:y"), addr(1)), Route::Drop);
        r.remove_peer(a);
        assert!(r.is_empty());
    }

    #[test]
    fn unknown_peer_cannot_bind_and_addresses_are_capped() {
        let mut r = Demux::default();
        r.bind_addr(ParticipantId(9), addr(1));
        assert!(r.is_empty());
        let a = ParticipantId(1);
        r.add_peer(a, "u".into());
        for p in 0..20 {
            r.bind_addr(a, addr(p));
        }
        assert_eq!(r.by_addr.len(), MAX_ADDRS_PER_PEER);
        r.remove_peer(a);
        assert!(r.is_empty());
    }
}
