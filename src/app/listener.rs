//! The accept loop of the plain-HTTP and the HTTPS listener: each connection takes a place
//! under the connection caps (or is closed at once), gets the TLS handshake and the headers
//! within the header timeout, and is served by hyper's HTTP/1.1 with a timer (so the header
//! timeout, which is also the idle keep-alive timeout, applies) until its maximum age. The
//! body timeout is applied to each request by [`crate::api::body_deadline`]; HTTPS answers get
//! HSTS and `__Host-` session cookies ([`super::host_cookies`]).

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::HeaderValue;
use axum::http::header::STRICT_TRANSPORT_SECURITY;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

use super::forwarded::TrustedProxies;
use super::host_cookies;
use super::limits::{ConnectionSlots, HttpLimits, Slot};

/// One listener's settings.
pub(crate) struct Listener {
    /// The bound socket.
    pub tcp: TcpListener,
    /// TLS for an HTTPS listener.
    pub tls: Option<TlsAcceptor>,
    /// The limits.
    pub limits: HttpLimits,
    /// Shared by every listener of the server: the caps count all its connections.
    pub slots: Arc<ConnectionSlots>,
    /// The reverse proxies whose `X-Forwarded-For` names the client.
    pub proxies: TrustedProxies,
}

/// Serves `app` on `listener` until `shutdown`, then gives open connections `drain` to finish.
pub(crate) async fn serve(
    listener: Listener,
    app: Router,
    shutdown: CancellationToken,
    drain: Duration,
) {
    let connections = TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.tcp.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(slot) = listener.slots.take(peer.ip()) else {
            metrics::counter!("sportello_http_connections_refused_total").increment(1);
            tracing::debug!(%peer, "connection refused: too many open connections");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(
            Counted {
                io: stream,
                _slot: slot,
            },
            peer,
            listener.tls.clone(),
            listener.limits,
            listener.proxies.clone(),
            app.clone(),
            shutdown.clone(),
        ));
    }
    connections.close();
    let _ = tokio::time::timeout(drain, connections.wait()).await;
}

/// Serves one connection.
async fn connection(
    io: Counted,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    limits: HttpLimits,
    proxies: TrustedProxies,
    app: Router,
    shutdown: CancellationToken,
) {
    let edge = Edge {
        peer,
        limits,
        proxies,
    };
    match tls {
        None => http(io, false, edge, app, shutdown).await,
        Some(acceptor) => {
            match tokio::time::timeout(limits.header_timeout, acceptor.accept(io)).await {
                Ok(Ok(stream)) => http(stream, true, edge, app, shutdown).await,
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
}

/// What one connection's requests are served with.
struct Edge {
    /// The TCP peer.
    peer: SocketAddr,
    limits: HttpLimits,
    proxies: TrustedProxies,
}

/// HSTS on every HTTPS answer: a year, this host only.
const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000");

/// HTTP/1.1 on `io` (over TLS if `https`) until the client closes, a limit ends it, or
/// shutdown.
async fn http<I>(io: I, https: bool, edge: Edge, app: Router, shutdown: CancellationToken)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Edge {
        peer,
        limits,
        proxies,
    } = edge;
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let mut req = req.map(axum::body::Body::new);
        let client = proxies.client(peer, req.headers());
        req.extensions_mut().insert(ConnectInfo(client));
        if https {
            host_cookies::unprefix_request(req.headers_mut());
        }
        let answer = app.clone().oneshot(req);
        async move {
            let mut response = answer.await?;
            if https {
                let headers = response.headers_mut();
                headers.insert(STRICT_TRANSPORT_SECURITY, HSTS);
                host_cookies::prefix_response(headers);
            }
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    tokio::pin!(conn);
    let end = tokio::select! {
        served = conn.as_mut() => Some(served),
        () = tokio::time::sleep(limits.max_connection_age) => None,
        () = shutdown.cancelled() => None,
    };
    let served = match end {
        Some(served) => served,
        None => {
            // Finish the request in flight, then close.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = served {
        tracing::debug!(%peer, error = %e, "HTTP connection ended with an error");
    }
}

/// A TCP stream holding its place under the connection caps: the place is freed when the
/// stream is dropped, also when it lives on as a WebSocket.
#[derive(Debug)]
struct Counted {
    io: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
