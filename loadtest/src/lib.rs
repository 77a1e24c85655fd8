//! sportello client library, used by the integration tests and the load generator.
//!
//! - [`SignalClient`]: typed `/v1/signal` WebSocket client (answers server pings itself).
//! - [`Participant`]: signalling + one `webrtc` PeerConnection publishing synthetic Opus/VP8
//!   ([`media`]) and recording per-remote-track receive statistics ([`stats`]).
//!
//! ```no_run
//! # async fn example(ws_url: String, token: String) -> sportello_loadtest::Result<()> {
//! use sportello_loadtest::{Participant, ParticipantConfig};
//! let alice = Participant::join(ParticipantConfig::new(ws_url, token)).await?;
//! alice.wait_connected(std::time::Duration::from_secs(5)).await?;
//! # Ok(())
//! # }
//! ```

pub mod clock;
mod error;
mod keyframe_requests;
pub mod media;
mod negotiate;
mod participant;
mod peer;
mod publish;
mod receive;
pub mod signal;
pub mod stats;

pub use error::{ClientError, Result};
pub use media::VideoConfig;
pub use participant::{Direction, Participant, ParticipantConfig};
pub use publish::PublishStats;
pub use receive::RemoteTrackKey;
pub use signal::{Joined, SignalClient, SignalSender};
pub use stats::{SeqTracker, TrackStats};
