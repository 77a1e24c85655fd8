//! The bounded queue of messages towards one connection, and the switch that cuts it off.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::protocol::{ErrorCode, ServerMessage};

/// The bounded queue of messages towards one connection, and the switch that cuts it off.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::Sender<ServerMessage>,
    kick: Kick,
}

/// Cuts a connection off, remembering why.
#[derive(Debug, Clone, Default)]
pub struct Kick {
    token: CancellationToken,
    reason: Arc<Mutex<Option<ErrorCode>>>,
}

impl Kick {
    /// Asks the connection to close with `code` (the first reason wins).
    pub fn kick(&self, code: ErrorCode) {
        if let Ok(mut reason) = self.reason.lock() {
            reason.get_or_insert(code);
        }
        self.token.cancel();
    }

    /// Resolves once the connection was asked to close.
    pub async fn kicked(&self) -> ErrorCode {
        self.token.cancelled().await;
        self.reason
            .lock()
            .ok()
            .and_then(|r| *r)
            .unwrap_or(ErrorCode::Removed)
    }
}

impl Outbox {
    /// A new outbox holding at most `capacity` undelivered messages, and its receiving end.
    pub fn new(capacity: usize) -> (Self, mpsc::Receiver<ServerMessage>) {
        let (tx, rx) = mpsc::channel(capacity);
        (
            Self {
                tx,
                kick: Kick::default(),
            },
            rx,
        )
    }

    /// The kill switch of this connection.
    pub fn kick_switch(&self) -> &Kick {
        &self.kick
    }

    /// Queues `msg`; a connection whose queue is full is too slow and is cut off.
    pub fn deliver(&self, msg: ServerMessage) {
        match self.tx.try_send(msg) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => self.kick.kick(ErrorCode::SlowConsumer),
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
}
