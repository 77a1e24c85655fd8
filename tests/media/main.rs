//! Calls with real WebRTC peers over loopback: a two-party call, join/leave churn and a short
//! loadtest run. One test binary sharing `tests/support/`.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod call;
mod churn;
mod loadtest_run;
