//! Problem reports of a meeting ("Segnala un problema"): the operator of the appointment's comune
//! or an official of its sportello reports a problem (audio, video, connection, other, with a
//! short text) for the referenti, at any time once the appointment is booked (also after the
//! close). `POST /v1/booking/appointments/{id}/reports`, audited as `meeting.report` with the
//! kind only (never the text).
//!
//! The referenti read them with `GET /v1/monitoring/reports`, newest first, a page at a time:
//! a `referente_comune` its comune's, a `referente_inps` those of the comuni of its regions
//! (`*` = all), the `inps_admin` all. ANCI's referente sees aggregated figures only, and a
//! report's text is free text that may name people: `referente_anci` is refused (403) like every
//! other role. Each report shows its date, comune, Sede, kind, text and the reporter's role,
//! never the reporter's account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use super::Meetings;
use super::rules;
use super::store::{self, MeetingRow};
use super::tickets::meeting_scope;
use crate::api::{ApiCode, ApiResult, AppError, JsonBody, PathParams, QueryParams};
use crate::audit::{self, AuditAction, Event, RequestId, Scope, audited};
use crate::booking::api::appointment_id;
use crate::booking::store::new_id;
use crate::booking::{BookingError, from_unix, rome};
use crate::identity::{Principal, StaffRole};
use crate::store::Db;

/// Longest report text, in characters.
pub const MAX_REPORT_TEXT: usize = 1000;
/// Most reports of one appointment (a bound on what one caller can store).
pub const MAX_REPORTS_PER_APPOINTMENT: i64 = 20;
/// Reports per page by default, and at most.
pub const DEFAULT_LIMIT: i64 = 20;
/// See [`DEFAULT_LIMIT`].
pub const MAX_LIMIT: i64 = 100;
/// The last page that may be asked for.
pub const MAX_PAGE: i64 = 10_000;

/// What kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Audio ("non si sente").
    Audio,
    /// Video ("non si vede").
    Video,
    /// The connection (drops, cannot join).
    Connection,
    /// Anything else.
    Other,
}

impl ReportKind {
    const ALL: [Self; 4] = [Self::Audio, Self::Video, Self::Connection, Self::Other];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Connection => "connection",
            Self::Other => "other",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Who reported: the comune's operator or the INPS official.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReporterRole {
    /// The operator of the appointment's comune.
    Operator,
    /// An official of the appointment's sportello.
    Official,
}

impl ReporterRole {
    fn code(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Official => "official",
        }
    }
}

/// The body of `POST /v1/booking/appointments/{id}/reports`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// `audio`, `video`, `connection` or `other`.
    pub kind: String,
    /// What happened (at most 1000 characters; line breaks allowed).
    #[serde(default)]
    #[ts(optional)]
    pub text: Option<String>,
}

/// The answer of `POST …/reports`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ReportCreated {
    /// The report's id.
    pub id: String,
}

/// One report as the referenti read it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ReportEntry {
    /// The report's id.
    pub id: String,
    /// When it was reported (Italian offset).
    #[ts(type = "string")]
    pub created_at: DateTime<FixedOffset>,
    /// The comune of the appointment.
    pub comune_name: String,
    /// Its ISTAT code.
    pub comune_istat: String,
    /// The Sede of the appointment.
    pub sede_name: String,
    /// The kind of problem.
    pub kind: ReportKind,
    /// What happened (may be empty).
    pub text: String,
    /// Who reported, by role.
    pub reporter_role: ReporterRole,
}

/// A page of reports, newest first.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ReportPage {
    /// This page (from 1).
    pub page: i64,
    /// Reports per page.
    pub limit: i64,
    /// Reports in the caller's scope, in all.
    pub total: i64,
    /// This page's reports.
    pub reports: Vec<ReportEntry>,
}

