//! The signalling client: typed messages over the `/v1/signal` WebSocket.
//!
//! One task owns the socket: it writes queued [`ClientMessage`]s, parses incoming frames into
//! [`ServerMessage`]s, answers server `ping`s with `pong` itself and queues everything else
//! (bounded) for the owner of the [`SignalClient`].

use crate::error::{ClientError, Result};
use futures_util::{SinkExt, StreamExt};
use sportello_signalling::protocol::{
    ClientMessage, IceServer, PROTOCOL_VERSION, ParticipantInfo, Role, ServerMessage,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// Capacity of each direction's queue.
const QUEUE: usize = 256;

/// The content of a successful `joined`.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    /// Protocol version in use.
    pub version: u32,
    /// Our participant id (also the stream id of our tracks as others see them).
    pub participant_id: String,
    /// The room id.
    pub room: String,
    /// Our role.
    pub role: Role,
    /// Who was already in the room.
    pub participants: Vec<ParticipantInfo>,
    /// ICE servers to use.
    pub ice_servers: Vec<IceServer>,
}

/// A cloneable handle that queues messages to the server.
#[derive(Debug, Clone)]
pub struct SignalSender {
    tx: mpsc::Sender<ClientMessage>,
}

impl SignalSender {
    /// Queues a message; fails once the connection is gone.
    pub async fn send(&self, message: ClientMessage) -> Result<()> {
        self.tx.send(message).await.map_err(|_| ClientError::Closed)
    }
}

/// A connected signalling client.
#[derive(Debug)]
pub struct SignalClient {
    sender: SignalSender,
    incoming: mpsc::Receiver<ServerMessage>,
    task: JoinHandle<()>,
}

impl SignalClient {
    /// Connects to `url` (e.g. `ws://127.0.0.1:8080/v1/signal`).
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, false).await
    }

    /// Connects to a `ws://` or `wss://` URL. `wss://` needs `insecure_tls`: the only TLS
    /// supported is the server's development certificate, accepted without checks
    /// ([`crate::net`]).
    pub async fn connect_with(url: &str, insecure_tls: bool) -> Result<Self> {
        let (tls, rest) = if let Some(rest) = url.strip_prefix("ws://") {
            (false, rest)
        } else if let Some(rest) = url.strip_prefix("wss://") {
            (true, rest)
        } else {
            return Err(ClientError::BadUrl(url.to_owned()));
        };
        if tls && !insecure_tls {
            return Err(ClientError::BadUrl(format!(
                "{url}: wss is only supported with the development certificate accepted \
                 (insecure TLS)"
            )));
        }
        let authority = rest.split('/').next().unwrap_or_default();
        let base = format!("{}://{authority}", if tls { "https" } else { "http" });
        let target =
            crate::target::Target::parse(&base).map_err(|_| ClientError::BadUrl(url.to_owned()))?;
        let stream = crate::net::connect(&target.host, target.port, tls).await?;
        let (ws, _response) = tokio_tungstenite::client_async(url, stream).await?;
        let (out_tx, out_rx) = mpsc::channel(QUEUE);
        let (in_tx, in_rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run_socket(ws, out_rx, in_tx));
        Ok(Self {
            sender: SignalSender { tx: out_tx },
            incoming: in_rx,
            task,
        })
    }

    /// Queues a message to the server.
    pub async fn send(&self, message: ClientMessage) -> Result<()> {
        self.sender.send(message).await
    }

    /// A cloneable sending handle.
    pub fn sender(&self) -> SignalSender {
        self.sender.clone()
    }

    /// The next server message (pings are already answered); `None` once the connection closed.
    pub async fn recv(&mut self) -> Option<ServerMessage> {
        self.incoming.recv().await
    }

    /// Sends `join` and waits for `joined`, or returns the server's `error`. Messages that
    /// arrive before `joined` are dropped.
    pub async fn join(&mut self, token: &str) -> Result<Joined> {
        self.send(ClientMessage::Join {
            version: PROTOCOL_VERSION,
            token: token.to_owned(),
        })
        .await?;
        loop {
            match self.recv().await.ok_or(ClientError::Closed)? {
                ServerMessage::Joined {
                    version,
                    participant_id,
                    room,
                    role,
                    participants,
                    ice_servers,
                } => {
                    return Ok(Joined {
                        version,
                        participant_id,
                        room,
                        role,
                        participants,
                        ice_servers,
                    });
                }
                ServerMessage::Error { code, message } => {
                    return Err(ClientError::Server { code, message });
                }
                other => tracing::debug!(?other, "message before joined, ignored"),
            }
        }
    }

    /// Splits into the sending handle and the receiving queue; the socket task lives on
    /// until both are dropped.
    pub fn into_parts(self) -> (SignalSender, mpsc::Receiver<ServerMessage>) {
        (self.sender, self.incoming)
    }

    /// Whether the socket task has ended (connection closed or failed).
    pub fn is_closed(&self) -> bool {
        self.task.is_finished()
    }
}

type Ws = tokio_tungstenite::WebSocketStream<crate::net::BoxedStream>;

async fn run_socket(
    mut ws: Ws,
    mut outgoing: mpsc::Receiver<ClientMessage>,
    incoming: mpsc::Sender<ServerMessage>,
) {
    let result: Result<()> = async {
        loop {
            tokio::select! {
                message = outgoing.recv() => {
                    let Some(message) = message else {
                        // Every sender dropped: close politely.
                        let _ = ws.close(None).await;
                        return Ok(());
                    };
                    ws.send(Message::text(serde_json::to_string(&message)?)).await?;
                }
                frame = ws.next() => {
                    let text = match frame {
                        None | Some(Ok(Message::Close(_))) => return Ok(()),
                        Some(Err(err)) => return Err(err.into()),
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(_)) => continue,
                    };
                    let message = match serde_json::from_str::<ServerMessage>(text.as_str()) {
                        Ok(message) => message,
                        Err(err) => {
                            tracing::warn!(%err, "unparseable server message");
                            continue;
                        }
                    };
                    if let ServerMessage::Ping { nonce } = message {
                        let pong = ClientMessage::Pong { nonce };
                        ws.send(Message::text(serde_json::to_string(&pong)?)).await?;
                        continue;
                    }
                    // The owner may have stopped listening; keep answering pings regardless.
                    let _ = incoming.send(message).await;
                }
            }
        }
    }
    .await;
    if let Err(err) = result {
        tracing::debug!(%err, "signalling socket ended");
    }
}
