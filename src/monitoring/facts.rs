//! The facts the figures are made of: every appointment of the period, live (projected from
//! `reservations`) or rolled up by the retention purge (`monitoring_facts`), in one shape, with
//! the names of their places. Nothing here names a citizen.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;

use crate::booking::{BookingError, rome};
use crate::store::Db;

/// What became of an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Booked, not (yet) closed.
    Open,
    /// Cancelled.
    Cancelled,
    /// Held, solved.
    Resolved,
    /// Held, to be called back.
    CallBack,
    /// The citizen did not come.
    NoShow,
}

impl State {
    /// From the stored code (`monitoring_facts.state`).
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "open" => Self::Open,
            "cancelled" => Self::Cancelled,
            "resolved" => Self::Resolved,
            "call_back" => Self::CallBack,
            "no_show" => Self::NoShow,
            _ => return None,
        })
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Cancelled => "cancelled",
            Self::Resolved => "resolved",
            Self::CallBack => "call_back",
            Self::NoShow => "no_show",
        }
    }

    /// Of a live appointment: its status and the meeting's outcome.
    pub fn of_live(status: &str, outcome: Option<&str>) -> Self {
        if status == "cancelled" {
            return Self::Cancelled;
        }
        outcome.and_then(Self::parse).unwrap_or(Self::Open)
    }
}

/// One place: a comune with its province and region, a Sede, a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// ISTAT code.
    pub comune_istat: String,
    /// The comune's name.
    pub comune_name: String,
    /// Province (sigla).
    pub province: String,
    /// Region.
    pub region: String,
    /// Sede or Polo id.
    pub sede_id: String,
    /// Its name.
    pub sede_name: String,
}

/// Appointments of one kind (`n` of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// 'YYYY-MM' of the appointment, Italian time.
    pub month: String,
    /// Where.
    pub place: Place,
    /// The service code.
    pub service_code: String,
    /// The service's name.
    pub service_name: String,
    /// What became of it.
    pub state: State,
    /// Whole days from booking to the appointment.
    pub waiting_days: i64,
    /// Meeting duration in whole minutes, if it was held.
    pub duration_minutes: Option<i64>,
    /// How many appointments.
    pub n: i64,
}

