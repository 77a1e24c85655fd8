//! The purge's SQL, one transaction per kind (and per batch for the roll-ups), portable for
//! SQLite and PostgreSQL. Each step is idempotent: what it removed is not found again.
//!
//! The roll-ups delete their rows one by one and count only the rows their own `DELETE`
//! removed, so two servers purging one PostgreSQL database at once never count an appointment
//! or a rating twice (the second `DELETE` waits for the first and then finds nothing). Two such
//! servers may at worst each insert a new `monitoring_facts` row for the same combination: the
//! readers sum `n`, so the figures stay right.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use sqlx::{Any, Transaction};

use crate::booking::rome;
use crate::store::Db;

/// Rows a roll-up handles in one transaction.
const BATCH: i64 = 200;

/// Batches a roll-up handles in one run at most (bounded work: the rest waits for the next run).
const MAX_BATCHES: usize = 50;

/// Expired and released holds are deleted once they are this old (seconds): they hold no
/// personal data but pile up.
pub const HOLD_KEPT_SECS: i64 = 86_400;

/// The key of a year (served citizens) is deleted this many days after the year is over.
pub const KEY_GRACE_DAYS: u32 = 31;

/// The statement `$head (appointments whose date is before the cut-off $1))`: the SQL stays a
/// literal (sqlx takes only audited or static SQL).
macro_rules! of_past_appointments {
    ($head:literal) => {
        concat!($head, " (SELECT id FROM reservations WHERE starts_at < $1)")
    };
}

/// Removes the documents of appointments before `cutoff` (Unix seconds): their rows, then the
/// files no remaining row uses. Returns (rows, files).
///
/// A file is removed after the commit, only when no row names its digest any more. An upload of
/// the very same bytes racing with the removal could find the file still there, skip writing
/// it, and lose it: that needs the same document uploaded to a live meeting in the instant a
/// document of an appointment months old is purged, and the operator sees the failed download.
pub async fn documents(db: &Db, dir: &Path, cutoff: i64) -> Result<(u64, u64), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let digests: Vec<(String,)> = sqlx::query_as(of_past_appointments!(
        "SELECT DISTINCT sha256 FROM documents WHERE appointment_id IN"
    ))
    .bind(cutoff)
    .fetch_all(&mut *tx)
    .await?;
    let rows = sqlx::query(of_past_appointments!(
        "DELETE FROM documents WHERE appointment_id IN"
    ))
    .bind(cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    let files = remove_unreferenced(db, dir, digests.into_iter().map(|(d,)| d)).await?;
    Ok((rows, files))
}

/// Deletes the files of `digests` that no document row uses any more; returns how many.
async fn remove_unreferenced(
    db: &Db,
    dir: &Path,
    digests: impl IntoIterator<Item = String>,
) -> Result<u64, sqlx::Error> {
    let mut removed = 0;
    for digest in digests.into_iter().collect::<BTreeSet<_>>() {
        // The digest names a file in `dir`: never anything else.
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM documents WHERE sha256 = $1")
            .bind(&digest)
            .fetch_one(db.pool())
            .await?;
        if users > 0 {
            continue;
        }
        match std::fs::remove_file(crate::documents::files::path_of(dir, &digest)) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(error = %e, "retention: a document file was not removed"),
        }
    }
    Ok(removed)
}

/// What [`requests`] removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RequestsPurged {
    /// Citizen requests (the personal data of the booking) deleted.
    pub requests: u64,
    /// Citizen (kiosk) sessions deleted.
    pub sessions: u64,
    /// Free texts cleared: the official's closing notes and problem-report texts.
    pub notes: u64,
}

