//! The end of a validity period, as it happens: when the Italian day changes, every account whose
//! last valid day was the day before is revoked like a revoked operator (one [`Revocation`]
//! event each), so an operator still in a meeting at midnight is cut off then, not only at their
//! next HTTP request (which [`super::db_sessions`] already refuses).

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use tokio_util::sync::CancellationToken;

use super::{Revocation, RevocationBus};
use crate::booking::{BookingError, rome};
use crate::store::Store;

/// How often the day is looked at (a clock read; the database only when the day changed).
const TICK: Duration = Duration::from_secs(1);

/// Accounts whose last valid day is in `[from, to)`.
async fn ended_between(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<String>, BookingError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT account FROM staff_accounts WHERE valid_until >= $1 AND valid_until < $2",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(store.db().pool())
    .await?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// The loop: at each change of day publishes a revocation for each account that ended.
pub async fn revoke_at_day_end(store: Store, bus: Arc<dyn RevocationBus>, stop: CancellationToken) {
    let mut day = rome::local_date(store.now());
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(TICK) => {}
        }
        let now = store.now();
        let today = rome::local_date(now);
        if today <= day {
            continue;
        }
        match ended_between(&store, day, today).await {
            Ok(accounts) => {
                for subject in accounts {
                    bus.publish(Revocation {
                        subject,
                        reason: "validity.ended".to_owned(),
                        at: now,
                    });
                }
                day = today;
            }
            // Tried again at the next tick.
            Err(e) => tracing::error!(error = %e, "validity check failed"),
        }
    }
}
