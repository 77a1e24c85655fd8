//! Server offers, glare and client renegotiation, in virtual time.

use std::time::Duration;

use crate::common::virtual_net::VirtualNet;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use sportello_sfu::{ParticipantId, SfuError};

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn glare_and_pending_offer_rules() {
    let mut net = VirtualNet::new();
    net.join("g", 1, "alice", true);
    assert!(net.run_until(LIMIT, |n| n.engine.stats().published_tracks == 2));
    let carol = net.join("g", 3, "carol", false);
    net.clients[carol].auto_answer = false;
    assert!(net.run_until(LIMIT, |n| !n.client(3).offers.is_empty()));
    let offer = net.client(3).offers.remove(0);
    assert!(
        offer.contains("msid:alice "),
        "msid stream id is the publisher label"
    );

    // While the server offer is pending, a client offer is glare.
    let now = net.now;
    let client_offer = net.client(3).pc.create_offer(None).unwrap().sdp;
    assert!(matches!(
        net.engine.offer(now, ParticipantId(3), client_offer),
        Err(SfuError::Glare)
    ));
    // Garbage answer: clean error, offer still pending.
    assert!(matches!(
        net.engine.answer(now, ParticipantId(3), "nonsense".into()),
        Err(SfuError::BadSdp(_))
    ));
    let answer = net.client(3).answer_offer(now, &offer);
    net.engine
        .answer(now, ParticipantId(3), answer.clone())
        .unwrap();
    // Nothing pending any more.
    assert!(matches!(
        net.engine.answer(now, ParticipantId(3), answer),
        Err(SfuError::NoPendingOffer)
    ));
    assert!(net.run_until(LIMIT, |n| n.client(3).video_rx > 3));
    assert_eq!(net.engine.stats().forwarded_tracks, 2);
}

#[test]
fn client_renegotiation_keeps_and_removes_tracks() {
    let mut net = VirtualNet::new();
    net.join("r", 1, "alice", true);
    net.join("r", 2, "bob", true);
    assert!(net.run_until(LIMIT, |n| n.media_flows(3)));
    let s = net.engine.stats();
    assert_eq!((s.published_tracks, s.forwarded_tracks), (4, 4));

    // Unchanged re-offer: nothing is unpublished.
    let now = net.now;
    let offer = net.client(1).create_offer(now);
    let answer = net.engine.offer(now, ParticipantId(1), offer).unwrap();
    net.client(1).answer_received(now, answer);
    let s = net.engine.stats();
    assert_eq!((s.published_tracks, s.forwarded_tracks), (4, 4), "{s:?}");

    // Alice stops her video: unpublished, bob's leg removed, bob renegotiated by the server.
    let offers_before = net.client(2).offers_answered;
    let video = net
        .client(1)
        .sent
        .iter()
        .position(|s| s.kind == RtpCodecKind::Video)
        .unwrap();
    let sent = net.client(1).sent.remove(video);
    net.client(1).pc.remove_track(sent.sender).unwrap();
    let offer = net.client(1).create_offer(now);
    let answer = net.engine.offer(now, ParticipantId(1), offer).unwrap();
    net.client(1).answer_received(now, answer);
    let s = net.engine.stats();
    assert_eq!((s.published_tracks, s.forwarded_tracks), (3, 3), "{s:?}");
    assert!(net.run_until(LIMIT, |n| n.client(2).offers_answered > offers_before));
    // Audio keeps flowing to bob.
    let audio = net.client(2).audio_rx;
    assert!(net.run_until(LIMIT, |n| n.client(2).audio_rx > audio + 10));
}

#[test]
fn bad_sdp_and_unknown_participants_are_clean_errors() {
    let mut net = VirtualNet::new();
    let now = net.now;
    net.engine
        .add_participant(now, "r", ParticipantId(1), "p1")
        .unwrap();
    for sdp in ["", "garbage", "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\n"] {
        assert!(
            matches!(
                net.engine.offer(now, ParticipantId(1), sdp.to_owned()),
                Err(SfuError::BadSdp(_))
            ),
            "{sdp:?}"
        );
    }
    assert!(matches!(
        net.engine.answer(now, ParticipantId(1), "v=0\r\n".into()),
        Err(SfuError::NoPendingOffer)
    ));
    assert!(matches!(
        net.engine.offer(now, ParticipantId(9), "v=0".into()),
        Err(SfuError::UnknownParticipant)
    ));
    assert!(net.engine.check_participant(ParticipantId(1)).is_ok());
    assert!(matches!(
        net.engine.check_participant(ParticipantId(9)),
        Err(SfuError::UnknownParticipant)
    ));
}
