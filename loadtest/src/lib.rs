//! sportello client library, used by the integration tests and the load generator.
//!
//! - [`SignalClient`]: typed `/v1/signal` WebSocket client (answers server pings itself).
//! - [`Participant`]: signalling + one `webrtc` PeerConnection publishing synthetic Opus/VP8
//!   ([`media`]) and recording per-remote-track receive statistics ([`stats`]).
//! - [`run::run`]: a whole load test (meetings of participants, ramp-up, steady window) that
//!   returns a [`report::Report`], rendered as a table, JSON or HTML ([`html`]). The
//!   `sportello-loadtest` binary is a command line over it.
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
pub mod html;
pub mod http;
pub mod media;
mod negotiate;
pub mod net;
mod participant;
mod peer;
mod publish;
mod receive;
pub mod report;
pub mod resources;
mod rtcp_counter;
pub mod run;
pub mod signal;
pub mod stats;
pub mod target;

pub use error::{ClientError, Result};
pub use media::VideoConfig;
pub use participant::{Direction, Participant, ParticipantConfig};
pub use publish::PublishStats;
pub use receive::RemoteTrackKey;
pub use rtcp_counter::FeedbackStats;
pub use signal::{Joined, SignalClient, SignalSender};
pub use stats::{JitterEstimator, SeqTracker, TrackStats};
