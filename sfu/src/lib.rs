//! sportello media plane: a selective forwarding unit over the sans-IO `rtc` core.
//!
//! One engine task owns one UDP socket and every participant's `RTCPeerConnection`; a forwarded
//! packet goes from the publisher's connection to the subscribers' connections inside that task,
//! crossing no channel and no lock. Callers talk to the engine through [`Sfu`], a cheap cloneable
//! handle that sends commands over a bounded channel and gets replies over oneshots.
//!
//! - Datagrams are demultiplexed by the ICE ufrag of STUN Binding Requests, then by the source
//!   address authenticated by those checks ([`router`]). The server is ICE-lite and announces
//!   host candidates for the configured IPs in every answer (no trickle needed).
//! - Every published track (Opus, VP8, H.264) is forwarded to every other participant of the room
//!   with the publisher's label as MediaStream id. Track changes are renegotiated from the server
//!   ([`SfuEvent::Offer`]); a client offer during a pending server offer is [`SfuError::Glare`].
//! - Keyframe requests are relayed to publishers, throttled ([`forward::PliThrottle`]), and a new
//!   subscriber leg triggers one as soon as it is negotiated and connected.
//!
//! The crate knows nothing of HTTP, tokens or bookings.
//!
//! # Signalling contract
//!
//! - The client makes the first offer ([`Sfu::offer`]); it must contain at least one m-line
//!   (publish, or a recvonly transceiver / data channel for a receive-only client).
//! - [`SfuEvent::Offer`] may be emitted right after an `offer`/`answer` call returns (e.g. the
//!   room already had publishers): relay the returned answer before relaying events.
//! - A client offer during a pending server offer gets [`SfuError::Glare`]; the client rolls back
//!   and answers the server offer. A bad answer leaves the server offer pending (retry).
//!
//! # Limits (known)
//!
//! - Header extensions are stripped on forwarded packets (no audio-level / abs-send-time to
//!   subscribers); no simulcast layer selection (only the first layer of a track is forwarded);
//!   no RTX (retransmissions come from the NACK responder's buffer on the original SSRC).
//! - A removed leg's m-line stays in the subscriber's SDP (inactive); each later leg adds one.
//! - Trickled candidates are validated and ignored (ICE-lite learns addresses from checks).
//! - The engine is one task on one core; the timer scan is linear in the number of connections.

#[cfg(test)]
mod api_tests;
mod candidate;
mod config;
mod engine;
mod error;
pub mod forward;
#[doc(hidden)]
pub mod harness;
mod peer;
mod room;
pub mod router;
mod stats;
pub mod stun;
mod tap;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

pub use config::SfuConfig;
pub use error::SfuError;
pub use stats::SfuStats;

use engine::Command;
use stats::Counters;

/// Capacity of the command channel into the engine.
const COMMAND_QUEUE: usize = 256;
/// Capacity of each participant's event channel.
pub const EVENT_QUEUE: usize = 64;

/// A participant, as identified by the caller (the signalling layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParticipantId(pub u64);

/// Something the signalling layer must relay to a participant.
#[derive(Debug, Clone)]
pub enum SfuEvent {
    /// Server-initiated renegotiation: send this offer to the client, and its answer back with
    /// [`Sfu::answer`].
    Offer {
        /// The offer SDP.
        sdp: String,
    },
    /// ICE and DTLS are up.
    Connected,
    /// The connection failed, timed out (no ICE checks for 8 s) or was closed by the client.
    /// The participant stays in its room until [`Sfu::remove_participant`].
    Failed,
}

/// Handle to the SFU engine. Cloning is cheap; the engine stops on [`Sfu::shutdown`] or when the
/// last handle is dropped.
#[derive(Clone, Debug)]
pub struct Sfu {
    commands: mpsc::Sender<Command>,
    counters: Arc<Counters>,
    local_addr: SocketAddr,
}

impl Sfu {
    /// Binds the UDP socket and spawns the engine task on the current tokio runtime.
    pub async fn start(config: SfuConfig) -> Result<Sfu, SfuError> {
        let socket = bind_media_socket(config.bind)?;
        let local_addr = socket.local_addr()?;
        let counters = Arc::new(Counters::default());
        let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
        let announce = config::announced_ips(&config, local_addr);
        let engine = engine::Engine::new(
            engine::Io::Udp(socket),
            local_addr,
            announce,
            config,
            counters.clone(),
            rx,
        );
        tokio::spawn(engine.run());
        Ok(Sfu {
            commands: tx,
            counters,
            local_addr,
        })
    }

    /// The bound UDP address (port 0 resolved).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, SfuError>>) -> Command,
    ) -> Result<T, SfuError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| SfuError::Closed)?;
        rx.await.map_err(|_| SfuError::Closed)?
    }

    /// Adds a participant to `room` (created on first use). `label` is the participant's public
    /// id, used as the MediaStream id of every track forwarded from it. Returns the receiver of
    /// this participant's events.
    pub async fn add_participant(
        &self,
        room: &str,
        id: ParticipantId,
        label: &str,
    ) -> Result<mpsc::Receiver<SfuEvent>, SfuError> {
        let room = room.to_owned();
        let label = label.to_owned();
        self.call(|reply| Command::AddParticipant {
            room,
            id,
            label,
            reply,
        })
        .await
    }

    /// Applies a client offer (first publish or renegotiation) and returns the server answer,
    /// ICE-lite with the server's candidates included.
    pub async fn offer(&self, id: ParticipantId, sdp: String) -> Result<String, SfuError> {
        self.call(|reply| Command::Offer { id, sdp, reply }).await
    }

    /// Applies the client's answer to the last [`SfuEvent::Offer`].
    pub async fn answer(&self, id: ParticipantId, sdp: String) -> Result<(), SfuError> {
        self.call(|reply| Command::Answer { id, sdp, reply }).await
    }

    /// Accepts a trickled client candidate. The server is ICE-lite and learns addresses from
    /// connectivity checks, so a well-formed candidate is accepted and ignored.
    pub async fn add_ice_candidate(
        &self,
        id: ParticipantId,
        candidate: String,
    ) -> Result<(), SfuError> {
        candidate::validate(&candidate)?;
        self.call(|reply| Command::Candidate { id, reply }).await
    }

    /// Removes a participant: closes its connection, stops forwarding its tracks and
    /// renegotiates the others; the room goes when empty. Idempotent.
    pub async fn remove_participant(&self, id: ParticipantId) {
        let _ = self
            .call(|reply| Command::RemoveParticipant { id, reply })
            .await;
    }

    /// A snapshot of the counters (atomics; cheap).
    pub fn stats(&self) -> SfuStats {
        self.counters.snapshot()
    }

    /// Closes every connection and ends the engine task. Later calls return
    /// [`SfuError::Closed`].
    pub async fn shutdown(&self) {
        let _ = self.call(|reply| Command::Shutdown { reply }).await;
    }
}

/// Socket buffer asked for (the kernel caps it at `net.core.rmem_max` / `wmem_max`): the default
/// ~208 KiB receive buffer overflowed at 32 two-party meetings on one node while the engine was
/// busy forwarding, and every overflow is a lost packet.
const SOCKET_BUFFER: usize = 4 * 1024 * 1024;

fn bind_media_socket(addr: SocketAddr) -> std::io::Result<tokio::net::UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    // Best effort: a smaller buffer still works, it only drops sooner under load.
    let _ = socket.set_recv_buffer_size(SOCKET_BUFFER);
    let _ = socket.set_send_buffer_size(SOCKET_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    tokio::net::UdpSocket::from_std(socket.into())
}
