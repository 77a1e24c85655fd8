//! The driver: the engine's only I/O. It owns the UDP socket, the clock, the command channel from
//! [`crate::Sfu`] handles and the participants' event channels, and runs the engine in one tokio
//! task.
//!
//! Loop: send what the engine has to send and deliver its events, wait for the first of a
//! command, a readable socket or the engine's next timeout, then serve a bounded share of each
//! (commands, datagrams, timers), so neither can starve the other.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use super::Engine;
use crate::stats::Counters;
use crate::{EVENT_QUEUE, ParticipantId, SfuConfig, SfuError, SfuEvent, config};

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;

type Reply<T> = oneshot::Sender<Result<T, SfuError>>;

/// A request from an [`crate::Sfu`] handle.
#[derive(Debug)]
pub(crate) enum Command {
    AddParticipant {
        room: String,
        id: ParticipantId,
        label: String,
        reply: Reply<mpsc::Receiver<SfuEvent>>,
    },
    Offer {
        id: ParticipantId,
        sdp: String,
        reply: Reply<String>,
    },
    Answer {
        id: ParticipantId,
        sdp: String,
        reply: Reply<()>,
    },
    Candidate {
        id: ParticipantId,
        reply: Reply<()>,
    },
    RemoveParticipant {
        id: ParticipantId,
        reply: Reply<()>,
    },
    Shutdown {
        reply: Reply<()>,
    },
}

/// Capacity of the command channel into the engine.
const COMMAND_QUEUE: usize = 256;
/// Commands served per turn of the loop before the socket gets its share.
const COMMAND_BUDGET: usize = 8;
/// Datagrams read per turn of the loop before the connections are drained.
const RECV_BATCH: usize = 32;
/// Receive buffer chunk; datagrams are split off it, so one allocation serves many datagrams.
const RECV_CHUNK: usize = 64 * 1024;
/// Largest datagram accepted.
const MAX_DATAGRAM: usize = 2048;
/// Sleep when nothing is scheduled.
const IDLE: Duration = Duration::from_secs(3600);
/// Socket buffer asked for (the kernel caps it at `net.core.rmem_max` / `wmem_max`): the default
/// ~208 KiB receive buffer overflowed at 32 two-party meetings on one node while the engine was
/// busy forwarding, and every overflow is a lost packet.
const SOCKET_BUFFER: usize = 4 * 1024 * 1024;

/// What [`spawn`] hands back to the [`crate::Sfu`] handle.
pub(crate) struct Running {
    pub commands: mpsc::Sender<Command>,
    pub counters: Arc<Counters>,
    pub local_addr: SocketAddr,
}

/// Binds the media socket, builds an engine seeded from entropy and spawns the driver task on
/// the current tokio runtime.
pub(crate) fn spawn(config: SfuConfig) -> Result<Running, SfuError> {
    let socket = bind_media_socket(config.bind)?;
    let local_addr = socket.local_addr()?;
    let announce = config::announced_ips(&config, local_addr);
    let engine = Engine::new(local_addr, announce, config, rand::random());
    let counters = engine.counters();
    let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
    tokio::spawn(Driver::new(engine, socket, rx).run());
    Ok(Running {
        commands: tx,
        counters,
        local_addr,
    })
}

