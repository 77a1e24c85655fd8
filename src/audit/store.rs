//! The audit log table: insert and read, nothing else (append-only by construction).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row as _;

use super::AuditAction;
use crate::booking::store::new_id;
use crate::store::Db;

/// The outcome of an audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Ok,
    /// Refused (not allowed).
    Denied,
}

impl Outcome {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Denied => "denied",
        }
    }
}

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// Actor's subject.
    pub actor_subject: &'a str,
    /// Actor's role code.
    pub actor_role: &'a str,
    /// The comune concerned.
    pub comune_istat: Option<&'a str>,
    /// The Sede concerned.
    pub sede_id: Option<&'a str>,
    /// Action code.
    pub action: AuditAction,
    /// Target id.
    pub target: Option<&'a str>,
    /// Request id.
    pub request_id: &'a str,
    /// Outcome.
    pub outcome: Outcome,
    /// A short technical detail, if any.
    pub detail: Option<&'a str>,
}

/// A stored entry, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AuditEntry {
    /// Id.
    pub id: String,
    /// When (UTC).
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// Actor's subject.
    pub actor_subject: String,
    /// Actor's role code.
    pub actor_role: String,
    /// The comune concerned.
    pub comune_istat: Option<String>,
    /// The Sede concerned.
    pub sede_id: Option<String>,
    /// Action code.
    pub action: String,
    /// Target id.
    pub target: Option<String>,
    /// Request id.
    pub request_id: String,
    /// `ok` or `denied`.
    pub outcome: String,
    /// A short technical detail (a document's size and SHA-256, a refusal's code), if any.
    pub detail: Option<String>,
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (inclusive).
    pub to: Option<DateTime<Utc>>,
    /// Only this action.
    pub action: Option<String>,
    /// Only entries of this comune.
    pub comune_istat: Option<String>,
    /// At most this many (newest first).
    pub limit: i64,
}

/// Appends one entry; returns its id.
pub async fn insert(db: &Db, at: DateTime<Utc>, e: &NewEntry<'_>) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_subject, actor_role, comune_istat, sede_id, action, \
         target, request_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(at.timestamp())
    .bind(e.actor_subject)
    .bind(e.actor_role)
    .bind(e.comune_istat)
    .bind(e.sede_id)
    .bind(e.action.as_str())
    .bind(e.target)
    .bind(e.request_id)
    .bind(e.outcome.code())
    .bind(e.detail)
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// Reads entries, newest first.
pub async fn list(db: &Db, f: &AuditFilter) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let mut sql = String::from(
        "SELECT id, at, actor_subject, actor_role, comune_istat, sede_id, action, target, \
         request_id, outcome, detail FROM audit_log WHERE 1 = 1",
    );
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    if f.from.is_some() {
        sql.push_str(&format!(" AND at >= ${}", next()));
    }
    if f.to.is_some() {
        sql.push_str(&format!(" AND at <= ${}", next()));
    }
    if f.action.is_some() {
        sql.push_str(&format!(" AND action = ${}", next()));
    }
    if f.comune_istat.is_some() {
        sql.push_str(&format!(" AND comune_istat = ${}", next()));
    }
    sql.push_str(&format!(" ORDER BY at DESC, id DESC LIMIT ${}", next()));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(from) = f.from {
        q = q.bind(from.timestamp());
    }
    if let Some(to) = f.to {
        q = q.bind(to.timestamp());
    }
    if let Some(action) = &f.action {
        q = q.bind(action.clone());
    }
    if let Some(comune) = &f.comune_istat {
        q = q.bind(comune.clone());
    }
    q = q.bind(f.limit);
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: DateTime::from_timestamp(row.try_get("at")?, 0).unwrap_or_default(),
                actor_subject: row.try_get("actor_subject")?,
                actor_role: row.try_get("actor_role")?,
                comune_istat: row.try_get("comune_istat")?,
                sede_id: row.try_get("sede_id")?,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
                request_id: row.try_get("request_id")?,
                outcome: row.try_get("outcome")?,
                detail: row.try_get("detail")?,
            })
        })
        .collect()
}
