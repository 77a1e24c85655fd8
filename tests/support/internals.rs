//! Every path into `sportello`'s internals that the HTTP tests need, in one place (the public
//! `sportello::{Config, Server}` aside), so a move inside the server is fixed here only. The
//! TypeScript bindings test imports its types itself (`api/ts_bindings.rs`).

use std::time::Duration;

pub use sportello::api::MAX_BODY_BYTES;
pub use sportello::app::ROUTES;
pub use sportello::identity::SessionLimits;
pub use sportello::store::ManualClock;

/// The application's database pool of a running server.
pub fn pool(server: &sportello::Server) -> &sqlx::AnyPool {
    server.booking().db().pool()
}

/// The CSRF token the web client sends with the staff session `token`.
pub fn csrf_token_for(token: &str) -> String {
    sportello::identity::csrf::token_for(token)
}

/// How long a handed-over meeting waits for the kiosk before the operator is cut off.
pub const HANDOVER_GRACE: Duration = sportello::meeting::handover::HANDOVER_GRACE;

/// Rooms and connections the signalling plane holds now.
pub fn room_counts(signalling: &sportello_signalling::Signalling) -> (usize, usize) {
    signalling.rooms().counts()
}

pub use sportello::retention::{PurgeCounts, RetentionConfig};

/// Runs the retention purge now on a running server's database and clock, with `periods`, the
/// document files being under `<data_dir>/documents`.
pub async fn purge_now(
    server: &sportello::Server,
    periods: &RetentionConfig,
    data_dir: &std::path::Path,
) -> PurgeCounts {
    sportello::retention::purge_now(
        server.booking().store(),
        periods,
        &data_dir.join("documents"),
    )
    .await
    .expect("the purge runs")
}
