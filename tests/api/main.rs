//! The HTTP application and the signalling edge, tested from outside over loopback: one test
//! binary, one module per feature, all sharing `tests/support/`.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod audit;
mod bad_input;
mod body_limit;
mod booking;
mod catalogue;
mod date_inputs;
mod documents;
mod edge_headers;
mod error_echo;
mod feedback;
mod file_modes;
mod follow_ups;
mod identity;
mod liveness;
mod meeting_case;
mod meeting_day;
mod meeting_open;
mod meeting_wait;
mod monitoring;
mod oidc;
mod pii;
mod prints;
mod reports;
mod retention;
mod revocation;
mod role_matrix;
mod slow_clients;
mod staff_accounts;
mod tickets;
mod tls;
mod ts_bindings;
