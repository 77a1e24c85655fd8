//! Join/leave churn: 50 cycles against a staying publisher, every fifth with a real connected,
//! publishing client; afterwards nothing is left. Also the glare / no-pending-offer rules on a
//! live renegotiation.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use crate::common::{Client, STEP, wait_for};
use sportello_sfu::{ParticipantId, Sfu, SfuConfig, SfuError, SfuEvent};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_join_leave_cycles_leave_nothing_behind() {
    tokio::time::timeout(Duration::from_secs(60), churn())
        .await
        .expect("churn timed out (deadlock?)");
}

async fn churn() {
    let sfu = Sfu::start(SfuConfig::default()).await.unwrap();
    let host = Client::join(&sfu, "churn", 1000, "host", true).await;
    assert!(wait_for(STEP, || host.observed.connected.load(Relaxed)).await);

    for i in 0..50u64 {
        let id = 1 + i;
        if i % 5 == 0 {
            let guest = Client::join(&sfu, "churn", id, &format!("guest{i}"), true).await;
            assert!(
                wait_for(STEP, || guest.observed.video_rx.load(Relaxed) > 3
                    && guest.observed.audio_rx.load(Relaxed) > 3)
                .await,
                "cycle {i}: guest receives the host's media; stats {:?}",
                sfu.stats()
            );
            let s = sfu.stats();
            assert_eq!(s.participants, 2);
            guest.close().await;
        } else {
            // Signalling-only participant (joins, never connects).
            let _rx = sfu
                .add_participant("churn", ParticipantId(id), &format!("guest{i}"))
                .await
                .unwrap();
        }
        sfu.remove_participant(ParticipantId(id)).await;
        let s = sfu.stats();
        assert_eq!(s.participants, 1, "cycle {i}: {s:?}");
        assert_eq!(s.forwarded_tracks, 0, "cycle {i}: {s:?}");
        assert_eq!(s.rooms, 1, "cycle {i}: {s:?}");
    }
    // The host kept renegotiating (tracks added and removed) through the churn.
    assert!(host.observed.offers_handled.load(Relaxed) >= 10);

    host.close().await;
    sfu.remove_participant(ParticipantId(1000)).await;
    let s = sfu.stats();
    assert_eq!(s.occupancy(), (0, 0, 0, 0), "{s:?}");
    sfu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn glare_and_pending_offer_rules() {
    tokio::time::timeout(Duration::from_secs(30), glare())
        .await
        .expect("timed out");
}

async fn glare() {
    let sfu = Sfu::start(SfuConfig::default()).await.unwrap();
    let alice = Client::join(&sfu, "g", 1, "alice", true).await;
    assert!(wait_for(STEP, || sfu.stats().published_tracks == 2).await);

    // Carol joins after alice publishes: her first answer is followed by a server offer.
    let mut carol = Client::join_opts(&sfu, "g", 3, "carol", false, false).await;
    let mut events = carol.events.take().unwrap();
    let offer = loop {
        match tokio::time::timeout(STEP, events.recv()).await {
            Ok(Some(SfuEvent::Offer { sdp })) => break sdp,
            Ok(Some(_)) => continue,
            other => panic!("no server offer: {other:?}"),
        }
    };
    assert!(
        offer.contains("msid:alice "),
        "msid stream id is the publisher label"
    );

    // While the server offer is pending, a client offer is glare.
    let client_offer = carol.pc.create_offer(None).await.unwrap().sdp;
    assert!(matches!(
        sfu.offer(carol.id, client_offer).await,
        Err(SfuError::Glare)
    ));
    // Garbage answer: clean error, offer still pending.
    assert!(matches!(
        sfu.answer(carol.id, "nonsense".into()).await,
        Err(SfuError::BadSdp(_))
    ));
    carol.answer_offer(&sfu, offer).await.unwrap();
    // Nothing pending any more.
    let local = carol.pc.local_description().await.unwrap().sdp;
    assert!(matches!(
        sfu.answer(carol.id, local).await,
        Err(SfuError::NoPendingOffer)
    ));
    assert!(
        wait_for(STEP, || carol.observed.video_rx.load(Relaxed) > 3).await,
        "carol receives alice after answering"
    );
    assert_eq!(sfu.stats().forwarded_tracks, 2);

    carol.close().await;
    alice.close().await;
    sfu.shutdown().await;
    let s = sfu.stats();
    assert_eq!(s.occupancy(), (0, 0, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildcard_bind_announces_loopback() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let config = SfuConfig {
            bind: "0.0.0.0:0".parse().unwrap(),
            ..SfuConfig::default()
        };
        let sfu = Sfu::start(config).await.unwrap();
        assert!(sfu.local_addr().ip().is_unspecified());
        let a = Client::join(&sfu, "w", 1, "a", true).await;
        let b = Client::join(&sfu, "w", 2, "b", true).await;
        assert!(
            wait_for(STEP, || a.observed.video_rx.load(Relaxed) > 3
                && b.observed.video_rx.load(Relaxed) > 3)
            .await,
            "{:?}",
            sfu.stats()
        );
        a.close().await;
        b.close().await;
        sfu.shutdown().await;
    })
    .await
    .expect("timed out");
}
