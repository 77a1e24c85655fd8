//! Limits on what one participant's offers may ask of the engine (issue 13, item 5): m-lines it
//! sends on, media sections it adds over its lifetime, and unique mids. In virtual time.

use std::time::{Duration, Instant};

use crate::common::virtual_net::{VirtualNet, local_track};
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use sportello_sfu::{ParticipantId, SfuConfig, SfuError, codecs};

const LIMIT: Duration = Duration::from_secs(10);

/// The media sections of `sdp` (each from its `m=` line to the next), and the session part.
fn split_sections(sdp: &str) -> (String, Vec<String>) {
    let mut session = String::new();
    let mut sections: Vec<String> = Vec::new();
    for line in sdp.split_inclusive("\r\n") {
        if line.starts_with("m=") {
            sections.push(String::new());
        }
        match sections.last_mut() {
            Some(s) => s.push_str(line),
            None => session.push_str(line),
        }
    }
    (session, sections)
}

/// `sdp` with `n` copies of its last media section appended, each under a new mid
/// `{tag}{i}` (also added to the BUNDLE group), as the abusive client of the review did.
pub fn with_extra_sections(sdp: &str, n: usize, tag: &str) -> String {
    let (session, sections) = split_sections(sdp);
    let template = sections.last().expect("a media section").clone();
    let old_mid = template
        .lines()
        .find_map(|l| l.strip_prefix("a=mid:"))
        .expect("a mid")
        .to_owned();
    let mids: Vec<String> = (0..n).map(|i| format!("{tag}{i}")).collect();
    let session = session.replace(
        "a=group:BUNDLE",
        &format!("a=group:BUNDLE {}", mids.join(" ")),
    );
    let mut out = session;
    for s in &sections {
        out.push_str(s);
    }
    for mid in &mids {
        let copy = template
            .replace(&format!("a=mid:{old_mid}\r\n"), &format!("a=mid:{mid}\r\n"))
            .replace("a=sendrecv", "a=recvonly")
            .replace("a=sendonly", "a=recvonly");
        // Drop the source lines: a receive-only section announces no SSRC.
        let copy: String = copy
            .split_inclusive("\r\n")
            .filter(|l| !l.starts_with("a=ssrc") && !l.starts_with("a=msid"))
            .collect();
        out.push_str(&copy);
    }
    out
}

/// A publishing client's first offer (audio and video), made on a scratch network.
pub fn fresh_offer() -> String {
    let mut scratch = VirtualNet::new();
    scratch.join("scratch", 9, "x", true);
    let now = scratch.now;
    scratch.client(9).create_offer(now)
}

fn refused_too_many(r: Result<String, SfuError>) -> bool {
    matches!(r, Err(SfuError::TooManyTracks { .. }))
}

#[test]
fn duplicate_mids_are_refused() {
    let mut net = VirtualNet::new();
    let now = net.now;
    net.engine
        .add_participant(now, "d", ParticipantId(1), "p1")
        .unwrap();
    // A valid first offer whose two sections share one mid.
    let offer = fresh_offer();
    let (session, sections) = split_sections(&offer);
    let mid0 = sections[0]
        .lines()
        .find_map(|l| l.strip_prefix("a=mid:"))
        .unwrap()
        .to_owned();
    let mid1 = sections[1]
        .lines()
        .find_map(|l| l.strip_prefix("a=mid:"))
        .unwrap()
        .to_owned();
    let dup = format!(
        "{}{}{}",
        session,
        sections[0],
        sections[1].replace(&format!("a=mid:{mid1}\r\n"), &format!("a=mid:{mid0}\r\n"))
    );
    let r = net.engine.offer(now, ParticipantId(1), dup);
    assert!(matches!(r, Err(SfuError::DuplicateMid)), "{r:?}");
    // The participant is untouched: a proper offer still works.
    net.leave(1);
    net.join("d", 1, "p1", true);
    assert!(net.run_until(LIMIT, |n| n.media_flows(1)));
}

#[test]
fn more_sending_sections_than_the_cap_are_refused() {
    let mut net = VirtualNet::new();
    net.join("s", 1, "alice", true);
    assert!(net.run_until(LIMIT, |n| n.engine.stats().published_tracks == 2));
    let cap = SfuConfig::default().max_sending_sections;
    assert!(cap >= 3, "audio, camera and a screen share fit");
    // Alice adds video tracks until she sends on cap + 1 sections.
    let now = net.now;
    for i in 0..cap - 1 {
        let (codec, _) = codecs::client_codecs()[1].clone();
        let track = local_track(
            "alice-extra".into(),
            &format!("extra{i}"),
            RtpCodecKind::Video,
            0x00AB_0000 + i as u32,
            codec.rtp_codec,
        );
        net.client(1).pc.add_track(track).unwrap();
    }
    let offer = net.client(1).create_offer(now);
    assert!(refused_too_many(net.engine.offer(
        now,
        ParticipantId(1),
        offer
    )));
    // Her call goes on: the published tracks are unchanged.
    assert_eq!(net.engine.stats().published_tracks, 2);
}

#[test]
fn media_sections_added_by_a_client_are_capped() {
    let mut net = VirtualNet::new();
    net.join("m", 1, "alice", true);
    net.join("m", 2, "bob", true);
    assert!(net.run_until(LIMIT, |n| n.media_flows(3)));
    let cap = SfuConfig::default().max_client_sections;
    // A client re-offering with 4 new receive-only sections each time, as the abusive client
    // did (with new mids every time), is refused once its sections would exceed the cap.
    let mut accepted = 0;
    let mut refused = 0;
    for round in 0..cap {
        let now = net.now;
        let offer = net.client(2).create_offer(now);
        let bloated = with_extra_sections(&offer, 4, &format!("x{round}-"));
        let started = Instant::now();
        match net.engine.offer(now, ParticipantId(2), bloated) {
            Ok(_) => accepted += 1,
            Err(SfuError::TooManyTracks { .. }) => refused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "offer took {took:?}");
    }
    println!("capped offers: accepted {accepted}, refused {refused} (cap {cap})");
    assert!(refused > 0, "the cap is enforced");
    assert!(accepted >= 1 && accepted * 4 + 2 <= cap, "{accepted}");
    // An oversized first offer is refused the same way.
    let offer = fresh_offer();
    let now = net.now;
    net.engine
        .add_participant(now, "m", ParticipantId(3), "carol")
        .unwrap();
    let huge = with_extra_sections(&offer, cap, "h");
    assert!(refused_too_many(net.engine.offer(
        now,
        ParticipantId(3),
        huge
    )));
    net.engine.remove_participant(now, ParticipantId(3));
    // Alice's media never stopped.
    let audio = net.client(1).audio_rx;
    assert!(net.run_until(LIMIT, |n| n.client(1).audio_rx > audio + 10));
}
