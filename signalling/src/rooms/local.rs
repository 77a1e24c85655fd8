//! Rooms held in this process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use super::{BoxFuture, CLOSED_ROOM_MEMORY, Identity, Member, RoomError, Rooms};
use crate::protocol::{ErrorCode, LeaveReason, MediaKind, ParticipantInfo, ServerMessage};

/// Rooms held in this process.
#[derive(Debug, Default)]
pub struct LocalRooms {
    rooms: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    open: HashMap<String, Vec<Member>>,
    /// Closed rooms and when they were closed.
    closed: HashMap<String, Instant>,
}

impl LocalRooms {
    /// No rooms yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn with_all<T>(&self, f: impl FnOnce(&mut Table) -> T) -> T {
        // A poisoned lock means a panic elsewhere while holding it; the maps themselves are
        // still consistent (every mutation is a single insert/remove), so keep serving.
        let mut table = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut table)
    }

    fn with_rooms<T>(&self, f: impl FnOnce(&mut HashMap<String, Vec<Member>>) -> T) -> T {
        self.with_all(|r| f(&mut r.open))
    }
}

/// The answer of a local operation, as the boxed future the trait returns: it is already done.
fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, T> {
    Box::pin(std::future::ready(value))
}

impl Rooms for LocalRooms {
    fn join(
        &self,
        room: &str,
        member: Member,
        capacity: usize,
    ) -> BoxFuture<'_, Result<Vec<ParticipantInfo>, RoomError>> {
        let result = self.with_all(|all| {
            if all.closed.contains_key(room) {
                return Err(RoomError::Closed);
            }
            let rooms = &mut all.open;
            let members = rooms.entry(room.to_owned()).or_default();
            if members.iter().any(|m| m.info.id == member.info.id) {
                return Err(RoomError::AlreadyJoined);
            }
            if members.len() >= capacity {
                if members.is_empty() {
                    rooms.remove(room);
                }
                return Err(RoomError::RoomFull);
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
        ready(result)
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
        ready(())
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
        ready(())
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
        ready(updated)
    }

    fn participant(&self, room: &str, participant_id: &str) -> Option<ParticipantInfo> {
        self.with_rooms(|rooms| {
            rooms
                .get(room)
                .into_iter()
                .flatten()
                .find(|m| m.info.id == participant_id)
                .map(|m| m.info.clone())
        })
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
        ready(kicked)
    }

    fn close_room(&self, room: &str, code: ErrorCode) -> BoxFuture<'_, usize> {
        let n = self.with_all(|all| {
            let now = Instant::now();
            all.closed
                .retain(|_, at| now.duration_since(*at) < CLOSED_ROOM_MEMORY);
            all.closed.insert(room.to_owned(), now);
            // The members leave (and are removed) through their own connection loops.
            all.open.get(room).map_or(0, |members| {
                members
                    .iter()
                    .map(|m| m.outbox.kick_switch().kick(code))
                    .count()
            })
        });
        ready(n)
    }

    fn notify_room(&self, room: &str, msg: ServerMessage) -> BoxFuture<'_, usize> {
        let n = self.with_rooms(|rooms| {
            rooms.get(room).map_or(0, |members| {
                members
                    .iter()
                    .map(|m| m.outbox.deliver(msg.clone()))
                    .count()
            })
        });
        ready(n)
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
        ready(n)
    }

