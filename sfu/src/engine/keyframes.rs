//! Keyframe requests: subscriber PLI/FIR relayed to the publisher, keyframes for new legs, all
//! through each published track's [`crate::forward::PliThrottle`].

use std::time::Instant;

use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::RTCRtpReceiverId;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;

use super::{Engine, enqueue};
use crate::ParticipantId;
use crate::peer::Peer;
use crate::stats::Counters;

impl Engine {
    /// A subscriber asked for a keyframe on the leg with `ssrc`: relay it to the publisher,
    /// throttled.
    pub(super) fn relay_keyframe_request(
        &mut self,
        subscriber: ParticipantId,
        ssrc: u32,
        now: Instant,
    ) {
        let Some(leg) = self
            .peers
            .get(&subscriber)
            .and_then(|p| p.legs.iter().find(|l| l.ssrc == ssrc))
        else {
            return;
        };
        let (publisher, key) = (leg.publisher, leg.source_key);
        self.request_keyframe(publisher, key, now);
    }

    /// Asks `publisher` for a keyframe of its video track `key`, unless the throttle holds it
    /// (then it goes out when the throttle's timer fires).
    pub(super) fn request_keyframe(&mut self, publisher: ParticipantId, key: u64, now: Instant) {
        let Some(peer) = self.peers.get_mut(&publisher) else {
            return;
        };
        let Some(p) = peer.published.iter_mut().find(|p| p.key == key) else {
            return;
        };
        if p.kind != RtpCodecKind::Video {
            return;
        }
        if p.pli.request(now) {
            let (receiver_id, ssrc) = (p.receiver_id, p.ssrc);
            send_pli(&self.counters, peer, receiver_id, ssrc, now);
            enqueue(&mut self.queue, peer, publisher);
        }
    }

    /// Requests keyframes for every `(publisher, key)` in `due`.
    pub(super) fn request_keyframes(&mut self, due: Vec<(ParticipantId, u64)>, now: Instant) {
        for (publisher, key) in due {
            self.request_keyframe(publisher, key, now);
        }
    }
}

/// Sends a PLI for the publisher track (`receiver_id`, `ssrc`).
pub(super) fn send_pli(
    counters: &Counters,
    peer: &mut Peer,
    receiver_id: RTCRtpReceiverId,
    ssrc: u32,
    now: Instant,
) {
    if let Some(mut receiver) = peer.pc.rtp_receiver(receiver_id) {
        let pli = PictureLossIndication {
            sender_ssrc: 0,
            media_ssrc: ssrc,
        };
        if receiver.write_rtcp(now, vec![Box::new(pli)]).is_ok() {
            Counters::add(&counters.plis, 1);
        }
    }
}
