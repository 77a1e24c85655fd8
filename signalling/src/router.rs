//! Room membership and fan-out of signalling messages.
//!
//! [`RoomRouter`] is the seam between one node and many: [`LocalRouter`] keeps rooms in this
//! process; a Redis implementation (multi-node) plugs in behind the same trait.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::protocol::{ErrorCode, LeaveReason, MediaKind, ParticipantInfo, ServerMessage};

/// A boxed future, so the router trait can be used as `dyn RoomRouter`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a participant could not be added to a room.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouterError {
    /// The room already holds its maximum number of participants.
    #[error("room is full")]
    RoomFull,
    /// A participant with this id is already in the room.
    #[error("participant already in the room")]
    AlreadyJoined,
}

/// The bounded queue of messages towards one connection, and the switch that cuts it off.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::Sender<ServerMessage>,
    kick: Kick,
}

/// Cuts a connection off, remembering why.
#[derive(Debug, Clone, Default)]
pub struct Kick {
    token: CancellationToken,
    reason: Arc<Mutex<Option<ErrorCode>>>,
}

impl Kick {
    /// Asks the connection to close with `code` (the first reason wins).
    pub fn kick(&self, code: ErrorCode) {
        if let Ok(mut reason) = self.reason.lock() {
            reason.get_or_insert(code);
        }
        self.token.cancel();
    }

    /// Resolves once the connection was asked to close.
    pub async fn kicked(&self) -> ErrorCode {
        self.token.cancelled().await;
        self.reason
            .lock()
            .ok()
            .and_then(|r| *r)
            .unwrap_or(ErrorCode::Removed)
    }
}

impl Outbox {
    /// A new outbox holding at most `capacity` undelivered messages, and its receiving end.
    pub fn new(capacity: usize) -> (Self, mpsc::Receiver<ServerMessage>) {
        let (tx, rx) = mpsc::channel(capacity);
        (
            Self {
                tx,
                kick: Kick::default(),
            },
            rx,
        )
    }

    /// The kill switch of this connection.
    pub fn kick_switch(&self) -> &Kick {
        &self.kick
    }

    /// Queues `msg`; a connection whose queue is full is too slow and is cut off.
    pub fn deliver(&self, msg: ServerMessage) {
        match self.tx.try_send(msg) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => self.kick.kick(ErrorCode::SlowConsumer),
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
}

/// One participant as the router knows them.
#[derive(Debug, Clone)]
pub struct Member {
    /// Public description, sent to the others.
    pub info: ParticipantInfo,
    /// Subject of their token (account or session id), for revocation.
    pub subject: String,
    /// Where their messages go.
    pub outbox: Outbox,
}

/// Room membership and message fan-out.
pub trait RoomRouter: Send + Sync + std::fmt::Debug + 'static {
    /// Adds `member` to `room` (created on first join) if it has fewer than `capacity` members;
    /// tells the others and returns them.
    fn join(
        &self,
        room: &str,
        member: Member,
        capacity: usize,
    ) -> BoxFuture<'_, Result<Vec<ParticipantInfo>, RouterError>>;

    /// Removes a participant and tells the others; removes the room when empty. Idempotent.
    fn leave(&self, room: &str, participant_id: &str, reason: LeaveReason) -> BoxFuture<'_, ()>;

    /// Records a mute change and tells the others.
    fn track_state(
        &self,
        room: &str,
        participant_id: &str,
        kind: MediaKind,
        muted: bool,
    ) -> BoxFuture<'_, ()>;

    /// Cuts off every connection of `subject` on this node (revocation); returns how many.
    fn kick_subject(&self, subject: &str, code: ErrorCode) -> BoxFuture<'_, usize>;

    /// Cuts off every connection on this node (shutdown); returns how many.
    fn kick_all(&self, code: ErrorCode) -> BoxFuture<'_, usize>;

    /// Number of rooms and of participants on this node.
    fn counts(&self) -> (usize, usize);
}

/// Rooms held in this process.
#[derive(Debug, Default)]
pub struct LocalRouter {
    rooms: Mutex<HashMap<String, Vec<Member>>>,
}

impl LocalRouter {
    /// An empty router.
    pub fn new() -> Self {
        Self::default()
    }

    fn with_rooms<T>(&self, f: impl FnOnce(&mut HashMap<String, Vec<Member>>) -> T) -> T {
        // A poisoned lock means a panic elsewhere while holding it; the map itself is still
        // consistent (every mutation is a single insert/remove), so keep serving.
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut rooms)
    }
}

