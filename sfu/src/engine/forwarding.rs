//! Datagrams in and out, and the media path: draining connections and fanning publisher RTP out
//! to subscriber legs. This is the per-packet path: no allocation, lock or log.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use bytes::BytesMut;
use rtc::peer_connection::RTCPeerConnection;
use rtc::peer_connection::message::{RTCMessage, TaggedRTCMessage};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::transport_feedbacks::transport_layer_nack::TransportLayerNack;
use rtc::rtp;
use rtc::sansio::Protocol;
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};

use super::{Deferred, Engine, Transmit, enqueue};
use crate::demux::{Demux, Route};
use crate::forward;
use crate::stats::Counters;
use crate::{ParticipantId, stun};

impl Engine {
    /// A datagram arrived from `from` at `now`: feeds it to the connection it belongs to. It is
    /// processed when output is next polled.
    #[inline]
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: BytesMut) {
        self.at(now);
        Counters::add(&self.counters.packets_in, 1);
        Counters::add(&self.counters.bytes_in, datagram.len() as u64);
        let Route::Peer(id) = self.demux.route(&datagram, from) else {
            Counters::add(&self.counters.dropped_datagrams, 1);
            return;
        };
        let Some(peer) = self.peers.get_mut(&id) else {
            Counters::add(&self.counters.dropped_datagrams, 1);
            return;
        };
        let msg = TaggedBytesMut {
            now,
            transport: TransportContext {
                local_addr: self.cand_addr,
                peer_addr: from,
                ecn: None,
                transport_protocol: TransportProtocol::UDP,
            },
            message: datagram,
        };
        if peer.pc.handle_read(msg).is_err() {
            Counters::add(&self.counters.dropped_datagrams, 1);
        }
        enqueue(&mut self.queue, peer, id);
    }

    /// Drains every queued connection, at the time of the latest input.
    pub(super) fn flush(&mut self) {
        let Some(now) = self.now else {
            return;
        };
        while let Some(id) = self.queue.pop() {
            self.drain_peer(id, now);
        }
    }

    /// Drains one connection: datagrams out, events, media. Media and feedback are acted on
    /// after the connection is released (they touch other connections).
    fn drain_peer(&mut self, id: ParticipantId, now: Instant) {
        let mut rtp_scratch = std::mem::take(&mut self.rtp_scratch);
        let mut deferred = std::mem::take(&mut self.deferred);
        {
            let Some(peer) = self.peers.get_mut(&id) else {
                self.rtp_scratch = rtp_scratch;
                self.deferred = deferred;
                return;
            };
            peer.queued = false;
            if !peer.state.connected() {
                // During the handshake the DTLS layer queues the flights it produces (its
                // ClientHello once ICE selects a pair, for one) and releases them only from
                // `handle_timeout`; drive it now rather than at the next ICE timer tick, which
                // cost ~200 ms per join.
                let _ = peer.pc.handle_timeout(now);
            }
            send_all(&mut self.transmits, &mut self.demux, id, &mut peer.pc);
            while let Some(event) = peer.pc.poll_event() {
                deferred.push(Deferred::Event(event));
            }
            while let Some(TaggedRTCMessage { message, .. }) = peer.pc.poll_read() {
                match message {
                    RTCMessage::RtpPacket(track_id, packet) => {
                        if packet.payload.is_empty() {
                            continue; // padding-only (probing)
                        }
                        if let Some(p) = peer
                            .published
                            .iter()
                            .find(|p| p.track_id == track_id && p.ssrc == packet.header.ssrc)
                        {
                            rtp_scratch.push((p.key, packet));
                        }
                    }
                    RTCMessage::RtcpPacket(_track_id, packets) => {
                        for p in &packets {
                            let any = p.as_any();
                            if let Some(pli) = any.downcast_ref::<PictureLossIndication>() {
                                deferred.push(Deferred::Feedback {
                                    ssrc: pli.media_ssrc,
                                });
                            } else if let Some(fir) = any.downcast_ref::<FullIntraRequest>() {
                                for e in &fir.fir {
                                    deferred.push(Deferred::Feedback { ssrc: e.ssrc });
                                }
                            } else if any.is::<TransportLayerNack>() {
                                Counters::add(&self.counters.nacks, 1);
                            }
                        }
                    }
                    _ => {}
                }
            }
            // Output produced by reading (e.g. RTCP) goes out now.
            send_all(&mut self.transmits, &mut self.demux, id, &mut peer.pc);
            peer.next_timeout = peer.pc.poll_timeout();
        }

        if !rtp_scratch.is_empty() {
            self.fan_out(id, &mut rtp_scratch, now);
        }
        let mut tracks_changed = false;
        for d in deferred.drain(..) {
            match d {
                Deferred::Event(e) => tracks_changed |= self.handle_pc_event(id, e, now),
                Deferred::Feedback { ssrc } => self.relay_keyframe_request(id, ssrc, now),
            }
        }
        if tracks_changed {
            self.update_gauges();
        }
        self.rtp_scratch = rtp_scratch;
        self.deferred = deferred;
    }

    /// Writes the publisher's packets into every other room member's leg for that track.
    fn fan_out(
        &mut self,
        publisher: ParticipantId,
        packets: &mut Vec<(u64, rtp::Packet)>,
        now: Instant,
    ) {
        let Some(room_name) = self.peers.get(&publisher).map(|p| p.room.as_str()) else {
            packets.clear();
            return;
        };
        let Some(room) = self.rooms.get(room_name) else {
            packets.clear();
            return;
        };
        let mut forwarded = 0u64;
        let mut bytes = 0u64;
        for &member in &room.members {
            if member == publisher {
                continue;
            }
            let Some(sub) = self.peers.get_mut(&member) else {
                continue;
            };
            let mut wrote = false;
            for (key, packet) in packets.iter() {
                let Some(leg) = sub
                    .legs
                    .iter()
                    .find(|l| l.source_key == *key && l.keyframe.is_active())
                else {
                    continue;
                };
                let Some(out) = forward::rewrite(packet, leg.ssrc, &leg.map) else {
                    continue;
                };
                let len = out.payload.len() as u64;
                if let Some(mut sender) = sub.pc.rtp_sender(leg.sender_id)
                    && sender.write_rtp(now, out).is_ok()
                {
                    forwarded += 1;
                    bytes += len;
                    wrote = true;
                }
            }
            if wrote && !sub.queued {
                sub.queued = true;
                self.queue.push(member);
            }
        }
        packets.clear();
        Counters::add(&self.counters.packets_forwarded, forwarded);
        Counters::add(&self.counters.bytes_forwarded, bytes);
    }
}

/// Queues every datagram the connection has to send. A Binding Success Response means the
/// connection's ICE agent authenticated a check from that address: bind it in the demux.
pub(super) fn send_all(
    transmits: &mut VecDeque<Transmit>,
    demux: &mut Demux,
    id: ParticipantId,
    pc: &mut RTCPeerConnection,
) {
    while let Some(msg) = pc.poll_write() {
        let to = msg.transport.peer_addr;
        if stun::message_type(&msg.message) == Some(stun::BINDING_SUCCESS) {
            demux.bind_addr(id, to);
        }
        transmits.push_back(Transmit {
            destination: to,
            contents: msg.message,
        });
    }
}
