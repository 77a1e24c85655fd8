//! Media negotiation through the media plane: the client's offers, answers and candidates, and
//! the media plane's own offers and state changes.

use futures_util::Sink;
use sportello_sfu::{SfuError, SfuEvent};

use super::joined::{Ending, Joined};
use super::{OutFrame, Signalling, error};
use crate::protocol::{ErrorCode, IceCandidate, ServerMessage};

impl Signalling {
    /// A client `offer`: the media plane's `answer`, or nothing on a collision with its own
    /// offer.
    pub(super) async fn offer(&self, joined: &Joined, sdp: String) -> Option<ServerMessage> {
        match self.sfu.offer(joined.id, sdp).await {
            Ok(sdp) => Some(ServerMessage::Answer { sdp }),
            Err(SfuError::Glare) => {
                // The server's offer wins; the polite client rolls back and answers it.
                tracing::debug!(participant = %joined.label, "offer collision ignored");
                None
            }
            Err(e) => Some(sfu_error(e)),
        }
    }

    /// A client `answer` to a server offer.
    pub(super) async fn answer(&self, joined: &Joined, sdp: String) -> Option<ServerMessage> {
        match self.sfu.answer(joined.id, sdp).await {
            Ok(()) => None,
            Err(e) => Some(sfu_error(e)),
        }
    }

    /// A trickled client candidate; the empty end-of-candidates marker is ignored.
    pub(super) async fn candidate(
        &self,
        joined: &Joined,
        candidate: IceCandidate,
    ) -> Option<ServerMessage> {
        if candidate.candidate.is_empty() {
            return None;
        }
        match self
            .sfu
            .add_ice_candidate(joined.id, candidate.candidate)
            .await
        {
            Ok(()) => None,
            Err(e) => Some(sfu_error(e)),
        }
    }

    /// An event of the media plane: its offers go to the client; a failed media connection or
    /// a stopped media plane ends the connection.
    pub(super) async fn on_media_event<S>(
        &self,
        sink: &mut S,
        joined: &Joined,
        event: Option<SfuEvent>,
    ) -> Result<(), Ending>
    where
        S: Sink<OutFrame> + Unpin,
    {
        match event {
            Some(SfuEvent::Offer { sdp }) => {
                self.forward(sink, &ServerMessage::Offer { sdp }).await
            }
            Some(SfuEvent::Connected) => {
                tracing::debug!(participant = %joined.label, "media connected");
                Ok(())
            }
            Some(SfuEvent::Failed) => Err(Ending::lost(
                Some(ErrorCode::Removed),
                "the media connection failed",
            )),
            None => Err(Ending::removed(
                ErrorCode::ShuttingDown,
                "the media plane stopped",
            )),
        }
    }
}

/// The `error` for a refusal of the media plane. The texts are fixed: the SDP parser's own
/// messages quote the input, so they go (capped) to the debug log only.
fn sfu_error(e: SfuError) -> ServerMessage {
    match e {
        SfuError::BadSdp(why) => {
            tracing::debug!(why = %capped(&why), "SDP refused");
            error(ErrorCode::BadSdp, "the SDP could not be parsed or applied")
        }
        SfuError::DuplicateMid => error(
            ErrorCode::BadSdp,
            "the SDP repeats a media id (a=mid); each media section needs its own",
        ),
        SfuError::TooManyTracks { what, limit, .. } => error(
            ErrorCode::TooManyTracks,
            format!("the offer was refused: at most {limit} {what} per participant"),
        ),
        // The validator's reasons are fixed texts ("port", "candidate type"), never input.
        SfuError::BadCandidate(why) => error(
            ErrorCode::BadCandidate,
            format!("the ICE candidate was refused: {}", capped(&why)),
        ),
        SfuError::NoPendingOffer => error(
            ErrorCode::NoPendingOffer,
            "there is no server offer to answer",
        ),
        other => {
            tracing::warn!(error = %other, "media plane error");
            error(
                ErrorCode::Internal,
                "the media plane failed to handle the request",
            )
        }
    }
}

/// At most 100 characters of `text`.
fn capped(text: &str) -> &str {
    text.char_indices()
        .nth(100)
        .map_or(text, |(i, _)| &text[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The media plane's refusals become codes with fixed texts: the SDP parser's message,
    /// which quotes the input, is not passed on (issue 13, item 8).
    #[test]
    fn refusals_have_codes_and_fixed_texts() {
        let input = "ZQXJ".repeat(500);
        let cases = [
            (SfuError::BadSdp(input.clone()), ErrorCode::BadSdp),
            (SfuError::DuplicateMid, ErrorCode::BadSdp),
            (
                SfuError::TooManyTracks {
                    what: "sending sections",
                    count: 9,
                    limit: 4,
                },
                ErrorCode::TooManyTracks,
            ),
            (
                SfuError::BadCandidate("port".into()),
                ErrorCode::BadCandidate,
            ),
            (SfuError::NoPendingOffer, ErrorCode::NoPendingOffer),
            (SfuError::Internal(input.clone()), ErrorCode::Internal),
        ];
        for (e, expected) in cases {
            let ServerMessage::Error { code, message } = sfu_error(e) else {
                panic!("an error message");
            };
            assert_eq!(code, expected);
            assert!(
                message.len() <= 100 && !message.contains("ZQXJ"),
                "{message}"
            );
        }
    }
}
