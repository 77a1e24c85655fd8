//! The signalling WebSocket from a test: connect, join with a token, send a message, read the
//! next one.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sportello::Server;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

/// A client signalling socket.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A connected, not yet joined socket.
pub async fn connect(server: &Server) -> Ws {
    connect_async(server.ws_url())
        .await
        .expect("websocket connects")
        .0
}

/// Joins the signalling WebSocket with `token`; returns the socket and the first answer.
pub async fn join(server: &Server, token: &str) -> (Ws, Value) {
    let mut ws = connect(server).await;
    send(
        &mut ws,
        json!({"type": "join", "version": 1, "token": token}),
    )
    .await;
    let v = next(&mut ws, Duration::from_secs(10))
        .await
        .expect("an answer");
    (ws, v)
}

/// Sends one JSON message.
pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.expect("sent");
}

/// What to do with the server's pings while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pings {
    /// Answer with a pong and read on.
    Answer,
    /// Read on without answering.
    Skip,
}

async fn read(ws: &mut Ws, within: Duration, pings: Pings) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("a message in time");
        match msg {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return None,
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(&t).expect("JSON from the server");
                if v["type"] == "ping" {
                    if pings == Pings::Answer {
                        let nonce = v["nonce"].clone();
                        let _ = ws
                            .send(Message::text(
                                json!({"type": "pong", "nonce": nonce}).to_string(),
                            ))
                            .await;
                    }
                    continue;
                }
                return Some(v);
            }
            Some(Ok(_)) => {}
        }
    }
}

/// The next JSON message within `within` (pings answered and skipped); None when the socket
/// closes. Panics if nothing arrives in time.
pub async fn next(ws: &mut Ws, within: Duration) -> Option<Value> {
    read(ws, within, Pings::Answer).await
}

/// The next JSON message within `within`, pings skipped without an answer (a client that
/// never pongs); None when the socket closes. Panics if nothing arrives in time.
pub async fn next_unanswered(ws: &mut Ws, within: Duration) -> Option<Value> {
    read(ws, within, Pings::Skip).await
}

/// The next JSON message of any type, pings included, within `within`; None when the socket
/// closes, a message is not JSON, or nothing arrives in time.
pub async fn next_any(ws: &mut Ws, within: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(within, ws.next()).await.ok()?? {
            Ok(Message::Text(t)) => return serde_json::from_str(&t).ok(),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// The next message of type `kind`, skipping others (e.g. offers); None when the socket closes.
pub async fn next_of(ws: &mut Ws, kind: &str, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let v = next(ws, left).await?;
        if v["type"] == kind {
            return Some(v);
        }
    }
}

/// Reads until the server closes the socket; returns the last `error` seen.
pub async fn error_then_close(ws: &mut Ws, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    let mut last = None;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match next(ws, left).await {
            None => return last,
            Some(v) if v["type"] == "error" => last = Some(v),
            Some(_) => {}
        }
    }
}
