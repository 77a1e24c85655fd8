//! Who joins, changes identity and leaves a meeting, told to whoever keeps a record of it
//! (the server writes them to its audit log). Calls are made on the connection's task and must
//! not block: an implementation hands the work off (e.g. spawns it).

use crate::protocol::{LeaveReason, Role};

/// Receives the membership events of every connection.
pub trait MeetingObserver: Send + Sync + std::fmt::Debug + 'static {
    /// `subject` joined `room` as `role`.
    fn joined(&self, room: &str, subject: &str, role: Role);
    /// A connection of `room` changed identity (handover) from `from` to `to` (subject, role).
    fn reidentified(&self, room: &str, from: (&str, Role), to: (&str, Role));
    /// `subject` (as `role`) left `room`.
    fn left(&self, room: &str, subject: &str, role: Role, reason: LeaveReason);
}

/// Records nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObserver;

impl MeetingObserver for NoObserver {
    fn joined(&self, _room: &str, _subject: &str, _role: Role) {}
    fn reidentified(&self, _room: &str, _from: (&str, Role), _to: (&str, Role)) {}
    fn left(&self, _room: &str, _subject: &str, _role: Role, _reason: LeaveReason) {}
}
