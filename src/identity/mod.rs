//! Who is calling: staff principals, server-side sessions and (in demo mode only) demo logins.
//!
//! This is the seam the identity layer (SPID/CIE, local passwords, revocation) will plug into:
//! handlers take a [`Principal`] extractor that resolves the opaque `sportello_session` cookie
//! in a [`SessionStore`]. Nothing else grants access, in demo or production mode.

pub mod accounts;
pub mod citizen;
pub mod demo;
pub mod oidc;
pub mod operators;
pub mod principal;
pub mod revocation;
pub mod routes;
pub mod session;

pub use principal::{Principal, StaffRole};
pub use revocation::{LocalRevocationBus, Revocation, RevocationBus};
pub use session::{InMemorySessions, SESSION_COOKIE, SessionStore};
