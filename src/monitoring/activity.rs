//! `GET /v1/monitoring/activity`: what the operators of a comune did in a period (bookings,
//! cancellations, meetings opened, documents sent) and who was revoked, from the audit log —
//! for the comune's user administrator (who monitors the correct use of the service by its
//! operators) and the INPS administrator (`comune` required).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, FixedOffset, Months, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use ts_rs::TS;

use super::facts::day_start;
use super::period::Period;
use crate::api::{ApiCode, AppError, QueryParams};
use crate::booking::{BookingError, rome};
use crate::identity::{Principal, StaffRole};
use crate::store::Store;

/// The query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityQuery {
    from: Option<String>,
    to: Option<String>,
    comune: Option<String>,
}

/// One operator's activity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct OperatorActivity {
    /// The account id.
    pub account: String,
    /// The person's name, if recorded.
    pub full_name: Option<String>,
    /// Appointments booked ("Prenota").
    pub bookings: i64,
    /// Appointments cancelled.
    pub cancellations: i64,
    /// Meetings opened ("Apri meeting").
    pub meetings_opened: i64,
    /// Documents sent to INPS.
    pub documents: i64,
    /// Actions refused to them (forbidden, out of scope).
    pub denied: i64,
    /// Their last recorded action in the period.
    #[ts(type = "string | null")]
    pub last_action_at: Option<DateTime<FixedOffset>>,
}

/// A revocation of one of the comune's accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RevocationEntry {
    /// When.
    #[ts(type = "string")]
    pub at: DateTime<FixedOffset>,
    /// The revoked account.
    pub account: String,
    /// Who revoked it.
    pub by: String,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "OperatorsActivity")]
pub struct Activity {
    /// The comune (ISTAT code).
    pub comune_istat: String,
    /// First month, 'YYYY-MM'.
    pub from: String,
    /// Last month, 'YYYY-MM'.
    pub to: String,
    /// One entry per operator of the comune (also those without activity), by account.
    pub operators: Vec<OperatorActivity>,
    /// Revocations in the period, newest first.
    pub revocations: Vec<RevocationEntry>,
}

fn comune_of(who: &Principal, asked: Option<String>) -> Result<String, AppError> {
    let forbidden = |m: &str| BookingError::Forbidden(m.to_owned()).into();
    match who.role {
        StaffRole::UserAdmin => {
            let own = who
                .comune_istat
                .clone()
                .ok_or_else(|| forbidden("no comune"))?;
            match asked {
                Some(a) if a != own => Err(forbidden("the activity of another comune")),
                _ => Ok(own),
            }
        }
        StaffRole::InpsAdmin => {
            asked.ok_or_else(|| AppError::bad_request(ApiCode::MissingComune, "comune is required"))
        }
        _ => Err(forbidden(
            "only the comune's user administrator or the INPS administrator",
        )),
    }
}

fn local(at: i64) -> DateTime<FixedOffset> {
    rome::to_local(DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default())
}

/// `GET /v1/monitoring/activity?from=YYYY-MM&to=YYYY-MM[&comune=ISTAT]`.
pub async fn activity(
    State(store): State<Store>,
    who: Principal,
    QueryParams(q): QueryParams<ActivityQuery>,
) -> Result<Json<Activity>, AppError> {
    let comune = comune_of(&who, q.comune)?;
    let period = Period::new(
        q.from.as_deref(),
        q.to.as_deref(),
        rome::local_date(store.now()),
    )?;
    let db = store.db();
    if db.comune(&comune).await?.is_none() {
        return Err(AppError::new(
            axum::http::StatusCode::NOT_FOUND,
            ApiCode::UnknownComune,
            "no such comune",
        ));
    }
    let start = day_start(period.first).timestamp();
    let end = day_start(
        period
            .last
            .checked_add_months(Months::new(1))
            .unwrap_or(period.last),
    )
    .timestamp();
    let accounts = sqlx::query(
        "SELECT account, full_name FROM staff_accounts WHERE role = 'operator' AND \
         comune_istat = $1 ORDER BY account",
    )
    .bind(&comune)
    .fetch_all(db.pool())
    .await
    .map_err(BookingError::from)?;
    let mut operators: Vec<OperatorActivity> = Vec::with_capacity(accounts.len());
    for row in &accounts {
        operators.push(OperatorActivity {
            account: row.try_get("account").map_err(BookingError::from)?,
            full_name: row.try_get("full_name").map_err(BookingError::from)?,
            ..OperatorActivity::default()
        });
    }
    let counts = sqlx::query(
        "SELECT actor_subject, action, outcome, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(MAX(at) AS BIGINT) AS last_at FROM audit_log \
         WHERE comune_istat = $1 AND actor_role = 'operator' AND at >= $2 AND at < $3 \
         GROUP BY actor_subject, action, outcome",
    )
    .bind(&comune)
    .bind(start)
    .bind(end)
    .fetch_all(db.pool())
    .await
    .map_err(BookingError::from)?;
    for row in &counts {
        let subject: String = row.try_get("actor_subject").map_err(BookingError::from)?;
        let Some(op) = operators.iter_mut().find(|o| o.account == subject) else {
            continue;
        };
        let action: String = row.try_get("action").map_err(BookingError::from)?;
        let outcome: String = row.try_get("outcome").map_err(BookingError::from)?;
        let n: i64 = row.try_get("n").map_err(BookingError::from)?;
        let last: i64 = row.try_get("last_at").map_err(BookingError::from)?;
        if op.last_action_at.is_none_or(|l| l.timestamp() < last) {
            op.last_action_at = Some(local(last));
        }
        if outcome == "denied" {
            op.denied += n;
            continue;
        }
        match action.as_str() {
            "hold.confirm" => op.bookings += n,
            "appointment.cancel" => op.cancellations += n,
            "meeting.open" => op.meetings_opened += n,
            "document.upload" => op.documents += n,
            _ => {}
        }
    }
    let revoked = sqlx::query(
        "SELECT at, target, actor_subject FROM audit_log WHERE comune_istat = $1 AND \
         action = 'operator.revoke' AND outcome = 'ok' AND at >= $2 AND at < $3 \
         ORDER BY at DESC LIMIT 500",
    )
    .bind(&comune)
    .bind(start)
    .bind(end)
    .fetch_all(db.pool())
    .await
    .map_err(BookingError::from)?;
    let mut revocations = Vec::with_capacity(revoked.len());
    for row in &revoked {
        revocations.push(RevocationEntry {
            at: local(row.try_get("at").map_err(BookingError::from)?),
            account: row
                .try_get::<Option<String>, _>("target")
                .map_err(BookingError::from)?
                .unwrap_or_default(),
            by: row.try_get("actor_subject").map_err(BookingError::from)?,
        });
    }
    let months = period.months();
    Ok(Json(Activity {
        comune_istat: comune,
        from: months[0].clone(),
        to: months[months.len() - 1].clone(),
        operators,
        revocations,
    }))
}
