//! What a run is asked to do: the media profile, the run's parameters and their caps.

use super::{DRAIN, HTTP_TIMEOUT, LEAVE, RunError};
use crate::media::VideoConfig;
use crate::target::Target;
use sportello_signalling::protocol::MediaKind;
use std::time::Duration;

/// Most meetings one run may start.
pub const MAX_MEETINGS: u32 = 200;
/// Most participants in one meeting.
pub const MAX_PARTICIPANTS_PER_MEETING: u32 = 10;
/// Longest steady window.
pub const MAX_DURATION: Duration = Duration::from_secs(600);
/// Fastest ramp-up, joins per second.
pub const MAX_RAMP_UP_PER_S: f64 = 50.0;
/// Slowest ramp-up, joins per second (bounds the ramp-up time).
pub const MIN_RAMP_UP_PER_S: f64 = 0.5;
/// Longest video bitrate, kbit/s.
pub const MAX_VIDEO_KBPS: u32 = 5_000;
/// Highest frame rate.
pub const MAX_FPS: u32 = 60;

/// What each participant publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaProfile {
    /// Opus only.
    Audio,
    /// Opus and VP8 at this bitrate and frame rate.
    Video {
        /// Video bitrate, kbit/s.
        kbps: u32,
        /// Frames per second.
        fps: u32,
    },
}

impl MediaProfile {
    pub(super) fn kinds(self) -> &'static [MediaKind] {
        match self {
            Self::Audio => &[MediaKind::Audio],
            Self::Video { .. } => &[MediaKind::Audio, MediaKind::Video],
        }
    }

    pub(super) fn video(self) -> Option<VideoConfig> {
        match self {
            Self::Audio => None,
            Self::Video { kbps, fps } => Some(VideoConfig {
                bitrate_bps: kbps * 1000,
                fps,
                ..VideoConfig::default()
            }),
        }
    }
}

/// The parameters of a run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The server.
    pub target: Target,
    /// Meetings to start.
    pub meetings: u32,
    /// Participants per meeting; all publish and subscribe.
    pub participants_per_meeting: u32,
    /// Joins per second during ramp-up.
    pub ramp_up_per_s: f64,
    /// Length of the steady window.
    pub duration: Duration,
    /// What everyone publishes.
    pub media: MediaProfile,
    /// Allow a target that is not loopback.
    pub allow_remote: bool,
    /// Accept the server's development certificate on https/wss.
    pub insecure: bool,
    /// Read the server's CPU and memory from `/proc/<pid>` instead of `/metrics`.
    pub server_pid: Option<u32>,
    /// Timeline sampling interval.
    pub sample_interval: Duration,
    /// Longest wait for one participant's `joined`, and again for its connection.
    pub join_timeout: Duration,
    /// Longest wait, after the last join, for media to flow between everyone.
    pub settle_timeout: Duration,
    /// Prefix of the room names (a random one by default, so runs do not meet).
    pub room_prefix: String,
}

impl RunConfig {
    /// Defaults: 1 meeting of 2, 5 joins/s, 30 s, audio + 300 kbit/s 15 fps video.
    pub fn new(target: Target) -> Self {
        Self {
            target,
            meetings: 1,
            participants_per_meeting: 2,
            ramp_up_per_s: 5.0,
            duration: Duration::from_secs(30),
            media: MediaProfile::Video { kbps: 300, fps: 15 },
            allow_remote: false,
            insecure: false,
            server_pid: None,
            sample_interval: Duration::from_secs(1),
            join_timeout: Duration::from_secs(20),
            settle_timeout: Duration::from_secs(15),
            room_prefix: format!("lt-{:08x}", crate::publish::random_u64() as u32),
        }
    }

