//! sportello media plane: a selective forwarding unit over the sans-IO `rtc` core.
//!
//! The [`engine`] owns every participant's `RTCPeerConnection` and is sans-IO: time and datagrams
//! come in as arguments, datagrams, events and the next timeout are polled. One driver task owns
//! the UDP socket, the clock and the engine; a forwarded packet goes from the publisher's
//! connection to the subscribers' connections inside that task, crossing no channel and no lock.
//! Callers talk to the engine through [`Sfu`], a cheap cloneable handle that sends commands over a
//! bounded channel and gets replies over oneshots.
//!
//! - Datagrams are demultiplexed by the ICE ufrag of STUN Binding Requests, then by the source
//!   address authenticated by those checks ([`demux`]). The server is ICE-lite and announces
//!   host candidates for the configured IPs in every answer (no trickle needed).
//! - Every published track (Opus, VP8, H.264) is forwarded to every other participant of the room
//!   with the publisher's label as MediaStream id. Track changes are renegotiated from the server
//!   ([`SfuEvent::Offer`]); a client offer during a pending server offer is [`SfuError::Glare`].
//! - Keyframe requests are relayed to publishers, throttled ([`forward::PliThrottle`]), and a new
//!   subscriber leg triggers one as soon as it is negotiated and connected. Subscriber feedback
//!   reaches the engine through [`rtcp_feedback::FeedbackTap`]; the codecs are [`codecs`].
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
//! - An offer that repeats a mid gets [`SfuError::DuplicateMid`]; one that sends on more than
//!   [`SfuConfig::max_sending_sections`] sections, or would bring the sections the client's
//!   offers added over [`SfuConfig::max_client_sections`], gets [`SfuError::TooManyTracks`].
//!   Either way nothing changes.
//!
//! # Limits (known)
//!
//! - Header extensions are stripped on forwarded packets (no audio-level / abs-send-time to
//!   subscribers); no simulcast layer selection (only the first layer of a track is forwarded);
//!   no RTX (retransmissions come from the NACK responder's buffer on the original SSRC).
//! - A removed leg's m-line stays in the subscriber's SDP (inactive); each later leg adds one.
//! - Trickled candidates are validated and ignored (ICE-lite learns addresses from checks).
//! - The engine is one task on one core; the timer scan is linear in the number of connections.
//!   Each turn of its loop serves at most 8 commands before reading datagrams, so a flood of
//!   commands slows media down but cannot stop it.

#[cfg(test)]
mod api_tests;
mod candidate;
pub mod codecs;
mod config;
pub mod demux;
pub mod engine;
mod error;
pub mod forward;
mod peer;
mod random;
mod room;
pub mod rtcp_feedback;
mod stats;
pub mod stun;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

pub use config::SfuConfig;
pub use engine::Engine;
pub use error::SfuError;
pub use stats::SfuStats;

use engine::driver::{self, Command};
use stats::Counters;

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
        let running = driver::spawn(config)?;
        Ok(Sfu {
            commands: running.commands,
            counters: running.counters,
            local_addr: running.local_addr,
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