/// Anonymises the appointments before `cutoff` (Unix seconds): deletes their citizen requests
/// and kiosk sessions, clears the official's notes, the problem reports' texts and the client's
/// idempotency key. The appointment row stays (place, service, times, outcome, the staff
/// account that booked it), and so do its requested services (codes only).
pub async fn requests(db: &Db, cutoff: i64) -> Result<RequestsPurged, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let requests = exec(
        &mut tx,
        of_past_appointments!("DELETE FROM citizen_requests WHERE reservation_id IN"),
        cutoff,
    )
    .await?;
    let sessions = exec(
        &mut tx,
        of_past_appointments!("DELETE FROM citizen_sessions WHERE appointment_id IN"),
        cutoff,
    )
    .await?;
    let reports = exec(
        &mut tx,
        of_past_appointments!(
            "UPDATE meeting_reports SET text = '' WHERE text <> '' AND appointment_id IN"
        ),
        cutoff,
    )
    .await?;
    let notes = exec(
        &mut tx,
        "UPDATE reservations SET meeting_notes = NULL \
         WHERE meeting_notes IS NOT NULL AND starts_at < $1",
        cutoff,
    )
    .await?;
    exec(
        &mut tx,
        "UPDATE reservations SET idempotency_key = NULL \
         WHERE idempotency_key IS NOT NULL AND starts_at < $1",
        cutoff,
    )
    .await?;
    tx.commit().await?;
    Ok(RequestsPurged {
        requests,
        sessions,
        notes: notes + reports,
    })
}

async fn exec(
    tx: &mut Transaction<'static, Any>,
    sql: &'static str,
    value: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(sql)
        .bind(value)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// One appointment as the roll-up reads it.
type AppointmentRow = (
    String,         // id
    i64,            // starts_at
    String,         // comune_istat
    String,         // sede_id
    String,         // service_code
    String,         // status
    Option<String>, // meeting_outcome
    i64,            // created_at
    Option<i64>,    // confirmed_at
    Option<i64>,    // meeting_opened_at
    Option<i64>,    // meeting_closed_at
);

/// One `monitoring_facts` combination.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fact {
    /// 'YYYY-MM' of the appointment, Italian time.
    pub month: String,
    /// The comune.
    pub comune_istat: String,
    /// The Sede of the sportello.
    pub sede_id: String,
    /// The service.
    pub service_code: String,
    /// open | cancelled | resolved | call_back | no_show.
    pub state: &'static str,
    /// Whole days from booking to the appointment.
    pub waiting_days: i64,
    /// Whole minutes from opening to closing the meeting, if both happened.
    pub duration_minutes: Option<i64>,
}

impl Fact {
    fn of(row: &AppointmentRow) -> Self {
        let (
            _,
            starts_at,
            comune,
            sede,
            service,
            status,
            outcome,
            created,
            confirmed,
            opened,
            closed,
        ) = row;
        let month = DateTime::<Utc>::from_timestamp(*starts_at, 0)
            .map(|t| rome::to_local(t).format("%Y-%m").to_string())
            .unwrap_or_default();
        let state = match (status.as_str(), outcome.as_deref()) {
            ("cancelled", _) => "cancelled",
            (_, Some("resolved")) => "resolved",
            (_, Some("call_back")) => "call_back",
            (_, Some("no_show")) => "no_show",
            _ => "open",
        };
        let booked = confirmed.unwrap_or(*created);
        let duration_minutes = match (opened, closed) {
            (Some(o), Some(c)) if c >= o => Some((c - o) / 60),
            _ => None,
        };
        Self {
            month,
            comune_istat: comune.clone(),
            sede_id: sede.clone(),
            service_code: service.clone(),
            state,
            waiting_days: (starts_at - booked).max(0) / 86_400,
            duration_minutes,
        }
    }
}

/// Deleting the rows that name an appointment `$1`.
const CHILDREN: [&str; 5] = [
    "DELETE FROM documents WHERE appointment_id = $1",
    "DELETE FROM citizen_requests WHERE reservation_id = $1",
    "DELETE FROM request_services WHERE reservation_id = $1",
    "DELETE FROM citizen_sessions WHERE appointment_id = $1",
    "DELETE FROM meeting_reports WHERE appointment_id = $1",
];

