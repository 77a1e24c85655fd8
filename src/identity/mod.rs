//! Who is calling: staff accounts, logins (password; demo profiles in demo mode only),
//! server-side sessions, CSRF, enablement and revocation of operators, citizen sessions.
//!
//! Handlers take a [`Principal`] extractor that resolves the opaque `sportello_session` cookie
//! in a [`SessionStore`] (the database). Nothing else grants access, in demo or production mode.

pub mod attempts;
pub mod citizen;
pub mod csrf;
pub mod db_sessions;
pub mod demo;
pub mod enablement;
pub mod expiry;
pub mod hashing;
pub mod login;
pub mod oidc;
pub mod operators;
pub mod own_password;
pub mod password;
pub mod principal;
pub mod revocation;
pub mod routes;
pub mod service;
pub mod session;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{delete, get, patch, post};
use sportello_signalling::Signalling;

use crate::store::Store;

pub use db_sessions::{DbSessions, SessionLimits};
pub use principal::{Principal, StaffRole};
pub use revocation::{LocalRevocationBus, Revocation, RevocationBus};
pub use session::{SESSION_COOKIE, SessionStore};

/// What the identity handlers work with (taken from the application's state with `FromRef`).
#[derive(Debug, Clone)]
pub struct Identity {
    /// The shared database and clock.
    pub store: Store,
    /// Server-side staff sessions.
    pub sessions: Arc<dyn SessionStore>,
    /// Carries operator revocations.
    pub revocations: Arc<dyn RevocationBus>,
    /// The OIDC providers (staff login) and the logins in flight.
    pub oidc: Arc<oidc::Oidc>,
    /// The signalling layer (its token key hashes OIDC subjects).
    pub signalling: Arc<Signalling>,
    /// Whether comune operators may log in with a password (`false` where SPID/CIE is the rule).
    pub operator_password_login: bool,
}

/// The identity routes: sessions, logins, operators, OIDC (and the demo login in demo mode).
pub fn routes<S>(demo: bool) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Identity: FromRef<S>,
    Arc<dyn SessionStore>: FromRef<S>,
{
    let router = Router::new()
        .route("/v1/session", get(routes::whoami).delete(routes::logout))
        .route("/v1/login", post(login::login))
        .route("/v1/session/password", post(own_password::change))
        .route(
            "/v1/identity/operators",
            get(enablement::list).post(enablement::create),
        )
        .route(
            "/v1/identity/operators/{account}",
            patch(enablement::update),
        )
        .route(
            "/v1/identity/operators/{account}/revoke",
            post(operators::revoke),
        )
        .route(
            "/v1/identity/operators/{account}/enable",
            post(operators::enable),
        )
        .route(
            "/v1/identity/operators/{account}/pue-enable",
            post(enablement::pue_enable),
        )
        .route("/v1/oidc/providers", get(oidc::routes::providers))
        .route("/v1/oidc/{name}/start", get(oidc::routes::start))
        .route("/v1/oidc/{name}/callback", get(oidc::routes::callback))
        .route("/v1/identity/oidc-links", post(oidc::links::create))
        .route(
            "/v1/identity/oidc-links/{provider}/{account}",
            delete(oidc::links::delete),
        );
    if demo {
        router
            .route("/v1/demo/login", post(demo::login))
            .route("/v1/demo/accounts", get(demo::accounts))
    } else {
        router
    }
}
