//! The SFU's integration tests, one binary with a module per feature.
//!
//! - In virtual time, against the sans-IO engine with sans-IO `rtc` clients in memory (no socket,
//!   no sleeping): [`engine_media`] (join, publish, subscribe, leave), [`engine_limits`] (caps
//!   on offers, duplicate mids), [`engine_fuzz`] (property-based fuzzing of the offer path),
//!   [`engine_negotiation`] (server offers, glare, client renegotiation), [`engine_keyframes`]
//!   (PLI relay and throttle), [`engine_timers`] (ICE timeouts, determinism).
//! - Over loopback, against a running `Sfu` with `webrtc` clients: [`two_peers`], [`churn`],
//!   [`renegotiation`], [`abuse`] (abusive offers against other rooms' joins).

mod common;

mod abuse;
mod churn;
mod engine_fuzz;
mod engine_keyframes;
mod engine_limits;
mod engine_media;
mod engine_negotiation;
mod engine_timers;
mod renegotiation;
mod two_peers;
