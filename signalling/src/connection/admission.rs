//! Who a connection is: the meeting token of `join` admits it to its room and the media plane;
//! the token of `reauthenticate` gives it another identity in the same room (handover).
//!
//! Every ticket is checked in this order: protocol version, signature and expiry, single use
//! (the [`crate::ledger`]), then the issuer's [`crate::admission::Admission`] check at that moment. A
//! `reauthenticate` with a valid ticket for the connection's room is rate-limited per
//! connection before it is spent, and one that keeps the connection's identity changes
//! nothing (no admission call, no observer call).

use std::sync::atomic::Ordering;
use std::time::Instant;

use sportello_sfu::{ParticipantId, SfuError};

use super::joined::Joined;
use super::{Signalling, error};
use crate::admission::{Entry, Refusal};
use crate::protocol::{ErrorCode, LeaveReason, PROTOCOL_VERSION, ParticipantInfo, ServerMessage};
use crate::rate::RateLimiter;
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

    /// Records the ticket of `claims` as used; refuses a ticket presented before.
    async fn spend(&self, claims: &MeetingClaims) -> Result<(), ServerMessage> {
        if self
            .tickets
            .first_use(&claims.jti, claims.exp, unix_now())
            .await
        {
            Ok(())
        } else {
            Err(error(
                ErrorCode::TicketUsed,
                "this ticket was already used; get a new one",
            ))
        }
    }

    /// Asks the issuer, within the admission timeout, whether the subject of `claims` is still
    /// admitted as `entry`.
    async fn admit(&self, claims: &MeetingClaims, entry: Entry<'_>) -> Result<(), ServerMessage> {
        let checked = tokio::time::timeout(
            self.config.admission_timeout,
            self.admission.admit(claims, entry),
        )
        .await
        .unwrap_or_else(|_| {
            tracing::warn!("admission check timed out");
            Err(Refusal::Unavailable)
        });
        checked.map_err(|r| error(r.code(), r.message()))
    }

    /// A fresh `reauthenticate` limit for a connection joined at `now`.
    pub(super) fn reauth_limiter(&self, now: Instant) -> RateLimiter {
        RateLimiter::per_minute(self.config.reauth_burst, self.config.reauth_per_minute, now)
    }

    /// Admits a `join`: the connection enters its room and the media plane. Returns its joined
    /// state and the `joined` message, or the refusal to send before closing.
    pub(super) async fn join(
        &self,
        version: u32,
        token: &str,
    ) -> Result<(Joined, ServerMessage), ServerMessage> {
        let claims = self.verify(version, token)?;
        self.spend(&claims).await?;
        self.admit(&claims, Entry::Join).await?;
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
                reauth: self.reauth_limiter(Instant::now()),
            },
            hello,
        ))
    }

    /// Handover: the connection takes the identity of another token for the same room, keeping
    /// its participant id and its media. The others are told by the rooms.
    pub(super) async fn reauthenticate(&self, joined: &mut Joined, token: &str) -> ServerMessage {
        match self.checked_reauth(joined, token).await {
            Ok(msg) | Err(msg) => msg,
        }
    }

    /// The checks and the change of a rate-allowed `reauthenticate`.
    async fn checked_reauth(
        &self,
        joined: &mut Joined,
        token: &str,
    ) -> Result<ServerMessage, ServerMessage> {
        let claims = self.verify(PROTOCOL_VERSION, token)?;
        if claims.room != joined.room {
            return Err(error(
                ErrorCode::WrongRoom,
                "the token is for another meeting than this connection's",
            ));
        }
        // Past the cheap checks (the general message limit bounds those): at most a few
        // tickets per minute go on to the ledger, the issuer's check and the observer.
        if !joined.reauth.allow(Instant::now()) {
            return Err(error(
                ErrorCode::RateLimited,
                format!(
                    "too many reauthenticate messages on this connection (retry in {} s)",
                    joined.reauth.retry_after().as_secs().max(1)
                ),
            ));
        }
        self.spend(&claims).await?;
        if claims.sub == joined.subject && claims.role == joined.role {
            // The same identity: nothing changes, nobody is told, nothing is recorded.
            return self
                .rooms
                .participant(&joined.room, &joined.label)
                .map(|participant| ServerMessage::Reauthenticated { participant })
                .ok_or_else(gone);
        }
        let entry = Entry::Reauthenticate {
            subject: &joined.subject,
            role: joined.role,
        };
        self.admit(&claims, entry).await?;
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
            return Err(gone());
        };
        tracing::info!(participant = %joined.label, from = ?joined.role, to = ?identity.role, "participant reauthenticated");
        self.observer.reidentified(
            &joined.room,
            (&joined.subject, joined.role),
            (&identity.subject, identity.role),
        );
        joined.subject = identity.subject;
        joined.role = identity.role;
        Ok(ServerMessage::Reauthenticated { participant })
    }
}

/// The connection left its room while its `reauthenticate` was checked.
fn gone() -> ServerMessage {
    error(
        ErrorCode::Internal,
        "this connection is no longer in the room",
    )
}
