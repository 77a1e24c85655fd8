//! The engine task: owns the UDP socket, the router and every participant's connection.
//!
//! Loop: drain the connections that received input ("dirty"), then wait for the first of a
//! command, a readable socket or the earliest timer. Forwarding happens inside the drain: the
//! publisher's `poll_read` yields RTP, which is rewritten and written into each subscriber leg
//! with `write_rtp`, and the subscriber's `poll_write` then yields the datagram to send. Nothing
//! on that path logs, locks or crosses a channel.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::event::{RTCPeerConnectionEvent, RTCTrackEvent};
use rtc::peer_connection::message::{RTCMessage, TaggedRTCMessage};
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::peer_connection::state::{RTCIceConnectionState, RTCPeerConnectionState};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::transport_feedbacks::transport_layer_nack::TransportLayerNack;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use rtc::sansio::Protocol;
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use crate::forward::{self, PliThrottle, SubscribeKeyframe};
use crate::peer::{self, Leg, Peer, Published};
use crate::room::Room;
use crate::router::{Route, Router};
use crate::stats::Counters;
use crate::stun;
use crate::{EVENT_QUEUE, ParticipantId, SfuConfig, SfuError, SfuEvent};

type Reply<T> = oneshot::Sender<Result<T, SfuError>>;

/// A request from an [`crate::Sfu`] handle.
#[derive(Debug)]
pub(crate) enum Command {
    AddParticipant {
        room: String,
        id: ParticipantId,
        label: String,
        reply: Reply<mpsc::Receiver<SfuEvent>>,
    },
    Offer {
        id: ParticipantId,
        sdp: String,
        reply: Reply<String>,
    },
    Answer {
        id: ParticipantId,
        sdp: String,
        reply: Reply<()>,
    },
    Candidate {
        id: ParticipantId,
        reply: Reply<()>,
    },
    RemoveParticipant {
        id: ParticipantId,
        reply: Reply<()>,
    },
    Shutdown {
        reply: Reply<()>,
    },
}

/// Datagrams read per socket wakeup before the connections are drained.
const RECV_BATCH: usize = 32;
/// Receive buffer chunk; datagrams are split off it, so one allocation serves many datagrams.
const RECV_CHUNK: usize = 64 * 1024;
/// Largest datagram accepted.
const MAX_DATAGRAM: usize = 2048;
/// Sleep when nothing is scheduled.
const IDLE: Duration = Duration::from_secs(3600);

/// Work deferred until the connection that produced it is no longer borrowed.
enum Deferred {
    Event(RTCPeerConnectionEvent),
    Feedback { ssrc: u32 },
}

/// Where datagrams go: the real socket, or a vector (in-memory harness for benchmarks).
pub(crate) enum Io {
    Udp(UdpSocket),
    Memory(Vec<(SocketAddr, BytesMut)>),
}

impl Io {
    #[inline]
    fn send(&mut self, to: SocketAddr, datagram: BytesMut) -> bool {
        match self {
            Io::Udp(socket) => socket.try_send_to(&datagram, to).is_ok(),
            Io::Memory(out) => {
                out.push((to, datagram));
                true
            }
        }
    }
}

pub(crate) struct Engine {
    pub(crate) io: Io,
    /// `local_addr` of every datagram fed to a connection (matches the first host candidate).
    cand_addr: SocketAddr,
    announce: Vec<IpAddr>,
    port: u16,
    config: SfuConfig,
    counters: Arc<Counters>,
    commands: mpsc::Receiver<Command>,
    router: Router,
    peers: HashMap<ParticipantId, Peer>,
    rooms: HashMap<String, Room>,
    dirty: Vec<ParticipantId>,
    rtp_scratch: Vec<(u64, rtp::Packet)>,
    deferred: Vec<Deferred>,
    recv_buf: BytesMut,
    next_key: u64,
}

enum Wake {
    Command(Option<Command>),
    Readable(std::io::Result<()>),
    Timer,
}

