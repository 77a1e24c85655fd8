//! The joined state: relay between the client, its room and the media plane until the
//! connection ends, then leave both and say why.

use std::time::{Duration, Instant};

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use sportello_sfu::{ParticipantId, SfuEvent};
use tokio::sync::mpsc;

use super::{InFrame, OutFrame, Signalling, error};
use crate::codec;
use crate::config::SignallingConfig;
use crate::protocol::{ClientMessage, ErrorCode, LeaveReason, Role, ServerMessage};
use crate::rate::RateLimiter;
use crate::rooms::Kick;

/// At most one `rate_limited` error is sent per this interval; other refused messages are
/// dropped silently.
pub const RATE_ERROR_INTERVAL: Duration = Duration::from_secs(1);

/// A joined participant's connection state.
pub(super) struct Joined {
    pub(super) id: ParticipantId,
    pub(super) label: String,
    pub(super) room: String,
    /// The subject and role of the token the connection acts under now.
    pub(super) subject: String,
    pub(super) role: Role,
    pub(super) sfu_events: mpsc::Receiver<SfuEvent>,
    pub(super) outbox: mpsc::Receiver<ServerMessage>,
    pub(super) kick: Kick,
    /// The limit on this connection's `reauthenticate` messages.
    pub(super) reauth: RateLimiter,
}

/// How a joined connection ended.
pub(super) struct Ending {
    reason: LeaveReason,
    error: Option<(ErrorCode, String)>,
}

impl Ending {
    /// The client left (`leave` or a close frame).
    fn left() -> Self {
        Self {
            reason: LeaveReason::Left,
            error: None,
        }
    }

    /// The connection was lost; `code` is the last `error` to try to send, if any.
    pub(super) fn lost(code: Option<ErrorCode>, message: &str) -> Self {
        Self {
            reason: LeaveReason::ConnectionLost,
            error: code.map(|c| (c, message.to_owned())),
        }
    }

    /// The client is gone or too slow to write to: nothing more can be sent.
    fn gone() -> Self {
        Self::lost(None, "")
    }

    /// The server removed the connection (slow consumer, revocation, handover, meeting closed,
    /// shutdown, media plane stopped) with `code`.
    pub(super) fn removed(code: ErrorCode, message: &str) -> Self {
        Self {
            reason: LeaveReason::Removed,
            error: Some((code, message.to_owned())),
        }
    }

    /// The connection's kick switch was thrown with `code`.
    fn kicked(code: ErrorCode) -> Self {
        let message = match code {
            ErrorCode::SlowConsumer => "the client did not read its messages in time",
            ErrorCode::ShuttingDown => "the server is shutting down",
            _ => "removed from the meeting",
        };
        Self::removed(code, message)
    }
}

/// The client's pace: its rate limit and when it was last heard from.
struct Pace {
    limiter: RateLimiter,
    /// The tighter limit on offers.
    offers: RateLimiter,
    last_rate_error: Option<Instant>,
    last_seen: Instant,
    /// Nonce of the last server `ping`.
    nonce: u64,
}

impl Pace {
    fn new(config: &SignallingConfig, now: Instant) -> Self {
        Self {
            limiter: RateLimiter::new(config.rate_burst, config.rate_per_second, now),
            offers: RateLimiter::every(config.offer_burst, config.offer_interval, now),
            last_rate_error: None,
            last_seen: now,
            nonce: 0,
        }
    }

    /// Whether a `rate_limited` error may be sent at `now` (and if so, remembers it was).
    fn rate_error_due(&mut self, now: Instant) -> bool {
        let due = self
            .last_rate_error
            .is_none_or(|t| now.duration_since(t) >= RATE_ERROR_INTERVAL);
        if due {
            self.last_rate_error = Some(now);
        }
        due
    }
}

impl Signalling {
    /// Sends `hello` (`joined`), relays until the connection ends, then leaves the room and
    /// the media plane, tells the observer, and sends the last `error` (if any) and the close.
    pub(super) async fn run_joined<S, R>(
        &self,
        sink: &mut S,
        stream: &mut R,
        mut joined: Joined,
        hello: ServerMessage,
    ) where
        S: Sink<OutFrame> + Unpin,
        R: Stream<Item = InFrame> + Unpin,
    {
        let ending = if self.send(sink, &hello).await {
            self.relay(sink, stream, &mut joined).await
        } else {
            Ending::gone()
        };
        self.rooms
            .leave(&joined.room, &joined.label, ending.reason)
            .await;
        self.sfu.remove_participant(joined.id).await;
        tracing::info!(participant = %joined.label, reason = ?ending.reason, "participant left");
        self.observer
            .left(&joined.room, &joined.subject, joined.role, ending.reason);
        if let Some((code, message)) = ending.error {
            let _ = self.send(sink, &error(code, message)).await;
        }
        let _ = tokio::time::timeout(self.config.write_timeout, sink.send(OutFrame::Close)).await;
    }

