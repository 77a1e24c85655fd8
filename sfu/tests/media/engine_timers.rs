//! Timers and determinism in virtual time: ICE consent timeouts, seeded randomness.

use std::time::Duration;

use crate::common::virtual_net::{SEED, VirtualNet};
use sportello_sfu::{Engine, SfuConfig, SfuEvent};

#[test]
fn a_client_that_goes_silent_is_reported_failed() {
    let mut net = VirtualNet::new();
    net.join("room", 1, "alice", true);
    net.join("room", 2, "bob", true);
    assert!(net.run_until(Duration::from_secs(10), |n| n.media_flows(5)));
    net.link_down(1, true);
    let cut = net.now;
    let failed = |n: &mut VirtualNet, id| {
        n.client(id)
            .events
            .iter()
            .any(|e| matches!(e, SfuEvent::Failed))
    };
    assert!(net.run_until(Duration::from_secs(15), |n| failed(n, 1)));
    let after = net.since(cut);
    // ICE: disconnected after 4 s without checks, failed after 8 s (keepalives every 2 s).
    assert!(
        after >= Duration::from_secs(4) && after <= Duration::from_secs(12),
        "{after:?}"
    );
    assert!(!failed(&mut net, 2), "bob is unaffected");
    // The failed participant stays until removed.
    assert_eq!(net.engine.stats().participants, 2);
    net.leave(1);
    assert_eq!(net.engine.stats().participants, 1);
}

#[test]
fn an_idle_engine_has_no_timer() {
    let mut engine = Engine::new(
        "10.0.0.1:3478".parse().unwrap(),
        Vec::new(),
        SfuConfig::default(),
        SEED,
    );
    assert_eq!(engine.poll_timeout(), None);
    assert!(engine.poll_transmit().is_none());
    assert!(engine.poll_event().is_none());
}

#[test]
fn the_same_seed_makes_the_same_choices() {
    let run = |seed| {
        let mut net = VirtualNet::with_config(SfuConfig::default(), seed);
        net.join("room", 1, "alice", true);
        net.join("room", 2, "bob", false);
        assert!(net.run_until(Duration::from_secs(10), |n| n.client(2).video_rx > 3));
        let remote = net.client(2).pc.remote_description().unwrap().sdp.clone();
        let lines = |prefix: &str| -> Vec<String> {
            remote
                .lines()
                .filter(|l| l.starts_with(prefix))
                .map(str::to_owned)
                .collect()
        };
        (lines("a=ice-ufrag:"), lines("a=ssrc:"))
    };
    let (ufrags, ssrcs) = run(SEED);
    assert!(!ufrags.is_empty() && !ssrcs.is_empty());
    assert_eq!(run(SEED), (ufrags.clone(), ssrcs.clone()), "same seed");
    let (other_ufrags, other_ssrcs) = run(SEED + 1);
    assert_ne!(other_ufrags, ufrags, "another seed");
    assert_ne!(other_ssrcs, ssrcs);
}
