//! The crate's error type.

/// Everything that can go wrong in a call on [`crate::Sfu`].
///
/// Every variant is a clean error for the caller: bad input (SDP, candidates, unknown ids) never
/// panics the engine.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SfuError {
    /// The room already holds `max_participants_per_room` participants.
    #[error("room is full")]
    RoomFull,
    /// No participant with this id is in any room.
    #[error("unknown participant")]
    UnknownParticipant,
    /// A participant with this id has already joined.
    #[error("participant already joined")]
    AlreadyJoined,
    /// The SDP could not be parsed or applied.
    #[error("bad SDP: {0}")]
    BadSdp(String),
    /// The ICE candidate is not syntactically valid.
    #[error("bad ICE candidate: {0}")]
    BadCandidate(String),
    /// A client offer arrived while a server offer is pending; the client (polite peer) should
    /// roll back and answer the server offer first.
    #[error("offer collision (glare): a server offer is pending")]
    Glare,
    /// The offer asks for more media sections than a participant may have: more sending
    /// sections than [`crate::SfuConfig::max_sending_sections`], or more sections added by the
    /// client over its connection's life than [`crate::SfuConfig::max_client_sections`].
    #[error("too many media sections: {what} would be {count}, the limit is {limit}")]
    TooManyTracks {
        /// Which limit: `"sending sections"` or `"client sections"`.
        what: &'static str,
        /// How many the offer would make.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Two media sections of the SDP carry the same `a=mid` (RFC 8843 requires unique mids).
    #[error("the SDP repeats a media id (mid)")]
    DuplicateMid,
    /// An answer arrived but the server has no offer pending.
    #[error("no pending server offer")]
    NoPendingOffer,
    /// Binding or using the UDP socket failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The engine has shut down.
    #[error("SFU is closed")]
    Closed,
    /// An unexpected failure inside the WebRTC core.
    #[error("internal error: {0}")]
    Internal(String),
}
