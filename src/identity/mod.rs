//! Who is calling: staff accounts, logins (password; demo profiles in demo mode only),
//! server-side sessions, CSRF, enablement and revocation of operators, citizen sessions.
//!
//! Handlers take a [`Principal`] extractor that resolves the opaque `sportello_session` cookie
//! in a [`SessionStore`] (the database). Nothing else grants access, in demo or production mode.

pub mod accounts;
pub mod citizen;
pub mod csrf;
pub mod db_sessions;
pub mod demo;
pub mod enablement;
pub mod expiry;
pub mod login;
pub mod oidc;
pub mod operators;
pub mod password;
pub mod principal;
pub mod revocation;
pub mod routes;
pub mod session;

pub use db_sessions::{DbSessions, SessionLimits};
pub use principal::{Principal, StaffRole};
pub use revocation::{LocalRevocationBus, Revocation, RevocationBus};
pub use session::{SESSION_COOKIE, SessionStore};
