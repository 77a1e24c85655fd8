//! The per-connection state machine: authenticate the first message, join the room, then
//! relay between the client, the room and the media plane until someone leaves.
//!
//! Generic over a [`Sink`] of [`OutFrame`]s and a [`Stream`] of [`InFrame`]s, so it is tested
//! without a socket; the HTTP layer adapts its WebSocket to these.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use sportello_sfu::{ParticipantId, Sfu, SfuError, SfuEvent};
use tokio::sync::mpsc;

use crate::codec::{self, DecodeError};
use crate::config::SignallingConfig;
use crate::observer::{MeetingObserver, NoObserver};
use crate::protocol::Role;
use crate::protocol::{
    ClientMessage, ErrorCode, LeaveReason, PROTOCOL_VERSION, ParticipantInfo, ServerMessage,
};
use crate::rate::RateLimiter;
use crate::router::{Identity, Kick, Member, Outbox, RoomRouter, RouterError};
use crate::token::{MeetingClaims, TokenError, TokenKey, unix_now};

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
    router: Arc<dyn RoomRouter>,
    observer: Arc<dyn MeetingObserver>,
    next_id: AtomicU64,
}

/// How a joined connection ended.
struct Ending {
    reason: LeaveReason,
    error: Option<(ErrorCode, String)>,
}

impl Ending {
    fn left() -> Self {
        Self {
            reason: LeaveReason::Left,
            error: None,
        }
    }
    fn lost(code: Option<ErrorCode>, message: &str) -> Self {
        Self {
            reason: LeaveReason::ConnectionLost,
            error: code.map(|c| (c, message.to_owned())),
        }
    }
}

/// A joined participant's connection state.
struct Joined {
    id: ParticipantId,
    label: String,
    room: String,
    /// The subject and role of the token the connection acts under now.
    subject: String,
    role: Role,
    sfu_events: mpsc::Receiver<SfuEvent>,
    outbox: mpsc::Receiver<ServerMessage>,
    kick: Kick,
}

