//! The versioned wire protocol of `/v1/signal`: JSON text frames tagged by `type`.
//!
//! These Rust types are the single source of truth; the TypeScript types of the web client are
//! generated from them with ts-rs (see `tests/ts_bindings.rs`), never written by hand. The
//! protocol as a client sees it (flow, states, error codes, limits) is `docs/PROTOCOL.md`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The protocol version a client announces in `join` and the server confirms in `joined`.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest accepted message, in bytes, after any decompression.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

crate::string_enum! {
    /// Role of a participant in a meeting, as carried by the meeting token.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
    pub enum Role {
        /// The citizen at the comune workstation.
        Citizen = "citizen",
        /// The comune operator who opens the meeting.
        Operator = "operator",
        /// The INPS official who serves the citizen.
        Official = "official",
        /// A synthetic participant of the load generator.
        LoadTester = "load_tester",
    }
}

crate::string_enum! {
    /// Kind of a media track.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
    pub enum MediaKind {
        /// Microphone audio (Opus).
        Audio = "audio",
        /// Camera video (VP8 or H.264).
        Video = "video",
    }
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

crate::string_enum! {
    /// Why a participant left the room.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    pub enum LeaveReason {
        /// They sent `leave` or closed the page.
        Left = "left",
        /// Their connection stopped answering pings or its media failed.
        ConnectionLost = "connection_lost",
        /// They were removed (revocation, meeting closed, server shutting down).
        Removed = "removed",
    }
}

crate::string_enum! {
    /// Machine-readable error codes carried by `error` messages.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
    pub enum ErrorCode {
        /// The frame is not valid JSON or not a JSON object.
        BadJson = "bad_json",
        /// The `type` is not one this protocol knows.
        UnknownType = "unknown_type",
        /// The `type` is known but a field is missing or has the wrong shape.
        BadMessage = "bad_message",
        /// The frame is larger than 64 KiB.
        MessageTooLarge = "message_too_large",
        /// Binary frames are not part of the protocol.
        BinaryNotSupported = "binary_not_supported",
        /// Too many messages in a short time.
        RateLimited = "rate_limited",
        /// No `join` arrived within the join timeout.
        JoinTimeout = "join_timeout",
        /// A message other than `join` arrived before `join`.
        NotJoined = "not_joined",
        /// A second `join` on the same connection.
        AlreadyJoined = "already_joined",
        /// The client speaks a protocol version this server does not.
        UnsupportedVersion = "unsupported_version",
        /// The `join` carried no token.
        TokenMissing = "token_missing",
        /// The token is malformed or its signature does not verify.
        TokenInvalid = "token_invalid",
        /// The token has expired.
        TokenExpired = "token_expired",
        /// The room already has the maximum number of participants.
        RoomFull = "room_full",
        /// The SDP could not be parsed or applied.
        BadSdp = "bad_sdp",
        /// The offer asks for more media sections than a participant may have (sending
        /// sections, or sections added by its offers over the connection's life).
        TooManyTracks = "too_many_tracks",
        /// The ICE candidate could not be parsed or applied.
        BadCandidate = "bad_candidate",
        /// An `answer` arrived while the server had no offer pending.
        NoPendingOffer = "no_pending_offer",
        /// The peer stopped answering pings.
        PingTimeout = "ping_timeout",
        /// The client did not read its messages fast enough.
        SlowConsumer = "slow_consumer",
        /// The participant was removed from the room by the server.
        Removed = "removed",
        /// The server is shutting down.
        ShuttingDown = "shutting_down",
        /// A `reauthenticate` token is for another meeting than the one this connection is in.
        WrongRoom = "wrong_room",
        /// The meeting was closed by the official; the connection ends.
        MeetingEnded = "meeting_ended",
        /// The ticket was already used: every `join` and `reauthenticate` needs a new one.
        TicketUsed = "ticket_used",
        /// The ticket's subject is no longer admitted to the meeting (session ended, account
        /// revoked, meeting handed over).
        NotAdmitted = "not_admitted",
        /// Something failed inside the server; details are in its logs.
        Internal = "internal",
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
    /// The documents of the meeting changed (one was uploaded or attested): the meeting's staff
    /// pages read the list again over HTTP. It carries nothing else (no names, no file names).
    DocumentsChanged,
    /// The documents to print of the meeting changed (the official sent one, or the kiosk
    /// printed or dismissed one): the kiosk reads `GET /v1/citizen/prints` again. Nothing else.
    PrintsChanged,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `as_str` and serde agree both ways, for every value of every wire enum.
    fn wire_names_round_trip<T>(all: &[T], as_str: impl Fn(T) -> &'static str)
    where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + serde::de::DeserializeOwned,
    {
        for &value in all {
            let wire = serde_json::to_value(value).unwrap();
            assert_eq!(as_str(value), wire.as_str().unwrap());
            let back: T = serde_json::from_value(serde_json::json!(as_str(value))).unwrap();
            assert_eq!(back, value);
        }
    }

    /// `ClientMessage::TYPES` (which the codec uses to tell an unknown type from a malformed
    /// message) lists exactly the serde tags, in declaration order. The `match` stops compiling
    /// when a variant is added, until it gets a sample here.
    #[test]
    fn client_types_are_the_serde_tags() {
        let candidate = IceCandidate {
            candidate: String::new(),
            sdp_mid: None,
            sdp_m_line_index: None,
        };
        let samples = [
            ClientMessage::Join {
                version: PROTOCOL_VERSION,
                token: "t".into(),
            },
            ClientMessage::Offer { sdp: "v=0".into() },
            ClientMessage::Answer { sdp: "v=0".into() },
            ClientMessage::Candidate { candidate },
            ClientMessage::TrackState {
                kind: MediaKind::Audio,
                muted: true,
            },
            ClientMessage::Reauthenticate { token: "t".into() },
            ClientMessage::Leave,
            ClientMessage::Ping { nonce: 1 },
            ClientMessage::Pong { nonce: 1 },
        ];
        for sample in &samples {
            match sample {
                ClientMessage::Join { .. }
                | ClientMessage::Offer { .. }
                | ClientMessage::Answer { .. }
                | ClientMessage::Candidate { .. }
                | ClientMessage::TrackState { .. }
                | ClientMessage::Reauthenticate { .. }
                | ClientMessage::Leave
                | ClientMessage::Ping { .. }
                | ClientMessage::Pong { .. } => {}
            }
        }
        let tags: Vec<String> = samples
            .iter()
            .map(|m| {
                serde_json::to_value(m).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(tags, ClientMessage::TYPES);
    }

    #[test]
    fn every_code_has_a_wire_name() {
        assert_eq!(ErrorCode::ALL.len(), 27);
        wire_names_round_trip(ErrorCode::ALL, ErrorCode::as_str);
        wire_names_round_trip(Role::ALL, Role::as_str);
        wire_names_round_trip(MediaKind::ALL, MediaKind::as_str);
        wire_names_round_trip(LeaveReason::ALL, LeaveReason::as_str);
    }
}