fn parse(req: &ReportRequest) -> ApiResult<(ReportKind, String)> {
    let kind = ReportKind::from_code(&req.kind).ok_or_else(|| {
        AppError::bad_request(
            ApiCode::BadReportKind,
            "kind must be one of audio, video, connection, other",
        )
    })?;
    let text = req.text.as_deref().unwrap_or_default().trim();
    if text.chars().count() > MAX_REPORT_TEXT {
        return Err(AppError::bad_request(
            ApiCode::ReportTooLong,
            format!("the text may hold at most {MAX_REPORT_TEXT} characters"),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::bad_request(
            ApiCode::BadReportText,
            "the text may not contain control characters",
        ));
    }
    Ok((kind, text.to_owned()))
}

/// The appointment `id` and `who`'s role in it, if `who` is its comune's operator or an
/// official of its sportello (the meeting rules). Another role: 403; an operator of another
/// comune or an official of another sportello: 404 `unknown_appointment`, as for a hold or an
/// id that names no appointment (not revealing that it exists).
///
/// A refusal says whether it is a denial to audit (`true`: the wrong role, or another comune's or
/// sportello's appointment), not when the id names no appointment.
async fn reporter_of(
    db: &Db,
    who: &Principal,
    id: &str,
) -> Result<(MeetingRow, ReporterRole), (BookingError, bool)> {
    let denied = |e: BookingError| (e, true);
    let plain = |e: BookingError| (e, false);
    let role = match who.role {
        StaffRole::Operator => ReporterRole::Operator,
        StaffRole::Official => ReporterRole::Official,
        _ => {
            return Err(denied(BookingError::Forbidden(
                "only the meeting's operator or official may report a problem".into(),
            )));
        }
    };
    let hidden = |_| (rules::unknown_appointment(), true);
    let row = match role {
        ReporterRole::Operator => {
            let comune = rules::check_operator_role(who).map_err(denied)?.to_owned();
            let row = store::row(db, id).await.map_err(plain)?;
            rules::check_operator_comune(&comune, &row).map_err(hidden)?;
            row
        }
        ReporterRole::Official => {
            rules::check_official_role(who).map_err(denied)?;
            let row = store::row(db, id).await.map_err(plain)?;
            rules::check_official_sportello(who, &row).map_err(hidden)?;
            row
        }
    };
    if row.status != "booked" && row.status != "cancelled" {
        return Err(plain(rules::unknown_appointment()));
    }
    Ok((row, role))
}

/// `POST /v1/booking/appointments/{id}/reports`: 201 with the report's id.
pub async fn report(
    State(s): State<Meetings>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    b: Result<JsonBody<ReportRequest>, AppError>,
) -> ApiResult<(StatusCode, Json<ReportCreated>)> {
    appointment_id(&id)?;
    let JsonBody(req) = b?;
    let (kind, text) = parse(&req)?;
    let (db, now) = (s.store.db(), s.store.now());
    let (row, role) = match reporter_of(db, &who, &id).await {
        Ok(found) => found,
        Err((e, denied)) => {
            if denied {
                let event = Event::staff(&who, &rid, AuditAction::MeetingReport)
                    .scope(Scope::target(&id))
                    .denied();
                audit::record(&s.store, event).await;
            }
            return Err(e.into());
        }
    };
    let place = row.place(&id, row.room.clone().unwrap_or_default());
    let mut tx = db.begin_write().await.map_err(BookingError::from)?;
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM meeting_reports WHERE appointment_id = $1")
            .bind(&id)
            .fetch_one(&mut *tx)
            .await
            .map_err(BookingError::from)?;
    if n >= MAX_REPORTS_PER_APPOINTMENT {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            ApiCode::TooManyReports,
            format!("at most {MAX_REPORTS_PER_APPOINTMENT} reports per appointment"),
        ));
    }
    let report_id = new_id();
    sqlx::query(
        "INSERT INTO meeting_reports (id, appointment_id, comune_istat, sede_id, reporter, \
         reporter_role, kind, text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&report_id)
    .bind(&id)
    .bind(&place.comune_istat)
    .bind(&place.sede_id)
    .bind(&who.subject)
    .bind(role.code())
    .bind(kind.code())
    .bind(&text)
    .bind(now.timestamp())
    .execute(&mut *tx)
    .await
    .map_err(BookingError::from)?;
    tx.commit().await.map_err(BookingError::from)?;
    let event = Event::staff(&who, &rid, AuditAction::MeetingReport)
        .scope(meeting_scope(&place))
        .detail(format!("kind={}", kind.code()));
    audit::record(&s.store, event).await;
    tracing::info!(appointment = %id, kind = kind.code(), "meeting problem reported");
    Ok((StatusCode::CREATED, Json(ReportCreated { id: report_id })))
}

/// The query of `GET /v1/monitoring/reports`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportsQuery {
    page: Option<i64>,
    limit: Option<i64>,
}

/// Which reports `who` may read: `None` = all; otherwise the SQL condition on the report (`m`)
/// and its comune (`cm`) with its values bound from `$1`.
fn scope_of(who: &Principal) -> Result<Option<(String, Vec<String>)>, BookingError> {
    match who.role {
        StaffRole::InpsAdmin => Ok(None),
        StaffRole::ReferenteInps if who.regions.iter().any(|r| r == "*") => Ok(None),
        StaffRole::ReferenteInps => {
            if who.regions.is_empty() {
                return Ok(Some(("1 = 0".into(), Vec::new())));
            }
            let marks: Vec<String> = (1..=who.regions.len()).map(|i| format!("${i}")).collect();
            Ok(Some((
                format!("cm.region IN ({})", marks.join(", ")),
                who.regions.clone(),
            )))
        }
        StaffRole::ReferenteComune => match &who.comune_istat {
            Some(c) => Ok(Some(("m.comune_istat = $1".into(), vec![c.clone()]))),
            None => Ok(Some(("1 = 0".into(), Vec::new()))),
        },
        _ => Err(BookingError::Forbidden(
            "only the referenti of the comune and of INPS read the problem reports".into(),
        )),
    }
}

