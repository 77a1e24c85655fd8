//! The engine and its clients in memory, in virtual time (str0m `tests/common.rs` style).
//!
//! A [`VirtualNet`] holds one [`Engine`] (no driver: no socket, no clock, no task) and sans-IO
//! `rtc` client peers, each at its own address. [`VirtualNet::progress`] moves every datagram
//! between them until nothing moves, then advances the virtual clock to the earliest timer (the
//! engine's, a client's, or the next media tick) and fires it. Nothing sleeps: a test of 10 s of
//! call time runs in well under a second. Publishing clients send one Opus and one VP8 packet
//! every [`MEDIA_TICK`] once connected.
//!
//! Hooks for later work (bandwidth adaptation, reconnection): [`VirtualNet::link_down`] drops
//! every datagram to and from a client, and tests may drive the engine directly.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtc::interceptor::{Registry, Slot};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::event::{RTCPeerConnectionEvent, RTCTrackEvent};
use rtc::peer_connection::message::RTCMessage;
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::peer_connection::state::RTCPeerConnectionState;
use rtc::peer_connection::transport::{CandidateConfig, CandidateHostConfig, RTCIceCandidate};
use rtc::peer_connection::{RTCPeerConnection, RTCPeerConnectionBuilder};
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RtpCodecKind};
use rtc::rtp_transceiver::{RTCRtpReceiverId, RTCRtpSenderId};
use rtc::sansio::Protocol;
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use sportello_sfu::rtcp_feedback::{self, FeedbackTap};
use sportello_sfu::{Engine, ParticipantId, SfuConfig, SfuError, SfuEvent, codecs};

/// Spacing of the synthetic media packets.
pub const MEDIA_TICK: Duration = Duration::from_millis(20);
/// Longest single advance of the virtual clock.
const MAX_STEP: Duration = Duration::from_millis(50);
/// Seed of the engine's random source in every test.
pub const SEED: u64 = 0x5f0_7e11;

/// A published track of a client.
#[derive(Debug, Clone, Copy)]
pub struct Sent {
    pub sender: RTCRtpSenderId,
    pub ssrc: u32,
    pub payload_type: u8,
    pub kind: RtpCodecKind,
    seq: u16,
    ts: u32,
}

/// A track a client receives.
#[derive(Debug, Clone)]
pub struct Received {
    pub receiver: RTCRtpReceiverId,
    pub ssrc: u32,
    pub kind: RtpCodecKind,
    /// msid stream ids (the publisher's label).
    pub streams: Vec<String>,
}

/// A client peer: a sans-IO `rtc` connection at its own address.
pub struct VClient {
    pub id: ParticipantId,
    pub label: String,
    pub addr: SocketAddr,
    pub pc: RTCPeerConnection,
    pub sent: Vec<Sent>,
    pub received: Vec<Received>,
    pub connected: bool,
    /// Publishes media once connected.
    pub sending: bool,
    /// Answers server offers by itself; otherwise they wait in `offers`.
    pub auto_answer: bool,
    /// Server offers not answered yet.
    pub offers: Vec<String>,
    /// Server offers answered.
    pub offers_answered: u64,
    /// Every event the engine emitted for this client, in order.
    pub events: Vec<SfuEvent>,
    /// RTP packets received, by kind.
    pub audio_rx: u64,
    pub video_rx: u64,
    /// Keyframe requests received on the client's own video, with the time each arrived.
    pub plis_rx: Vec<Instant>,
    /// Datagrams to and from this client are dropped.
    pub link_down: bool,
}

impl VClient {
    /// Server offers answered or waiting.
    pub fn last_offer(&self) -> Option<&str> {
        self.events.iter().rev().find_map(|e| match e {
            SfuEvent::Offer { sdp } => Some(sdp.as_str()),
            _ => None,
        })
    }

    /// Applies the server's answer to this client's offer.
    pub fn answer_received(&mut self, now: Instant, sdp: String) {
        self.pc
            .set_remote_description(now, RTCSessionDescription::answer(sdp).unwrap())
            .unwrap();
    }

    /// Creates an offer (client-initiated renegotiation) and returns its SDP.
    pub fn create_offer(&mut self, now: Instant) -> String {
        let offer = self.pc.create_offer(None).unwrap();
        self.pc.set_local_description(now, offer).unwrap();
        self.pc.local_description().unwrap().sdp
    }

