//! The versioned wire protocol of `/v1/signal`: JSON text frames tagged by `type`.
//!
//! These Rust types are the single source of truth; the TypeScript types of the web client are
//! generated from them with ts-rs (see `tests/ts_bindings.rs`), never written by hand.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The protocol version a client announces in `join` and the server confirms in `joined`.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest accepted message, in bytes, after any decompression.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Role of a participant in a meeting, as carried by the meeting token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The citizen at the comune workstation.
    Citizen,
    /// The comune operator who opens the meeting.
    Operator,
    /// The INPS official who serves the citizen.
    Official,
    /// A synthetic participant of the load generator.
    LoadTester,
}

/// Kind of a media track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// Microphone audio (Opus).
    Audio,
    /// Camera video (VP8 or H.264).
    Video,
}

/// Another participant of the room, as the others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ParticipantInfo {
    /// Server-assigned id, unique within the node. Also the `MediaStream` id of their tracks.
    pub id: String,
    /// Name shown on their video tile.
    pub display_name: String,
    /// Their role in the meeting.
    pub role: Role,
    /// Whether their microphone is muted.
    pub audio_muted: bool,
    /// Whether their camera is off.
    pub video_muted: bool,
}

/// An ICE server the client should use (STUN or TURN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IceServer {
    /// `stun:`, `turn:` or `turns:` URLs.
    pub urls: Vec<String>,
    /// TURN username, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub username: Option<String>,
    /// TURN credential, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub credential: Option<String>,
}

/// A trickled ICE candidate, as in `RTCIceCandidateInit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IceCandidate {
    /// The `candidate:` attribute line (empty string means end of candidates).
    pub candidate: String,
    /// Media section id.
    #[serde(default)]
    pub sdp_mid: Option<String>,
    /// Media section index.
    #[serde(default)]
    pub sdp_m_line_index: Option<u16>,
}

/// Why a participant left the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// They sent `leave` or closed the page.
    Left,
    /// Their connection stopped answering pings or its media failed.
    ConnectionLost,
    /// They were removed (revocation, meeting closed, server shutting down).
    Removed,
}

/// Machine-readable error codes carried by `error` messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON or not a JSON object.
    BadJson,
    /// The `type` is not one this protocol knows.
    UnknownType,
    /// The `type` is known but a field is missing or has the wrong shape.
    BadMessage,
    /// The frame is larger than 64 KiB.
    MessageTooLarge,
    /// Binary frames are not part of the protocol.
    BinaryNotSupported,
    /// Too many messages in a short time.
    RateLimited,
    /// No `join` arrived within the join timeout.
    JoinTimeout,
    /// A message other than `join` arrived before `join`.
    NotJoined,
    /// A second `join` on the same connection.
    AlreadyJoined,
    /// The client speaks a protocol version this server does not.
    UnsupportedVersion,
    /// The `join` carried no token.
    TokenMissing,
    /// The token is malformed or its signature does not verify.
    TokenInvalid,
    /// The token has expired.
    TokenExpired,
    /// The room already has the maximum number of participants.
    RoomFull,
    /// The SDP could not be parsed or applied.
    BadSdp,
    /// The ICE candidate could not be parsed or applied.
    BadCandidate,
    /// An `answer` arrived while the server had no offer pending.
    NoPendingOffer,
    /// The peer stopped answering pings.
    PingTimeout,
    /// The client did not read its messages fast enough.
    SlowConsumer,
    /// The participant was removed from the room by the server.
    Removed,
    /// The server is shutting down.
    ShuttingDown,
    /// A `reauthenticate` token is for another meeting than the one this connection is in.
    WrongRoom,
    /// The meeting was closed by the official; the connection ends.
    MeetingEnded,
    /// Something failed inside the server; details are in its logs.
    Internal,
}

impl ErrorCode {
    /// The wire name of the code (as serialized), for logs and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadJson => "bad_json",
            Self::UnknownType => "unknown_type",
            Self::BadMessage => "bad_message",
            Self::MessageTooLarge => "message_too_large",
            Self::BinaryNotSupported => "binary_not_supported",
            Self::RateLimited => "rate_limited",
            Self::JoinTimeout => "join_timeout",
            Self::NotJoined => "not_joined",
            Self::AlreadyJoined => "already_joined",
            Self::UnsupportedVersion => "unsupported_version",
            Self::TokenMissing => "token_missing",
            Self::TokenInvalid => "token_invalid",
            Self::TokenExpired => "token_expired",
            Self::RoomFull => "room_full",
            Self::BadSdp => "bad_sdp",
            Self::BadCandidate => "bad_candidate",
            Self::NoPendingOffer => "no_pending_offer",
            Self::PingTimeout => "ping_timeout",
            Self::SlowConsumer => "slow_consumer",
            Self::Removed => "removed",
            Self::ShuttingDown => "shutting_down",
            Self::WrongRoom => "wrong_room",
            Self::MeetingEnded => "meeting_ended",
            Self::Internal => "internal",
        }
    }
}

