//! Room topology: the tracks each participant publishes and the legs that carry them to the
//! other members of the room.

use std::time::Instant;

use rtc::rtp_transceiver::RTCRtpReceiverId;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};

use super::Engine;
use crate::forward::{PliThrottle, SubscribeKeyframe};
use crate::peer::{Leg, Published};
use crate::{ParticipantId, codecs};

impl Engine {
    /// The members of `id`'s room other than `id`.
    pub(super) fn others(&self, id: ParticipantId) -> Vec<ParticipantId> {
        self.peers
            .get(&id)
            .and_then(|p| self.rooms.get(&p.room))
            .map(|r| r.members.iter().copied().filter(|m| *m != id).collect())
            .unwrap_or_default()
    }

    /// A publisher's track delivered its first packet: record it and give every other member a
    /// leg for it. Returns true when a track was added.
    pub(super) fn publish(
        &mut self,
        id: ParticipantId,
        track_id: String,
        receiver_id: RTCRtpReceiverId,
        ssrc: u32,
        now: Instant,
    ) -> bool {
        let key = self.next_key;
        let Some(peer) = self.peers.get_mut(&id) else {
            return false;
        };
        if peer.published.iter().any(|p| p.track_id == track_id) {
            return false; // another simulcast layer of a known track: not forwarded
        }
        let Some(mut receiver) = peer.pc.rtp_receiver(receiver_id) else {
            return false;
        };
        let kind = receiver.track().kind();
        let codecs: Vec<(u8, String, String)> = receiver
            .get_parameters()
            .rtp_parameters
            .codecs
            .iter()
            .map(|c| {
                (
                    c.payload_type,
                    c.rtp_codec.mime_type.clone(),
                    c.rtp_codec.sdp_fmtp_line.clone(),
                )
            })
            .collect();
        let codec = receiver.track().codec(ssrc).cloned().or_else(|| {
            receiver
                .get_parameters()
                .rtp_parameters
                .codecs
                .first()
                .map(|c| c.rtp_codec.clone())
        });
        let Some(codec) = codec else {
            return false;
        };
        if !matches!(kind, RtpCodecKind::Audio | RtpCodecKind::Video) {
            return false;
        }
        self.next_key += 1;
        let kind_name = if kind == RtpCodecKind::Audio {
            "audio"
        } else {
            "video"
        };
        let same_kind = peer.published.iter().filter(|p| p.kind == kind).count();
        let out_track_id = if same_kind == 0 {
            format!("{}-{kind_name}", peer.label)
        } else {
            format!("{}-{kind_name}-{}", peer.label, same_kind + 1)
        };
        tracing::debug!(label = %peer.label, track = %out_track_id, mime = %codec.mime_type, "track published");
        peer.published.push(Published {
            key,
            track_id,
            receiver_id,
            ssrc,
            kind,
            codec,
            codecs,
            out_track_id,
            pli: PliThrottle::default(),
        });
        for m in self.others(id) {
            self.add_leg(m, id, key);
            self.maybe_offer(m, now);
        }
        true
    }

    /// The client stopped sending track `key`: forget it and remove its legs.
    pub(super) fn unpublish(&mut self, id: ParticipantId, key: u64, now: Instant) {
        let Some(peer) = self.peers.get_mut(&id) else {
            return;
        };
        peer.published.retain(|p| p.key != key);
        for m in self.others(id) {
            self.remove_legs(m, |l| l.source_key == key);
            self.maybe_offer(m, now);
        }
    }

    /// (publisher, key) of every track published by other members of `id`'s room.
    pub(super) fn room_sources(&self, id: ParticipantId) -> Vec<(ParticipantId, u64)> {
        let Some(room) = self.peers.get(&id).and_then(|p| self.rooms.get(&p.room)) else {
            return Vec::new();
        };
        room.members
            .iter()
            .filter(|m| **m != id)
            .filter_map(|m| self.peers.get(m).map(|p| (*m, p)))
            .flat_map(|(m, p)| p.published.iter().map(move |t| (m, t.key)))
            .collect()
    }

    /// Adds a sending leg on `subscriber` for `publisher`'s track `key`. The subscriber must
    /// have answered its first offer; otherwise the leg is added when it does.
    pub(super) fn add_leg(
        &mut self,
        subscriber: ParticipantId,
        publisher: ParticipantId,
        key: u64,
    ) {
        let Some(source) = self.peers.get(&publisher).and_then(|p| {
            p.published.iter().find(|t| t.key == key).map(|t| {
                (
                    p.label.clone(),
                    t.out_track_id.clone(),
                    t.kind,
                    t.codec.clone(),
                )
            })
        }) else {
            return;
        };
        let Some(sub) = self.peers.get_mut(&subscriber) else {
            return;
        };
        if !sub.state.answered() || sub.legs.iter().any(|l| l.source_key == key) {
            return;
        }
        let (stream_id, track_id, kind, codec) = source;
        let ssrc = self.random.ssrc(|s| sub.legs.iter().any(|l| l.ssrc == s));
        let track = codecs::track(stream_id.clone(), track_id, kind, ssrc, codec);
        let init = RTCRtpTransceiverInit {
            direction: RTCRtpTransceiverDirection::Sendonly,
            streams: vec![stream_id],
            send_encodings: vec![],
        };
        let tid = match sub.pc.add_transceiver_from_track(track, Some(init)) {
            Ok(t) => t,
            Err(err) => {
                tracing::warn!(%err, label = %sub.label, "could not add sending track");
                return;
            }
        };
        let Some(sender_id) = sub.pc.rtp_transceiver(tid).and_then(|t| t.sender()) else {
            return;
        };
        let mut keyframe = SubscribeKeyframe::default();
        if sub.state.connected() {
            keyframe.on_connected();
        }
        sub.legs.push(Leg {
            publisher,
            source_key: key,
            sender_id,
            ssrc,
            offered: false,
            keyframe,
            map: Default::default(),
        });
        sub.renegotiation.legs_changed();
    }

    /// Removes every leg on `subscriber` whose source matches `pred`.
    pub(super) fn remove_legs(&mut self, subscriber: ParticipantId, pred: impl Fn(&Leg) -> bool) {
        let Some(sub) = self.peers.get_mut(&subscriber) else {
            return;
        };
        let mut i = 0;
        while i < sub.legs.len() {
            if pred(&sub.legs[i]) {
                let leg = sub.legs.swap_remove(i);
                if let Err(err) = sub.pc.remove_track(leg.sender_id) {
                    tracing::debug!(%err, "remove_track failed");
                }
                sub.renegotiation.legs_changed();
            } else {
                i += 1;
            }
        }
    }
}