impl RoomRouter for LocalRouter {
    fn join(
        &self,
        room: &str,
        member: Member,
        capacity: usize,
    ) -> BoxFuture<'_, Result<Vec<ParticipantInfo>, RouterError>> {
        let result = self.with_rooms(|rooms| {
            let members = rooms.entry(room.to_owned()).or_default();
            if members.iter().any(|m| m.info.id == member.info.id) {
                return Err(RouterError::AlreadyJoined);
            }
            if members.len() >= capacity {
                if members.is_empty() {
                    rooms.remove(room);
                }
                return Err(RouterError::RoomFull);
            }
            let others: Vec<ParticipantInfo> = members.iter().map(|m| m.info.clone()).collect();
            for m in members.iter() {
                m.outbox.deliver(ServerMessage::ParticipantJoined {
                    participant: member.info.clone(),
                });
            }
            members.push(member);
            Ok(others)
        });
        Box::pin(std::future::ready(result))
    }

    fn leave(&self, room: &str, participant_id: &str, reason: LeaveReason) -> BoxFuture<'_, ()> {
        self.with_rooms(|rooms| {
            let Some(members) = rooms.get_mut(room) else {
                return;
            };
            let before = members.len();
            members.retain(|m| m.info.id != participant_id);
            if members.len() != before {
                for m in members.iter() {
                    m.outbox.deliver(ServerMessage::ParticipantLeft {
                        participant_id: participant_id.to_owned(),
                        reason,
                    });
                }
            }
            if members.is_empty() {
                rooms.remove(room);
            }
        });
        Box::pin(std::future::ready(()))
    }

    fn track_state(
        &self,
        room: &str,
        participant_id: &str,
        kind: MediaKind,
        muted: bool,
    ) -> BoxFuture<'_, ()> {
        self.with_rooms(|rooms| {
            let Some(members) = rooms.get_mut(room) else {
                return;
            };
            for m in members.iter_mut() {
                if m.info.id == participant_id {
                    match kind {
                        MediaKind::Audio => m.info.audio_muted = muted,
                        MediaKind::Video => m.info.video_muted = muted,
                    }
                } else {
                    m.outbox.deliver(ServerMessage::TrackState {
                        participant_id: participant_id.to_owned(),
                        kind,
                        muted,
                    });
                }
            }
        });
        Box::pin(std::future::ready(()))
    }

    fn kick_subject(&self, subject: &str, code: ErrorCode) -> BoxFuture<'_, usize> {
        let n = self.with_rooms(|rooms| {
            let mut n = 0;
            for m in rooms.values().flatten().filter(|m| m.subject == subject) {
                m.outbox.kick_switch().kick(code);
                n += 1;
            }
            n
        });
        Box::pin(std::future::ready(n))
    }

    fn kick_all(&self, code: ErrorCode) -> BoxFuture<'_, usize> {
        let n = self.with_rooms(|rooms| {
            rooms
                .values()
                .flatten()
                .map(|m| m.outbox.kick_switch().kick(code))
                .count()
        });
        Box::pin(std::future::ready(n))
    }

    fn counts(&self) -> (usize, usize) {
        self.with_rooms(|rooms| (rooms.len(), rooms.values().map(Vec::len).sum()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Role;

    fn member(id: &str, capacity: usize) -> (Member, mpsc::Receiver<ServerMessage>) {
        let (outbox, rx) = Outbox::new(capacity);
        let info = ParticipantInfo {
            id: id.into(),
            display_name: format!("name {id}"),
            role: Role::Citizen,
            audio_muted: false,
            video_muted: false,
        };
        (
            Member {
                info,
                subject: format!("sub-{id}"),
                outbox,
            },
            rx,
        )
    }

    #[tokio::test]
    async fn join_tells_others_and_capacity_holds() {
        let router = LocalRouter::new();
        let (a, mut rx_a) = member("a", 8);
        let (b, _rx_b) = member("b", 8);
        let (c, _rx_c) = member("c", 8);
        assert!(router.join("r", a, 2).await.unwrap().is_empty());
        let others = router.join("r", b, 2).await.unwrap();
        assert_eq!(others[0].id, "a");
        assert!(matches!(
            rx_a.try_recv().unwrap(),
            ServerMessage::ParticipantJoined { participant } if participant.id == "b"
        ));
        assert_eq!(router.join("r", c, 2).await, Err(RouterError::RoomFull));
        assert_eq!(router.counts(), (1, 2));
        router.leave("r", "b", LeaveReason::Left).await;
        assert!(matches!(
            rx_a.try_recv().unwrap(),
            ServerMessage::ParticipantLeft { participant_id, .. } if participant_id == "b"
        ));
        router.leave("r", "a", LeaveReason::Left).await;
        router.leave("r", "a", LeaveReason::Left).await;
        assert_eq!(router.counts(), (0, 0));
    }

    #[tokio::test]
    async fn a_member_that_never_reads_is_cut_off() {
        let router = LocalRouter::new();
        let (slow, _rx_never_read) = member("slow", 2);
        let kick = slow.outbox.kick_switch().clone();
        router.join("r", slow, 6).await.unwrap();
        for i in 0..4 {
            let (m, _rx) = member(&format!("m{i}"), 8);
            router.join("r", m, 6).await.unwrap();
        }
        let code = tokio::time::timeout(std::time::Duration::from_secs(1), kick.kicked())
            .await
            .expect("slow member was kicked");
        assert_eq!(code, ErrorCode::SlowConsumer);
    }

    #[tokio::test]
    async fn kick_by_subject() {
        let router = LocalRouter::new();
        let (a, _rx) = member("a", 8);
        let kick = a.outbox.kick_switch().clone();
        router.join("r", a, 6).await.unwrap();
        assert_eq!(router.kick_subject("sub-a", ErrorCode::Removed).await, 1);
        assert_eq!(kick.kicked().await, ErrorCode::Removed);
        assert_eq!(router.kick_subject("nobody", ErrorCode::Removed).await, 0);
    }
}
