//! Writes who joins, changes identity in and leaves each meeting's call to the audit log.
//!
//! The signalling layer calls the observer on each connection's task; the write is handed to a
//! task of its own so the connection never waits for the database. Each entry names the
//! appointment of the room (and its comune and Sede); a room with no appointment (the demo room
//! `/?room=demo`, load tests) is recorded with the room id as target.

use sportello_signalling::MeetingObserver;
use sportello_signalling::protocol::{LeaveReason, Role};

use crate::audit::{self, AuditAction, NewEntry, Outcome, RequestId};
use crate::booking::Booking;
use crate::booking::store::new_id;

/// The audit log as a [`MeetingObserver`].
#[derive(Debug, Clone)]
pub struct AuditObserver {
    booking: Booking,
}

impl AuditObserver {
    /// An observer writing through `booking`'s database and clock.
    pub fn new(booking: Booking) -> Self {
        Self { booking }
    }

    fn spawn(&self, room: &str, subject: &str, role: Role, action: AuditAction) {
        let booking = self.booking.clone();
        let (room, subject) = (room.to_owned(), subject.to_owned());
        tokio::spawn(async move {
            let place = match booking.meeting_of_room(&room).await {
                Ok(place) => place,
                Err(e) => {
                    tracing::warn!(error = %e, "audit: meeting lookup failed");
                    None
                }
            };
            let rid = RequestId(new_id());
            let entry = NewEntry {
                actor_subject: &subject,
                actor_role: role_code(role),
                comune_istat: place.as_ref().map(|p| p.comune_istat.as_str()),
                sede_id: place.as_ref().map(|p| p.sede_id.as_str()),
                action,
                target: Some(place.as_ref().map_or(room.as_str(), |p| &p.appointment_id)),
                request_id: &rid.0,
                outcome: Outcome::Ok,
            };
            audit::record_entry(booking.store(), &entry).await;
        });
    }
}

/// The stored code of a meeting role.
pub fn role_code(role: Role) -> &'static str {
    match role {
        Role::Citizen => "citizen",
        Role::Operator => "operator",
        Role::Official => "official",
        Role::LoadTester => "load_tester",
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
