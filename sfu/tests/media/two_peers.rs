//! Two `webrtc` client peers over loopback through the SFU: media both ways, msid = publisher
//! label, and a subscriber PLI reaching the other publisher.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use crate::common::{Client, STEP, wait_for};
use sportello_sfu::{Sfu, SfuConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_peers_exchange_media_and_keyframe_requests() {
    tokio::time::timeout(Duration::from_secs(30), run())
        .await
        .expect("test timed out");
}

async fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let sfu = Sfu::start(SfuConfig::default()).await.unwrap();
    let alice = Client::join(&sfu, "room-1", 1, "alice", true).await;
    let bob = Client::join(&sfu, "room-1", 2, "bob", true).await;

    assert!(
        wait_for(STEP, || alice.observed.connected.load(Relaxed)
            && bob.observed.connected.load(Relaxed))
        .await,
        "both connect"
    );
    let s = sfu.stats();
    assert_eq!((s.rooms, s.participants), (1, 2));

    // Each receives the other's audio and video.
    let got_media = wait_for(STEP, || {
        alice.observed.audio_rx.load(Relaxed) > 20
            && alice.observed.video_rx.load(Relaxed) > 20
            && bob.observed.audio_rx.load(Relaxed) > 20
            && bob.observed.video_rx.load(Relaxed) > 20
    })
    .await;
    let s = sfu.stats();
    assert!(
        got_media,
        "media both ways: alice a={} v={} offers={}, bob a={} v={} offers={}, stats {s:?}",
        alice.observed.audio_rx.load(Relaxed),
        alice.observed.video_rx.load(Relaxed),
        alice.observed.offers_handled.load(Relaxed),
        bob.observed.audio_rx.load(Relaxed),
        bob.observed.video_rx.load(Relaxed),
        bob.observed.offers_handled.load(Relaxed),
    );
    assert_eq!(s.published_tracks, 4);
    assert_eq!(s.forwarded_tracks, 4);
    assert!(s.packets_forwarded > 80);

    // msid stream id = publisher label.
    assert!(
        alice
            .observed
            .remote_streams
            .lock()
            .unwrap()
            .iter()
            .all(|s| s == "bob")
    );
    assert!(
        bob.observed
            .remote_streams
            .lock()
            .unwrap()
            .iter()
            .all(|s| s == "alice")
    );
    assert!(!alice.observed.remote_streams.lock().unwrap().is_empty());

    // Keyframe on subscribe already reached each publisher.
    assert!(
        wait_for(STEP, || alice.observed.plis_rx.load(Relaxed) >= 1
            && bob.observed.plis_rx.load(Relaxed) >= 1)
        .await,
        "keyframe request on new subscriber"
    );

    // Bob (subscriber of alice's video) asks for a keyframe; alice (publisher) gets a PLI.
    tokio::time::sleep(Duration::from_millis(600)).await; // past the throttle interval
    let before = alice.observed.plis_rx.load(Relaxed);
    let plis_before = sfu.stats().plis;
    assert_eq!(bob.send_pli().await, 1, "bob has one remote video track");
    assert!(
        wait_for(STEP, || alice.observed.plis_rx.load(Relaxed) > before).await,
        "subscriber PLI reaches the publisher"
    );
    assert!(sfu.stats().plis > plis_before);

    // A burst of subscriber PLIs is throttled towards the publisher (one per 500 ms per track,
    // plus at most one trailing request).
    tokio::time::sleep(Duration::from_millis(600)).await;
    let before = alice.observed.plis_rx.load(Relaxed);
    for _ in 0..10 {
        bob.send_pli().await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let burst = alice.observed.plis_rx.load(Relaxed) - before;
    assert_eq!(burst, 1, "10 PLIs within 300 ms reach the publisher once");
    assert!(
        wait_for(STEP, || alice.observed.plis_rx.load(Relaxed) - before == 2).await,
        "the held request follows at the end of the interval"
    );

    // A client that goes away without signalling is reported as failed.
    let _ = alice.pc.close().await;
    assert!(
        wait_for(Duration::from_secs(15), || alice
            .observed
            .server_failed
            .load(Relaxed))
        .await,
        "SfuEvent::Failed after the client closed"
    );

    // Leaving renegotiates the other and frees everything.
    alice.close().await;
    sfu.remove_participant(sportello_sfu::ParticipantId(1))
        .await;
    let s = sfu.stats();
    assert_eq!(
        (s.participants, s.published_tracks, s.forwarded_tracks),
        (1, 2, 0)
    );
    bob.close().await;
    sfu.remove_participant(sportello_sfu::ParticipantId(2))
        .await;
    let s = sfu.stats();
    assert_eq!(s.occupancy(), (0, 0, 0, 0));
    sfu.shutdown().await;
}