/// Counts a refused message or a closing error by its code (no personal data in labels).
pub fn count_error(code: ErrorCode) {
    metrics::counter!("sportello_signalling_errors_total", "code" => code.as_str()).increment(1);
}

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
    /// Signalling over `sfu` and `router`, verifying tokens with `key`.
    pub fn new(
        config: SignallingConfig,
        key: TokenKey,
        sfu: Sfu,
        router: Arc<dyn RoomRouter>,
    ) -> Self {
        Self {
            config,
            key,
            sfu,
            router,
            observer: Arc::new(NoObserver),
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

    /// The token key, for issuing tokens in the same process.
    pub fn token_key(&self) -> &TokenKey {
        &self.key
    }

    /// The room router.
    pub fn router(&self) -> &Arc<dyn RoomRouter> {
        &self.router
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

    fn verify(&self, version: u32, token: &str) -> Result<MeetingClaims, ServerMessage> {
        if version != PROTOCOL_VERSION {
            return Err(error(
                ErrorCode::UnsupportedVersion,
                format!("protocol version {version} is not supported; use {PROTOCOL_VERSION}"),
            ));
        }
        if token.is_empty() {
            return Err(error(
                ErrorCode::TokenMissing,
                "a meeting token is required",
            ));
        }
        self.key.verify(token, unix_now()).map_err(|e| match e {
            TokenError::Expired => error(ErrorCode::TokenExpired, e.to_string()),
            _ => error(ErrorCode::TokenInvalid, e.to_string()),
        })
    }

    async fn join(
        &self,
        version: u32,
        token: &str,
    ) -> Result<(Joined, ServerMessage), ServerMessage> {
        let claims = self.verify(version, token)?;
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let id = ParticipantId(n);
        let label = format!("p{n}");
        let (outbox, outbox_rx) = Outbox::new(self.config.outbox_capacity);
        let kick = outbox.kick_switch().clone();
        let info = ParticipantInfo {
            id: label.clone(),
            display_name: claims.name.clone(),
            role: claims.role,
            audio_muted: false,
            video_muted: false,
        };
        let member = Member {
            info,
            subject: claims.sub.clone(),
            outbox,
        };
        let capacity = self.config.max_participants_per_room;
        let others = self
            .router
            .join(&claims.room, member, capacity)
            .await
            .map_err(|e| match e {
                RouterError::RoomFull => error(
                    ErrorCode::RoomFull,
                    format!("the room already has {capacity} participants"),
                ),
                RouterError::Closed => error(
                    ErrorCode::MeetingEnded,
                    "this meeting has been closed by the official",
                ),
                other => error(ErrorCode::Internal, other.to_string()),
            })?;
        let sfu_events = match self.sfu.add_participant(&claims.room, id, &label).await {
            Ok(rx) => rx,
            Err(e) => {
                self.router
                    .leave(&claims.room, &label, LeaveReason::Removed)
                    .await;
                return Err(match e {
                    SfuError::RoomFull => error(ErrorCode::RoomFull, "the room is full"),
                    other => {
                        tracing::warn!(error = %other, "media plane refused a participant");
                        error(ErrorCode::Internal, "the media plane is not available")
                    }
                });
            }
        };
        metrics::counter!("sportello_signalling_joins_total").increment(1);
        tracing::info!(participant = %label, role = ?claims.role, "participant joined");
        self.observer.joined(&claims.room, &claims.sub, claims.role);
        let hello = ServerMessage::Joined {
            version: PROTOCOL_VERSION,
            participant_id: label.clone(),
            room: claims.room.clone(),
            role: claims.role,
            participants: others,
            ice_servers: self.config.ice_servers.clone(),
        };
        Ok((
            Joined {
                id,
                label,
                room: claims.room,
                subject: claims.sub,
                role: claims.role,
                sfu_events,
                outbox: outbox_rx,
                kick,
            },
            hello,
        ))
    }

    async fn run_joined<S, R>(
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
            Ending::lost(None, "")
        };
        self.router
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
        let start = Instant::now();
        let mut limiter =
            RateLimiter::new(self.config.rate_burst, self.config.rate_per_second, start);
        let mut last_rate_error: Option<Instant> = None;
        let mut last_seen = start;
        let mut ping = tokio::time::interval_at(
            tokio::time::Instant::now() + self.config.ping_interval,
            self.config.ping_interval,
        );
        let mut nonce = 0u64;
        loop {
            tokio::select! {
                frame = stream.next() => {
                    let Some(frame) = frame else { return Ending::lost(None, "") };
                    match frame {
                        InFrame::Close => return Ending::left(),
                        // The transport refused the frame and will not read further.
                        InFrame::TooLarge(len) => {
                            let e = codec::too_large(len);
                            return Ending::lost(Some(e.code), &e.message);
                        }
                        _ => {}
                    }
                    let now = Instant::now();
                    last_seen = now;
                    if !limiter.allow(now) {
                        let due = last_rate_error.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1));
                        if due {
                            last_rate_error = Some(now);
                            let msg = error(ErrorCode::RateLimited, format!(
                                "too many messages; slow down (retry in {} ms)",
                                limiter.retry_after().as_millis().max(1)
                            ));
                            if !self.send(sink, &msg).await {
                                return Ending::lost(None, "");
                            }
                        }
                        continue;
                    }
                    let reply = match self.decode_frame(frame) {
                        Err(msg) => Some(msg),
                        Ok(ClientMessage::Leave) => {
                            let _ = self.send(sink, &ServerMessage::Left).await;
                            return Ending::left();
                        }
                        Ok(msg) => self.handle(joined, msg).await,
                    };
                    if let Some(reply) = reply
                        && !self.send(sink, &reply).await
                    {
                        return Ending::lost(None, "");
                    }
                }
                Some(msg) = joined.outbox.recv() => {
                    if !self.send(sink, &msg).await {
                        return Ending::lost(None, "");
                    }
                }
                event = joined.sfu_events.recv() => match event {
                    Some(SfuEvent::Offer { sdp }) => {
                        if !self.send(sink, &ServerMessage::Offer { sdp }).await {
                            return Ending::lost(None, "");
                        }
                    }
                    Some(SfuEvent::Connected) => {
                        tracing::debug!(participant = %joined.label, "media connected");
                    }
                    Some(SfuEvent::Failed) => {
                        return Ending::lost(Some(ErrorCode::Removed), "the media connection failed");
                    }
                    None => return Ending {
                        reason: LeaveReason::Removed,
                        error: Some((ErrorCode::ShuttingDown, "the media plane stopped".into())),
                    },
                },
                _ = ping.tick() => {
                    if last_seen.elapsed() > self.config.pong_timeout {
                        return Ending::lost(Some(ErrorCode::PingTimeout), "no message from the client within the ping timeout");
                    }
                    nonce += 1;
                    if !self.send(sink, &ServerMessage::Ping { nonce }).await {
                        return Ending::lost(None, "");
                    }
                }
                code = joined.kick.kicked() => {
                    let message = match code {
                        ErrorCode::SlowConsumer => "the client did not read its messages in time",
                        ErrorCode::ShuttingDown => "the server is shutting down",
                        _ => "removed from the meeting",
                    };
                    return Ending { reason: LeaveReason::Removed, error: Some((code, message.into())) };
                }
            }
        }
    }

    /// Handles one message of a joined client; returns the reply, if any.
    async fn handle(&self, joined: &mut Joined, msg: ClientMessage) -> Option<ServerMessage> {
        match msg {
            ClientMessage::Join { .. } => Some(error(
                ErrorCode::AlreadyJoined,
                "this connection has already joined",
            )),
            ClientMessage::Offer { sdp } => match self.sfu.offer(joined.id, sdp).await {
                Ok(sdp) => Some(ServerMessage::Answer { sdp }),
                Err(SfuError::Glare) => {
                    // The server's offer wins; the polite client rolls back and answers it.
                    tracing::debug!(participant = %joined.label, "offer collision ignored");
                    None
                }
                Err(e) => Some(sfu_error(e)),
            },
            ClientMessage::Answer { sdp } => match self.sfu.answer(joined.id, sdp).await {
                Ok(()) => None,
                Err(e) => Some(sfu_error(e)),
            },
            ClientMessage::Candidate { candidate } => {
                if candidate.candidate.is_empty() {
                    return None;
                }
                match self
                    .sfu
                    .add_ice_candidate(joined.id, candidate.candidate)
                    .await
                {
                    Ok(()) => None,
                    Err(e) => Some(sfu_error(e)),
                }
            }
            ClientMessage::TrackState { kind, muted } => {
                self.router
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

    /// Handover: the connection takes the identity of another token for the same room, keeping
    /// its participant id and its media. The others are told by the router.
    async fn reauthenticate(&self, joined: &mut Joined, token: &str) -> ServerMessage {
        let claims = match self.verify(PROTOCOL_VERSION, token) {
            Ok(c) => c,
            Err(msg) => return msg,
        };
        if claims.room != joined.room {
            return error(
                ErrorCode::WrongRoom,
                "the token is for another meeting than this connection's",
            );
        }
        let identity = Identity {
            role: claims.role,
            display_name: claims.name,
            subject: claims.sub,
        };
        let Some(participant) = self
            .router
            .reidentify(&joined.room, &joined.label, identity.clone())
            .await
        else {
            return error(
                ErrorCode::Internal,
                "this connection is no longer in the room",
            );
        };
        tracing::info!(participant = %joined.label, from = ?joined.role, to = ?identity.role, "participant reauthenticated");
        self.observer.reidentified(
            &joined.room,
            (&joined.subject, joined.role),
            (&identity.subject, identity.role),
        );
        joined.subject = identity.subject;
        joined.role = identity.role;
        ServerMessage::Reauthenticated { participant }
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

fn sfu_error(e: SfuError) -> ServerMessage {
    match e {
        SfuError::BadSdp(why) => error(ErrorCode::BadSdp, format!("the SDP was refused: {why}")),
        SfuError::BadCandidate(why) => error(
            ErrorCode::BadCandidate,
            format!("the ICE candidate was refused: {why}"),
        ),
        SfuError::NoPendingOffer => error(
            ErrorCode::NoPendingOffer,
            "there is no server offer to answer",
        ),
        other => {
            tracing::warn!(error = %other, "media plane error");
            error(
                ErrorCode::Internal,
                "the media plane failed to handle the request",
            )
        }
    }
}

#[cfg(test)]
mod slow_reader_tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use futures_util::Sink;
    use sportello_sfu::{Sfu, SfuConfig};

    use super::*;
    use crate::protocol::Role;
    use crate::router::LocalRouter;

    /// A client whose socket accepts the first `n` frames and then never again.
    struct StuckSink {
        accepted: usize,
        limit: usize,
    }

    impl Sink<OutFrame> for StuckSink {
        type Error = ();
        fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            if self.accepted < self.limit {
                Poll::Ready(Ok(()))
            } else {
                Poll::Pending
            }
        }
        fn start_send(mut self: Pin<&mut Self>, _: OutFrame) -> Result<(), ()> {
            self.accepted += 1;
            Ok(())
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn a_client_that_never_reads_is_disconnected() {
        let sfu = Sfu::start(SfuConfig::default()).await.unwrap();
        let config = SignallingConfig {
            write_timeout: Duration::from_millis(200),
            outbox_capacity: 16,
            ..SignallingConfig::default()
        };
        let key = TokenKey::generate();
        let router: Arc<dyn RoomRouter> = Arc::new(LocalRouter::new());
        let signalling = Arc::new(Signalling::new(
            config,
            key.clone(),
            sfu.clone(),
            router.clone(),
        ));
        let now = unix_now();
        let token = |name: &str| {
            key.sign(&MeetingClaims {
                room: "r".into(),
                role: Role::Citizen,
                sub: name.into(),
                name: name.into(),
                iat: now,
                exp: now + 60,
            })
        };
        // The stuck client accepts only its `joined`.
        let (tx, rx) = futures_channel::mpsc::unbounded::<InFrame>();
        let join = serde_json::json!({"type":"join","version":1,"token":token("stuck")});
        tx.unbounded_send(InFrame::Text(join.to_string())).unwrap();
        let stuck = tokio::spawn({
            let s = signalling.clone();
            async move {
                s.serve(
                    StuckSink {
                        accepted: 0,
                        limit: 1,
                    },
                    rx,
                )
                .await
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(router.counts(), (1, 1));
        // Others keep joining and muting: messages for the stuck client pile up.
        let mut others = Vec::new();
        for i in 0..3 {
            let (otx, orx) = futures_channel::mpsc::unbounded::<InFrame>();
            let join =
                serde_json::json!({"type":"join","version":1,"token":token(&format!("o{i}"))});
            otx.unbounded_send(InFrame::Text(join.to_string())).unwrap();
            for _ in 0..5 {
                let mute = serde_json::json!({"type":"track_state","kind":"audio","muted":true});
                otx.unbounded_send(InFrame::Text(mute.to_string())).unwrap();
            }
            let s = signalling.clone();
            let (sink_tx, _sink_rx) = futures_channel::mpsc::unbounded::<OutFrame>();
            others.push((
                otx,
                _sink_rx,
                tokio::spawn(async move { s.serve(sink_tx.sink_map_err(|_| ()), orx).await }),
            ));
        }
        tokio::time::timeout(Duration::from_secs(5), stuck)
            .await
            .expect("the stuck client is cut off")
            .unwrap();
        assert_eq!(router.counts(), (1, 3));
        drop(others);
        sfu.shutdown().await;
    }
}
