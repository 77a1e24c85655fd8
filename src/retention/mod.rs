//! Retention: every kind of data is kept for its configured period ([`RetentionConfig`]) and
//! then deleted or anonymised by the purge ([`purge_now`]), which the server runs at start and
//! then daily ([`job::run_daily`]). The privacy notice names the periods ([`notice`]).
//!
//! What the purge does, in this order (one transaction per kind, see [`purge`]):
//! 1. documents of appointments past the documents' period: rows deleted, files removed when no
//!    remaining row uses them;
//! 2. the citizen's request data of appointments past its period: `citizen_requests` and the
//!    kiosk sessions deleted, the official's notes and problem-report texts cleared; the
//!    anonymised appointment row stays, with its requested services (codes);
//! 3. appointments past their period: rolled up into `monitoring_facts` (counts kept forever)
//!    and deleted with every row naming them; ended holds older than a day deleted;
//! 4. audit entries past their period;
//! 5. feedback past its period: ratings rolled up into `feedback_counts`, rows and comments
//!    deleted;
//! 6. the served-citizen keys of years over for more than 31 days.
//!
//! A run that removed anything records one `retention.purge` audit entry with the counts (never
//! data); every run logs its counts.

pub mod config;
pub mod job;
pub mod notice;
pub mod purge;

use std::path::Path;

use chrono::Duration;

pub use config::RetentionConfig;

use crate::audit::{AuditAction, Event, RequestId};
use crate::booking::{rome, store::new_id};
use crate::store::Store;

/// What one run of the purge removed, per kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PurgeCounts {
    /// Citizen requests (personal data of a booking) deleted.
    pub requests: u64,
    /// Citizen (kiosk) sessions deleted.
    pub sessions: u64,
    /// Free texts cleared (the official's closing notes, problem-report texts).
    pub notes: u64,
    /// Document rows deleted.
    pub documents: u64,
    /// Document files removed from the data dir.
    pub files: u64,
    /// Appointments rolled up into `monitoring_facts` and deleted.
    pub appointments: u64,
    /// Ended holds deleted.
    pub holds: u64,
    /// Audit entries deleted.
    pub audit: u64,
    /// Feedback rows rolled up into `feedback_counts` and deleted.
    pub feedback: u64,
    /// Served-citizen year keys deleted.
    pub keys: u64,
}

impl PurgeCounts {
    /// The counts by name, in a fixed order.
    pub fn by_kind(&self) -> [(&'static str, u64); 10] {
        [
            ("requests", self.requests),
            ("sessions", self.sessions),
            ("notes", self.notes),
            ("documents", self.documents),
            ("files", self.files),
            ("appointments", self.appointments),
            ("holds", self.holds),
            ("audit", self.audit),
            ("feedback", self.feedback),
            ("keys", self.keys),
        ]
    }

    /// Whether nothing was removed.
    pub fn is_empty(&self) -> bool {
        self.by_kind().iter().all(|(_, n)| *n == 0)
    }

    /// The audit entry's detail: `requests=3 sessions=1 …` (every kind, zeros too).
    pub fn detail(&self) -> String {
        self.by_kind()
            .iter()
            .map(|(kind, n)| format!("{kind}={n}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Runs the purge once, now by the store's clock: removes what is past its period (see the
/// module's documentation), records one `retention.purge` audit entry if anything was removed,
/// logs the counts and adds them to the `sportello_retention_purged_total` counters.
/// `documents_dir` is where the document files are kept (`<data dir>/documents`).
pub async fn purge_now(
    store: &Store,
    periods: &RetentionConfig,
    documents_dir: &Path,
) -> Result<PurgeCounts, sqlx::Error> {
    let now = store.now();
    let db = store.db();
    let before = |days: u32| (now - Duration::days(i64::from(days))).timestamp();
    let mut c = PurgeCounts::default();
    (c.documents, c.files) =
        purge::documents(db, documents_dir, before(periods.documents_days)).await?;
    let r = purge::requests(db, before(periods.requests_days)).await?;
    (c.requests, c.sessions, c.notes) = (r.requests, r.sessions, r.notes);
    c.appointments =
        purge::appointments(db, documents_dir, before(periods.appointments_days)).await?;
    c.holds = purge::holds(db, now.timestamp()).await?;
    c.audit = purge::audit(db, before(periods.audit_days)).await?;
    let today = rome::local_date(now);
    let feedback_cutoff = today
        .checked_sub_days(chrono::Days::new(u64::from(periods.feedback_days)))
        .unwrap_or(today);
    c.feedback = purge::feedback(db, feedback_cutoff).await?;
    c.keys = purge::keys(db, today).await?;
    for (kind, n) in c.by_kind() {
        metrics::counter!("sportello_retention_purged_total", "kind" => kind).increment(n);
    }
    if c.is_empty() {
        tracing::info!("retention: nothing past its period");
    } else {
        tracing::info!(counts = %c.detail(), "retention: purged");
        let rid = RequestId(new_id());
        crate::audit::record(
            store,
            Event::actor("system", "system", &rid, AuditAction::RetentionPurge).detail(c.detail()),
        )
        .await;
    }
    Ok(c)
}
