//! Errors of the client library.

use sportello_signalling::protocol::ErrorCode;

/// What can go wrong in a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The WebSocket failed.
    #[error("websocket: {0}")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    /// A frame from the server was not a valid `ServerMessage`.
    #[error("bad server message: {0}")]
    BadMessage(#[from] serde_json::Error),
    /// The signalling connection closed.
    #[error("signalling connection closed")]
    Closed,
    /// The server sent an `error` message.
    #[error("server error {code:?}: {message}")]
    Server {
        /// Machine-readable code.
        code: ErrorCode,
        /// Explanation.
        message: String,
    },
    /// The server sent something the protocol does not allow at this point.
    #[error("unexpected server message: {0}")]
    Unexpected(String),
    /// The WebRTC stack failed.
    #[error("webrtc: {0}")]
    WebRtc(#[from] webrtc::error::Error),
    /// A TCP/TLS connection failed.
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
    /// A URL the client cannot use.
    #[error("bad url: {0}")]
    BadUrl(String),
    /// Something did not happen in time.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
}

/// Result with [`ClientError`].
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
