//! Room membership.

use crate::ParticipantId;

/// The participants of one room, in join order.
#[derive(Debug, Default)]
pub(crate) struct Room {
    pub members: Vec<ParticipantId>,
}

impl Room {
    /// True when another participant fits under `max`.
    pub fn has_room(&self, max: usize) -> bool {
        self.members.len() < max
    }

    /// Removes `id`; returns true when the room is now empty.
    pub fn remove(&mut self, id: ParticipantId) -> bool {
        self.members.retain(|m| *m != id);
        self.members.is_empty()
    }
}
