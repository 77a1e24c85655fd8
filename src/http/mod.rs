//! The HTTP API: routes, shared state and security headers.

mod assets;
pub mod dev_token;
pub mod error;
mod monitoring;
mod signal;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use sportello_signalling::Signalling;
use tokio_util::sync::CancellationToken;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::booking::Booking;
use crate::identity::{self, RevocationBus, SessionStore, demo};

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
    /// Booking (database and clock).
    pub booking: Booking,
    /// Server-side staff sessions.
    pub sessions: Arc<dyn SessionStore>,
    /// Carries operator revocations (applied by the subscriber started in `Server::start`).
    pub revocations: Arc<dyn RevocationBus>,
    /// The GDPR notice printed on the booking request form.
    pub privacy_notice: Arc<crate::booking::model::PrivacyNotice>,
    /// The OIDC providers (staff login) and the logins in flight.
    pub oidc: Arc<identity::oidc::Oidc>,
}

/// Content Security Policy: no inline or foreign script, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; \
object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The application's routes.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(monitoring::healthz))
        .route("/metrics", get(monitoring::metrics))
        .route("/v1/signal", get(signal::upgrade))
        .route(
            "/v1/session",
            get(identity::routes::whoami).delete(identity::routes::logout),
        )
        .route("/v1/login", post(identity::login::login))
        .route(
            "/v1/identity/operators",
            get(identity::enablement::list).post(identity::enablement::create),
        )
        .route(
            "/v1/identity/operators/{account}",
            axum::routing::patch(identity::enablement::update),
        )
        .route(
            "/v1/identity/operators/{account}/revoke",
            post(identity::operators::revoke),
        )
        .route(
            "/v1/identity/operators/{account}/enable",
            post(identity::operators::enable),
        )
        .route("/v1/oidc/providers", get(identity::oidc::routes::providers))
        .route("/v1/oidc/{name}/start", get(identity::oidc::routes::start))
        .route(
            "/v1/oidc/{name}/callback",
            get(identity::oidc::routes::callback),
        )
        .route(
            "/v1/identity/oidc-links",
            post(identity::oidc::links::create),
        )
        .route(
            "/v1/identity/oidc-links/{provider}/{account}",
            axum::routing::delete(identity::oidc::links::delete),
        )
        .merge(crate::booking::api::routes())
        .merge(crate::meeting::routes())
        .merge(crate::audit::api::routes());
    if state.demo {
        router = router
            .route("/v1/dev/token", post(dev_token::issue))
            .route("/v1/demo/login", post(demo::login))
            .route("/v1/demo/accounts", get(demo::accounts));
    }
    router
        .route("/v1/{*rest}", axum::routing::any(api_not_found))
        .fallback(get(assets::serve))
        .with_state(state)
        .layer(axum::middleware::from_fn(identity::csrf::check))
        .layer(axum::middleware::from_fn(crate::audit::request_id))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(header_layer(
            HeaderName::from_static("permissions-policy"),
            "camera=(self), microphone=(self), geolocation=()",
        ))
}

async fn api_not_found() -> error::AppError {
    error::AppError::not_found()
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