    /// Applies a server offer and returns the answer SDP.
    pub fn answer_offer(&mut self, now: Instant, sdp: &str) -> String {
        self.pc
            .set_remote_description(now, RTCSessionDescription::offer(sdp.to_owned()).unwrap())
            .unwrap();
        let answer = self.pc.create_answer(None).unwrap();
        self.pc.set_local_description(now, answer).unwrap();
        self.pc.local_description().unwrap().sdp
    }

    /// Sends a PLI on every remote video track; returns how many.
    pub fn send_pli(&mut self, now: Instant) -> usize {
        let videos: Vec<(RTCRtpReceiverId, u32)> = self
            .received
            .iter()
            .filter(|r| r.kind == RtpCodecKind::Video)
            .map(|r| (r.receiver, r.ssrc))
            .collect();
        for &(receiver, ssrc) in &videos {
            let pli = PictureLossIndication {
                sender_ssrc: 0,
                media_ssrc: ssrc,
            };
            self.pc
                .rtp_receiver(receiver)
                .unwrap()
                .write_rtcp(now, vec![Box::new(pli)])
                .unwrap();
        }
        videos.len()
    }

    fn send_media(&mut self, now: Instant, video: &Bytes, audio: &Bytes) {
        for i in 0..self.sent.len() {
            let payload = if self.sent[i].kind == RtpCodecKind::Video {
                video
            } else {
                audio
            };
            self.send_rtp(now, i, payload);
        }
    }

    /// Writes the next RTP packet of published track `index` with `payload`.
    pub fn send_rtp(&mut self, now: Instant, index: usize, payload: &Bytes) {
        let s = &mut self.sent[index];
        let mut p = rtc::rtp::Packet::default();
        p.header.version = 2;
        p.header.payload_type = s.payload_type;
        p.header.sequence_number = s.seq;
        p.header.timestamp = s.ts;
        p.header.ssrc = s.ssrc;
        p.header.marker = true;
        p.payload = payload.clone();
        s.seq = s.seq.wrapping_add(1);
        s.ts = s.ts.wrapping_add(if s.kind == RtpCodecKind::Video {
            1800
        } else {
            960
        });
        if let Some(mut sender) = self.pc.rtp_sender(s.sender) {
            let _ = sender.write_rtp(now, p);
        }
    }
}

/// A local track `{label}-{kind}` in stream `stream`, sending `codec` on `ssrc`.
pub fn local_track(
    stream: String,
    label: &str,
    kind: RtpCodecKind,
    ssrc: u32,
    codec: RTCRtpCodec,
) -> MediaStreamTrack {
    codecs::track(stream, format!("{label}-{kind}"), kind, ssrc, codec)
}

/// The engine, its clients and the virtual clock.
pub struct VirtualNet {
    pub engine: Engine,
    pub server: SocketAddr,
    pub now: Instant,
    pub clients: Vec<VClient>,
    next_media: Instant,
    video: Bytes,
    audio: Bytes,
}

impl VirtualNet {
    /// An engine with the default configuration, seeded with [`SEED`].
    pub fn new() -> Self {
        Self::with_config(SfuConfig::default(), SEED)
    }

    /// An engine with `config`, seeded with `seed`.
    pub fn with_config(config: SfuConfig, seed: u64) -> Self {
        let server: SocketAddr = "10.0.0.1:3478".parse().unwrap();
        let now = Instant::now();
        let mut video = vec![0xABu8; 900];
        video[0] = 0x10; // VP8 descriptor: S=1, PID=0
        video[1] = 0x00; // keyframe bit clear in the VP8 payload header => keyframe
        Self {
            engine: Engine::new(server, vec![server.ip()], config, seed),
            server,
            now,
            clients: Vec::new(),
            next_media: now,
            video: Bytes::from(video),
            audio: Bytes::from(vec![0xAAu8; 80]),
        }
    }

    /// The client with participant id `id`.
    pub fn client(&mut self, id: u64) -> &mut VClient {
        self.clients
            .iter_mut()
            .find(|c| c.id == ParticipantId(id))
            .expect("client")
    }

    /// Joins participant `id` as `label` in `room`: publishes Opus and VP8 when `publish`
    /// (otherwise receives only), offers, and applies the answer. Returns the client's index.
    pub fn join(&mut self, room: &str, id: u64, label: &str, publish: bool) -> usize {
        self.try_join(room, id, label, publish).expect("join")
    }

