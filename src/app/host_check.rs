//! The `Host` check against DNS rebinding: a page of another site whose name has been
//! re-pointed at this server's address (a loopback demo server, say) would otherwise be served
//! as if same-origin. A request is served only when its `Host` names the server: a loopback
//! name (`localhost`, `127.0.0.1`, `[::1]`), any IP literal (an origin that is an IP address is
//! the server itself, not someone else's name) or one of the configured public names; else
//! 421 `bad_host`.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::{ApiCode, AppError};

/// The names this server answers to, besides loopback names and IP literals.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts(Arc<[String]>);

impl AllowedHosts {
    /// The configured public names (compared without case and trailing dot).
    pub fn new(names: &[String]) -> Self {
        Self(names.iter().map(|n| normal(n)).collect())
    }

    /// Whether the `Host` header value `host` (with or without a port) names this server.
    pub fn allows(&self, host: &str) -> bool {
        let name = normal(strip_port(host));
        if name.is_empty() {
            return false;
        }
        if name == "localhost" {
            return true;
        }
        let literal = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(&name);
        if literal.parse::<IpAddr>().is_ok() {
            return true;
        }
        self.0.contains(&name)
    }
}

/// Middleware: refuses a request whose `Host` is not allowed.
pub async fn check(State(allowed): State<AllowedHosts>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    if host.is_some_and(|h| allowed.allows(h)) {
        return next.run(req).await;
    }
    AppError::new(
        StatusCode::MISDIRECTED_REQUEST,
        ApiCode::BadHost,
        "this server does not answer to that host name",
    )
    .into_response()
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        // `[v6]` or `[v6]:port`.
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

fn normal(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ports_and_literals() {
        let allowed = AllowedHosts::new(&["Sportello.Example.".to_owned()]);
        for ok in [
            "localhost",
            "localhost:80",
            "127.0.0.1",
            "[::1]:1",
            "::1",
            "sportello.example:8443",
        ] {
            assert!(allowed.allows(ok), "{ok}");
        }
        for bad in [
            "",
            ":80",
            "evil.example",
            "sportello.example.evil",
            "localhost:x",
        ] {
            assert!(!allowed.allows(bad), "{bad}");
        }
    }
}
