//! Monitoring: the figures of the service for the referenti (comune, INPS, ANCI) and the
//! administrators, each in their scope — meetings booked, held, missed and cancelled, outcomes,
//! waiting days, call duration, distinct citizens served (keyed hashes, no names), feedback —
//! as JSON, CSV and SVG charts; the operators' activity for the comune's user administrator;
//! and open data with no personal data. Small counts are suppressed in aggregated views.

pub mod activity;
pub mod api;
pub mod chart;
pub mod citizens;
pub mod facts;
pub mod period;
pub mod scope;
pub mod summary;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;

use crate::identity::SessionStore;
use crate::store::Store;

/// The monitoring routes.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Store: FromRef<S>,
    Arc<dyn SessionStore>: FromRef<S>,
{
    Router::new()
        .route("/v1/monitoring/summary", get(api::summary))
        .route("/v1/monitoring/summary.csv", get(api::summary_csv))
        .route("/v1/monitoring/chart.svg", get(api::chart_svg))
        .route("/v1/monitoring/activity", get(activity::activity))
        .route("/v1/open-data/pue.csv", get(api::open_data))
}
