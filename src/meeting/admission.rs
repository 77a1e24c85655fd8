//! Who may be in a meeting's call at this moment: the [`Admission`] check the signalling layer
//! makes at every `join` and `reauthenticate`, after the ticket's signature, expiry and single
//! use (a ticket only says who was admitted when it was issued).
//!
//! In the room of an appointment:
//! - the official and the operator need the staff session that obtained the ticket to be alive
//!   (not logged out, not revoked, account valid today) and still to pass the rules of their
//!   door (role, comune or sportello, meeting opened and not closed, inside its window);
//! - once the meeting is handed over (a live citizen session), the comune's side of the call
//!   is the citizen's: an operator ticket admits no new connection. It admits only the
//!   citizen's own connection taking the operator back ("Richiama operatore" at the kiosk),
//!   which ends the citizen session: the operator holds that side again;
//! - the citizen needs its citizen session (not ended by "esci", a later handover or the
//!   close) and a meeting it may still enter.
//!
//! A room that is no appointment's (the demo room, load tests) is entered on the ticket alone.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sportello_signalling::protocol::Role;
use sportello_signalling::rooms::BoxFuture;
use sportello_signalling::{Admission, Entry, MeetingClaims, Refusal};

use super::{day, store};
use crate::api::ApiCode;
use crate::booking::BookingError;
use crate::identity::{SessionStore, citizen};
use crate::store::Store;

const SESSION_ENDED: &str =
    "the session that obtained this ticket has ended (logout, revocation or handover)";
const HANDED_OVER: &str = "the meeting has been handed over to the citizen";
const CITIZEN_ENDED: &str = "the citizen session of this meeting has ended";
const NOT_NOW: &str = "the meeting cannot be entered now";
const NOT_THIS_MEETING: &str = "this ticket does not admit to the meeting of an appointment";
const NOT_ALLOWED: &str = "the holder of this ticket may no longer enter this meeting";

/// The meeting rules as the signalling layer's admission check.
#[derive(Debug, Clone)]
pub struct MeetingAdmission {
    store: Store,
    sessions: Arc<dyn SessionStore>,
}

impl MeetingAdmission {
    /// The check over `store`'s database and clock and the staff `sessions`.
    pub fn new(store: Store, sessions: Arc<dyn SessionStore>) -> Self {
        Self { store, sessions }
    }

    async fn check(&self, claims: &MeetingClaims, entry: Entry<'_>) -> Result<(), Refusal> {
        let db = self.store.db();
        let appointment = store::appointment_of_room(db, &claims.room)
            .await
            .map_err(refusal)?;
        let Some(id) = appointment else {
            return Ok(());
        };
        let now = self.store.now();
        match claims.role {
            Role::Citizen => self.citizen(claims, &id, now).await,
            Role::Official | Role::Operator => self.staff(claims, entry, &id, now).await,
            Role::LoadTester => Err(Refusal::NotAdmitted(NOT_THIS_MEETING)),
        }
    }

    async fn citizen(
        &self,
        claims: &MeetingClaims,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        let db = self.store.db();
        // The meeting first: once it is closed, that is the news (its sessions ended with it).
        day::citizen_may_enter(db, now, id).await.map_err(refusal)?;
        let live = citizen::live_subjects(db, now, id).await.map_err(refusal)?;
        if live.contains(&claims.sub) {
            Ok(())
        } else {
            Err(Refusal::NotAdmitted(CITIZEN_ENDED))
        }
    }

    async fn staff(
        &self,
        claims: &MeetingClaims,
        entry: Entry<'_>,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        let ended = Refusal::NotAdmitted(SESSION_ENDED);
        let session = claims.session.as_deref().ok_or(ended)?;
        let who = self.sessions.lookup_ref(session).await.ok_or(ended)?;
        if who.subject != claims.sub {
            return Err(ended);
        }
        let db = self.store.db();
        let official = claims.role == Role::Official;
        day::staff_may_enter(db, now, &who, id, official)
            .await
            .map_err(refusal)?;
        if official {
            return Ok(());
        }
        let citizens = citizen::live_subjects(db, now, id).await.map_err(refusal)?;
        if citizens.is_empty() {
            return Ok(());
        }
        match entry {
            // "Richiama operatore": the citizen's connection gives the comune's side back.
            Entry::Reauthenticate {
                subject,
                role: Role::Citizen,
            } if citizens.iter().any(|c| c == subject) => {
                citizen::end_for_appointment(db, id)
                    .await
                    .map_err(refusal)?;
                Ok(())
            }
            _ => Err(Refusal::NotAdmitted(HANDED_OVER)),
        }
    }
}

/// The refusal for a rule that no longer lets the ticket's holder in (fixed words: no detail of
/// the rule travels to the client).
fn refusal(e: BookingError) -> Refusal {
    match e {
        BookingError::Conflict(ApiCode::MeetingClosed, _) => Refusal::MeetingEnded,
        BookingError::Conflict(..) => Refusal::NotAdmitted(NOT_NOW),
        BookingError::Database(e) => {
            tracing::error!(error = %e, "admission check: database failed");
            Refusal::Unavailable
        }
        _ => Refusal::NotAdmitted(NOT_ALLOWED),
    }
}

impl Admission for MeetingAdmission {
    fn admit<'a>(
        &'a self,
        claims: &'a MeetingClaims,
        entry: Entry<'a>,
    ) -> BoxFuture<'a, Result<(), Refusal>> {
        Box::pin(self.check(claims, entry))
    }
}