    async fn relay<S, R>(&self, sink: &mut S, stream: &mut R, joined: &mut Joined) -> Ending
    where
        S: Sink<OutFrame> + Unpin,
        R: Stream<Item = InFrame> + Unpin,
    {
        let mut pace = Pace::new(&self.config, Instant::now());
        let mut ping = tokio::time::interval_at(
            tokio::time::Instant::now() + self.config.ping_interval,
            self.config.ping_interval,
        );
        loop {
            let step = tokio::select! {
                frame = stream.next() => self.on_frame(sink, joined, &mut pace, frame).await,
                Some(msg) = joined.outbox.recv() => self.forward(sink, &msg).await,
                event = joined.sfu_events.recv() => self.on_media_event(sink, joined, event).await,
                _ = ping.tick() => self.on_ping_tick(sink, &mut pace).await,
                code = joined.kick.kicked() => Err(Ending::kicked(code)),
            };
            if let Err(ending) = step {
                return ending;
            }
        }
    }

    /// Sends one message; a client that cannot take it is gone.
    pub(super) async fn forward<S>(&self, sink: &mut S, msg: &ServerMessage) -> Result<(), Ending>
    where
        S: Sink<OutFrame> + Unpin,
    {
        if self.send(sink, msg).await {
            Ok(())
        } else {
            Err(Ending::gone())
        }
    }

    /// One frame from the client (or the end of its stream).
    async fn on_frame<S>(
        &self,
        sink: &mut S,
        joined: &mut Joined,
        pace: &mut Pace,
        frame: Option<InFrame>,
    ) -> Result<(), Ending>
    where
        S: Sink<OutFrame> + Unpin,
    {
        let Some(frame) = frame else {
            return Err(Ending::gone());
        };
        match frame {
            InFrame::Close => return Err(Ending::left()),
            // The transport refused the frame and will not read further.
            InFrame::TooLarge(len) => {
                let e = codec::too_large(len);
                return Err(Ending::lost(Some(e.code), &e.message));
            }
            _ => {}
        }
        let now = Instant::now();
        pace.last_seen = now;
        if !pace.limiter.allow(now) {
            if pace.rate_error_due(now) {
                let msg = error(
                    ErrorCode::RateLimited,
                    format!(
                        "too many messages; slow down (retry in {} ms)",
                        pace.limiter.retry_after().as_millis().max(1)
                    ),
                );
                self.forward(sink, &msg).await?;
            }
            return Ok(());
        }
        let reply = match self.decode_frame(frame) {
            Err(msg) => Some(msg),
            Ok(ClientMessage::Leave) => {
                let _ = self.send(sink, &ServerMessage::Left).await;
                return Err(Ending::left());
            }
            Ok(ClientMessage::Offer { .. }) if !pace.offers.allow(now) => Some(error(
                ErrorCode::RateLimited,
                format!(
                    "too many offers; the offer was ignored (retry in {} ms)",
                    pace.offers.retry_after().as_millis().max(1)
                ),
            )),
            Ok(msg) => self.handle(joined, msg).await,
        };
        match reply {
            Some(reply) => self.forward(sink, &reply).await,
            None => Ok(()),
        }
    }

    /// The ping timer: a client silent for longer than the pong timeout is lost, others are
    /// pinged.
    async fn on_ping_tick<S>(&self, sink: &mut S, pace: &mut Pace) -> Result<(), Ending>
    where
        S: Sink<OutFrame> + Unpin,
    {
        if pace.last_seen.elapsed() > self.config.pong_timeout {
            return Err(Ending::lost(
                Some(ErrorCode::PingTimeout),
                "no message from the client within the ping timeout",
            ));
        }
        pace.nonce += 1;
        self.forward(sink, &ServerMessage::Ping { nonce: pace.nonce })
            .await
    }

    /// Handles one message of a joined client; returns the reply, if any.
    async fn handle(&self, joined: &mut Joined, msg: ClientMessage) -> Option<ServerMessage> {
        match msg {
            ClientMessage::Join { .. } => Some(error(
                ErrorCode::AlreadyJoined,
                "this connection has already joined",
            )),
            ClientMessage::Offer { sdp } => self.offer(joined, sdp).await,
            ClientMessage::Answer { sdp } => self.answer(joined, sdp).await,
            ClientMessage::Candidate { candidate } => self.candidate(joined, candidate).await,
            ClientMessage::TrackState { kind, muted } => {
                self.rooms
                    .track_state(&joined.room, &joined.label, kind, muted)
                    .await;
                None
            }
            ClientMessage::Reauthenticate { token } => {
                Some(self.reauthenticate(joined, &token).await)
            }
            ClientMessage::Ping { nonce } => Some(ServerMessage::Pong { nonce }),
            ClientMessage::Pong { .. } => None,
            ClientMessage::Leave => None,
        }
    }
}
