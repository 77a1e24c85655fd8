//! Connection tests with a real media plane and in-memory frames: a client that never reads is
//! cut off (backpressure); offers beyond the offer limit are refused with `rate_limited`.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Sink, SinkExt};
use sportello_sfu::{Sfu, SfuConfig};

use super::{InFrame, OutFrame, Signalling};
use crate::config::SignallingConfig;
use crate::protocol::Role;
use crate::rooms::{LocalRooms, Rooms};
use crate::token::{MeetingClaims, TokenKey};

/// A client whose socket accepts the first `n` frames and then never again.
struct StuckSink {
    accepted: usize,
    limit: usize,
}

impl Sink<OutFrame> for StuckSink {
    type Error = ();
    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
        if self.accepted < self.limit {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }
    fn start_send(mut self: Pin<&mut Self>, _: OutFrame) -> Result<(), ()> {
        self.accepted += 1;
        Ok(())
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn a_client_that_never_reads_is_disconnected() {
    let sfu = Sfu::start(SfuConfig::default()).await.unwrap();
    let config = SignallingConfig {
        write_timeout: Duration::from_millis(200),
        outbox_capacity: 16,
        ..SignallingConfig::default()
    };
    let key = TokenKey::generate();
    let rooms: Arc<dyn Rooms> = Arc::new(LocalRooms::new());
    let signalling = Arc::new(Signalling::new(
        config,
        key.clone(),
        sfu.clone(),
        rooms.clone(),
    ));
    let token = |name: &str| key.sign(&MeetingClaims::new("r", Role::Citizen, name, name, 60));
    // The stuck client accepts only its `joined`.
    let (tx, rx) = futures_channel::mpsc::unbounded::<InFrame>();
    let join = serde_json::json!({"type":"join","version":1,"token":token("stuck")});
    tx.unbounded_send(InFrame::Text(join.to_string())).unwrap();
    let stuck = tokio::spawn({
        let s = signalling.clone();
        async move {
            s.serve(
                StuckSink {
                    accepted: 0,
                    limit: 1,
                },
                rx,
            )
            .await
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(rooms.counts(), (1, 1));
    // Others keep joining and muting: messages for the stuck client pile up.
    let mut others = Vec::new();
    for i in 0..3 {
        let (otx, orx) = futures_channel::mpsc::unbounded::<InFrame>();
        let join = serde_json::json!({"type":"join","version":1,"token":token(&format!("o{i}"))});
        otx.unbounded_send(InFrame::Text(join.to_string())).unwrap();
        for _ in 0..5 {
            let mute = serde_json::json!({"type":"track_state","kind":"audio","muted":true});
            otx.unbounded_send(InFrame::Text(mute.to_string())).unwrap();
        }
        let s = signalling.clone();
        let (sink_tx, _sink_rx) = futures_channel::mpsc::unbounded::<OutFrame>();
        others.push((
            otx,
            _sink_rx,
            tokio::spawn(async move { s.serve(sink_tx.sink_map_err(|_| ()), orx).await }),
        ));
    }
    tokio::time::timeout(Duration::from_secs(5), stuck)
        .await
        .expect("the stuck client is cut off")
        .unwrap();
    assert_eq!(rooms.counts(), (1, 3));
    drop(others);
    sfu.shutdown().await;
}

/// Offers beyond the burst are refused with `rate_limited` before they reach the media plane,
/// and the connection goes on (issue 13, item 5: renegotiation storms).
#[tokio::test]
async fn offers_beyond_the_burst_are_rate_limited() {
    let sfu = Sfu::start(SfuConfig::default()).await.unwrap();
    let config = SignallingConfig::default();
    let burst = config.offer_burst as usize;
    let key = TokenKey::generate();
    let rooms: Arc<dyn Rooms> = Arc::new(LocalRooms::new());
    let signalling = Arc::new(Signalling::new(config, key.clone(), sfu.clone(), rooms));
    let token = key.sign(&MeetingClaims::new("r", Role::Citizen, "s", "n", 60));
    let (tx, rx) = futures_channel::mpsc::unbounded::<InFrame>();
    let send = |v: serde_json::Value| tx.unbounded_send(InFrame::Text(v.to_string())).unwrap();
    send(serde_json::json!({"type":"join","version":1,"token":token}));
    for _ in 0..burst + 2 {
        send(serde_json::json!({"type":"offer","sdp":"not sdp"}));
    }
    send(serde_json::json!({"type":"ping","nonce":9}));
    send(serde_json::json!({"type":"leave"}));
    let (sink_tx, sink_rx) = futures_channel::mpsc::unbounded::<OutFrame>();
    tokio::time::timeout(
        Duration::from_secs(10),
        signalling.serve(sink_tx.sink_map_err(|_| ()), rx),
    )
    .await
    .expect("the connection ends after leave");
    let replies: Vec<serde_json::Value> = futures_util::StreamExt::collect::<Vec<_>>(sink_rx)
        .await
        .into_iter()
        .filter_map(|f| match f {
            OutFrame::Text(t) => Some(serde_json::from_str(&t).unwrap()),
            OutFrame::Close => None,
        })
        .collect();
    let codes: Vec<&str> = replies.iter().filter_map(|v| v["code"].as_str()).collect();
    let mut expected = vec!["bad_sdp"; burst];
    expected.extend(["rate_limited", "rate_limited"]);
    assert_eq!(codes, expected, "{replies:?}");
    assert!(
        replies.iter().any(|v| v["type"] == "pong"),
        "still served: {replies:?}"
    );
    sfu.shutdown().await;
}

/// Admits nobody: answers `refusal` after `delay`.
#[derive(Debug)]
struct Gate {
    refusal: crate::admission::Refusal,
    delay: Duration,
}

impl crate::admission::Admission for Gate {
    fn admit<'a>(
        &'a self,
        _claims: &'a MeetingClaims,
        _entry: crate::admission::Entry<'a>,
    ) -> crate::rooms::BoxFuture<'a, Result<(), crate::admission::Refusal>> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            Err(self.refusal)
        })
    }
}

/// The first `error` code a join with a fresh token gets from `signalling`.
async fn join_refusal(signalling: &Signalling, key: &TokenKey) -> String {
    let token = key.sign(&MeetingClaims::new("r", Role::Citizen, "c", "c", 60));
    let (tx, rx) = futures_channel::mpsc::unbounded::<InFrame>();
    let join = serde_json::json!({"type":"join","version":1,"token":token});
    tx.unbounded_send(InFrame::Text(join.to_string())).unwrap();
    let (sink_tx, mut sink_rx) = futures_channel::mpsc::unbounded::<OutFrame>();
    signalling.serve(sink_tx.sink_map_err(|_| ()), rx).await;
    let Some(OutFrame::Text(first)) = futures_util::StreamExt::next(&mut sink_rx).await else {
        panic!("an error frame");
    };
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["type"], "error", "{v}");
    v["code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_admission_check_refuses_with_its_code_and_is_bounded_in_time() {
    use crate::admission::Refusal;
    let sfu = Sfu::start(SfuConfig::default()).await.unwrap();
    let config = SignallingConfig {
        admission_timeout: Duration::from_millis(100),
        ..SignallingConfig::default()
    };
    let key = TokenKey::generate();
    let rooms: Arc<dyn Rooms> = Arc::new(LocalRooms::new());
    let with = |refusal, delay| {
        Signalling::new(config.clone(), key.clone(), sfu.clone(), rooms.clone())
            .with_admission(Arc::new(Gate { refusal, delay }))
    };
    let quick = with(Refusal::NotAdmitted("no"), Duration::ZERO);
    assert_eq!(join_refusal(&quick, &key).await, "not_admitted");
    let ended = with(Refusal::MeetingEnded, Duration::ZERO);
    assert_eq!(join_refusal(&ended, &key).await, "meeting_ended");
    // A check that does not answer in time refuses (it would have admitted nobody anyway).
    let slow = with(Refusal::NotAdmitted("late"), Duration::from_secs(30));
    let started = std::time::Instant::now();
    assert_eq!(join_refusal(&slow, &key).await, "internal");
    eprintln!("slow admission check cut after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(rooms.counts(), (0, 0), "nobody entered");
    sfu.shutdown().await;
}