    /// Like [`Self::join`], returning the engine's error.
    pub fn try_join(
        &mut self,
        room: &str,
        id: u64,
        label: &str,
        publish: bool,
    ) -> Result<usize, SfuError> {
        let now = self.now;
        let n = self.clients.len() as u8;
        let addr = SocketAddr::from(([10, 0, 1, n + 1], 5000));
        let mut me = codecs::client_media_engine().unwrap();
        let registry = Registry::new().with(
            Slot::from(rtcp_feedback::SLOT),
            FeedbackTap::keyframe_requests(),
        );
        let registry = register_default_interceptors(registry, &mut me).unwrap();
        let mut pc = RTCPeerConnectionBuilder::new()
            .with_configuration(RTCConfigurationBuilder::new().build())
            .with_media_engine(me)
            .with_interceptor_registry(registry)
            .build(now)
            .unwrap();
        let mut sent = Vec::new();
        for (i, (codec, kind)) in codecs::client_codecs().into_iter().enumerate() {
            if publish {
                let ssrc = (id as u32) << 8 | (i as u32 + 1);
                let track = local_track(
                    format!("{label}-local"),
                    label,
                    kind,
                    ssrc,
                    codec.rtp_codec.clone(),
                );
                let sender = pc.add_track(track).unwrap();
                sent.push(Sent {
                    sender,
                    ssrc,
                    payload_type: codec.payload_type,
                    kind,
                    seq: 1000,
                    ts: 0,
                });
            } else {
                pc.add_transceiver_from_kind(kind, None).unwrap();
            }
        }
        self.engine
            .add_participant(now, room, ParticipantId(id), label)?;
        let mut client = VClient {
            id: ParticipantId(id),
            label: label.to_owned(),
            addr,
            pc,
            sent,
            received: Vec::new(),
            connected: false,
            sending: publish,
            auto_answer: true,
            offers: Vec::new(),
            offers_answered: 0,
            events: Vec::new(),
            audio_rx: 0,
            video_rx: 0,
            plis_rx: Vec::new(),
            link_down: false,
        };
        let candidate = CandidateHostConfig {
            base_config: CandidateConfig {
                network: "udp".to_owned(),
                address: addr.ip().to_string(),
                port: addr.port(),
                component: 1,
                ..Default::default()
            },
            ..Default::default()
        }
        .new_candidate_host()
        .unwrap();
        client
            .pc
            .add_local_candidate(RTCIceCandidate::from(&candidate).to_json().unwrap())
            .unwrap();
        let offer = client.create_offer(now);
        let answer = self.engine.offer(now, ParticipantId(id), offer)?;
        client.answer_received(now, answer);
        self.clients.push(client);
        Ok(self.clients.len() - 1)
    }

    /// Removes participant `id` from the engine and drops its client.
    pub fn leave(&mut self, id: u64) {
        self.engine.remove_participant(self.now, ParticipantId(id));
        self.clients.retain(|c| c.id != ParticipantId(id));
    }

    /// Cuts (or restores) the network of client `id`: its datagrams are dropped both ways.
    pub fn link_down(&mut self, id: u64, down: bool) {
        self.client(id).link_down = down;
    }

