//! Whether the subject of a ticket is still admitted to its meeting, asked at the moment of
//! every `join` and `reauthenticate` (a signed ticket only says who was admitted when it was
//! issued). The server implements [`Admission`] with its domain rules (sessions, revocations,
//! meetings); this crate knows none of them, only the typed [`Refusal`] it maps to an
//! [`ErrorCode`]. The call is bounded by [`crate::SignallingConfig::admission_timeout`].

use crate::protocol::{ErrorCode, Role};
use crate::rooms::BoxFuture;
use crate::token::MeetingClaims;

/// How a ticket is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// `join`: a new connection enters the meeting.
    Join,
    /// `reauthenticate`: a connection of the meeting, now acting as `subject` in `role`, takes
    /// the ticket's identity (handover, "Richiama operatore").
    Reauthenticate {
        /// The connection's subject now.
        subject: &'a str,
        /// The connection's role now.
        role: Role,
    },
}

/// Why a ticket's subject is not admitted now.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The subject may no longer enter (its session ended, its account was revoked, it no
    /// longer holds the role); the text says which, in fixed words.
    NotAdmitted(&'static str),
    /// The meeting is over.
    MeetingEnded,
    /// The check could not be made now (its store failed or did not answer in time).
    Unavailable,
}

impl Refusal {
    /// The signalling error code of this refusal.
    pub fn code(self) -> ErrorCode {
        match self {
            Self::NotAdmitted(_) => ErrorCode::NotAdmitted,
            Self::MeetingEnded => ErrorCode::MeetingEnded,
            Self::Unavailable => ErrorCode::Internal,
        }
    }

    /// The fixed message sent with the code.
    pub fn message(self) -> &'static str {
        match self {
            Self::NotAdmitted(why) => why,
            Self::MeetingEnded => "this meeting has ended",
            Self::Unavailable => "the admission check is not available; retry with a new ticket",
        }
    }
}

/// The issuer's check that a ticket's subject is still admitted.
pub trait Admission: Send + Sync + std::fmt::Debug + 'static {
    /// Whether the subject of `claims` (signature, expiry and single use already checked) may
    /// enter its room now, as `entry`.
    fn admit<'a>(
        &'a self,
        claims: &'a MeetingClaims,
        entry: Entry<'a>,
    ) -> BoxFuture<'a, Result<(), Refusal>>;
}

/// Admits every valid ticket: the signed, single-use ticket alone decides (a signalling layer
/// used without an issuer's rules, e.g. in this crate's tests).
#[derive(Debug, Default, Clone, Copy)]
pub struct AdmitAll;

impl Admission for AdmitAll {
    fn admit<'a>(
        &'a self,
        _claims: &'a MeetingClaims,
        _entry: Entry<'a>,
    ) -> BoxFuture<'a, Result<(), Refusal>> {
        Box::pin(async { Ok(()) })
    }
}
