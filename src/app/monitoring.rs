//! `/healthz` and `/metrics` (Prometheus text format).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::AppState;
use crate::telemetry;

/// Liveness: 200 while serving, 503 while shutting down.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.shutdown.is_cancelled() {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
    } else {
        (StatusCode::OK, "ok\n")
    }
}

/// Prometheus metrics: rooms, participants, media counters, signalling errors, process usage.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let (rooms, participants) = state.signalling.router().counts();
    metrics::gauge!("sportello_rooms").set(rooms as f64);
    metrics::gauge!("sportello_participants").set(participants as f64);
    let s = state.signalling.sfu().stats();
    metrics::gauge!("sportello_media_rooms").set(s.rooms as f64);
    metrics::gauge!("sportello_media_participants").set(s.participants as f64);
    metrics::gauge!("sportello_media_published_tracks").set(s.published_tracks as f64);
    metrics::gauge!("sportello_media_forwarded_tracks").set(s.forwarded_tracks as f64);
    metrics::counter!("sportello_media_packets_in_total").absolute(s.packets_in);
    metrics::counter!("sportello_media_bytes_in_total").absolute(s.bytes_in);
    metrics::counter!("sportello_media_packets_forwarded_total").absolute(s.packets_forwarded);
    metrics::counter!("sportello_media_bytes_forwarded_total").absolute(s.bytes_forwarded);
    metrics::counter!("sportello_media_nacks_total").absolute(s.nacks);
    metrics::counter!("sportello_media_plis_total").absolute(s.plis);
    metrics::counter!("sportello_media_dropped_datagrams_total").absolute(s.dropped_datagrams);
    if let Some((cpu, rss)) = telemetry::process_usage() {
        metrics::gauge!("process_cpu_seconds_total").set(cpu);
        metrics::gauge!("process_resident_memory_bytes").set(rss as f64);
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.prometheus.render(),
    )
}