/// Messages from the client to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message of every connection: protocol version and the signed meeting token.
    Join {
        /// Must be [`PROTOCOL_VERSION`].
        version: u32,
        /// The signed meeting token.
        token: String,
    },
    /// An SDP offer from the client (its first publish, or a renegotiation).
    Offer {
        /// The SDP.
        sdp: String,
    },
    /// The client's answer to a server `offer`.
    Answer {
        /// The SDP.
        sdp: String,
    },
    /// A trickled ICE candidate of the client.
    Candidate {
        /// The candidate.
        candidate: IceCandidate,
    },
    /// The client muted or unmuted one of its tracks.
    TrackState {
        /// Which track.
        kind: MediaKind,
        /// Whether it is now muted.
        muted: bool,
    },
    /// Handover: this connection continues, media untouched, under the identity of another
    /// token for the same room (the operator's kiosk becomes the citizen's, or back). The
    /// server answers `reauthenticated`; the others receive `participant_updated`.
    Reauthenticate {
        /// A signed meeting token for this connection's room.
        token: String,
    },
    /// The client leaves the room; the server closes the connection after `left`.
    Leave,
    /// Liveness probe; the server answers `pong` with the same nonce.
    Ping {
        /// Echoed back.
        nonce: u64,
    },
    /// Answer to a server `ping`.
    Pong {
        /// The nonce of the ping.
        nonce: u64,
    },
}

/// Messages from the server to the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The join succeeded.
    Joined {
        /// The protocol version in use.
        version: u32,
        /// The client's own participant id.
        participant_id: String,
        /// The room (meeting) id.
        room: String,
        /// The client's role, from its token.
        role: Role,
        /// The others already in the room.
        participants: Vec<ParticipantInfo>,
        /// ICE servers for the peer connection.
        ice_servers: Vec<IceServer>,
    },
    /// A server-initiated offer (tracks of others came or went); answer with `answer`.
    Offer {
        /// The SDP.
        sdp: String,
    },
    /// The server's answer to a client `offer`.
    Answer {
        /// The SDP.
        sdp: String,
    },
    /// A trickled ICE candidate of the server.
    Candidate {
        /// The candidate.
        candidate: IceCandidate,
    },
    /// Someone joined the room.
    ParticipantJoined {
        /// Who.
        participant: ParticipantInfo,
    },
    /// Someone's identity changed in place (handover): new role and name, same id and media.
    ParticipantUpdated {
        /// Who, as they are now.
        participant: ParticipantInfo,
    },
    /// Confirms `reauthenticate`: this connection now acts as `participant`.
    Reauthenticated {
        /// This client, as the others now see it.
        participant: ParticipantInfo,
    },
    /// Someone left the room.
    ParticipantLeft {
        /// Their id.
        participant_id: String,
        /// Why.
        reason: LeaveReason,
    },
    /// Someone muted or unmuted a track.
    TrackState {
        /// Whose track.
        participant_id: String,
        /// Which track.
        kind: MediaKind,
        /// Whether it is now muted.
        muted: bool,
    },
    /// Confirms `leave`; the server closes the connection next.
    Left,
    /// Liveness probe; answer `pong` with the same nonce.
    Ping {
        /// Echo it back.
        nonce: u64,
    },
    /// Answer to a client `ping`.
    Pong {
        /// The nonce of the ping.
        nonce: u64,
    },
    /// Something the client sent was refused, or the connection is being closed.
    Error {
        /// Machine-readable code.
        code: ErrorCode,
        /// Human-readable explanation (English).
        message: String,
    },
}

impl ClientMessage {
    /// The `type` tags a client may send.
    pub const TYPES: &'static [&'static str] = &[
        "join",
        "offer",
        "answer",
        "candidate",
        "track_state",
        "reauthenticate",
        "leave",
        "ping",
        "pong",
    ];
}
