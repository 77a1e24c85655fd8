//! sportello signalling: the versioned WebSocket wire protocol, meeting tokens, the
//! per-connection state machine ([`connection`]), and room membership and fan-out behind the
//! [`Rooms`] trait ([`rooms`]).
//!
//! This crate drives the media plane (`sportello-sfu`) through its API and knows nothing of
//! HTTP: the server adapts its WebSocket to [`InFrame`]/[`OutFrame`]. The protocol as a client
//! sees it is described in `docs/PROTOCOL.md`.

pub mod admission;
pub mod codec;
pub mod config;
pub mod connection;
pub mod ledger;
pub mod observer;
pub mod protocol;
pub mod rate;
pub mod rooms;
mod string_enum;
pub mod token;

pub use admission::{Admission, AdmitAll, Entry, Refusal};
pub use config::SignallingConfig;
pub use connection::{InFrame, OutFrame, Signalling};
pub use ledger::{LocalTicketLedger, TicketLedger};
pub use observer::MeetingObserver;
pub use rooms::{Identity, LocalRooms, Rooms};
pub use token::{MeetingClaims, TokenError, TokenKey};
