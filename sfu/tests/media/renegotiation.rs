//! Client-initiated renegotiation: an unchanged re-offer keeps everything; removing a track
//! unpublishes it and the server renegotiates the subscriber.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use crate::common::{Client, STEP, wait_for};
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use sportello_sfu::{ParticipantId, Sfu, SfuConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_renegotiation_keeps_and_removes_tracks() {
    tokio::time::timeout(Duration::from_secs(30), run())
        .await
        .expect("timed out");
}

async fn run() {
    let sfu = Sfu::start(SfuConfig::default()).await.unwrap();
    let alice = Client::join(&sfu, "r", 1, "alice", true).await;
    let bob = Client::join(&sfu, "r", 2, "bob", true).await;
    assert!(
        wait_for(STEP, || {
            let s = sfu.stats();
            s.published_tracks == 4
                && s.forwarded_tracks == 4
                && bob.observed.video_rx.load(Relaxed) > 3
                && alice.observed.video_rx.load(Relaxed) > 3
        })
        .await,
        "{:?}",
        sfu.stats()
    );
    // Let pending server offers settle before the client offers (else: glare, by design).
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Unchanged re-offer: nothing is unpublished.
    alice.renegotiate(&sfu).await.unwrap();
    let s = sfu.stats();
    assert_eq!((s.published_tracks, s.forwarded_tracks), (4, 4), "{s:?}");

    // Alice stops her video: unpublished, bob's leg removed, bob renegotiated by the server.
    let offers_before = bob.observed.offers_handled.load(Relaxed);
    let (_, video) = alice
        .senders
        .iter()
        .find(|(k, _)| *k == RtpCodecKind::Video)
        .unwrap();
    alice.pc.remove_track(video).await.unwrap();
    alice.renegotiate(&sfu).await.unwrap();
    let s = sfu.stats();
    assert_eq!((s.published_tracks, s.forwarded_tracks), (3, 3), "{s:?}");
    assert!(
        wait_for(STEP, || bob.observed.offers_handled.load(Relaxed)
            > offers_before)
        .await,
        "server renegotiated bob"
    );
    // Audio keeps flowing to bob.
    let audio = bob.observed.audio_rx.load(Relaxed);
    assert!(wait_for(STEP, || bob.observed.audio_rx.load(Relaxed) > audio + 10).await);

    alice.close().await;
    bob.close().await;
    sfu.remove_participant(ParticipantId(1)).await;
    sfu.remove_participant(ParticipantId(2)).await;
    let s = sfu.stats();
    assert_eq!(s.occupancy(), (0, 0, 0, 0));
    sfu.shutdown().await;
}
