//! Join, publish, subscribe and leave, in virtual time.

use std::time::Duration;

use crate::common::virtual_net::VirtualNet;
use sportello_sfu::{ParticipantId, SfuError};

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn two_publishers_exchange_media() {
    let mut net = VirtualNet::new();
    let start = net.now;
    net.join("room", 1, "alice", true);
    net.join("room", 2, "bob", true);
    assert!(
        net.run_until(LIMIT, |n| n.media_flows(20)),
        "media both ways: {:?}",
        net.engine.stats()
    );
    // Connected and forwarding within a second of call time.
    assert!(
        net.since(start) < Duration::from_secs(1),
        "{:?}",
        net.since(start)
    );
    let s = net.engine.stats();
    assert_eq!((s.rooms, s.participants), (1, 2));
    assert_eq!((s.published_tracks, s.forwarded_tracks), (4, 4));
    assert!(s.packets_forwarded >= 80, "{s:?}");
    // Every client saw Connected, and the msid stream id is the publisher's label.
    let streams = net.remote_streams();
    assert!(streams["alice"].iter().all(|s| s == "bob") && !streams["alice"].is_empty());
    assert!(streams["bob"].iter().all(|s| s == "alice") && !streams["bob"].is_empty());
    for c in &net.clients {
        assert!(
            c.events
                .iter()
                .any(|e| matches!(e, sportello_sfu::SfuEvent::Connected)),
            "{}",
            c.label
        );
    }
}

#[test]
fn subscriber_joining_later_gets_the_published_tracks() {
    let mut net = VirtualNet::new();
    net.join("room", 1, "alice", true);
    assert!(net.run_until(LIMIT, |n| n.engine.stats().published_tracks == 2));
    net.join("room", 3, "carol", false);
    assert!(
        net.run_until(LIMIT, |n| {
            let carol = n.client(3);
            carol.audio_rx > 10 && carol.video_rx > 10
        }),
        "{:?}",
        net.engine.stats()
    );
    let carol = net.client(3);
    assert_eq!(
        carol.offers_answered, 1,
        "one server offer carried both legs"
    );
    assert!(carol.last_offer().unwrap().contains("msid:alice "));
    assert_eq!(net.engine.stats().forwarded_tracks, 2);
    // Keyframe on subscribe: alice was asked for one.
    assert!(!net.client(1).plis_rx.is_empty());
}

#[test]
fn leaving_renegotiates_the_others_and_frees_everything() {
    let mut net = VirtualNet::new();
    net.join("room", 1, "alice", true);
    net.join("room", 2, "bob", true);
    assert!(net.run_until(LIMIT, |n| n.media_flows(5)));
    let offers = net.client(2).offers_answered;
    let bob_addr = net.client(2).addr;

    net.leave(1);
    let s = net.engine.stats();
    assert_eq!(
        (
            s.rooms,
            s.participants,
            s.published_tracks,
            s.forwarded_tracks
        ),
        (1, 1, 2, 0)
    );
    assert!(net.run_until(LIMIT, |n| n.client(2).offers_answered > offers));

    // Datagrams from a removed participant's address are dropped.
    net.leave(2);
    assert_eq!(net.engine.stats().occupancy(), (0, 0, 0, 0));
    let dropped = net.engine.stats().dropped_datagrams;
    net.engine.handle_datagram(
        net.now,
        bob_addr,
        bytes::BytesMut::from(&[0x80u8, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1][..]),
    );
    assert_eq!(net.engine.stats().dropped_datagrams, dropped + 1);
    // Leaving twice is harmless.
    net.engine.remove_participant(net.now, ParticipantId(2));
    assert_eq!(net.engine.poll_timeout(), None, "nothing left to time");
}

#[test]
fn room_capacity_and_duplicate_ids() {
    let mut net = VirtualNet::new();
    for i in 1..=6 {
        net.join("room", i, &format!("p{i}"), false);
    }
    assert!(matches!(
        net.try_join("room", 7, "p7", false),
        Err(SfuError::RoomFull)
    ));
    assert!(matches!(
        net.try_join("other", 3, "again", false),
        Err(SfuError::AlreadyJoined)
    ));
    net.join("other", 7, "p7", false);
    assert_eq!(
        (net.engine.stats().rooms, net.engine.stats().participants),
        (2, 7)
    );
}
