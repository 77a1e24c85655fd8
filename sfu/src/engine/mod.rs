//! The media engine, sans-IO: every participant's `RTCPeerConnection`, the demultiplexer, the
//! room topology and the forwarding between connections, with no socket, clock or task.
//!
//! Like str0m's `Rtc`, the engine never reads the clock and never does I/O: every input takes the
//! current time (`handle_datagram`, `handle_timeout` and the signalling calls such as
//! [`Engine::offer`]), and output is polled: [`Engine::poll_transmit`] for datagrams to send,
//! [`Engine::poll_event`] for what to tell participants, [`Engine::poll_timeout`] for when to call
//! [`Engine::handle_timeout`] next. Randomness (ICE credentials, leg SSRCs) comes from a generator
//! seeded at construction. The driver (`driver.rs`, behind [`crate::Sfu`]) runs it on one UDP
//! socket in a tokio task, and is the only place that reads the clock or seeds from entropy;
//! tests and the forwarding bench run the engine in memory, in virtual time.
//!
//! Inputs only queue work: the connections that received input are drained ("flushed") when
//! output is polled, so a batch of datagrams is processed together. Forwarding happens inside the
//! drain: the publisher's `poll_read` yields RTP, which is rewritten and written into each
//! subscriber leg with `write_rtp`, and the subscriber's `poll_write` then yields the datagram to
//! send. Nothing on that path allocates (beyond the `rtc` core), logs, locks or crosses a channel.
//!
//! The `impl Engine` is split by concern across this module's files: `commands.rs` (the calls of
//! the public API), `negotiation.rs` (offers and answers), `limits.rs` (what an offer may ask
//! for), `topology.rs` (rooms, published tracks, legs), `connection.rs` (connection events),
//! `forwarding.rs` (datagrams in and out, media), `keyframes.rs` (keyframe requests), `timers.rs`
//! and `gauges.rs`.

mod commands;
mod connection;
pub(crate) mod driver;
mod forwarding;
mod gauges;
mod keyframes;
mod limits;
mod negotiation;
mod timers;
mod topology;

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use rtc::peer_connection::event::RTCPeerConnectionEvent;
use rtc::rtp;

use crate::demux::Demux;
use crate::peer::{self, Peer};
use crate::random::Random;
use crate::room::Room;
use crate::stats::Counters;
use crate::{ParticipantId, SfuConfig, SfuEvent, SfuStats};

/// A datagram the engine wants sent from its socket.
#[derive(Debug)]
pub struct Transmit {
    /// Where to.
    pub destination: SocketAddr,
    /// The datagram.
    pub contents: BytesMut,
}

/// Work deferred until the connection that produced it is no longer borrowed.
enum Deferred {
    Event(RTCPeerConnectionEvent),
    Feedback { ssrc: u32 },
}

/// The sans-IO SFU engine; see the module documentation.
pub struct Engine {
    /// `local_addr` of every datagram fed to a connection (matches the first host candidate).
    cand_addr: SocketAddr,
    announce: Vec<IpAddr>,
    port: u16,
    config: SfuConfig,
    counters: Arc<Counters>,
    random: Random,
    demux: Demux,
    peers: HashMap<ParticipantId, Peer>,
    rooms: HashMap<String, Room>,
    /// Connections that received input and must be drained.
    queue: Vec<ParticipantId>,
    /// The time of the latest input; drains run at this time.
    now: Option<Instant>,
    rtp_scratch: Vec<(u64, rtp::Packet)>,
    deferred: Vec<Deferred>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<(ParticipantId, SfuEvent)>,
    next_key: u64,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("cand_addr", &self.cand_addr)
            .field("participants", &self.peers.len())
            .field("rooms", &self.rooms.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine whose socket is bound to `bound`, announcing `announce` (the bound IP when
    /// empty) in its host candidates. `seed` seeds every random choice the engine makes.
    pub fn new(bound: SocketAddr, announce: Vec<IpAddr>, config: SfuConfig, seed: u64) -> Self {
        let announce = if announce.is_empty() {
            vec![bound.ip()]
        } else {
            announce
        };
        Self {
            cand_addr: peer::candidate_addr(&announce, bound),
            announce,
            port: bound.port(),
            config,
            counters: Arc::new(Counters::default()),
            random: Random::from_seed(seed),
            demux: Demux::default(),
            peers: HashMap::new(),
            rooms: HashMap::new(),
            queue: Vec::new(),
            now: None,
            rtp_scratch: Vec::new(),
            deferred: Vec::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            next_key: 1,
        }
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> SfuStats {
        self.counters.snapshot()
    }

    /// The counters, shared with [`crate::Sfu`] handles.
    pub(crate) fn counters(&self) -> Arc<Counters> {
        Arc::clone(&self.counters)
    }

    /// The next datagram to send.
    #[inline]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.flush();
        self.transmits.pop_front()
    }

    /// The next event for a participant's signalling.
    pub fn poll_event(&mut self) -> Option<(ParticipantId, SfuEvent)> {
        self.flush();
        self.events.pop_front()
    }

    /// Queues an event for `id`'s signalling.
    fn emit(&mut self, id: ParticipantId, event: SfuEvent) {
        self.events.push_back((id, event));
    }

    /// Records the time of an input.
    fn at(&mut self, now: Instant) {
        self.now = Some(now);
    }
}

/// Queues `id` for draining unless it already is.
fn enqueue(queue: &mut Vec<ParticipantId>, peer: &mut Peer, id: ParticipantId) {
    if !peer.queued {
        peer.queued = true;
        queue.push(id);
    }
}
