//! SFU forwarding path, in memory: publisher datagram in → subscriber datagram out.
//!
//! A publisher and a receive-only subscriber (sans-IO `rtc` clients, full ICE, DTLS, SRTP) are
//! connected to the sans-IO engine (`sportello_sfu::Engine`, run without its driver) through the
//! tests' [`VirtualNet`] fixture, in virtual time: setup takes no wall-clock waiting. The
//! publisher's SRTP datagrams are then generated in batches (untimed), and the timed loop feeds
//! them to the engine one by one: demux → `handle_read` (SRTP decrypt, interceptors) →
//! `poll_read` → rewrite → `write_rtp` on the subscriber leg (interceptors, SRTP encrypt) →
//! `poll_transmit`. Printed: ns per forwarded packet.
//!
//! Run: `cargo bench -p sportello-sfu --bench forwarding` (env `SFU_BENCH_PACKETS`, default 20000).

#[allow(dead_code)]
#[path = "../tests/media/common/virtual_net.rs"]
mod virtual_net;

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use rtc::sansio::Protocol;
use virtual_net::VirtualNet;

/// Packets generated and fed per timed batch.
const BATCH: usize = 1000;

fn main() {
    let n: usize = std::env::var("SFU_BENCH_PACKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let mut net = VirtualNet::new();
    let publisher = net.join("bench", 1, "pub", true);
    let subscriber = net.join("bench", 2, "sub", false);

    // Setup: connect both, publish until the subscriber receives media (virtual time).
    let start = net.now;
    assert!(
        net.run_until(Duration::from_secs(20), |n| {
            let sub = &n.clients[subscriber];
            sub.audio_rx + sub.video_rx >= 50
        }),
        "setup timed out: {:?}",
        net.engine.stats()
    );
    println!(
        "setup: connected and forwarding after {:?} of virtual time",
        net.since(start)
    );
    // From here on the bench writes the publisher's media itself.
    net.clients[publisher].sending = false;

    let video_payload = Bytes::from(vec![0x10u8; 1100]);
    let audio_payload = Bytes::from(vec![0xAAu8; 100]);
    for (label, kind, payload) in [
        ("video 1100 B", RtpCodecKind::Video, &video_payload),
        ("audio 100 B", RtpCodecKind::Audio, &audio_payload),
    ] {
        let index = net.clients[publisher]
            .sent
            .iter()
            .position(|s| s.kind == kind)
            .unwrap();
        let (pt, from) = {
            let p = &net.clients[publisher];
            (p.sent[index].payload_type, p.addr)
        };
        let before = net.engine.stats();
        let mut elapsed = Duration::ZERO;
        let mut out = 0usize;
        let mut datagrams: Vec<BytesMut> = Vec::with_capacity(BATCH);
        let mut done = 0;
        while done < n {
            // Pre-generate a batch of the publisher's SRTP datagrams (untimed).
            let now = net.now;
            let p = &mut net.clients[publisher];
            while datagrams.len() < BATCH.min(n - done) {
                p.send_rtp(now, index, payload);
                while let Some(m) = p.pc.poll_write() {
                    if m.message.len() > 100 && (m.message[1] & 0x7f) == pt {
                        datagrams.push(m.message);
                    }
                }
            }
            done += datagrams.len();
            // Timed: datagram in -> datagram out.
            let t0 = Instant::now();
            for d in datagrams.drain(..) {
                net.engine.handle_datagram(now, from, d);
                while net.engine.poll_transmit().is_some() {
                    out += 1;
                }
            }
            elapsed += t0.elapsed();
            // Keep the connections alive (ICE consent, RTCP) between batches (untimed).
            net.progress();
        }
        let after = net.engine.stats();
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
        net.exchange();
    }
}
