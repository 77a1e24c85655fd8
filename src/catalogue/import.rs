//! `POST /v1/catalogue/import/{comuni|sedi|conventions}?dry_run=`: bulk data from CSV (UTF-8,
//! a header row, at most [`MAX_CSV_BYTES`]). Every line is checked and saved in one
//! transaction; every bad line is reported with its number and reason, and with any bad line
//! (or in a dry run) the transaction is rolled back, so nothing changes.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde::Deserialize;
use sqlx::AnyConnection;

use super::csv::{self, Record};
use super::model::{ImportLineError, ImportReport};
use super::store::{self as write, Change, Refusal, SedeRow};
use super::{admin, validate};
use crate::api::{ApiCode, ApiResult, AppError, MAX_BODY_BYTES, PathParams, QueryParams};
use crate::audit::{self, AuditAction, Event, RequestId, Scope, audited};
use crate::booking::BookingError;
use crate::booking::model::Comune;
use crate::identity::Principal;
use crate::store::Store;

/// The largest CSV file accepted.
pub const MAX_CSV_BYTES: usize = MAX_BODY_BYTES;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Comuni,
    Sedi,
    Conventions,
}

impl Kind {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "comuni" => Some(Self::Comuni),
            "sedi" => Some(Self::Sedi),
            "conventions" => Some(Self::Conventions),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Comuni => "comuni",
            Self::Sedi => "sedi",
            Self::Conventions => "conventions",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Comuni => &[
                "istat",
                "name",
                "province",
                "region",
                "population",
                "belfiore",
            ],
            Self::Sedi => &["id", "kind", "name", "comune_istat", "patron_day"],
            Self::Conventions => &["comune_istat", "sede_id", "valid_from", "valid_until"],
        }
    }
}

/// The query of an import.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    dry_run: Option<String>,
}

fn bad_csv(message: impl Into<String>) -> AppError {
    AppError::bad_request(ApiCode::BadCsv, message)
}

fn db(e: sqlx::Error) -> AppError {
    BookingError::Database(e).into()
}

/// Checks and saves one record; answers its key (for repeats) and what changed.
async fn line(
    conn: &mut AnyConnection,
    kind: Kind,
    f: &[String],
) -> Result<(String, Change), Refusal> {
    let field = |i: usize| f.get(i).map_or("", |s| s.trim());
    match kind {
        Kind::Comuni => {
            let row = Comune {
                istat: validate::istat(field(0))?,
                name: validate::name(field(1))?,
                province: validate::province(field(2))?,
                region: validate::region(field(3))?,
                population: validate::population_text(field(4))?,
                belfiore: validate::belfiore(field(5))?,
            };
            Ok((row.istat.clone(), write::save_comune(conn, &row).await?))
        }
        Kind::Sedi => {
            let row = SedeRow {
                id: validate::sede_id(field(0))?,
                kind: validate::kind(field(1))?,
                name: validate::name(field(2))?,
                comune_istat: validate::istat(field(3))?,
                patron_day: validate::patron_day(Some(field(4)))?,
            };
            Ok((row.id.clone(), write::save_sede(conn, &row).await?))
        }
        Kind::Conventions => {
            let istat = validate::istat(field(0))?;
            let sede = validate::sede_id(field(1))?;
            let (from, until) = validate::validity(Some(field(2)), Some(field(3)))?;
            let change = write::save_convention(conn, &istat, &sede, from, until).await?;
            Ok((format!("{istat}/{sede}"), change))
        }
    }
}

/// Reads the file's records and checks its header.
fn data_records(kind: Kind, bytes: Vec<u8>) -> ApiResult<Result<Vec<Record>, ImportLineError>> {
    let text = String::from_utf8(bytes).map_err(|_| bad_csv("the file is not UTF-8 text"))?;
    let records = match csv::records(&text) {
        Ok(r) => r,
        Err(m) => {
            return Ok(Err(ImportLineError {
                line: m.line,
                code: ApiCode::BadCsv,
                reason: m.reason.to_owned(),
            }));
        }
    };
    let mut records = records.into_iter();
    let want = kind.columns();
    let header = records
        .next()
        .ok_or_else(|| bad_csv("the file is empty: it needs a header row"))?;
    let got: Vec<String> = header
        .fields
        .iter()
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    if got != want {
        return Err(bad_csv(format!(
            "the first line must be the header: {}",
            want.join(",")
        )));
    }
    let data: Vec<Record> = records.collect();
    if data.is_empty() {
        return Err(bad_csv("the file has no data lines after the header"));
    }
    Ok(Ok(data))
}

