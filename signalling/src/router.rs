//! Room membership and fan-out of signalling messages.
//!
//! [`RoomRouter`] is the seam between one node and many: [`LocalRouter`] keeps rooms in this
//! process; a Redis implementation (multi-node) plugs in behind the same trait.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::protocol::{ErrorCode, LeaveReason, MediaKind, ParticipantInfo, Role, ServerMessage};

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
    /// The meeting was closed; nobody may join it again.
    #[error("the meeting was closed")]
    Closed,
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

/// Who a participant is: what a meeting token says, applied by `reidentify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Their role.
    pub role: Role,
    /// The name shown to the others.
    pub display_name: String,
    /// The subject of the token (account or session id).
    pub subject: String,
}

/// How long a closed room stays refused. Meeting tokens live minutes and the issuer stops
/// issuing them once the meeting is closed, so this only has to outlast the tokens in flight.
pub const CLOSED_ROOM_MEMORY: Duration = Duration::from_secs(3600);

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

    /// Gives a participant a new identity in place (handover): role, name and subject change,
    /// id and mute states stay. Tells the others (`participant_updated`) and returns the new
    /// description, or `None` if the participant is not in the room.
    fn reidentify(
        &self,
        room: &str,
        participant_id: &str,
        identity: Identity,
    ) -> BoxFuture<'_, Option<ParticipantInfo>>;

    /// The ids of the participants of `room` whose subject is `subject`.
    fn participants_of(&self, room: &str, subject: &str) -> Vec<String>;

    /// Cuts off participant `participant_id` of `room` if its subject is still `subject`
    /// (a handed-over connection that did not take its new identity); whether it was cut.
    fn kick_if_subject(
        &self,
        room: &str,
        participant_id: &str,
        subject: &str,
        code: ErrorCode,
    ) -> BoxFuture<'_, bool>;

    /// Closes `room` for good (the meeting ended): cuts off everyone in it with `code` and
    /// refuses later joins with [`RouterError::Closed`]; returns how many were cut off.
    fn close_room(&self, room: &str, code: ErrorCode) -> BoxFuture<'_, usize>;

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
    rooms: Mutex<Rooms>,
}

#[derive(Debug, Default)]
struct Rooms {
    open: HashMap<String, Vec<Member>>,
    /// Closed rooms and when they were closed.
    closed: HashMap<String, Instant>,
}

impl LocalRouter {
    /// An empty router.
    pub fn new() -> Self {
        Self::default()
    }

    fn with_all<T>(&self, f: impl FnOnce(&mut Rooms) -> T) -> T {
        // A poisoned lock means a panic elsewhere while holding it; the maps themselves are
        // still consistent (every mutation is a single insert/remove), so keep serving.
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut rooms)
    }

    fn with_rooms<T>(&self, f: impl FnOnce(&mut HashMap<String, Vec<Member>>) -> T) -> T {
        self.with_all(|r| f(&mut r.open))
    }
}

impl RoomRouter for LocalRouter {
    fn join(
        &self,
        room: &str,
        member: Member,
        capacity: usize,
    ) -> BoxFuture<'_, Result<Vec<ParticipantInfo>, RouterError>> {
        let result = self.with_all(|all| {
            if all.closed.contains_key(room) {
                return Err(RouterError::Closed);
            }
            let rooms = &mut all.open;
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

    fn reidentify(
        &self,
        room: &str,
        participant_id: &str,
        identity: Identity,
    ) -> BoxFuture<'_, Option<ParticipantInfo>> {
        let updated = self.with_rooms(|rooms| {
            let members = rooms.get_mut(room)?;
            let member = members.iter_mut().find(|m| m.info.id == participant_id)?;
            member.info.role = identity.role;
            member.info.display_name = identity.display_name;
            member.subject = identity.subject;
            let info = member.info.clone();
            for m in members.iter().filter(|m| m.info.id != participant_id) {
                m.outbox.deliver(ServerMessage::ParticipantUpdated {
                    participant: info.clone(),
                });
            }
            Some(info)
        });
        Box::pin(std::future::ready(updated))
    }

    fn participants_of(&self, room: &str, subject: &str) -> Vec<String> {
        self.with_rooms(|rooms| {
            rooms
                .get(room)
                .into_iter()
                .flatten()
                .filter(|m| m.subject == subject)
                .map(|m| m.info.id.clone())
                .collect()
        })
    }

    fn kick_if_subject(
        &self,
        room: &str,
        participant_id: &str,
        subject: &str,
        code: ErrorCode,
    ) -> BoxFuture<'_, bool> {
        let kicked = self.with_rooms(|rooms| {
            let Some(m) = rooms
                .get(room)
                .into_iter()
                .flatten()
                .find(|m| m.info.id == participant_id && m.subject == subject)
            else {
                return false;
            };
            m.outbox.kick_switch().kick(code);
            true
        });
        Box::pin(std::future::ready(kicked))
    }

