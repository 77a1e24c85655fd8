//! The engine without a socket or a task, for benchmarks: datagrams in by call, out into a
//! vector. Same code path as the real engine from `handle_read` to `poll_write`; only the
//! final `send_to` is replaced by a push. Not a stable API.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use tokio::sync::mpsc;

use crate::engine::{Engine, Io};
use crate::stats::Counters;
use crate::{ParticipantId, SfuConfig, SfuError, SfuEvent, SfuStats};

/// An in-memory engine whose "socket" is `server_addr`.
#[derive(Debug)]
pub struct MemoryEngine {
    engine: Engine,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Engine")
    }
}

impl MemoryEngine {
    /// An engine announcing `server_addr` as its only candidate.
    pub fn new(server_addr: SocketAddr, config: SfuConfig) -> Self {
        let counters = Arc::new(Counters::default());
        let (_tx, rx) = mpsc::channel(1);
        let engine = Engine::new(
            Io::Memory(Vec::new()),
            server_addr,
            vec![server_addr.ip()],
            config,
            counters.clone(),
            rx,
        );
        Self { engine, counters }
    }

    /// See [`crate::Sfu::add_participant`].
    pub fn add_participant(
        &mut self,
        room: &str,
        id: ParticipantId,
        label: &str,
    ) -> Result<mpsc::Receiver<SfuEvent>, SfuError> {
        let r = self.engine.add_participant(room.into(), id, label.into());
        self.engine.update_gauges();
        r
    }

    /// See [`crate::Sfu::offer`].
    pub fn offer(&mut self, id: ParticipantId, sdp: String) -> Result<String, SfuError> {
        let r = self.engine.offer(id, sdp);
        self.engine.update_gauges();
        self.engine.maybe_offer(id);
        r
    }

    /// See [`crate::Sfu::answer`].
    pub fn answer(&mut self, id: ParticipantId, sdp: String) -> Result<(), SfuError> {
        let r = self.engine.answer(id, sdp);
        self.engine.maybe_offer(id);
        r
    }

    /// One datagram from `from`, processed to completion (forwarded output lands in the outbox).
    #[inline]
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: BytesMut) {
        self.engine.handle_datagram(now, from, datagram);
        self.engine.flush_dirty();
    }

    /// Runs due timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeouts(now);
        self.engine.flush_dirty();
    }

    /// The next timer.
    pub fn poll_timeout(&self) -> Instant {
        self.engine.next_deadline()
    }

    /// Moves every datagram sent so far into `out`.
    pub fn drain_output(&mut self, out: &mut Vec<(SocketAddr, BytesMut)>) {
        self.engine.flush_dirty();
        if let Io::Memory(v) = &mut self.engine.io {
            out.append(v);
        }
    }

    /// Drops every datagram sent so far.
    #[inline]
    pub fn clear_output(&mut self) -> usize {
        if let Io::Memory(v) = &mut self.engine.io {
            let n = v.len();
            v.clear();
            n
        } else {
            0
        }
    }

    /// Counters.
    pub fn stats(&self) -> SfuStats {
        self.counters.snapshot()
    }
}