async fn run(
    store: &Store,
    kind: Kind,
    dry_run: bool,
    records: Vec<Record>,
) -> ApiResult<ImportReport> {
    let mut report = ImportReport {
        kind: kind.name().to_owned(),
        dry_run,
        applied: false,
        lines: i64::try_from(records.len()).unwrap_or(i64::MAX),
        created: 0,
        updated: 0,
        unchanged: 0,
        errors: Vec::new(),
    };
    let columns = kind.columns().len();
    let mut seen: HashMap<String, i64> = HashMap::new();
    let mut tx = store.db().begin_write().await.map_err(db)?;
    for r in records {
        if r.fields.len() != columns {
            report.errors.push(ImportLineError {
                line: r.line,
                code: ApiCode::BadCsv,
                reason: format!("{} fields instead of {columns}", r.fields.len()),
            });
            continue;
        }
        match line(&mut tx, kind, &r.fields).await {
            Ok((key, change)) => {
                if let Some(first) = seen.insert(key, r.line) {
                    report.errors.push(ImportLineError {
                        line: r.line,
                        code: ApiCode::BadCsv,
                        reason: format!("the same row is already on line {first}"),
                    });
                    continue;
                }
                match change {
                    Change::Created => report.created += 1,
                    Change::Updated => report.updated += 1,
                    Change::Unchanged => report.unchanged += 1,
                }
            }
            Err(Refusal::Rule(e)) => report.errors.push(ImportLineError {
                line: r.line,
                code: e.code,
                reason: e.message,
            }),
            Err(Refusal::Db(e)) => return Err(db(e)),
        }
    }
    if report.errors.is_empty() && !dry_run {
        tx.commit().await.map_err(db)?;
        report.applied = true;
    } else {
        tx.rollback().await.map_err(db)?;
    }
    Ok(report)
}

/// `POST /v1/catalogue/import/{kind}?dry_run=true|false`, body `text/csv`.
pub async fn import(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams(kind): PathParams<String>,
    query: Result<QueryParams<ImportQuery>, AppError>,
    req: Request,
) -> ApiResult<Json<ImportReport>> {
    if let Err(e) = admin(&who) {
        let r: ApiResult<()> = Err(e);
        audited(
            &store,
            &who,
            &rid,
            AuditAction::CatalogueImport,
            r,
            |()| Scope::default(),
            Scope::default(),
        )
        .await?;
    }
    let Some(kind) = Kind::parse(&kind) else {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            ApiCode::BadImportKind,
            "imports are of 'comuni', 'sedi' or 'conventions'",
        ));
    };
    let QueryParams(q) = query?;
    let dry_run = match q.dry_run.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => {
            return Err(AppError::bad_request(
                ApiCode::BadQuery,
                "'dry_run' is required: true (only check) or false (check and save)",
            ));
        }
    };
    let csv_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("text/csv"));
    if !csv_type {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiCode::BadContentType,
            "the body must be a CSV file (Content-Type: text/csv)",
        ));
    }
    let too_large = || {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiCode::CsvTooLarge,
            format!("a CSV file has at most {MAX_CSV_BYTES} bytes"),
        )
    };
    let bytes = crate::api::raw_body::read_limited(req, MAX_CSV_BYTES, too_large).await?;
    let report = match data_records(kind, bytes)? {
        Ok(records) => run(&store, kind, dry_run, records).await?,
        Err(malformed) => ImportReport {
            kind: kind.name().to_owned(),
            dry_run,
            applied: false,
            lines: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            errors: vec![malformed],
        },
    };
    if report.applied {
        let detail = format!(
            "created={} updated={} unchanged={}",
            report.created, report.updated, report.unchanged
        );
        audit::record(
            &store,
            Event::staff(&who, &rid, AuditAction::CatalogueImport)
                .target(kind.name())
                .detail(detail),
        )
        .await;
    }
    Ok(Json(report))
}