    fn close_room(&self, room: &str, code: ErrorCode) -> BoxFuture<'_, usize> {
        let n = self.with_all(|all| {
            let now = Instant::now();
            all.closed
                .retain(|_, at| now.duration_since(*at) < CLOSED_ROOM_MEMORY);
            all.closed.insert(room.to_owned(), now);
            // The members leave (and are removed) through their own session loops.
            all.open.get(room).map_or(0, |members| {
                members
                    .iter()
                    .map(|m| m.outbox.kick_switch().kick(code))
                    .count()
            })
        });
        Box::pin(std::future::ready(n))
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

    #[tokio::test]
    async fn reidentify_tells_the_others_and_keeps_the_id() {
        let router = LocalRouter::new();
        let (a, mut rx_a) = member("a", 8);
        let (b, mut rx_b) = member("b", 8);
        router.join("r", a, 6).await.unwrap();
        router.join("r", b, 6).await.unwrap();
        let _ = rx_a.try_recv();
        let identity = Identity {
            role: Role::Operator,
            display_name: "Operatore".into(),
            subject: "sub-new".into(),
        };
        let info = router.reidentify("r", "b", identity.clone()).await.unwrap();
        assert_eq!((info.id.as_str(), info.role), ("b", Role::Operator));
        assert!(matches!(
            rx_a.try_recv().unwrap(),
            ServerMessage::ParticipantUpdated { participant } if participant == info
        ));
        assert!(rx_b.try_recv().is_err(), "the reidentified one is not told");
        assert_eq!(router.participants_of("r", "sub-new"), vec!["b".to_owned()]);
        assert!(router.participants_of("r", "sub-b").is_empty());
        assert!(
            router
                .reidentify("r", "zz", identity.clone())
                .await
                .is_none()
        );
        assert!(router.reidentify("other", "b", identity).await.is_none());
        // The old subject no longer matches: not cut off.
        assert!(
            !router
                .kick_if_subject("r", "b", "sub-b", ErrorCode::Removed)
                .await
        );
        assert!(
            router
                .kick_if_subject("r", "a", "sub-a", ErrorCode::Removed)
                .await
        );
    }

    #[tokio::test]
    async fn a_closed_room_cuts_everyone_and_refuses_joins() {
        let router = LocalRouter::new();
        let (a, _rx) = member("a", 8);
        let kick = a.outbox.kick_switch().clone();
        router.join("r", a, 6).await.unwrap();
        assert_eq!(router.close_room("r", ErrorCode::MeetingEnded).await, 1);
        assert_eq!(kick.kicked().await, ErrorCode::MeetingEnded);
        let (b, _rx) = member("b", 8);
        assert_eq!(router.join("r", b, 6).await, Err(RouterError::Closed));
        let (c, _rx) = member("c", 8);
        assert!(router.join("other", c, 6).await.is_ok());
        assert_eq!(
            router
                .close_room("never-opened", ErrorCode::MeetingEnded)
                .await,
            0
        );
    }
}