/// A month as 'YYYY-MM'.
pub fn month_of(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// The UTC instant a local (Italian) day starts.
pub fn day_start(day: NaiveDate) -> DateTime<Utc> {
    rome::from_local(day.and_hms_opt(0, 0, 0).unwrap_or_default())
}

const PLACE_COLUMNS: &str = "COALESCE(c.name, '') AS comune_name, \
     COALESCE(c.province, '') AS province, COALESCE(c.region, '') AS region, \
     COALESCE(se.name, '') AS sede_name, COALESCE(sv.name, '') AS service_name";

fn place(row: &sqlx::any::AnyRow, sede_id: String) -> Result<Place, sqlx::Error> {
    Ok(Place {
        comune_istat: row.try_get("comune_istat")?,
        comune_name: row.try_get("comune_name")?,
        province: row.try_get("province")?,
        region: row.try_get("region")?,
        sede_id,
        sede_name: row.try_get("sede_name")?,
    })
}

/// The appointments of the months `first..=last` ('YYYY-MM'): the live ones and the rolled-up.
pub async fn load(db: &Db, first: NaiveDate, last: NaiveDate) -> Result<Vec<Fact>, BookingError> {
    let mut out = live(db, first, last).await?;
    out.extend(rolled_up(db, &month_of(first), &month_of(last)).await?);
    Ok(out)
}

/// Appointments still in `reservations` (booked or cancelled) starting in the months.
async fn live(db: &Db, first: NaiveDate, last: NaiveDate) -> Result<Vec<Fact>, BookingError> {
    let end = last
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(last);
    let sql = format!(
        "SELECT r.starts_at, COALESCE(r.confirmed_at, r.created_at) AS booked_at, r.status, \
         r.meeting_outcome, r.meeting_opened_at, r.meeting_closed_at, r.comune_istat, \
         s.sede_id, r.service_code, {PLACE_COLUMNS} \
         FROM reservations r JOIN sportelli s ON s.id = r.sportello_id \
         LEFT JOIN sedi se ON se.id = s.sede_id LEFT JOIN comuni c ON c.istat = r.comune_istat \
         LEFT JOIN services sv ON sv.code = r.service_code \
         WHERE r.status IN ('booked', 'cancelled') AND r.starts_at >= $1 AND r.starts_at < $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(day_start(first).timestamp())
        .bind(day_start(end).timestamp())
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let starts_at: i64 = row.try_get("starts_at")?;
        let booked_at: i64 = row.try_get("booked_at")?;
        let status: String = row.try_get("status")?;
        let outcome: Option<String> = row.try_get("meeting_outcome")?;
        let opened: Option<i64> = row.try_get("meeting_opened_at")?;
        let closed: Option<i64> = row.try_get("meeting_closed_at")?;
        let Some(starts) = DateTime::<Utc>::from_timestamp(starts_at, 0) else {
            continue;
        };
        out.push(Fact {
            month: month_of(rome::local_date(starts)),
            place: place(row, row.try_get("sede_id")?)?,
            service_code: row.try_get("service_code")?,
            service_name: row.try_get("service_name")?,
            state: State::of_live(&status, outcome.as_deref()),
            waiting_days: (starts_at - booked_at).max(0) / 86_400,
            duration_minutes: match (opened, closed, outcome.as_deref()) {
                (Some(o), Some(c), Some("resolved" | "call_back")) => Some((c - o).max(0) / 60),
                _ => None,
            },
            n: 1,
        });
    }
    Ok(out)
}

/// Appointments rolled up by the retention purge.
async fn rolled_up(db: &Db, first: &str, last: &str) -> Result<Vec<Fact>, BookingError> {
    let sql = format!(
        "SELECT f.month, f.comune_istat, f.sede_id, f.service_code, f.state, f.waiting_days, \
         f.duration_minutes, f.n, {PLACE_COLUMNS} \
         FROM monitoring_facts f LEFT JOIN sedi se ON se.id = f.sede_id \
         LEFT JOIN comuni c ON c.istat = f.comune_istat \
         LEFT JOIN services sv ON sv.code = f.service_code \
         WHERE f.month >= $1 AND f.month <= $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(first)
        .bind(last)
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let state: String = row.try_get("state")?;
        let Some(state) = State::parse(&state) else {
            continue;
        };
        out.push(Fact {
            month: row.try_get("month")?,
            place: place(row, row.try_get("sede_id")?)?,
            service_code: row.try_get("service_code")?,
            service_name: row.try_get("service_name")?,
            state,
            waiting_days: row.try_get("waiting_days")?,
            duration_minutes: row.try_get("duration_minutes")?,
            n: row.try_get("n")?,
        });
    }
    Ok(out)
}

/// A served citizen (keyed hash) with the month, place and service of the meeting.
#[derive(Debug, Clone)]
pub struct Served {
    /// 'YYYY'.
    pub year: String,
    /// 'YYYY-MM'.
    pub month: String,
    /// Where.
    pub place: Place,
    /// Service code.
    pub service_code: String,
    /// The keyed hash (meaningful within its year only).
    pub citizen_key: String,
}

/// The served citizens of the months.
pub async fn served(db: &Db, first: &str, last: &str) -> Result<Vec<Served>, BookingError> {
    let sql = format!(
        "SELECT f.year, f.month, f.comune_istat, f.sede_id, f.service_code, f.citizen_key, \
         {PLACE_COLUMNS} FROM served_citizens f LEFT JOIN sedi se ON se.id = f.sede_id \
         LEFT JOIN comuni c ON c.istat = f.comune_istat \
         LEFT JOIN services sv ON sv.code = f.service_code \
         WHERE f.month >= $1 AND f.month <= $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(first)
        .bind(last)
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(Served {
            year: row.try_get("year")?,
            month: row.try_get("month")?,
            place: place(row, row.try_get("sede_id")?)?,
            service_code: row.try_get("service_code")?,
            citizen_key: row.try_get("citizen_key")?,
        });
    }
    Ok(out)
}

/// Feedback ratings (live and rolled up) of the months, by day's month and place.
#[derive(Debug, Clone)]
pub struct Rated {
    /// 'YYYY-MM'.
    pub month: String,
    /// Where.
    pub place: Place,
    /// 1-5.
    pub rating: i64,
    /// How many.
    pub n: i64,
}

/// The ratings given in the months.
pub async fn ratings(db: &Db, first: &str, last: &str) -> Result<Vec<Rated>, BookingError> {
    let sql = "SELECT f.month, f.comune_istat, f.sede_id, f.rating, f.n, \
         COALESCE(c.name, '') AS comune_name, COALESCE(c.province, '') AS province, \
         COALESCE(c.region, '') AS region, COALESCE(se.name, '') AS sede_name FROM ( \
           SELECT SUBSTR(day, 1, 7) AS month, comune_istat, sede_id, rating, \
                  CAST(COUNT(*) AS BIGINT) AS n FROM feedback \
           GROUP BY SUBSTR(day, 1, 7), comune_istat, sede_id, rating \
           UNION ALL SELECT month, comune_istat, sede_id, rating, n FROM feedback_counts \
         ) f LEFT JOIN sedi se ON se.id = f.sede_id LEFT JOIN comuni c ON c.istat = f.comune_istat \
         WHERE f.month >= $1 AND f.month <= $2";
    let rows = sqlx::query(sql)
        .bind(first)
        .bind(last)
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(Rated {
            month: row.try_get("month")?,
            place: place(row, row.try_get("sede_id")?)?,
            rating: row.try_get("rating")?,
            n: row.try_get("n")?,
        });
    }
    Ok(out)
}