/// Rolls the appointments (booked or cancelled) before `cutoff` (Unix seconds) up into
/// `monitoring_facts` and deletes them with every row that names them (and the document files no
/// longer used). Returns how many appointments were deleted.
pub async fn appointments(db: &Db, dir: &Path, cutoff: i64) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    for _ in 0..MAX_BATCHES {
        let mut tx = db.begin_write().await?;
        let rows: Vec<AppointmentRow> = sqlx::query_as(
            "SELECT r.id, r.starts_at, r.comune_istat, s.sede_id, r.service_code, r.status, \
             r.meeting_outcome, r.created_at, r.confirmed_at, r.meeting_opened_at, \
             r.meeting_closed_at \
             FROM reservations r JOIN sportelli s ON s.id = r.sportello_id \
             WHERE r.starts_at < $1 AND r.status IN ('booked', 'cancelled') \
             ORDER BY r.starts_at, r.id LIMIT $2",
        )
        .bind(cutoff)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let mut facts: BTreeMap<Fact, i64> = BTreeMap::new();
        let mut digests = Vec::new();
        for row in &rows {
            let id = &row.0;
            let found: Vec<(String,)> =
                sqlx::query_as("SELECT sha256 FROM documents WHERE appointment_id = $1")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
            digests.extend(found.into_iter().map(|(d,)| d));
            for sql in CHILDREN {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            let gone = sqlx::query("DELETE FROM reservations WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if gone == 1 {
                *facts.entry(Fact::of(row)).or_default() += 1;
                deleted += 1;
            }
        }
        for (fact, n) in &facts {
            add_fact(&mut tx, fact, *n).await?;
        }
        tx.commit().await?;
        remove_unreferenced(db, dir, digests).await?;
        if (rows.len() as i64) < BATCH {
            break;
        }
    }
    Ok(deleted)
}