    /// Moves datagrams, events and media until nothing moves at the current time.
    pub fn exchange(&mut self) {
        let now = self.now;
        loop {
            let mut moved = false;
            for c in &mut self.clients {
                while let Some(m) = c.pc.poll_write() {
                    if !c.link_down {
                        self.engine.handle_datagram(now, c.addr, m.message);
                    }
                    moved = true;
                }
                while let Some(e) = c.pc.poll_event() {
                    match e {
                        RTCPeerConnectionEvent::OnConnectionStateChangeEvent(
                            RTCPeerConnectionState::Connected,
                        ) => c.connected = true,
                        RTCPeerConnectionEvent::OnTrack(RTCTrackEvent::OnOpen(init)) => {
                            let kind =
                                c.pc.rtp_receiver(init.receiver_id)
                                    .map(|r| r.track().kind())
                                    .unwrap_or(RtpCodecKind::Unspecified);
                            c.received.push(Received {
                                receiver: init.receiver_id,
                                ssrc: init.ssrc,
                                kind,
                                streams: init.stream_ids.clone(),
                            });
                        }
                        _ => {}
                    }
                }
                while let Some(m) = c.pc.poll_read() {
                    match m.message {
                        RTCMessage::RtpPacket(_, p) => {
                            let audio = c
                                .received
                                .iter()
                                .any(|r| r.ssrc == p.header.ssrc && r.kind == RtpCodecKind::Audio);
                            if audio {
                                c.audio_rx += 1;
                            } else {
                                c.video_rx += 1;
                            }
                        }
                        RTCMessage::RtcpPacket(_, packets) => {
                            for p in packets {
                                if p.as_any().is::<PictureLossIndication>() {
                                    c.plis_rx.push(now);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            while let Some(t) = self.engine.poll_transmit() {
                moved = true;
                let Some(c) = self.clients.iter_mut().find(|c| c.addr == t.destination) else {
                    continue;
                };
                if c.link_down {
                    continue;
                }
                let _ = c.pc.handle_read(TaggedBytesMut {
                    now,
                    transport: TransportContext {
                        local_addr: c.addr,
                        peer_addr: self.server,
                        ecn: None,
                        transport_protocol: TransportProtocol::UDP,
                    },
                    message: t.contents,
                });
            }
            while let Some((id, event)) = self.engine.poll_event() {
                moved = true;
                let Some(c) = self.clients.iter_mut().find(|c| c.id == id) else {
                    continue;
                };
                if let SfuEvent::Offer { sdp } = &event {
                    if c.auto_answer {
                        let answer = c.answer_offer(now, sdp);
                        self.engine.answer(now, id, answer).expect("answer");
                        c.offers_answered += 1;
                    } else {
                        c.offers.push(sdp.clone());
                    }
                }
                c.events.push(event);
            }
            if !moved {
                return;
            }
        }
    }

    /// One step: exchange until quiet, then advance the clock to the earliest timer (at most
    /// 50 ms ahead) and fire every timer due.
    pub fn progress(&mut self) {
        self.exchange();
        let mut next = self.now + MAX_STEP;
        if let Some(t) = self.engine.poll_timeout() {
            next = next.min(t);
        }
        for c in &mut self.clients {
            if let Some(t) = c.pc.poll_timeout() {
                next = next.min(t);
            }
        }
        if self.clients.iter().any(|c| c.sending && c.connected) {
            next = next.min(self.next_media);
        }
        self.now = self.now.max(next);
        let now = self.now;
        if self.engine.poll_timeout().is_some_and(|t| t <= now) {
            self.engine.handle_timeout(now);
        }
        for c in &mut self.clients {
            if c.pc.poll_timeout().is_some_and(|t| t <= now) {
                let _ = c.pc.handle_timeout(now);
            }
        }
        if self.next_media <= now {
            for c in &mut self.clients {
                if c.sending && c.connected {
                    c.send_media(now, &self.video, &self.audio);
                }
            }
            self.next_media = now + MEDIA_TICK;
        }
    }

    /// Progresses until `cond` holds or `limit` of virtual time has passed; true if it held.
    pub fn run_until(&mut self, limit: Duration, mut cond: impl FnMut(&mut Self) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            self.exchange();
            if cond(self) {
                return true;
            }
            if self.now >= end {
                return false;
            }
            self.progress();
        }
    }

    /// Progresses for `d` of virtual time.
    pub fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            self.progress();
        }
        self.exchange();
    }

    /// Every client connected and receiving audio and video from every other publisher.
    pub fn media_flows(&self, min_packets: u64) -> bool {
        self.clients.iter().all(|c| {
            let others = self
                .clients
                .iter()
                .filter(|o| o.id != c.id && !o.sent.is_empty())
                .count() as u64;
            c.connected
                && (others == 0
                    || (c.audio_rx >= min_packets * others && c.video_rx >= min_packets * others))
        })
    }

    /// Virtual time since `t`.
    pub fn since(&self, t: Instant) -> Duration {
        self.now - t
    }

    /// Number of remote tracks of each client, by label.
    pub fn remote_streams(&self) -> HashMap<String, Vec<String>> {
        self.clients
            .iter()
            .map(|c| {
                (
                    c.label.clone(),
                    c.received.iter().flat_map(|r| r.streams.clone()).collect(),
                )
            })
            .collect()
    }
}
