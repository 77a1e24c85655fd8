//! Who a connection is: the meeting token of `join` admits it to its room and the media plane;
//! the token of `reauthenticate` gives it another identity in the same room (handover).

use std::sync::atomic::Ordering;

use sportello_sfu::{ParticipantId, SfuError};

use super::joined::Joined;
use super::{Signalling, error};
use crate::protocol::{ErrorCode, LeaveReason, PROTOCOL_VERSION, ParticipantInfo, ServerMessage};
use crate::rooms::{Identity, Member, Outbox, RoomError};
use crate::token::{MeetingClaims, TokenError, unix_now};

impl Signalling {
    /// Checks the protocol version and the token of a `join` or `reauthenticate`.
    fn verify(&self, version: u32, token: &str) -> Result<MeetingClaims, ServerMessage> {
        if version != PROTOCOL_VERSION {
            return Err(error(
                ErrorCode::UnsupportedVersion,
                format!("protocol version {version} is not supported; use {PROTOCOL_VERSION}"),
            ));
        }
        if token.is_empty() {
            return Err(error(
                ErrorCode::TokenMissing,
                "a meeting token is required",
            ));
        }
        self.key.verify(token, unix_now()).map_err(|e| match e {
            TokenError::Expired => error(ErrorCode::TokenExpired, e.to_string()),
            _ => error(ErrorCode::TokenInvalid, e.to_string()),
        })
    }

    /// Admits a `join`: the connection enters its room and the media plane. Returns its joined
    /// state and the `joined` message, or the refusal to send before closing.
    pub(super) async fn join(
        &self,
        version: u32,
        token: &str,
    ) -> Result<(Joined, ServerMessage), ServerMessage> {
        let claims = self.verify(version, token)?;
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let id = ParticipantId(n);
        let label = format!("p{n}");
        let (outbox, outbox_rx) = Outbox::new(self.config.outbox_capacity);
        let kick = outbox.kick_switch().clone();
        let info = ParticipantInfo {
            id: label.clone(),
            display_name: claims.name.clone(),
            role: claims.role,
            audio_muted: false,
            video_muted: false,
        };
        let member = Member {
            info,
            subject: claims.sub.clone(),
            outbox,
        };
        let capacity = self.config.max_participants_per_room;
        let others = self
            .rooms
            .join(&claims.room, member, capacity)
            .await
            .map_err(|e| match e {
                RoomError::RoomFull => error(
                    ErrorCode::RoomFull,
                    format!("the room already has {capacity} participants"),
                ),
                RoomError::Closed => error(
                    ErrorCode::MeetingEnded,
                    "this meeting has been closed by the official",
                ),
                other => error(ErrorCode::Internal, other.to_string()),
            })?;
        let sfu_events = match self.sfu.add_participant(&claims.room, id, &label).await {
            Ok(rx) => rx,
            Err(e) => {
                self.rooms
                    .leave(&claims.room, &label, LeaveReason::Removed)
                    .await;
                return Err(match e {
                    SfuError::RoomFull => error(ErrorCode::RoomFull, "the room is full"),
                    other => {
                        tracing::warn!(error = %other, "media plane refused a participant");
                        error(ErrorCode::Internal, "the media plane is not available")
                    }
                });
            }
        };
        metrics::counter!("sportello_signalling_joins_total").increment(1);
        tracing::info!(participant = %label, role = ?claims.role, "participant joined");
        self.observer.joined(&claims.room, &claims.sub, claims.role);
        let hello = ServerMessage::Joined {
            version: PROTOCOL_VERSION,
            participant_id: label.clone(),
            room: claims.room.clone(),
            role: claims.role,
            participants: others,
            ice_servers: self.config.ice_servers.clone(),
        };
        Ok((
            Joined {
                id,
                label,
                room: claims.room,
                subject: claims.sub,
                role: claims.role,
                sfu_events,
                outbox: outbox_rx,
                kick,
            },
            hello,
        ))
    }

    /// Handover: the connection takes the identity of another token for the same room, keeping
    /// its participant id and its media. The others are told by the rooms.
    pub(super) async fn reauthenticate(&self, joined: &mut Joined, token: &str) -> ServerMessage {
        let claims = match self.verify(PROTOCOL_VERSION, token) {
            Ok(c) => c,
            Err(msg) => return msg,
        };
        if claims.room != joined.room {
            return error(
                ErrorCode::WrongRoom,
                "the token is for another meeting than this connection's",
            );
        }
        let identity = Identity {
            role: claims.role,
            display_name: claims.name,
            subject: claims.sub,
        };
        let Some(participant) = self
            .rooms
            .reidentify(&joined.room, &joined.label, identity.clone())
            .await
        else {
            return error(
                ErrorCode::Internal,
                "this connection is no longer in the room",
            );
        };
        tracing::info!(participant = %joined.label, from = ?joined.role, to = ?identity.role, "participant reauthenticated");
        self.observer.reidentified(
            &joined.room,
            (&joined.subject, joined.role),
            (&identity.subject, identity.role),
        );
        joined.subject = identity.subject;
        joined.role = identity.role;
        ServerMessage::Reauthenticated { participant }
    }
}
