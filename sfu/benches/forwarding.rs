//! SFU forwarding path, in memory: publisher datagram in → subscriber datagram out.
//!
//! Two client connections (sans-IO `rtc`, full ICE, DTLS, SRTP) are connected to the sans-IO
//! engine (`sportello_sfu::Engine`, run without its driver: datagrams in by call, out by
//! `poll_transmit`). The publisher's SRTP datagrams are generated up front; the timed loop feeds them
//! to the engine one by one: route → `handle_read` (SRTP decrypt, interceptors) → `poll_read` →
//! rewrite → `write_rtp` on the subscriber leg (interceptors, SRTP encrypt) → `poll_write`.
//! Printed: ns per forwarded packet.
//!
//! Run: `cargo bench -p sportello-sfu --bench forwarding` (env `SFU_BENCH_PACKETS`, default 20000).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtc::interceptor::Registry;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::event::RTCPeerConnectionEvent;
use rtc::peer_connection::message::RTCMessage;
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::peer_connection::state::RTCPeerConnectionState;
use rtc::peer_connection::transport::{CandidateConfig, CandidateHostConfig, RTCIceCandidate};
use rtc::peer_connection::{RTCPeerConnection, RTCPeerConnectionBuilder};
use rtc::rtp_transceiver::RTCRtpSenderId;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use rtc::sansio::Protocol;
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use sportello_sfu::{Engine, ParticipantId, SfuConfig, SfuEvent, codecs};

struct Client {
    pc: RTCPeerConnection,
    addr: SocketAddr,
    id: ParticipantId,
    senders: Vec<(RTCRtpSenderId, u32, u8, RtpCodecKind)>,
    connected: bool,
    rtp_rx: u64,
}