/// Adds `n` to the row of `fact`, or inserts it.
async fn add_fact(
    tx: &mut Transaction<'static, Any>,
    fact: &Fact,
    n: i64,
) -> Result<(), sqlx::Error> {
    macro_rules! update {
        ($duration:literal) => {
            concat!(
                "UPDATE monitoring_facts SET n = n + $1 WHERE month = $2 AND comune_istat = $3 \
                 AND sede_id = $4 AND service_code = $5 AND state = $6 AND waiting_days = $7 \
                 AND ",
                $duration
            )
        };
    }
    let sql = if fact.duration_minutes.is_some() {
        update!("duration_minutes = $8")
    } else {
        update!("duration_minutes IS NULL")
    };
    let mut update = sqlx::query(sql)
        .bind(n)
        .bind(&fact.month)
        .bind(&fact.comune_istat)
        .bind(&fact.sede_id)
        .bind(&fact.service_code)
        .bind(fact.state)
        .bind(fact.waiting_days);
    if let Some(d) = fact.duration_minutes {
        update = update.bind(d);
    }
    if update.execute(&mut **tx).await?.rows_affected() > 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO monitoring_facts (month, comune_istat, sede_id, service_code, state, \
         waiting_days, duration_minutes, n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&fact.month)
    .bind(&fact.comune_istat)
    .bind(&fact.sede_id)
    .bind(&fact.service_code)
    .bind(fact.state)
    .bind(fact.waiting_days)
    .bind(fact.duration_minutes)
    .bind(n)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes holds that ended (expired, released, or held past their expiry) more than
/// [`HOLD_KEPT_SECS`] before `now` (Unix seconds). Returns how many.
pub async fn holds(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = exec(
        &mut tx,
        "DELETE FROM reservations WHERE (status IN ('expired', 'released') AND created_at < $1) \
         OR (status = 'held' AND hold_expires_at < $1)",
        now - HOLD_KEPT_SECS,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Deletes the audit entries written before `cutoff` (Unix seconds). Returns how many.
pub async fn audit(db: &Db, cutoff: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = exec(&mut tx, "DELETE FROM audit_log WHERE at < $1", cutoff).await?;
    tx.commit().await?;
    Ok(n)
}

/// One feedback row as the roll-up reads it: id, day, comune, Sede, rating.
type FeedbackRow = (String, String, String, String, i64);

/// Rolls the feedback given before the day `cutoff` up into `feedback_counts` (rating counts
/// per month, comune and Sede) and deletes it, comments included. Returns how many rows.
pub async fn feedback(db: &Db, cutoff: NaiveDate) -> Result<u64, sqlx::Error> {
    let cutoff = cutoff.to_string();
    let mut deleted = 0;
    for _ in 0..MAX_BATCHES {
        let mut tx = db.begin_write().await?;
        let rows: Vec<FeedbackRow> = sqlx::query_as(
            "SELECT id, day, comune_istat, sede_id, rating FROM feedback WHERE day < $1 \
             ORDER BY day, id LIMIT $2",
        )
        .bind(&cutoff)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let mut counts: BTreeMap<(String, &str, &str, i64), i64> = BTreeMap::new();
        for (id, day, comune, sede, rating) in &rows {
            let gone = sqlx::query("DELETE FROM feedback WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if gone == 1 {
                let month = day.get(..7).unwrap_or(day).to_owned();
                *counts
                    .entry((month, comune.as_str(), sede.as_str(), *rating))
                    .or_default() += 1;
                deleted += 1;
            }
        }
        for ((month, comune, sede, rating), n) in &counts {
            let updated = sqlx::query(
                "UPDATE feedback_counts SET n = n + $1 WHERE month = $2 AND comune_istat = $3 \
                 AND sede_id = $4 AND rating = $5",
            )
            .bind(*n)
            .bind(month)
            .bind(*comune)
            .bind(*sede)
            .bind(*rating)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                sqlx::query(
                    "INSERT INTO feedback_counts (month, comune_istat, sede_id, rating, n) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(month)
                .bind(*comune)
                .bind(*sede)
                .bind(*rating)
                .bind(*n)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        if (rows.len() as i64) < BATCH {
            break;
        }
    }
    Ok(deleted)
}

/// The last year whose served-citizen key must be gone on `today` (Italian date): a year's key
/// is deleted [`KEY_GRACE_DAYS`] days after the year is over (from 1 February of the next year).
pub fn last_expired_key_year(today: NaiveDate) -> i32 {
    let year = today.year();
    let grace_over = NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(KEY_GRACE_DAYS))));
    match grace_over {
        Some(end) if today >= end => year - 1,
        _ => year - 2,
    }
}

/// Deletes the served-citizen keys of the years over for more than [`KEY_GRACE_DAYS`] days on
/// `today` (Italian date). Returns how many.
pub async fn keys(db: &Db, today: NaiveDate) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = sqlx::query("DELETE FROM monitoring_keys WHERE year <= $1")
        .bind(format!("{:04}", last_expired_key_year(today)))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_years_key_goes_31_days_after_the_year() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(last_expired_key_year(d("2027-01-31")), 2025);
        assert_eq!(last_expired_key_year(d("2027-02-01")), 2026);
        assert_eq!(last_expired_key_year(d("2027-12-31")), 2026);
    }

    #[test]
    fn facts_of_an_appointment() {
        let starts = 1_795_420_800; // 2026-11-23T08:00:00Z, 09:00 in Italy
        let row: AppointmentRow = (
            "a".into(),
            starts,
            "090078".into(),
            "sassari".into(),
            "pensioni".into(),
            "booked".into(),
            Some("call_back".into()),
            starts - 3 * 86_400 - 10,
            Some(starts - 2 * 86_400 - 5),
            Some(starts + 60),
            Some(starts + 60 + 25 * 60 + 59),
        );
        let f = Fact::of(&row);
        assert_eq!(f.month, "2026-11");
        assert_eq!(f.state, "call_back");
        assert_eq!(f.waiting_days, 2);
        assert_eq!(f.duration_minutes, Some(25));
        let mut cancelled = row.clone();
        cancelled.5 = "cancelled".into();
        cancelled.6 = None;
        cancelled.8 = None;
        cancelled.10 = None;
        let f = Fact::of(&cancelled);
        assert_eq!(
            (f.state, f.waiting_days, f.duration_minutes),
            ("cancelled", 3, None)
        );
        // Midnight in Italy on 1 December is still 30 November in UTC.
        let mut late = row;
        late.1 = 1_796_079_600; // 2026-11-30T23:00:00Z = 2026-12-01 00:00 in Italy
        assert_eq!(Fact::of(&late).month, "2026-12");
    }
}
