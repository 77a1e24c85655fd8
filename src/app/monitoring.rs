//! `/healthz` and `/metrics` (Prometheus text format).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::api::{ApiCode, AppError};
use crate::identity::session::constant_time_eq;
use crate::telemetry;

/// Liveness: 200 while serving, 503 while shutting down.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.shutdown.is_cancelled() {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
    } else {
        (StatusCode::OK, "ok\n")
    }
}

/// Who may read `/metrics`: with a configured token, whoever sends it as
/// `Authorization: Bearer`; without one, clients on the server's own machine (loopback) only.
fn metrics_refusal(
    token: Option<&str>,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Option<AppError> {
    match token {
        Some(token) => {
            let sent = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            (!constant_time_eq(sent.as_bytes(), token.as_bytes())).then(|| {
                AppError::new(
                    StatusCode::UNAUTHORIZED,
                    ApiCode::Unauthenticated,
                    "the metrics need the configured bearer token",
                )
            })
        }
        None => (!peer.is_some_and(|p| p.ip().to_canonical().is_loopback())).then(|| {
            AppError::new(
                StatusCode::FORBIDDEN,
                ApiCode::Forbidden,
                "without a configured metrics token the metrics are served to this machine only",
            )
        }),
    }
}

/// Prometheus metrics: rooms, participants, media counters, uploads being read, signalling
/// errors, process usage.
pub async fn metrics(State(state): State<AppState>, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|p| p.0);
    if let Some(refusal) = metrics_refusal(state.metrics_token.as_deref(), peer, req.headers()) {
        return refusal.into_response();
    }
    let (rooms, participants) = state.signalling.rooms().counts();
    metrics::gauge!("sportello_rooms").set(rooms as f64);
    metrics::gauge!("sportello_participants").set(participants as f64);
    let s = state.signalling.sfu().stats();
    metrics::gauge!("sportello_media_rooms").set(s.rooms as f64);
    metrics::gauge!("sportello_media_participants").set(s.participants as f64);
    metrics::gauge!("sportello_media_published_tracks").set(s.published_tracks as f64);
    metrics::gauge!("sportello_media_forwarded_tracks").set(s.forwarded_tracks as f64);
    metrics::gauge!("sportello_uploads_in_progress")
        .set(crate::documents::uploads_in_progress(&state.documents) as f64);
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
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_need_the_token_or_a_loopback_peer() {
        let none = HeaderMap::new();
        let mut bearer = HeaderMap::new();
        bearer.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        let local: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let remote: SocketAddr = "192.0.2.1:1".parse().unwrap();
        assert!(metrics_refusal(None, Some(local), &none).is_none());
        assert!(metrics_refusal(None, Some("[::1]:1".parse().unwrap()), &none).is_none());
        assert_eq!(
            metrics_refusal(None, Some(remote), &none).unwrap().status,
            StatusCode::FORBIDDEN
        );
        assert!(metrics_refusal(None, None, &none).is_some());
        assert!(metrics_refusal(Some("s3cret"), Some(remote), &bearer).is_none());
        assert_eq!(
            metrics_refusal(Some("s3cret"), Some(local), &none)
                .unwrap()
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert!(metrics_refusal(Some("other"), Some(remote), &bearer).is_some());
    }
}
