//! `GET /v1/signal`: upgrades to a WebSocket and hands it to the signalling state machine.

use std::future::ready;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use sportello_signalling::protocol::MAX_MESSAGE_BYTES;
use sportello_signalling::{InFrame, OutFrame};
use tokio_tungstenite::tungstenite;

use super::AppState;
use crate::api::{ApiCode, AppError};

/// Upgrades the connection; refuses new ones while shutting down.
pub async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    if state.shutdown.is_cancelled() {
        return AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ApiCode::ShuttingDown,
            "the server is shutting down",
        )
        .into_response();
    }
    // The transport enforces the message cap before buffering more; compression
    // (permessage-deflate) is not negotiated, so the cap also holds after decompression.
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| run(state, socket))
}

async fn run(state: AppState, socket: WebSocket) {
    let (sink, stream) = socket.split();
    let sink = sink.with(|frame: OutFrame| {
        ready(Ok::<_, axum::Error>(match frame {
            OutFrame::Text(text) => Message::Text(text.into()),
            OutFrame::Close => Message::Close(None),
        }))
    });
    let stream = stream.filter_map(|item| ready(to_frame(item)));
    state
        .signalling
        .serve(Box::pin(sink), Box::pin(stream))
        .await;
}

fn to_frame(item: Result<Message, axum::Error>) -> Option<InFrame> {
    match item {
        Ok(Message::Text(text)) => Some(InFrame::Text(text.as_str().to_owned())),
        Ok(Message::Binary(bytes)) => Some(InFrame::Binary(bytes.len())),
        Ok(Message::Close(_)) => Some(InFrame::Close),
        Ok(Message::Ping(_) | Message::Pong(_)) => None,
        Err(e) => match e.into_inner().downcast::<tungstenite::Error>() {
            Ok(inner) if matches!(*inner, tungstenite::Error::Capacity(_)) => {
                Some(InFrame::TooLarge(MAX_MESSAGE_BYTES + 1))
            }
            _ => Some(InFrame::Close),
        },
    }
}