    fn kick_all(&self, code: ErrorCode) -> BoxFuture<'_, usize> {
        let n = self.with_rooms(|rooms| {
            rooms
                .values()
                .flatten()
                .map(|m| m.outbox.kick_switch().kick(code))
                .count()
        });
        ready(n)
    }

    fn counts(&self) -> (usize, usize) {
        self.with_rooms(|rooms| (rooms.len(), rooms.values().map(Vec::len).sum()))
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::mpsc;

    use super::*;
    use crate::protocol::Role;
    use crate::rooms::{Kick, Outbox};

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

    /// Puts member `id` (queue of 8) into room `r` (capacity 6); its kick switch and queue.
    async fn join_r(rooms: &LocalRooms, id: &str) -> (Kick, mpsc::Receiver<ServerMessage>) {
        let (m, rx) = member(id, 8);
        let kick = m.outbox.kick_switch().clone();
        rooms.join("r", m, 6).await.unwrap();
        (kick, rx)
    }

    #[tokio::test]
    async fn join_tells_others_and_capacity_holds() {
        let rooms = LocalRooms::new();
        let (a, mut rx_a) = member("a", 8);
        let (b, _rx_b) = member("b", 8);
        let (c, _rx_c) = member("c", 8);
        assert!(rooms.join("r", a, 2).await.unwrap().is_empty());
        let others = rooms.join("r", b, 2).await.unwrap();
        assert_eq!(others[0].id, "a");
        assert!(matches!(
            rx_a.try_recv().unwrap(),
            ServerMessage::ParticipantJoined { participant } if participant.id == "b"
        ));
        assert_eq!(rooms.join("r", c, 2).await, Err(RoomError::RoomFull));
        assert_eq!(rooms.counts(), (1, 2));
        rooms.leave("r", "b", LeaveReason::Left).await;
        assert!(matches!(
            rx_a.try_recv().unwrap(),
            ServerMessage::ParticipantLeft { participant_id, .. } if participant_id == "b"
        ));
        rooms.leave("r", "a", LeaveReason::Left).await;
        rooms.leave("r", "a", LeaveReason::Left).await;
        assert_eq!(rooms.counts(), (0, 0));
    }

    #[tokio::test]
    async fn a_member_that_never_reads_is_cut_off() {
        let rooms = LocalRooms::new();
        let (slow, _rx_never_read) = member("slow", 2);
        let kick = slow.outbox.kick_switch().clone();
        rooms.join("r", slow, 6).await.unwrap();
        for i in 0..4 {
            let (m, _rx) = member(&format!("m{i}"), 8);
            rooms.join("r", m, 6).await.unwrap();
        }
        let code = tokio::time::timeout(std::time::Duration::from_secs(1), kick.kicked())
            .await
            .expect("slow member was kicked");
        assert_eq!(code, ErrorCode::SlowConsumer);
    }

    #[tokio::test]
    async fn kick_by_subject() {
        let rooms = LocalRooms::new();
        let (kick, _rx) = join_r(&rooms, "a").await;
        assert_eq!(rooms.kick_subject("sub-a", ErrorCode::Removed).await, 1);
        assert_eq!(kick.kicked().await, ErrorCode::Removed);
        assert_eq!(rooms.kick_subject("nobody", ErrorCode::Removed).await, 0);
    }

    #[tokio::test]
    async fn reidentify_tells_the_others_and_keeps_the_id() {
        let rooms = LocalRooms::new();
        let (_, mut rx_a) = join_r(&rooms, "a").await;
        let (_, mut rx_b) = join_r(&rooms, "b").await;
        let _ = rx_a.try_recv();
        let identity = Identity {
            role: Role::Operator,
            display_name: "Operatore".into(),
            subject: "sub-new".into(),
        };
        let info = rooms.reidentify("r", "b", identity.clone()).await.unwrap();
        assert_eq!((info.id.as_str(), info.role), ("b", Role::Operator));
        assert!(matches!(
            rx_a.try_recv().unwrap(),
            ServerMessage::ParticipantUpdated { participant } if participant == info
        ));
        assert!(rx_b.try_recv().is_err(), "the reidentified one is not told");
        assert_eq!(rooms.participants_of("r", "sub-new"), vec!["b".to_owned()]);
        assert!(rooms.participants_of("r", "sub-b").is_empty());
        assert!(
            rooms
                .reidentify("r", "zz", identity.clone())
                .await
                .is_none()
        );
        assert!(rooms.reidentify("other", "b", identity).await.is_none());
        // The old subject no longer matches: not cut off.
        assert!(
            !rooms
                .kick_if_subject("r", "b", "sub-b", ErrorCode::Removed)
                .await
        );
        assert!(
            rooms
                .kick_if_subject("r", "a", "sub-a", ErrorCode::Removed)
                .await
        );
    }

    #[tokio::test]
    async fn a_closed_room_cuts_everyone_and_refuses_joins() {
        let rooms = LocalRooms::new();
        let (kick, _rx) = join_r(&rooms, "a").await;
        assert_eq!(rooms.close_room("r", ErrorCode::MeetingEnded).await, 1);
        assert_eq!(kick.kicked().await, ErrorCode::MeetingEnded);
        let (b, _rx) = member("b", 8);
        assert_eq!(rooms.join("r", b, 6).await, Err(RoomError::Closed));
        let (c, _rx) = member("c", 8);
        assert!(rooms.join("other", c, 6).await.is_ok());
        assert_eq!(
            rooms
                .close_room("never-opened", ErrorCode::MeetingEnded)
                .await,
            0
        );
    }
}