impl Engine {
    pub(crate) fn new(
        io: Io,
        bound: SocketAddr,
        announce: Vec<IpAddr>,
        config: SfuConfig,
        counters: Arc<Counters>,
        commands: mpsc::Receiver<Command>,
    ) -> Self {
        Self {
            io,
            cand_addr: peer::candidate_addr(&announce, bound),
            announce,
            port: bound.port(),
            config,
            counters,
            commands,
            router: Router::default(),
            peers: HashMap::new(),
            rooms: HashMap::new(),
            dirty: Vec::new(),
            rtp_scratch: Vec::new(),
            deferred: Vec::new(),
            recv_buf: BytesMut::new(),
            next_key: 1,
        }
    }

    pub(crate) async fn run(mut self) {
        loop {
            self.flush_dirty();
            let deadline = self.next_deadline();
            let sleep_until = tokio::time::Instant::from_std(deadline);
            let wake = tokio::select! {
                biased;
                cmd = self.commands.recv() => Wake::Command(cmd),
                r = readable(&self.io) => Wake::Readable(r),
                _ = tokio::time::sleep_until(sleep_until) => Wake::Timer,
            };
            match wake {
                Wake::Command(None) => {
                    self.close_all();
                    return;
                }
                Wake::Command(Some(cmd)) => {
                    if self.handle_command(cmd) {
                        return;
                    }
                }
                Wake::Readable(Ok(())) => self.drain_socket(),
                Wake::Readable(Err(err)) => {
                    tracing::error!(%err, "UDP socket failed; SFU engine stops");
                    self.close_all();
                    return;
                }
                Wake::Timer => self.handle_timeouts(Instant::now()),
            }
        }
    }

    // ----- socket --------------------------------------------------------------------------

