//! The application edge: the shared state, the router of the whole app (each domain's
//! `routes()` plus the edge's own: health, metrics, the signalling upgrade, assets, the dev
//! token, the OpenAPI document), the middleware (security headers, request id, CSRF) and the
//! server's startup ([`server`]). Domains never import this module: their handlers take the
//! parts of [`AppState`] they need through `FromRef`.

mod assets;
pub mod dev_token;
mod forwarded;
mod headers;
pub mod host_check;
mod host_cookies;
pub mod limits;
mod listener;
mod monitoring;
pub mod routes;
pub mod server;
mod signal;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use sportello_signalling::Signalling;
use tokio_util::sync::CancellationToken;

use crate::api::AppError;
use crate::booking::Booking;
use crate::booking::model::PrivacyNotice;
use crate::identity::{self, Identity, RevocationBus, SessionStore};
use crate::meeting::Meetings;
use crate::store::Store;

pub use headers::CSP;
pub use limits::HttpLimits;
pub use routes::{OPENAPI, ROUTES};

/// State shared by the handlers.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The signalling layer (and through it the media plane).
    pub signalling: Arc<Signalling>,
    /// Demo mode: development token endpoint.
    pub demo: bool,
    /// Cancelled when shutdown begins.
    pub shutdown: CancellationToken,
    /// Renders `/metrics`.
    pub prometheus: PrometheusHandle,
    /// The bearer token `/metrics` asks for; `None` = loopback clients only.
    pub metrics_token: Option<Arc<str>>,
    /// The shared database and clock.
    pub store: Store,
    /// Booking.
    pub booking: Booking,
    /// Server-side staff sessions.
    pub sessions: Arc<dyn SessionStore>,
    /// Carries operator revocations (applied by the subscriber started in `Server::start`).
    pub revocations: Arc<dyn RevocationBus>,
    /// The GDPR notice printed on the booking request form.
    pub privacy_notice: Arc<PrivacyNotice>,
    /// The OIDC providers (staff login) and the logins in flight.
    pub oidc: Arc<identity::oidc::Oidc>,
    /// Whether comune operators may log in with a password.
    pub operator_password_login: bool,
    /// The meetings opened, told to the officials waiting for them.
    pub openings: Arc<crate::meeting::opening::Openings>,
    /// The documents of the meetings (where they are kept, which CAs are trusted).
    pub documents: crate::documents::Documents,
}

impl FromRef<AppState> for crate::documents::Documents {
    fn from_ref(s: &AppState) -> Self {
        s.documents.clone()
    }
}

impl FromRef<AppState> for Store {
    fn from_ref(s: &AppState) -> Self {
        s.store.clone()
    }
}

impl FromRef<AppState> for Booking {
    fn from_ref(s: &AppState) -> Self {
        s.booking.clone()
    }
}

impl FromRef<AppState> for Arc<dyn SessionStore> {
    fn from_ref(s: &AppState) -> Self {
        s.sessions.clone()
    }
}

impl FromRef<AppState> for Arc<PrivacyNotice> {
    fn from_ref(s: &AppState) -> Self {
        s.privacy_notice.clone()
    }
}

impl FromRef<AppState> for Identity {
    fn from_ref(s: &AppState) -> Self {
        Identity {
            store: s.store.clone(),
            sessions: s.sessions.clone(),
            revocations: s.revocations.clone(),
            oidc: s.oidc.clone(),
            signalling: s.signalling.clone(),
            operator_password_login: s.operator_password_login,
        }
    }
}

impl FromRef<AppState> for Meetings {
    fn from_ref(s: &AppState) -> Self {
        Meetings {
            store: s.store.clone(),
            signalling: s.signalling.clone(),
            sessions: s.sessions.clone(),
            shutdown: s.shutdown.clone(),
            openings: s.openings.clone(),
        }
    }
}

/// The body limit of every request: [`crate::api::MAX_BODY_BYTES`] declared at most, except a
/// document upload, whose handler reads up to its own limit and cuts there.
async fn body_limits(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if crate::documents::is_upload(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    crate::api::refuse_large_bodies(req, next).await
}

/// The application's routes.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(monitoring::healthz))
        .route("/metrics", get(monitoring::metrics))
        .route("/v1/signal", get(signal::upgrade))
        .route("/v1/openapi.json", get(routes::openapi))
        .merge(identity::routes(state.demo))
        .merge(crate::booking::api::routes())
        .merge(crate::meeting::routes())
        .merge(crate::documents::routes())
        .merge(crate::audit::api::routes())
        .merge(crate::monitoring::routes())
        .merge(crate::catalogue::routes());
    if state.demo {
        router = router.route("/v1/dev/token", post(dev_token::issue));
    }
    let router = router
        .route("/v1/{*rest}", axum::routing::any(api_not_found))
        .fallback(get(assets::serve))
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::api::MAX_BODY_BYTES,
        ))
        .layer(axum::middleware::from_fn(body_limits))
        .layer(axum::middleware::from_fn(identity::csrf::check))
        .layer(axum::middleware::from_fn(crate::audit::request_id));
    headers::security_headers(router)
}

async fn api_not_found() -> AppError {
    AppError::not_found()
}
