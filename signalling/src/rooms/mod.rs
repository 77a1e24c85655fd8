//! Room membership and fan-out of signalling messages.
//!
//! [`Rooms`] is the seam between one node and many: [`LocalRooms`] keeps rooms in this
//! process; a Redis implementation (multi-node) plugs in behind the same trait. Each member is
//! reached through its bounded [`Outbox`]; a member that does not keep up is cut off through
//! its [`Kick`] switch.

mod local;
mod outbox;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::protocol::{ErrorCode, LeaveReason, MediaKind, ParticipantInfo, Role, ServerMessage};

pub use local::LocalRooms;
pub use outbox::{Kick, Outbox};

/// A boxed future, so the rooms trait can be used as `dyn Rooms`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a participant could not be added to a room.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoomError {
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

/// One participant as the rooms know them.
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
pub trait Rooms: Send + Sync + std::fmt::Debug + 'static {
    /// Adds `member` to `room` (created on first join) if it has fewer than `capacity` members;
    /// tells the others and returns them.
    fn join(
        &self,
        room: &str,
        member: Member,
        capacity: usize,
    ) -> BoxFuture<'_, Result<Vec<ParticipantInfo>, RoomError>>;

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

    /// The description of participant `participant_id` of `room` now, if it is there.
    fn participant(&self, room: &str, participant_id: &str) -> Option<ParticipantInfo>;

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
    /// refuses later joins with [`RoomError::Closed`]; returns how many were cut off.
    fn close_room(&self, room: &str, code: ErrorCode) -> BoxFuture<'_, usize>;

    /// Delivers `msg` to everyone in `room` on this node (a server event such as
    /// [`ServerMessage::DocumentsChanged`]); returns to how many.
    fn notify_room(&self, room: &str, msg: ServerMessage) -> BoxFuture<'_, usize>;

    /// Cuts off every connection of `subject` on this node (revocation); returns how many.
    fn kick_subject(&self, subject: &str, code: ErrorCode) -> BoxFuture<'_, usize>;

    /// Cuts off every connection on this node (shutdown); returns how many.
    fn kick_all(&self, code: ErrorCode) -> BoxFuture<'_, usize>;

    /// Number of rooms and of participants on this node.
    fn counts(&self) -> (usize, usize);
}
