//! Keyframe requests in virtual time: on subscribe, relayed from a subscriber, throttled.

use std::time::Duration;

use crate::common::virtual_net::VirtualNet;
use sportello_sfu::forward::PLI_INTERVAL;

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn subscriber_pli_reaches_the_publisher_throttled() {
    let mut net = VirtualNet::new();
    net.join("room", 1, "alice", true);
    net.join("room", 2, "bob", true);
    assert!(net.run_until(LIMIT, |n| n.media_flows(20)));
    // Keyframe on subscribe already reached each publisher.
    assert!(net.run_until(LIMIT, |n| !n.client(1).plis_rx.is_empty()
        && !n.client(2).plis_rx.is_empty()));

    // Bob (subscriber of alice's video) asks for a keyframe; alice gets a PLI at once.
    net.run_for(Duration::from_millis(600)); // past the throttle interval
    let before = net.client(1).plis_rx.len();
    let plis_before = net.engine.stats().plis;
    let sent_at = net.now;
    assert_eq!(
        net.client(2).send_pli(sent_at),
        1,
        "bob has one remote video track"
    );
    assert!(net.run_until(LIMIT, |n| n.client(1).plis_rx.len() > before));
    assert_eq!(
        net.client(1).plis_rx[before],
        sent_at,
        "relayed without delay"
    );
    assert_eq!(net.engine.stats().plis, plis_before + 1);

    // A burst of 10 subscriber PLIs over 200 ms reaches the publisher once, and the held
    // request follows exactly one interval after the first.
    net.run_for(Duration::from_millis(600));
    let before = net.client(1).plis_rx.len();
    for _ in 0..10 {
        let now = net.now;
        net.client(2).send_pli(now);
        net.run_for(Duration::from_millis(20));
    }
    net.run_for(Duration::from_millis(100));
    assert_eq!(
        net.client(1).plis_rx.len() - before,
        1,
        "held by the throttle"
    );
    assert!(net.run_until(LIMIT, |n| n.client(1).plis_rx.len() - before == 2));
    let plis = &net.client(1).plis_rx;
    assert_eq!(plis[before + 1] - plis[before], PLI_INTERVAL);
    // And nothing more after that.
    net.run_for(Duration::from_secs(2));
    assert_eq!(net.client(1).plis_rx.len() - before, 2);
}

#[test]
fn audio_only_keyframe_requests_are_not_relayed() {
    // Carol receives only; a PLI from her reaches alice's video, never her audio.
    let mut net = VirtualNet::new();
    net.join("room", 1, "alice", true);
    net.join("room", 3, "carol", false);
    assert!(net.run_until(LIMIT, |n| n.client(3).video_rx > 5
        && n.client(3).audio_rx > 5));
    let plis = net.engine.stats().plis;
    net.run_for(Duration::from_millis(600));
    let now = net.now;
    assert_eq!(net.client(3).send_pli(now), 1, "one video track among two");
    net.run_for(Duration::from_millis(100));
    assert_eq!(net.engine.stats().plis, plis + 1);
}
