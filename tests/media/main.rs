//! Calls with real WebRTC peers over loopback: a two-party call, join/leave churn and a short
//! loadtest run. One test binary sharing `tests/support/`.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod call;
mod churn;
mod loadtest_run;

/// Runs `test` with the logs of `RUST_LOG` in the test output, and fails with `what` unless
/// it finishes within `whole`.
async fn bounded(whole: std::time::Duration, what: &str, test: impl Future<Output = ()>) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    tokio::time::timeout(whole, test).await.expect(what);
}
