//! The identity services: the rules, SQL and audit of each identity operation, so that the
//! handlers only extract the request, call a service and map its answer.
//!
//! - [`accounts`]: staff accounts: lookup, admission (at every login and session lookup), changes;
//! - [`operators`]: enabling, changing, revoking and re-enabling operators;
//! - [`sessions`]: logins (password, demo, OIDC) and logout;
//! - [`oidc_links`]: links from a person at an OIDC provider to a staff account.

pub mod accounts;
pub mod oidc_links;
pub mod operators;
pub mod sessions;