fn client(sfu: &mut Engine, addr: SocketAddr, id: u64, label: &str, publish: bool) -> Client {
    let now = Instant::now();
    let mut me = codecs::client_media_engine().unwrap();
    let registry = register_default_interceptors(Registry::new(), &mut me).unwrap();
    let mut pc = RTCPeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_media_engine(me)
        .with_interceptor_registry(registry)
        .build(now)
        .unwrap();
    let mut senders = Vec::new();
    for (c, kind) in codecs::client_codecs() {
        if publish {
            let ssrc = rand::random::<u32>() | 1;
            let track = MediaStreamTrack::new(
                format!("{label}-s"),
                format!("{label}-{kind}"),
                format!("{label}-{kind}"),
                kind,
                vec![RTCRtpEncodingParameters {
                    rtp_coding_parameters: RTCRtpCodingParameters {
                        ssrc: Some(ssrc),
                        ..Default::default()
                    },
                    codec: c.rtp_codec.clone(),
                    ..Default::default()
                }],
            );
            let sid = pc.add_track(track).unwrap();
            senders.push((sid, ssrc, c.payload_type, kind));
        } else {
            pc.add_transceiver_from_kind(kind, None).unwrap();
        }
    }
    sfu.add_participant(now, "bench", ParticipantId(id), label)
        .unwrap();
    let offer = pc.create_offer(None).unwrap();
    pc.set_local_description(now, offer).unwrap();
    let cand = CandidateHostConfig {
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
    pc.add_local_candidate(RTCIceCandidate::from(&cand).to_json().unwrap())
        .unwrap();
    let sdp = pc.local_description().unwrap().sdp;
    let answer = sfu.offer(now, ParticipantId(id), sdp).unwrap();
    pc.set_remote_description(now, RTCSessionDescription::answer(answer).unwrap())
        .unwrap();
    Client {
        pc,
        addr,
        id: ParticipantId(id),
        senders,
        connected: false,
        rtp_rx: 0,
    }
}

fn rtp(ssrc: u32, pt: u8, seq: u16, ts: u32, payload: &Bytes) -> rtc::rtp::Packet {
    let mut p = rtc::rtp::Packet::default();
    p.header.version = 2;
    p.header.payload_type = pt;
    p.header.sequence_number = seq;
    p.header.timestamp = ts;
    p.header.ssrc = ssrc;
    p.header.marker = true;
    p.payload = payload.clone();
    p
}

/// Moves datagrams between the clients and the engine until nothing moves.
fn pump(sfu: &mut Engine, server: SocketAddr, clients: &mut [&mut Client]) {
    loop {
        let now = Instant::now();
        let mut moved = false;
        for c in clients.iter_mut() {
            while let Some(m) = c.pc.poll_write() {
                sfu.handle_datagram(now, c.addr, m.message);
                moved = true;
            }
            while let Some(e) = c.pc.poll_event() {
                if let RTCPeerConnectionEvent::OnConnectionStateChangeEvent(
                    RTCPeerConnectionState::Connected,
                ) = e
                {
                    c.connected = true;
                }
            }
            while let Some(m) = c.pc.poll_read() {
                if let RTCMessage::RtpPacket(..) = m.message {
                    c.rtp_rx += 1;
                }
            }
        }
        while let Some((id, ev)) = sfu.poll_event() {
            let Some(c) = clients.iter_mut().find(|c| c.id == id) else {
                continue;
            };
            if let SfuEvent::Offer { sdp } = ev {
                c.pc.set_remote_description(now, RTCSessionDescription::offer(sdp).unwrap())
                    .unwrap();
                let a = c.pc.create_answer(None).unwrap();
                c.pc.set_local_description(now, a).unwrap();
                let sdp = c.pc.local_description().unwrap().sdp;
                sfu.answer(now, c.id, sdp).unwrap();
                moved = true;
            }
        }
        while let Some(t) = sfu.poll_transmit() {
            let (to, d) = (t.destination, t.contents);
            if let Some(c) = clients.iter_mut().find(|c| c.addr == to) {
                let _ = c.pc.handle_read(TaggedBytesMut {
                    now,
                    transport: TransportContext {
                        local_addr: c.addr,
                        peer_addr: server,
                        ecn: None,
                        transport_protocol: TransportProtocol::UDP,
                    },
                    message: d,
                });
                moved = true;
            }
        }
        if !moved {
            return;
        }
    }
}

fn timers(sfu: &mut Engine, clients: &mut [&mut Client]) {
    let now = Instant::now();
    for c in clients.iter_mut() {
        if c.pc.poll_timeout().is_some_and(|t| t <= now) {
            let _ = c.pc.handle_timeout(now);
        }
    }
    if sfu.poll_timeout().is_some_and(|t| t <= now) {
        sfu.handle_timeout(now);
    }
}

/// Packets generated and fed per timed batch.
const BATCH: usize = 1000;

fn main() {
    let n: usize = std::env::var("SFU_BENCH_PACKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let server: SocketAddr = "10.0.0.1:3478".parse().unwrap();
    let mut sfu = Engine::new(server, vec![server.ip()], SfuConfig::default(), 1);
    let mut publisher = client(&mut sfu, "10.0.0.2:5000".parse().unwrap(), 1, "pub", true);
    let mut subscriber = client(&mut sfu, "10.0.0.3:5000".parse().unwrap(), 2, "sub", false);

    // Setup: connect both, publish until the subscriber receives media.
    let video_payload = Bytes::from(vec![0x10u8; 1100]);
    let audio_payload = Bytes::from(vec![0xAAu8; 100]);
    // Per-stream sequence numbers and timestamps: index 0 audio, 1 video (a shared counter would
    // make one stream jump by the other's count, beyond what SRTP index estimation tolerates).
    let mut seqs = [1000u16; 2];
    let mut tss = [0u32; 2];
    let idx = |k: RtpCodecKind| usize::from(k == RtpCodecKind::Video);
    let start = Instant::now();
    while subscriber.rtp_rx < 50 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "setup timed out: {:?}",
            sfu.stats()
        );
        if publisher.connected {
            for &(sid, ssrc, pt, kind) in &publisher.senders {
                let payload = if kind == RtpCodecKind::Video {
                    &video_payload
                } else {
                    &audio_payload
                };
                let i = idx(kind);
                if let Some(mut s) = publisher.pc.rtp_sender(sid) {
                    let _ = s.write_rtp(Instant::now(), rtp(ssrc, pt, seqs[i], tss[i], payload));
                }
                seqs[i] = seqs[i].wrapping_add(1);
                tss[i] = tss[i].wrapping_add(3000);
            }
        }
        pump(&mut sfu, server, &mut [&mut publisher, &mut subscriber]);
        timers(&mut sfu, &mut [&mut publisher, &mut subscriber]);
        std::thread::sleep(Duration::from_millis(2));
    }
    println!(
        "setup: connected and forwarding after {:?} ({} packets received by the subscriber)",
        start.elapsed(),
        subscriber.rtp_rx
    );

    for (label, kind, payload) in [
        ("video 1100 B", RtpCodecKind::Video, &video_payload),
        ("audio 100 B", RtpCodecKind::Audio, &audio_payload),
    ] {
        let &(sid, ssrc, pt, _) = publisher.senders.iter().find(|s| s.3 == kind).unwrap();
        let before = sfu.stats();
        let mut elapsed = Duration::ZERO;
        let mut out = 0usize;
        let mut datagrams: Vec<BytesMut> = Vec::with_capacity(BATCH);
        let mut done = 0;
        while done < n {
            // Pre-generate a batch of the publisher's SRTP datagrams (untimed).
            while datagrams.len() < BATCH.min(n - done) {
                let mut s = publisher.pc.rtp_sender(sid).unwrap();
                let i = idx(kind);
                s.write_rtp(Instant::now(), rtp(ssrc, pt, seqs[i], tss[i], payload))
                    .unwrap();
                seqs[i] = seqs[i].wrapping_add(1);
                tss[i] = tss[i].wrapping_add(3000);
                while let Some(m) = publisher.pc.poll_write() {
                    if m.message.len() > 100 && (m.message[1] & 0x7f) == pt {
                        datagrams.push(m.message);
                    }
                }
            }
            done += datagrams.len();
            // Timed: datagram in -> datagram out.
            let t0 = Instant::now();
            for d in datagrams.drain(..) {
                sfu.handle_datagram(Instant::now(), publisher.addr, d);
                while sfu.poll_transmit().is_some() {
                    out += 1;
                }
            }
            elapsed += t0.elapsed();
            // Keep the connections alive (ICE consent, RTCP) between batches (untimed).
            pump(&mut sfu, server, &mut [&mut publisher, &mut subscriber]);
            timers(&mut sfu, &mut [&mut publisher, &mut subscriber]);
        }
        let after = sfu.stats();
        let forwarded = after.packets_forwarded - before.packets_forwarded;
        assert!(
            forwarded as usize >= n * 99 / 100,
            "forwarded {forwarded} of {n}"
        );
        println!(
            "{label}: {n} packets, {forwarded} forwarded, {out} datagrams out, {:.0} ns/packet ({:.0} packets/s on one core)",
            elapsed.as_nanos() as f64 / n as f64,
            n as f64 / elapsed.as_secs_f64()
        );
        // Let the clients catch up (RTCP, NACK state) between runs.
        pump(&mut sfu, server, &mut [&mut publisher, &mut subscriber]);
    }
}
