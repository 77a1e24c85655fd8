//! Limits and timings of the signalling layer.

use std::time::Duration;

use crate::protocol::IceServer;

/// Limits and timings of signalling connections.
#[derive(Debug, Clone)]
pub struct SignallingConfig {
    /// How long a new connection has to send `join`.
    pub join_timeout: Duration,
    /// How often the server pings a joined client.
    pub ping_interval: Duration,
    /// A client silent for this long is considered dead.
    pub pong_timeout: Duration,
    /// Longest time one outgoing frame may take to be accepted by the socket.
    pub write_timeout: Duration,
    /// Messages that may wait for a client before it is cut off as too slow.
    pub outbox_capacity: usize,
    /// Messages a client may send at once.
    pub rate_burst: u32,
    /// Sustained messages per second a client may send.
    pub rate_per_second: u32,
    /// Offers (renegotiations) a client may send at once; each one costs the media engine,
    /// which serves every room, far more than any other message.
    pub offer_burst: u32,
    /// One more offer is allowed per this interval once the burst is spent.
    pub offer_interval: Duration,
    /// `reauthenticate` messages a connection may send at once.
    pub reauth_burst: u32,
    /// Sustained `reauthenticate` messages per minute a connection may send.
    pub reauth_per_minute: u32,
    /// Longest time the issuer's admission check may take at a `join` or `reauthenticate`.
    pub admission_timeout: Duration,
    /// Participants per room.
    pub max_participants_per_room: usize,
    /// ICE servers announced to clients in `joined`.
    pub ice_servers: Vec<IceServer>,
}

impl Default for SignallingConfig {
    fn default() -> Self {
        Self {
            join_timeout: Duration::from_secs(5),
            ping_interval: Duration::from_secs(10),
            pong_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(5),
            outbox_capacity: 256,
            rate_burst: 100,
            rate_per_second: 50,
            offer_burst: 5,
            offer_interval: Duration::from_secs(2),
            reauth_burst: 3,
            reauth_per_minute: 6,
            admission_timeout: Duration::from_secs(5),
            max_participants_per_room: 6,
            ice_servers: Vec::new(),
        }
    }
}
