//! The daily purge: the server runs [`run_daily`] on its runtime; it purges at start and then
//! every [`EVERY`], until shutdown.

use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::RetentionConfig;
use crate::store::Store;

/// How often the purge runs (the first run is at start).
pub const EVERY: Duration = Duration::from_secs(24 * 3600);

/// Purges at once and then every [`EVERY`] until `stop`. A failed run is logged (kind only) and
/// tried again at the next; a run in progress is let finish (each step is its own transaction).
pub async fn run_daily(
    store: Store,
    periods: RetentionConfig,
    documents_dir: PathBuf,
    stop: CancellationToken,
) {
    let mut every = tokio::time::interval(EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        if let Err(e) = super::purge_now(&store, &periods, &documents_dir).await {
            tracing::error!(
                error_kind = if matches!(e, sqlx::Error::Database(_)) {
                    "database"
                } else {
                    "other"
                },
                "retention purge failed"
            );
        }
    }
}
