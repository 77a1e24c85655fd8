//! sportello signalling: the versioned WebSocket wire protocol, meeting tokens, the
//! per-connection state machine, and room membership behind a router trait.
//!
//! This crate drives the media plane (`sportello-sfu`) through its API and knows nothing of
//! HTTP: the server adapts its WebSocket to [`session::InFrame`]/[`session::OutFrame`].

pub mod codec;
pub mod config;
pub mod observer;
pub mod protocol;
pub mod rate;
pub mod router;
pub mod session;
pub mod token;

pub use config::SignallingConfig;
pub use observer::MeetingObserver;
pub use router::{Identity, LocalRouter, RoomRouter};
pub use session::{InFrame, OutFrame, Signalling};
pub use token::{MeetingClaims, TokenError, TokenKey};
