//! [`Event`]: one action to record, built from its actor and refined with its scope and outcome,
//! then written by [`super::record`].

use super::{AuditAction, RequestId, Scope, role_code};
use crate::audit::store::{NewEntry, Outcome};
use crate::identity::Principal;

/// One action to record: who (subject and role code), what, on what (target, comune, Sede),
/// under which request, with which outcome. Only ids and codes, never personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    actor_subject: String,
    actor_role: &'static str,
    comune_istat: Option<String>,
    sede_id: Option<String>,
    action: AuditAction,
    target: Option<String>,
    request_id: String,
    outcome: Outcome,
    detail: Option<String>,
}

impl Event {
    /// `action` done (`ok`) by a staff member; the comune and Sede default to theirs.
    pub fn staff(who: &Principal, rid: &RequestId, action: AuditAction) -> Self {
        Self {
            comune_istat: who.comune_istat.clone(),
            sede_id: who.sede_id.clone(),
            ..Self::actor(who.subject.clone(), role_code(who.role), rid, action)
        }
    }

    /// `action` done (`ok`) by an actor that is not a staff principal (a citizen session, a
    /// meeting connection), with its stored role code.
    pub fn actor(
        subject: impl Into<String>,
        role: &'static str,
        rid: &RequestId,
        action: AuditAction,
    ) -> Self {
        Self {
            actor_subject: subject.into(),
            actor_role: role,
            comune_istat: None,
            sede_id: None,
            action,
            target: None,
            request_id: rid.0.clone(),
            outcome: Outcome::Ok,
            detail: None,
        }
    }

    /// `action` without an authenticated actor (e.g. a refused login).
    pub fn anonymous(rid: &RequestId, action: AuditAction) -> Self {
        Self::actor("anonymous", "anonymous", rid, action)
    }

    /// Sets the target of `scope`, and its comune and Sede where it names them.
    #[must_use]
    pub fn scope(mut self, scope: Scope) -> Self {
        self.target = scope.target;
        if scope.comune_istat.is_some() {
            self.comune_istat = scope.comune_istat;
        }
        if scope.sede_id.is_some() {
            self.sede_id = scope.sede_id;
        }
        self
    }

    /// Sets the target only.
    #[must_use]
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Sets the comune and Sede concerned (`None` clears them).
    #[must_use]
    pub fn place(mut self, comune_istat: Option<String>, sede_id: Option<String>) -> Self {
        self.comune_istat = comune_istat;
        self.sede_id = sede_id;
        self
    }

    /// The action was refused (`denied`).
    #[must_use]
    pub fn denied(self) -> Self {
        self.outcome(Outcome::Denied)
    }

    /// Sets the outcome.
    #[must_use]
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// A short technical detail (sizes, digests, codes): never personal data.
    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The row to insert.
    pub(super) fn entry(&self) -> NewEntry<'_> {
        NewEntry {
            actor_subject: &self.actor_subject,
            actor_role: self.actor_role,
            comune_istat: self.comune_istat.as_deref(),
            sede_id: self.sede_id.as_deref(),
            action: self.action,
            target: self.target.as_deref(),
            request_id: &self.request_id,
            outcome: self.outcome,
            detail: self.detail.as_deref(),
        }
    }
}
