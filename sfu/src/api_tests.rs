//! Error paths of the public API (no media; the engine runs on a loopback socket).

use std::time::Duration;

use crate::{ParticipantId, Sfu, SfuConfig, SfuError};

async fn sfu() -> Sfu {
    Sfu::start(SfuConfig::default()).await.expect("start")
}

fn within<F: std::future::Future>(f: F) -> tokio::time::Timeout<F> {
    tokio::time::timeout(Duration::from_secs(10), f)
}

#[tokio::test]
async fn garbage_sdp_is_bad_sdp() {
    within(async {
        let sfu = sfu().await;
        let id = ParticipantId(1);
        let _rx = sfu.add_participant("r", id, "p1").await.unwrap();
        for sdp in [
            "",
            "garbage",
            "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\n",
            "v=1\nm=audio",
        ] {
            assert!(
                matches!(
                    sfu.offer(id, sdp.to_owned()).await,
                    Err(SfuError::BadSdp(_))
                ),
                "{sdp:?}"
            );
        }
        // The participant is still usable afterwards.
        assert!(matches!(
            sfu.answer(id, "garbage".into()).await,
            Err(SfuError::NoPendingOffer)
        ));
        sfu.shutdown().await;
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn answer_without_offer_is_no_pending_offer() {
    within(async {
        let sfu = sfu().await;
        let id = ParticipantId(1);
        let _rx = sfu.add_participant("r", id, "p1").await.unwrap();
        assert!(matches!(
            sfu.answer(id, "v=0\r\n".into()).await,
            Err(SfuError::NoPendingOffer)
        ));
        sfu.shutdown().await;
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn unknown_participant() {
    within(async {
        let sfu = sfu().await;
        let id = ParticipantId(42);
        assert!(matches!(
            sfu.offer(id, "v=0".into()).await,
            Err(SfuError::UnknownParticipant)
        ));
        assert!(matches!(
            sfu.answer(id, "v=0".into()).await,
            Err(SfuError::UnknownParticipant)
        ));
        assert!(matches!(
            sfu.add_ice_candidate(id, "candidate:1 1 udp 1 127.0.0.1 5 typ host".into())
                .await,
            Err(SfuError::UnknownParticipant)
        ));
        sfu.remove_participant(id).await; // idempotent, no error
        sfu.shutdown().await;
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn room_full_at_seventh_and_already_joined() {
    within(async {
        let sfu = sfu().await;
        let mut rxs = Vec::new();
        for i in 1..=6 {
            rxs.push(
                sfu.add_participant("r", ParticipantId(i), &format!("p{i}"))
                    .await
                    .unwrap(),
            );
        }
        assert!(matches!(
            sfu.add_participant("r", ParticipantId(7), "p7").await,
            Err(SfuError::RoomFull)
        ));
        assert!(matches!(
            sfu.add_participant("other", ParticipantId(3), "again")
                .await,
            Err(SfuError::AlreadyJoined)
        ));
        // Another room is independent.
        let _o = sfu
            .add_participant("other", ParticipantId(7), "p7")
            .await
            .unwrap();
        let s = sfu.stats();
        assert_eq!((s.rooms, s.participants), (2, 7));
        // A leaver frees a seat.
        sfu.remove_participant(ParticipantId(1)).await;
        sfu.remove_participant(ParticipantId(1)).await;
        let _r = sfu
            .add_participant("r", ParticipantId(8), "p8")
            .await
            .unwrap();
        for i in 2..=8 {
            sfu.remove_participant(ParticipantId(i)).await;
        }
        let s = sfu.stats();
        assert_eq!(s.occupancy(), (0, 0, 0, 0));
        sfu.shutdown().await;
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn candidates_are_validated() {
    within(async {
        let sfu = sfu().await;
        let id = ParticipantId(1);
        let _rx = sfu.add_participant("r", id, "p1").await.unwrap();
        sfu.add_ice_candidate(
            id,
            "candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host".into(),
        )
        .await
        .unwrap();
        sfu.add_ice_candidate(id, String::new()).await.unwrap();
        assert!(matches!(
            sfu.add_ice_candidate(id, "nonsense".into()).await,
            Err(SfuError::BadCandidate(_))
        ));
        sfu.shutdown().await;
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn closed_after_shutdown() {
    within(async {
        let sfu = sfu().await;
        sfu.shutdown().await;
        assert!(matches!(
            sfu.add_participant("r", ParticipantId(1), "p").await,
            Err(SfuError::Closed)
        ));
        sfu.remove_participant(ParticipantId(1)).await;
        sfu.shutdown().await;
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn unroutable_datagrams_are_dropped_and_counted() {
    within(async {
        let sfu = sfu().await;
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        sock.send_to(&[0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], sfu.local_addr())
            .await
            .unwrap();
        sock.send_to(
            &crate::stun::tests::binding_request("nobody:x"),
            sfu.local_addr(),
        )
        .await
        .unwrap();
        let mut ok = false;
        for _ in 0..100 {
            if sfu.stats().dropped_datagrams >= 2 {
                ok = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(ok, "{:?}", sfu.stats());
        assert_eq!(sfu.stats().packets_in, 2);
        sfu.shutdown().await;
    })
    .await
    .unwrap();
}