    fn drain_socket(&mut self) {
        for _ in 0..RECV_BATCH {
            if self.recv_buf.capacity() < MAX_DATAGRAM {
                self.recv_buf = BytesMut::with_capacity(RECV_CHUNK);
            }
            let received = match &self.io {
                Io::Udp(socket) => socket.try_recv_buf_from(&mut self.recv_buf),
                Io::Memory(_) => return,
            };
            match received {
                Ok((_, from)) => {
                    let datagram = self.recv_buf.split();
                    self.handle_datagram(Instant::now(), from, datagram);
                }
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    // E.g. ICMP-induced errors on some platforms: nothing to deliver.
                    self.recv_buf.clear();
                    break;
                }
            }
        }
    }

    /// Feeds one datagram to the connection it belongs to.
    pub(crate) fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: BytesMut) {
        Counters::add(&self.counters.packets_in, 1);
        Counters::add(&self.counters.bytes_in, datagram.len() as u64);
        let Route::Peer(id) = self.router.route(&datagram, from) else {
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
        mark_dirty(&mut self.dirty, peer, id);
    }

    // ----- draining ------------------------------------------------------------------------

    pub(crate) fn flush_dirty(&mut self) {
        while let Some(id) = self.dirty.pop() {
            self.drain_peer(id, Instant::now());
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
            peer.dirty = false;
            if !peer.connected {
                // During the handshake the DTLS layer queues the flights it produces (its
                // ClientHello once ICE selects a pair, for one) and releases them only from
                // `handle_timeout`; drive it now rather than at the next ICE timer tick, which
                // cost ~200 ms per join.
                let _ = peer.pc.handle_timeout(now);
            }
            send_all(
                &mut self.io,
                &self.counters,
                &mut self.router,
                id,
                &mut peer.pc,
            );
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
            send_all(
                &mut self.io,
                &self.counters,
                &mut self.router,
                id,
                &mut peer.pc,
            );
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
            if wrote && !sub.dirty {
                sub.dirty = true;
                self.dirty.push(member);
            }
        }
        packets.clear();
        Counters::add(&self.counters.packets_forwarded, forwarded);
        Counters::add(&self.counters.bytes_forwarded, bytes);
    }

    /// A subscriber asked for a keyframe on the leg with `ssrc`: relay it to the publisher,
    /// throttled.
    fn relay_keyframe_request(&mut self, subscriber: ParticipantId, ssrc: u32, now: Instant) {
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

    fn request_keyframe(&mut self, publisher: ParticipantId, key: u64, now: Instant) {
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
            mark_dirty(&mut self.dirty, peer, publisher);
        }
    }

    // ----- connection events ---------------------------------------------------------------

    /// Returns true when published tracks or legs changed.
    fn handle_pc_event(
        &mut self,
        id: ParticipantId,
        event: RTCPeerConnectionEvent,
        now: Instant,
    ) -> bool {
        match event {
            RTCPeerConnectionEvent::OnConnectionStateChangeEvent(state) => {
                match state {
                    RTCPeerConnectionState::Connected => self.on_connected(id, now),
                    // Closed here means closed by the remote (DTLS close_notify): our own
                    // closes remove the participant first, so they raise no event.
                    RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed => {
                        self.on_failed(id)
                    }
                    _ => {}
                }
                false
            }
            RTCPeerConnectionEvent::OnIceConnectionStateChangeEvent(
                RTCIceConnectionState::Failed,
            ) => {
                self.on_failed(id);
                false
            }
            RTCPeerConnectionEvent::OnTrack(RTCTrackEvent::OnOpen(init)) => {
                self.publish(id, init.track_id, init.receiver_id, init.ssrc, now)
            }
            _ => false,
        }
    }

    fn on_connected(&mut self, id: ParticipantId, now: Instant) {
        let Some(peer) = self.peers.get_mut(&id) else {
            return;
        };
        if peer.connected {
            return;
        }
        peer.connected = true;
        tracing::debug!(label = %peer.label, "connected");
        peer.emit(SfuEvent::Connected);
        let due: Vec<(ParticipantId, u64)> = peer
            .legs
            .iter_mut()
            .filter_map(|l| {
                l.keyframe
                    .on_connected()
                    .then_some((l.publisher, l.source_key))
            })
            .collect();
        for (publisher, key) in due {
            self.request_keyframe(publisher, key, now);
        }
    }

    fn on_failed(&mut self, id: ParticipantId) {
        if let Some(peer) = self.peers.get_mut(&id)
            && !peer.failed
        {
            peer.failed = true;
            tracing::info!(label = %peer.label, "connection failed");
            peer.emit(SfuEvent::Failed);
        }
    }

    /// A publisher's track delivered its first packet: record it and give every other member a
    /// leg for it.
    fn publish(
        &mut self,
        id: ParticipantId,
        track_id: String,
        receiver_id: rtc::rtp_transceiver::RTCRtpReceiverId,
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
        let room = peer.room.clone();
        let members: Vec<ParticipantId> = self
            .rooms
            .get(&room)
            .map(|r| r.members.clone())
            .unwrap_or_default();
        for m in members {
            if m != id {
                self.add_leg(m, id, key);
                self.maybe_offer(m);
            }
        }
        let _ = now;
        true
    }

    /// Adds a sending leg on `subscriber` for `publisher`'s track `key`. The subscriber must
    /// have answered its first offer; otherwise the leg is added when it does.
    fn add_leg(&mut self, subscriber: ParticipantId, publisher: ParticipantId, key: u64) {
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
        if !sub.initialized || sub.legs.iter().any(|l| l.source_key == key) {
            return;
        }
        let (stream_id, track_id, kind, codec) = source;
        let ssrc = loop {
            let s: u32 = rand::random();
            if s != 0 && !sub.legs.iter().any(|l| l.ssrc == s) {
                break s;
            }
        };
        let track = MediaStreamTrack::new(
            stream_id.clone(),
            track_id.clone(),
            track_id,
            kind,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec,
                ..Default::default()
            }],
        );
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
        if sub.connected {
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
        sub.needs_renegotiation = true;
    }

    /// Removes every leg on `subscriber` whose source matches `pred`.
    fn remove_legs(&mut self, subscriber: ParticipantId, pred: impl Fn(&Leg) -> bool) {
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
                sub.needs_renegotiation = true;
            } else {
                i += 1;
            }
        }
    }

    /// Creates and emits a server offer if one is needed and none is pending.
    pub(crate) fn maybe_offer(&mut self, id: ParticipantId) {
        let Some(peer) = self.peers.get_mut(&id) else {
            return;
        };
        if !peer.initialized
            || peer.server_offer_pending
            || !peer.needs_renegotiation
            || peer.failed
        {
            return;
        }
        peer.needs_renegotiation = false;
        let offer = match peer.pc.create_offer(None) {
            Ok(o) => o,
            Err(err) => {
                tracing::warn!(%err, label = %peer.label, "create_offer failed");
                return;
            }
        };
        if let Err(err) = peer.pc.set_local_description(Instant::now(), offer) {
            tracing::warn!(%err, label = %peer.label, "set_local_description(offer) failed");
            return;
        }
        let Some(sdp) = peer.pc.local_description().map(|d| d.sdp) else {
            return;
        };
        for leg in &mut peer.legs {
            leg.offered = true;
        }
        peer.server_offer_pending = true;
        peer.emit(SfuEvent::Offer { sdp });
        mark_dirty(&mut self.dirty, peer, id);
    }

    // ----- commands ------------------------------------------------------------------------

    /// Returns true when the engine must stop.
    fn handle_command(&mut self, cmd: Command) -> bool {
        // Gauges are updated before replying, so a caller sees its own change in `stats()`.
        match cmd {
            Command::AddParticipant {
                room,
                id,
                label,
                reply,
            } => {
                let r = self.add_participant(room, id, label);
                self.update_gauges();
                let _ = reply.send(r);
            }
            Command::Offer { id, sdp, reply } => {
                let r = self.offer(id, sdp);
                self.update_gauges();
                let _ = reply.send(r);
                self.maybe_offer(id);
            }
            Command::Answer { id, sdp, reply } => {
                let r = self.answer(id, sdp);
                let _ = reply.send(r);
                self.maybe_offer(id);
            }
            Command::Candidate { id, reply } => {
                let r = if self.peers.contains_key(&id) {
                    Ok(())
                } else {
                    Err(SfuError::UnknownParticipant)
                };
                let _ = reply.send(r);
            }
            Command::RemoveParticipant { id, reply } => {
                self.remove_participant(id);
                self.update_gauges();
                let _ = reply.send(Ok(()));
            }
            Command::Shutdown { reply } => {
                self.close_all();
                let _ = reply.send(Ok(()));
                return true;
            }
        }
        false
    }

    pub(crate) fn add_participant(
        &mut self,
        room: String,
        id: ParticipantId,
        label: String,
    ) -> Result<mpsc::Receiver<SfuEvent>, SfuError> {
        if self.peers.contains_key(&id) {
            return Err(SfuError::AlreadyJoined);
        }
        let max = self.config.max_participants_per_room;
        if !self.rooms.get(&room).is_none_or(|r| r.has_room(max)) || max == 0 {
            return Err(SfuError::RoomFull);
        }
        let (ufrag, pwd) = peer::ice_credentials();
        let pc = peer::build_connection(Instant::now(), ufrag.clone(), pwd)?;
        let (tx, rx) = mpsc::channel(EVENT_QUEUE);
        self.router.add_peer(id, ufrag);
        self.peers.insert(
            id,
            Peer {
                room: room.clone(),
                label,
                pc,
                events: tx,
                published: Vec::new(),
                legs: Vec::new(),
                server_offer_pending: false,
                needs_renegotiation: false,
                initialized: false,
                candidates_added: false,
                connected: false,
                failed: false,
                next_timeout: None,
                dirty: false,
            },
        );
        self.rooms.entry(room).or_default().members.push(id);
        Ok(rx)
    }

    pub(crate) fn offer(&mut self, id: ParticipantId, sdp: String) -> Result<String, SfuError> {
        let peer = self
            .peers
            .get_mut(&id)
            .ok_or(SfuError::UnknownParticipant)?;
        if peer.server_offer_pending {
            return Err(SfuError::Glare);
        }
        let desc =
            RTCSessionDescription::offer(sdp).map_err(|e| SfuError::BadSdp(e.to_string()))?;
        let now = Instant::now();
        peer.pc
            .set_remote_description(now, desc)
            .map_err(|e| SfuError::BadSdp(e.to_string()))?;
        let first = !peer.initialized;
        if !peer.candidates_added {
            peer::add_host_candidates(&mut peer.pc, &self.announce, self.port)?;
            peer.candidates_added = true;
        }
        let answer = peer
            .pc
            .create_answer(None)
            .map_err(|e| SfuError::BadSdp(e.to_string()))?;
        peer.pc
            .set_local_description(now, answer)
            .map_err(|e| SfuError::Internal(e.to_string()))?;
        let sdp = peer
            .pc
            .local_description()
            .map(|d| d.sdp)
            .ok_or_else(|| SfuError::Internal("no local description".into()))?;
        mark_dirty(&mut self.dirty, peer, id);

        // Tracks the client stopped sending.
        let stopped: Vec<u64> = {
            let pc = &mut peer.pc;
            let transceivers: Vec<_> = pc.get_transceivers().collect();
            peer.published
                .iter()
                .filter(|p| {
                    !transceivers.iter().any(|&t| {
                        pc.rtp_transceiver(t).is_some_and(|t| {
                            t.receiver() == Some(p.receiver_id) && t.current_direction().has_recv()
                        })
                    })
                })
                .map(|p| p.key)
                .collect()
        };
        for key in stopped {
            self.unpublish(id, key);
        }

        if first {
            if let Some(peer) = self.peers.get_mut(&id) {
                peer.initialized = true;
            }
            // Legs for everything already published in the room.
            let sources: Vec<(ParticipantId, u64)> = self.room_sources(id);
            for (publisher, key) in sources {
                self.add_leg(id, publisher, key);
            }
        }
        Ok(sdp)
    }

    /// (publisher, key) of every track published by other members of `id`'s room.
    fn room_sources(&self, id: ParticipantId) -> Vec<(ParticipantId, u64)> {
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

    fn unpublish(&mut self, id: ParticipantId, key: u64) {
        let Some(peer) = self.peers.get_mut(&id) else {
            return;
        };
        peer.published.retain(|p| p.key != key);
        let members: Vec<ParticipantId> = self
            .rooms
            .get(&peer.room)
            .map(|r| r.members.clone())
            .unwrap_or_default();
        for m in members {
            if m != id {
                self.remove_legs(m, |l| l.source_key == key);
                self.maybe_offer(m);
            }
        }
    }

    pub(crate) fn answer(&mut self, id: ParticipantId, sdp: String) -> Result<(), SfuError> {
        let peer = self
            .peers
            .get_mut(&id)
            .ok_or(SfuError::UnknownParticipant)?;
        if !peer.server_offer_pending {
            return Err(SfuError::NoPendingOffer);
        }
        let desc =
            RTCSessionDescription::answer(sdp).map_err(|e| SfuError::BadSdp(e.to_string()))?;
        peer.pc
            .set_remote_description(Instant::now(), desc)
            .map_err(|e| SfuError::BadSdp(e.to_string()))?;
        peer.server_offer_pending = false;
        mark_dirty(&mut self.dirty, peer, id);
        let now = Instant::now();
        // Negotiated legs: payload maps, and a keyframe for each newly usable one.
        let offered: Vec<(usize, ParticipantId, u64)> = peer
            .legs
            .iter()
            .enumerate()
            .filter(|(_, l)| l.offered)
            .map(|(i, l)| (i, l.publisher, l.source_key))
            .collect();
        let mut due = Vec::new();
        for (i, publisher, key) in offered {
            let codecs = self
                .peers
                .get(&publisher)
                .and_then(|p| p.published.iter().find(|t| t.key == key))
                .map(|t| t.codecs.clone())
                .unwrap_or_default();
            let Some(peer) = self.peers.get_mut(&id) else {
                break;
            };
            peer.leg_map(i, &codecs);
            if peer.legs[i].keyframe.on_negotiated() {
                due.push((publisher, key));
            }
        }
        for (publisher, key) in due {
            self.request_keyframe(publisher, key, now);
        }
        Ok(())
    }

    pub(crate) fn remove_participant(&mut self, id: ParticipantId) {
        let Some(peer) = self.close_peer(id) else {
            return;
        };
        self.dirty.retain(|d| *d != id);
        let empty = self.rooms.get_mut(&peer.room).is_none_or(|r| r.remove(id));
        if empty {
            self.rooms.remove(&peer.room);
        } else {
            let members = self
                .rooms
                .get(&peer.room)
                .map(|r| r.members.clone())
                .unwrap_or_default();
            for m in members {
                self.remove_legs(m, |l| l.publisher == id);
                self.maybe_offer(m);
            }
        }
        tracing::debug!(label = %peer.label, "participant removed");
    }

    /// Takes the participant out of the engine, closes its connection (the DTLS close_notify
    /// goes out now) and forgets its addresses.
    fn close_peer(&mut self, id: ParticipantId) -> Option<Peer> {
        let mut peer = self.peers.remove(&id);
        if let Some(peer) = peer.as_mut() {
            let _ = peer.pc.close();
            send_all(
                &mut self.io,
                &self.counters,
                &mut self.router,
                id,
                &mut peer.pc,
            );
        }
        self.router.remove_peer(id);
        peer
    }

    fn close_all(&mut self) {
        let ids: Vec<ParticipantId> = self.peers.keys().copied().collect();
        for id in ids {
            self.close_peer(id);
        }
        self.rooms.clear();
        self.dirty.clear();
        self.update_gauges();
    }

    // ----- timers --------------------------------------------------------------------------

    pub(crate) fn next_deadline(&self) -> Instant {
        let mut next = Instant::now() + IDLE;
        for peer in self.peers.values() {
            if let Some(t) = peer.next_timeout {
                next = next.min(t);
            }
            for p in &peer.published {
                if let Some(t) = p.pli.poll_timeout() {
                    next = next.min(t);
                }
            }
        }
        next
    }

    pub(crate) fn handle_timeouts(&mut self, now: Instant) {
        for (&id, peer) in self.peers.iter_mut() {
            let mut touched = false;
            if peer.next_timeout.is_some_and(|t| t <= now) {
                let _ = peer.pc.handle_timeout(now);
                touched = true;
            }
            let mut plis: Vec<_> = Vec::new();
            for p in &mut peer.published {
                if p.pli.handle_timeout(now) {
                    plis.push((p.receiver_id, p.ssrc));
                }
            }
            for (receiver_id, ssrc) in plis {
                send_pli(&self.counters, peer, receiver_id, ssrc, now);
                touched = true;
            }
            if touched {
                mark_dirty(&mut self.dirty, peer, id);
            }
        }
    }

    // ----- stats ---------------------------------------------------------------------------

    pub(crate) fn update_gauges(&self) {
        let c = &self.counters;
        Counters::set(&c.rooms, self.rooms.len() as u64);
        Counters::set(&c.participants, self.peers.len() as u64);
        Counters::set(
            &c.published_tracks,
            self.peers.values().map(|p| p.published.len() as u64).sum(),
        );
        Counters::set(
            &c.forwarded_tracks,
            self.peers.values().map(|p| p.legs.len() as u64).sum(),
        );
    }
}