fn page_of(q: &ReportsQuery) -> ApiResult<(i64, i64)> {
    let page = q.page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(AppError::bad_request(
            ApiCode::BadPage,
            format!("page must be from 1 to {MAX_PAGE}"),
        ));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::bad_request(
            ApiCode::BadLimit,
            format!("limit must be from 1 to {MAX_LIMIT}"),
        ));
    }
    Ok((page, limit))
}

async fn read_page(
    db: &Db,
    scope: Option<(String, Vec<String>)>,
    page: i64,
    limit: i64,
) -> Result<ReportPage, BookingError> {
    let (filter, values) = scope.unwrap_or_else(|| ("1 = 1".into(), Vec::new()));
    let from = "FROM meeting_reports m JOIN comuni cm ON cm.istat = m.comune_istat \
                JOIN sedi s ON s.id = m.sede_id";
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from} WHERE {filter}"));
    let mut count = sqlx::query_as::<_, (i64,)>(count_sql);
    for v in &values {
        count = count.bind(v);
    }
    let (total,) = count.fetch_one(db.pool()).await?;
    let n = values.len();
    let list_sql = sqlx::AssertSqlSafe(format!(
        "SELECT m.id, m.created_at, cm.name AS comune_name, m.comune_istat, \
         s.name AS sede_name, m.kind, m.text, m.reporter_role {from} WHERE {filter} \
         ORDER BY m.created_at DESC, m.id DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    ));
    let mut list = sqlx::query(list_sql);
    for v in &values {
        list = list.bind(v);
    }
    let rows = list
        .bind(limit)
        .bind((page - 1) * limit)
        .fetch_all(db.pool())
        .await?;
    let mut reports = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let role: String = r.try_get("reporter_role")?;
        reports.push(ReportEntry {
            id: r.try_get("id")?,
            created_at: rome::to_local(from_unix(r.try_get("created_at")?)),
            comune_name: r.try_get("comune_name")?,
            comune_istat: r.try_get("comune_istat")?,
            sede_name: r.try_get("sede_name")?,
            kind: ReportKind::from_code(&kind).unwrap_or(ReportKind::Other),
            text: r.try_get("text")?,
            reporter_role: if role == "official" {
                ReporterRole::Official
            } else {
                ReporterRole::Operator
            },
        });
    }
    Ok(ReportPage {
        page,
        limit,
        total,
        reports,
    })
}

/// `GET /v1/monitoring/reports?page=&limit=`.
pub async fn list(
    State(s): State<Meetings>,
    who: Principal,
    rid: RequestId,
    QueryParams(q): QueryParams<ReportsQuery>,
) -> ApiResult<Json<ReportPage>> {
    let scope = scope_of(&who).map_err(AppError::from);
    let scope = audited(
        &s.store,
        &who,
        &rid,
        AuditAction::MonitoringReports,
        scope,
        |_| Scope::default(),
        Scope::default(),
    )
    .await?;
    let (page, limit) = page_of(&q)?;
    Ok(Json(read_page(s.store.db(), scope, page, limit).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_texts() {
        let req = |kind: &str, text: Option<&str>| ReportRequest {
            kind: kind.into(),
            text: text.map(str::to_owned),
        };
        assert_eq!(
            parse(&req("audio", None)).unwrap(),
            (ReportKind::Audio, String::new())
        );
        assert_eq!(
            parse(&req("other", Some(" a\nb "))).unwrap(),
            (ReportKind::Other, "a\nb".into())
        );
        assert!(parse(&req("video", Some(&"è".repeat(MAX_REPORT_TEXT)))).is_ok());
        for (r, code) in [
            (req("Audio", None), ApiCode::BadReportKind),
            (req("", None), ApiCode::BadReportKind),
            (
                req("audio", Some(&"x".repeat(MAX_REPORT_TEXT + 1))),
                ApiCode::ReportTooLong,
            ),
            (req("audio", Some("a\u{0}b")), ApiCode::BadReportText),
        ] {
            assert_eq!(parse(&r).unwrap_err().code, code);
        }
    }
}