    /// Checks the caps and the target.
    pub fn validate(&self) -> Result<(), RunError> {
        self.target.check(self.allow_remote, self.insecure)?;
        let bad = |message: String| Err(RunError::Config(message));
        if !(1..=MAX_MEETINGS).contains(&self.meetings) {
            return bad(format!("meetings must be 1..={MAX_MEETINGS}"));
        }
        if !(2..=MAX_PARTICIPANTS_PER_MEETING).contains(&self.participants_per_meeting) {
            return bad(format!(
                "participants per meeting must be 2..={MAX_PARTICIPANTS_PER_MEETING}"
            ));
        }
        if !(MIN_RAMP_UP_PER_S..=MAX_RAMP_UP_PER_S).contains(&self.ramp_up_per_s) {
            return bad(format!(
                "ramp-up must be {MIN_RAMP_UP_PER_S}..={MAX_RAMP_UP_PER_S} joins/s"
            ));
        }
        if self.duration.is_zero() || self.duration > MAX_DURATION {
            return bad(format!(
                "duration must be more than 0 and at most {} s",
                MAX_DURATION.as_secs()
            ));
        }
        if let MediaProfile::Video { kbps, fps } = self.media
            && (!(10..=MAX_VIDEO_KBPS).contains(&kbps) || !(1..=MAX_FPS).contains(&fps))
        {
            return bad(format!(
                "video must be 10..={MAX_VIDEO_KBPS} kbit/s and 1..={MAX_FPS} fps"
            ));
        }
        let sample_ms = self.sample_interval.as_millis();
        if !(100..=10_000).contains(&sample_ms) {
            return bad("sample interval must be 100 ms ..= 10 s".to_owned());
        }
        for (name, timeout) in [
            ("join timeout", self.join_timeout),
            ("settle timeout", self.settle_timeout),
        ] {
            if timeout.is_zero() || timeout > Duration::from_secs(120) {
                return bad(format!("{name} must be more than 0 and at most 120 s"));
            }
        }
        let valid_prefix = (1..=40).contains(&self.room_prefix.len())
            && self
                .room_prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_prefix {
            return bad("room prefix must be 1-40 letters, digits, '-' or '_'".to_owned());
        }
        Ok(())
    }

    pub(super) fn total_participants(&self) -> u32 {
        self.meetings * self.participants_per_meeting
    }

    /// An upper bound of the run's wall time (the run enforces it as well).
    pub fn max_wall_time(&self) -> Duration {
        let ramp =
            Duration::from_secs_f64(f64::from(self.total_participants()) / self.ramp_up_per_s);
        ramp + HTTP_TIMEOUT
            + 2 * self.join_timeout
            + self.settle_timeout
            + self.duration
            + DRAIN
            + LEAVE
            + Duration::from_secs(10)
    }

    pub(super) fn room(&self, meeting: u32) -> String {
        format!("{}-m{meeting}", self.room_prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> RunConfig {
        RunConfig::new(Target::parse("http://127.0.0.1:9").unwrap())
    }

    #[test]
    fn defaults_are_valid_and_bounded() {
        let c = config();
        c.validate().unwrap();
        assert!(c.max_wall_time() < Duration::from_secs(180));
        let mut max = config();
        max.meetings = MAX_MEETINGS;
        max.participants_per_meeting = MAX_PARTICIPANTS_PER_MEETING;
        max.ramp_up_per_s = MIN_RAMP_UP_PER_S;
        max.duration = MAX_DURATION;
        max.validate().unwrap();
        // Even the largest run has a finite bound (here: ramp-up 4,000 s dominates).
        assert!(max.max_wall_time() < Duration::from_secs(5_000));
    }

    #[test]
    fn caps_are_enforced() {
        let cases: Vec<fn(&mut RunConfig)> = vec![
            |c| c.meetings = 0,
            |c| c.meetings = MAX_MEETINGS + 1,
            |c| c.participants_per_meeting = 1,
            |c| c.participants_per_meeting = MAX_PARTICIPANTS_PER_MEETING + 1,
            |c| c.ramp_up_per_s = 0.0,
            |c| c.ramp_up_per_s = 1000.0,
            |c| c.duration = Duration::ZERO,
            |c| c.duration = MAX_DURATION + Duration::from_secs(1),
            |c| c.media = MediaProfile::Video { kbps: 0, fps: 15 },
            |c| c.media = MediaProfile::Video { kbps: 300, fps: 0 },
            |c| c.room_prefix = "bad prefix".into(),
            |c| c.target = Target::parse("http://192.0.2.7:80").unwrap(),
        ];
        for (n, change) in cases.iter().enumerate() {
            let mut c = config();
            change(&mut c);
            assert!(c.validate().is_err(), "case {n} should be refused");
        }
        let mut remote = config();
        remote.target = Target::parse("http://192.0.2.7:80").unwrap();
        remote.allow_remote = true;
        remote.validate().unwrap();
    }
}
