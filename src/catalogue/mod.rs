//! The catalogue administration (issue 17), for the INPS administrators: services, comuni,
//! Sedi and Poli nazionali with their competence, sportelli with their weekly opening hours,
//! PUE conventions with their validity, and CSV imports of the bulk data with a dry run.
//!
//! Layers: [`validate`] (the fields' rules) and [`csv`] (reading a file) are plain functions;
//! [`store`] writes on a connection inside the caller's transaction and [`read`] reads; [`api`]
//! and [`import`] are the HTTP handlers. Booking reads the same tables (`crate::booking`).

pub mod api;
pub mod csv;
pub mod import;
pub mod model;
pub mod read;
pub mod store;
pub mod validate;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post, put};

use crate::api::ApiResult;
use crate::booking::BookingError;
use crate::identity::{Principal, StaffRole};
use crate::store::Store;

/// 403 `forbidden` unless `who` is an INPS administrator.
pub fn admin(who: &Principal) -> ApiResult<()> {
    if who.role == StaffRole::InpsAdmin {
        Ok(())
    } else {
        Err(BookingError::Forbidden("only an INPS administrator may do this".into()).into())
    }
}

/// The catalogue administration routes.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Store: FromRef<S>,
    std::sync::Arc<dyn crate::identity::SessionStore>: FromRef<S>,
{
    Router::new()
        .route("/v1/catalogue/services", get(api::services))
        .route("/v1/catalogue/services/{code}", put(api::save_service))
        .route("/v1/catalogue/comuni", get(api::comuni))
        .route("/v1/catalogue/comuni/{istat}", put(api::save_comune))
        .route("/v1/catalogue/sedi/{sede_id}", put(api::save_sede))
        .route("/v1/catalogue/sedi/{sede_id}/comuni", put(api::sede_comuni))
        .route(
            "/v1/catalogue/sedi/{sede_id}/services",
            put(api::polo_services),
        )
        .route(
            "/v1/catalogue/sportelli/{sportello_id}",
            put(api::save_sportello),
        )
        .route(
            "/v1/catalogue/sportelli/{sportello_id}/hours",
            put(api::opening_hours),
        )
        .route("/v1/catalogue/conventions", get(api::conventions))
        .route(
            "/v1/catalogue/conventions/{istat}/{sede_id}",
            put(api::save_convention).delete(api::delete_convention),
        )
        .route("/v1/catalogue/import/{kind}", post(import::import))
}