fn bind_media_socket(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    // Best effort: a smaller buffer still works, it only drops sooner under load.
    let _ = socket.set_recv_buffer_size(SOCKET_BUFFER);
    let _ = socket.set_send_buffer_size(SOCKET_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}

struct Driver {
    engine: Engine,
    socket: UdpSocket,
    commands: mpsc::Receiver<Command>,
    /// Each participant's event channel.
    events: HashMap<ParticipantId, mpsc::Sender<SfuEvent>>,
    counters: Arc<Counters>,
    recv_buf: BytesMut,
}

impl Driver {
    fn new(engine: Engine, socket: UdpSocket, commands: mpsc::Receiver<Command>) -> Self {
        Self {
            counters: engine.counters(),
            engine,
            socket,
            commands,
            events: HashMap::new(),
            recv_buf: BytesMut::new(),
        }
    }

    async fn run(mut self) {
        while !self.step().await {}
    }

    /// One turn of the loop: flush, wait for work, then serve a bounded share of each kind of
    /// work that is ready: at most [`COMMAND_BUDGET`] commands, then up to [`RECV_BATCH`]
    /// datagrams, then the timers if due. A flood of commands (e.g. large offers) therefore
    /// slows media down but cannot stop it. Returns true when the engine must stop.
    async fn step(&mut self) -> bool {
        self.flush();
        let deadline = self
            .engine
            .poll_timeout()
            .unwrap_or_else(|| Instant::now() + IDLE);
        let sleep_until = tokio::time::Instant::from_std(deadline);
        // Only waits: what is ready is served below, in a fixed order with fixed shares.
        let first = tokio::select! {
            cmd = self.commands.recv() => Some(cmd),
            r = self.socket.readable() => match r {
                Ok(()) => None,
                Err(err) => {
                    tracing::error!(%err, "UDP socket failed; SFU engine stops");
                    self.close();
                    return true;
                }
            },
            _ = tokio::time::sleep_until(sleep_until) => None,
        };
        let mut budget = COMMAND_BUDGET;
        let mut next = first;
        loop {
            match next {
                Some(None) => {
                    self.close();
                    return true;
                }
                Some(Some(cmd)) => {
                    if self.handle_command(cmd) {
                        return true;
                    }
                    budget -= 1;
                }
                None => {}
            }
            if budget == 0 {
                break;
            }
            next = match self.commands.try_recv() {
                Ok(cmd) => Some(Some(cmd)),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => Some(None),
            };
        }
        self.drain_socket();
        let now = Instant::now();
        if self.engine.poll_timeout().is_some_and(|t| t <= now) {
            self.engine.handle_timeout(now);
        }
        false
    }

    /// Sends the engine's datagrams and delivers its events; a full or closed event queue drops
    /// the event (never blocks).
    fn flush(&mut self) {
        while let Some(t) = self.engine.poll_transmit() {
            if self.socket.try_send_to(&t.contents, t.destination).is_err() {
                Counters::add(&self.counters.dropped_datagrams, 1);
            }
        }
        while let Some((id, event)) = self.engine.poll_event() {
            let sent = self
                .events
                .get(&id)
                .is_some_and(|tx| tx.try_send(event).is_ok());
            if !sent {
                tracing::debug!(
                    participant = id.0,
                    "event queue full or closed; event dropped"
                );
            }
        }
    }

    fn close(&mut self) {
        self.engine.close(Instant::now());
        self.flush();
        self.events.clear();
    }

    fn drain_socket(&mut self) {
        for _ in 0..RECV_BATCH {
            if self.recv_buf.capacity() < MAX_DATAGRAM {
                self.recv_buf = BytesMut::with_capacity(RECV_CHUNK);
            }
            match self.socket.try_recv_buf_from(&mut self.recv_buf) {
                Ok((_, from)) => {
                    let datagram = self.recv_buf.split();
                    self.engine.handle_datagram(Instant::now(), from, datagram);
                }
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    // E.g. ICMP-induced errors on some platforms: nothing to deliver.
                    self.recv_buf.clear();
                    break;
                }
            }
        }
    }

    /// Returns true when the engine must stop.
    fn handle_command(&mut self, cmd: Command) -> bool {
        let now = Instant::now();
        match cmd {
            Command::AddParticipant {
                room,
                id,
                label,
                reply,
            } => {
                let r = self
                    .engine
                    .add_participant(now, &room, id, &label)
                    .map(|()| {
                        let (tx, rx) = mpsc::channel(EVENT_QUEUE);
                        self.events.insert(id, tx);
                        rx
                    });
                let _ = reply.send(r);
            }
            Command::Offer { id, sdp, reply } => {
                let _ = reply.send(self.engine.offer(now, id, sdp));
            }
            Command::Answer { id, sdp, reply } => {
                let _ = reply.send(self.engine.answer(now, id, sdp));
            }
            Command::Candidate { id, reply } => {
                let _ = reply.send(self.engine.check_participant(id));
            }
            Command::RemoveParticipant { id, reply } => {
                self.engine.remove_participant(now, id);
                self.events.remove(&id);
                let _ = reply.send(Ok(()));
            }
            Command::Shutdown { reply } => {
                self.close();
                let _ = reply.send(Ok(()));
                return true;
            }
        }
        false
    }
}
