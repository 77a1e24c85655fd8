//! The per-connection state machine: authenticate the first message, join the room, then
//! relay between the client, the room and the media plane until someone leaves.
//!
//! A connection goes through three states:
//! - awaiting `join` ([`Signalling::serve`], in this file): the first frame must be a valid
//!   `join` within the join timeout, or the connection gets an `error` and is closed;
//! - joined (`joined.rs`): client messages, room fan-out ([`crate::rooms`]), media-plane events
//!   (`negotiation.rs`) and pings are relayed until the client leaves, goes silent, is too slow
//!   or is cut off; the identity may change in place (`admission.rs`, `reauthenticate`);
//! - closed: the connection has left the room and the media plane, the observer was told, and
//!   the last `error` (if any) and the close frame were sent.
//!
//! The protocol as a client sees it is described in `docs/PROTOCOL.md`.
//!
//! Generic over a [`Sink`] of [`OutFrame`]s and a [`Stream`] of [`InFrame`]s, so it is tested
//! without a socket; the HTTP layer adapts its WebSocket to these.

mod admission;
mod joined;
mod negotiation;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use sportello_sfu::Sfu;

use crate::admission::{Admission, AdmitAll};
use crate::codec::{self, DecodeError};
use crate::config::SignallingConfig;
use crate::ledger::{LocalTicketLedger, TicketLedger};
use crate::observer::{MeetingObserver, NoObserver};
use crate::protocol::{ClientMessage, ErrorCode, ServerMessage};
use crate::rooms::Rooms;
use crate::token::TokenKey;

/// A frame received from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InFrame {
    /// A text frame.
    Text(String),
    /// A binary frame of this many bytes (not part of the protocol).
    Binary(usize),
    /// A frame over the transport's size limit (already refused by it).
    TooLarge(usize),
    /// The client closed the connection.
    Close,
}

/// A frame to send to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutFrame {
    /// A text frame holding one JSON message.
    Text(String),
    /// Close the connection.
    Close,
}

/// Everything a connection needs: keys, the media plane, the rooms and the limits.
#[derive(Debug)]
pub struct Signalling {
    config: SignallingConfig,
    key: TokenKey,
    sfu: Sfu,
    rooms: Arc<dyn Rooms>,
    observer: Arc<dyn MeetingObserver>,
    admission: Arc<dyn Admission>,
    tickets: Arc<dyn TicketLedger>,
    next_id: AtomicU64,
}

/// Counts a refused message or a closing error by its code (no personal data in labels).
pub fn count_error(code: ErrorCode) {
    metrics::counter!("sportello_signalling_errors_total", "code" => code.as_str()).increment(1);
}

/// An `error` message, counted.
fn error(code: ErrorCode, message: impl Into<String>) -> ServerMessage {
    count_error(code);
    ServerMessage::Error {
        code,
        message: message.into(),
    }
}

impl From<DecodeError> for ServerMessage {
    fn from(e: DecodeError) -> Self {
        error(e.code, e.message)
    }
}

impl Signalling {
    /// Signalling over `sfu` and `rooms`, verifying tokens with `key`.
    pub fn new(config: SignallingConfig, key: TokenKey, sfu: Sfu, rooms: Arc<dyn Rooms>) -> Self {
        Self {
            config,
            key,
            sfu,
            rooms,
            observer: Arc::new(NoObserver),
            admission: Arc::new(AdmitAll),
            tickets: Arc::new(LocalTicketLedger::new()),
            next_id: AtomicU64::new(1),
        }
    }

    /// The same, telling `observer` who joins, changes identity and leaves (e.g. for an audit
    /// log).
    #[must_use]
    pub fn with_observer(mut self, observer: Arc<dyn MeetingObserver>) -> Self {
        self.observer = observer;
        self
    }

    /// The same, asking `admission` at every `join` and `reauthenticate` whether the ticket's
    /// subject is still admitted (by default every valid ticket is).
    #[must_use]
    pub fn with_admission(mut self, admission: Arc<dyn Admission>) -> Self {
        self.admission = admission;
        self
    }

    /// The same, recording used tickets in `tickets` (by default in this process).
    #[must_use]
    pub fn with_ticket_ledger(mut self, tickets: Arc<dyn TicketLedger>) -> Self {
        self.tickets = tickets;
        self
    }

    /// The token key, for issuing tokens in the same process.
    pub fn token_key(&self) -> &TokenKey {
        &self.key
    }

    /// The rooms and their members.
    pub fn rooms(&self) -> &Arc<dyn Rooms> {
        &self.rooms
    }

    /// The media plane.
    pub fn sfu(&self) -> &Sfu {
        &self.sfu
    }

    /// Runs one connection to its end.
    pub async fn serve<S, R>(&self, mut sink: S, mut stream: R)
    where
        S: Sink<OutFrame> + Unpin,
        R: Stream<Item = InFrame> + Unpin,
    {
        let first = tokio::time::timeout(self.config.join_timeout, stream.next()).await;
        let refusal = match first {
            Err(_) => error(
                ErrorCode::JoinTimeout,
                format!(
                    "the first message must be \"join\" within {} ms",
                    self.config.join_timeout.as_millis()
                ),
            ),
            Ok(None) | Ok(Some(InFrame::Close)) => return,
            Ok(Some(frame)) => match self.decode_frame(frame) {
                Err(msg) => msg,
                Ok(ClientMessage::Join { version, token }) => {
                    match self.join(version, &token).await {
                        Ok((joined, hello)) => {
                            self.run_joined(&mut sink, &mut stream, joined, hello).await;
                            return;
                        }
                        Err(msg) => msg,
                    }
                }
                Ok(_) => error(
                    ErrorCode::NotJoined,
                    "the first message must be \"join\" with a meeting token",
                ),
            },
        };
        let _ = self.send(&mut sink, &refusal).await;
        let _ = sink.send(OutFrame::Close).await;
    }

    fn decode_frame(&self, frame: InFrame) -> Result<ClientMessage, ServerMessage> {
        match frame {
            InFrame::Text(text) => codec::decode(&text).map_err(ServerMessage::from),
            InFrame::TooLarge(len) => Err(codec::too_large(len).into()),
            InFrame::Binary(_) => Err(error(
                ErrorCode::BinaryNotSupported,
                "binary frames are not part of the protocol; send JSON text",
            )),
            InFrame::Close => Err(error(ErrorCode::BadMessage, "connection closed")),
        }
    }

    /// Serializes and sends one message within the write timeout; `false` if the client is gone
    /// or too slow.
    async fn send<S>(&self, sink: &mut S, msg: &ServerMessage) -> bool
    where
        S: Sink<OutFrame> + Unpin,
    {
        let Ok(text) = serde_json::to_string(msg) else {
            return false;
        };
        matches!(
            tokio::time::timeout(self.config.write_timeout, sink.send(OutFrame::Text(text))).await,
            Ok(Ok(()))
        )
    }
}
