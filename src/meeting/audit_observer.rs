//! Writes who joins, changes identity in and leaves each meeting's call to the audit log.
//!
//! The signalling layer calls the observer on each connection's task; the write is handed to a
//! task of its own so the connection never waits for the database. Each entry names the
//! appointment of the room (and its comune and Sede); a room with no appointment (the demo room
//! `/?room=demo`, load tests) is recorded with the room id as target.

use sportello_signalling::MeetingObserver;
use sportello_signalling::protocol::{LeaveReason, Role};

use crate::audit::AuditAction;
use crate::audit::{self, Event, RequestId};
use crate::booking::store::new_id;
use crate::store::Store;

/// The audit log as a [`MeetingObserver`].
#[derive(Debug, Clone)]
pub struct AuditObserver {
    store: Store,
}

impl AuditObserver {
    /// An observer writing through `store`'s database and clock.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    fn spawn(&self, room: &str, subject: &str, role: Role, action: AuditAction) {
        let store = self.store.clone();
        let (room, subject) = (room.to_owned(), subject.to_owned());
        tokio::spawn(async move {
            let place = match super::day::of_room(store.db(), &room).await {
                Ok(place) => place,
                Err(e) => {
                    tracing::warn!(error = %e, "audit: meeting lookup failed");
                    None
                }
            };
            let rid = RequestId(new_id());
            let target = place.as_ref().map_or(room, |p| p.appointment_id.clone());
            let event = Event::actor(subject, role.as_str(), &rid, action)
                .place(
                    place.as_ref().map(|p| p.comune_istat.clone()),
                    place.as_ref().map(|p| p.sede_id.clone()),
                )
                .target(target);
            audit::record(&store, event).await;
        });
    }
}

impl MeetingObserver for AuditObserver {
    fn joined(&self, room: &str, subject: &str, role: Role) {
        self.spawn(room, subject, role, AuditAction::MeetingConnect);
    }

    fn reidentified(&self, room: &str, from: (&str, Role), to: (&str, Role)) {
        // Two entries: the old identity hands the connection over, the new one takes it.
        self.spawn(
            room,
            from.0,
            from.1,
            AuditAction::MeetingConnectionHandedOver,
        );
        self.spawn(room, to.0, to.1, AuditAction::MeetingConnectionTakenOver);
    }

    fn left(&self, room: &str, subject: &str, role: Role, reason: LeaveReason) {
        let action = match reason {
            LeaveReason::Left => AuditAction::MeetingDisconnect,
            LeaveReason::ConnectionLost => AuditAction::MeetingConnectionLost,
            LeaveReason::Removed => AuditAction::MeetingRemoved,
        };
        self.spawn(room, subject, role, action);
    }
}
