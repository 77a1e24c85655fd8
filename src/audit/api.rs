//! `GET /v1/audit` (JSON) and `GET /v1/audit.csv`: the INPS administrator reads every entry, a
//! comune's user administrator only the entries of their comune; anyone else gets 403.

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde::Deserialize;

use super::store::{self, AuditEntry, AuditFilter};
use crate::api::{ApiCode, AppError, QueryParams, dates};
use crate::booking::BookingError;
use crate::identity::{Principal, SessionStore, StaffRole};
use crate::store::Store;

/// How many entries one read answers with by default.
pub const DEFAULT_LIMIT: i64 = 100;
/// The most entries one read answers with.
pub const MAX_LIMIT: i64 = 1000;

/// The audit routes.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Store: FromRef<S>,
    Arc<dyn SessionStore>: FromRef<S>,
{
    Router::new()
        .route("/v1/audit", get(json))
        .route("/v1/audit.csv", get(csv))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    action: Option<String>,
    limit: Option<i64>,
}

fn filter(
    who: &Principal,
    q: Result<QueryParams<AuditQuery>, AppError>,
    today: NaiveDate,
) -> Result<AuditFilter, AppError> {
    let comune_istat = match (who.role, &who.comune_istat) {
        (StaffRole::InpsAdmin, _) => None,
        (StaffRole::UserAdmin, Some(c)) => Some(c.clone()),
        _ => {
            return Err(BookingError::Forbidden(
                "only an INPS administrator or a comune's user administrator reads the audit log"
                    .into(),
            )
            .into());
        }
    };
    let QueryParams(q) = q?;
    let from = q.from.map(|d| d.with_timezone(&Utc));
    let to = q.to.map(|d| d.with_timezone(&Utc));
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(BookingError::invalid(ApiCode::BadDateRange, "'to' is before 'from'").into());
    }
    let (back, ahead) = (dates::AUDIT_YEARS_BACK, dates::WINDOW_YEARS);
    if [from, to]
        .into_iter()
        .flatten()
        .any(|d| !dates::within(d.date_naive(), today, back, ahead))
    {
        return Err(BookingError::invalid(
            ApiCode::BadDateRange,
            dates::out_of_window_message(back, ahead),
        )
        .into());
    }
    if let Some(a) = &q.action
        && (a.is_empty()
            || a.len() > 64
            || !a
                .bytes()
                .all(|b| b.is_ascii_lowercase() || matches!(b, b'.' | b'_')))
    {
        return Err(BookingError::invalid(
            ApiCode::BadAction,
            "'action' must be 1-64 characters of a-z, '.' and '_'",
        )
        .into());
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(BookingError::invalid(
            ApiCode::BadLimit,
            format!("'limit' must be between 1 and {MAX_LIMIT}"),
        )
        .into());
    }
    Ok(AuditFilter {
        from,
        to,
        action: q.action,
        comune_istat,
        limit,
    })
}

async fn read(s: &Store, f: &AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    store::list(s.db(), f)
        .await
        .map_err(|e| BookingError::Database(e).into())
}

async fn json(
    State(s): State<Store>,
    who: Principal,
    q: Result<QueryParams<AuditQuery>, AppError>,
) -> Result<Json<Vec<AuditEntry>>, AppError> {
    let f = filter(&who, q, s.now().date_naive())?;
    Ok(Json(read(&s, &f).await?))
}

/// The CSV header row.
pub const CSV_HEADER: &str = "id,at,actor_subject,actor_role,comune_istat,sede_id,action,target,\
request_id,outcome,detail";

/// The entries as CSV (CRLF line ends, header row first).
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for e in entries {
        let at = e.at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let values = [
            e.id.as_str(),
            at.as_str(),
            e.actor_subject.as_str(),
            e.actor_role.as_str(),
            e.comune_istat.as_deref().unwrap_or_default(),
            e.sede_id.as_deref().unwrap_or_default(),
            e.action.as_str(),
            e.target.as_deref().unwrap_or_default(),
            e.request_id.as_str(),
            e.outcome.as_str(),
            e.detail.as_deref().unwrap_or_default(),
        ];
        crate::api::csv::row(&mut out, &values);
    }
    out
}

async fn csv(
    State(s): State<Store>,
    who: Principal,
    q: Result<QueryParams<AuditQuery>, AppError>,
) -> Result<Response, AppError> {
    let f = filter(&who, q, s.now().date_naive())?;
    let entries = read(&s, &f).await?;
    Ok(crate::api::csv::attachment("audit.csv", to_csv(&entries)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_every_field() {
        let e = AuditEntry {
            id: "x".into(),
            at: DateTime::from_timestamp(0, 0).unwrap(),
            actor_subject: "a\"b,c".into(),
            actor_role: "operator".into(),
            comune_istat: None,
            sede_id: None,
            action: "=cmd".into(),
            target: Some("t".into()),
            request_id: "r".into(),
            outcome: "ok".into(),
            detail: Some("size=3 sha256=ab".into()),
        };
        let text = to_csv(&[e]);
        let mut lines = text.split("\r\n");
        assert_eq!(lines.next(), Some(CSV_HEADER));
        assert_eq!(
            lines.next(),
            Some(
                "\"x\",\"1970-01-01T00:00:00Z\",\"a\"\"b,c\",\"operator\",\"\",\"\",\"'=cmd\",\
                 \"t\",\"r\",\"ok\",\"size=3 sha256=ab\""
            )
        );
    }
}