async fn readable(io: &Io) -> std::io::Result<()> {
    match io {
        Io::Udp(socket) => socket.readable().await,
        Io::Memory(_) => std::future::pending().await,
    }
}

fn mark_dirty(dirty: &mut Vec<ParticipantId>, peer: &mut Peer, id: ParticipantId) {
    if !peer.dirty {
        peer.dirty = true;
        dirty.push(id);
    }
}

/// Sends a PLI for the publisher track (`receiver_id`, `ssrc`).
fn send_pli(
    counters: &Counters,
    peer: &mut Peer,
    receiver_id: rtc::rtp_transceiver::RTCRtpReceiverId,
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

/// Sends every datagram the connection has queued. A Binding Success Response means the
/// connection's ICE agent authenticated a check from that address: bind it in the router.
fn send_all(
    io: &mut Io,
    counters: &Counters,
    router: &mut Router,
    id: ParticipantId,
    pc: &mut rtc::peer_connection::RTCPeerConnection,
) {
    while let Some(msg) = pc.poll_write() {
        let to = msg.transport.peer_addr;
        if stun::message_type(&msg.message) == Some(stun::BINDING_SUCCESS) {
            router.bind_addr(id, to);
        }
        if !io.send(to, msg.message) {
            Counters::add(&counters.dropped_datagrams, 1);
        }
    }
}
