//! Shared fixtures: `webrtc` client peers over loopback against a running [`sportello_sfu::Sfu`]
//! ([`loopback`]), and sans-IO `rtc` client peers against an in-memory engine in virtual time
//! ([`virtual_net`]).

pub mod loopback;
pub mod virtual_net;

pub use loopback::{Client, STEP, wait_for};
