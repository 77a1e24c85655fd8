//! A two-party call over loopback: both participants publish synthetic Opus and VP8 and
//! receive each other's audio and video with little loss; a subscriber's PLI reaches the
//! publisher.

use std::time::Duration;

use sportello::{Config, Server};
use sportello_loadtest::{Participant, ParticipantConfig};
use sportello_signalling::protocol::{MediaKind, Role};

/// Bound of the whole test.
const WHOLE_TEST: Duration = Duration::from_secs(30);
const CONNECT: Duration = Duration::from_secs(10);
const MEDIA: Duration = Duration::from_secs(12);
const PLI: Duration = Duration::from_secs(2);

const MIN_AUDIO_PACKETS: u64 = 50;
const MIN_VIDEO_PACKETS: u64 = 30;
const MAX_LOSS: f64 = 0.01;

/// Whether `me` receives enough of `publisher`'s audio and video, with low loss.
fn receives_enough(me: &Participant, publisher: &str) -> bool {
    let audio = me.remote_stats(publisher, MediaKind::Audio);
    let video = me.remote_stats(publisher, MediaKind::Video);
    matches!((audio, video), (Some(a), Some(v))
        if a.seq.received() > MIN_AUDIO_PACKETS
            && v.seq.received() > MIN_VIDEO_PACKETS
            && v.first_keyframe_at.is_some())
}

fn describe(me: &Participant) -> String {
    let mut tracks: Vec<_> = me
        .all_remote_stats()
        .into_iter()
        .map(|(key, s)| {
            format!(
                "{}/{:?}: {} pkts, lost {}, keyframes {}, latency mean {:?} µs max {} µs",
                key.publisher,
                key.kind,
                s.packets,
                s.lost(),
                s.keyframes,
                s.latency_mean_us(),
                s.latency_max_us
            )
        })
        .collect();
    tracks.sort();
    format!(
        "{} ({}): received [{}], published {:?}, server offers {}, errors {:?}",
        me.id(),
        me.connection_state(),
        tracks.join("; "),
        me.publish_stats(),
        me.server_offers(),
        me.errors()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_participants_exchange_audio_video_and_pli() {
    super::bounded(WHOLE_TEST, "the call test finishes within 30 s", call()).await;
}

async fn call() {
    let server = Server::start(Config::for_tests())
        .await
        .expect("server starts");
    let room = "call-test";
    let a_token = server.token(room, Role::Official, "Anna");
    let b_token = server.token(room, Role::Citizen, "Bruno");

    let a = Participant::join(ParticipantConfig::new(server.ws_url(), a_token))
        .await
        .expect("A joins");
    let b = Participant::join(ParticipantConfig::new(server.ws_url(), b_token))
        .await
        .expect("B joins");
    assert_ne!(a.id(), b.id());
    assert!(
        b.joined().participants.iter().any(|p| p.id == a.id()),
        "B's joined lists A"
    );

    a.wait_connected(CONNECT)
        .await
        .unwrap_or_else(|e| panic!("A connects: {e}; {}", describe(&a)));
    b.wait_connected(CONNECT)
        .await
        .unwrap_or_else(|e| panic!("B connects: {e}; {}", describe(&b)));

    // Each receives the other's audio and video.
    let (a_id, b_id) = (a.id().to_owned(), b.id().to_owned());
    let a_ok = a.wait_until(MEDIA, "A receives B", |me| receives_enough(me, &b_id));
    let b_ok = b.wait_until(MEDIA, "B receives A", |me| receives_enough(me, &a_id));
    let (a_ok, b_ok) = tokio::join!(a_ok, b_ok);
    a_ok.unwrap_or_else(|e| panic!("{e}: {}", describe(&a)));
    b_ok.unwrap_or_else(|e| panic!("{e}: {}", describe(&b)));

    for (me, publisher) in [(&a, &b_id), (&b, &a_id)] {
        for kind in [MediaKind::Audio, MediaKind::Video] {
            let stats = me.remote_stats(publisher, kind).expect("track received");
            assert!(
                stats.loss_fraction() < MAX_LOSS,
                "{kind:?} loss {:.3} too high: {}",
                stats.loss_fraction(),
                describe(me)
            );
        }
    }

    // A asks for a keyframe of B's video; B, as publisher, sees a PLI or FIR.
    let before = b.publish_stats();
    let keyframes_before = a
        .remote_stats(&b_id, MediaKind::Video)
        .map_or(0, |s| s.keyframes);
    a.send_pli(&b_id)
        .await
        .expect("A sends a PLI for B's video");
    b.wait_until(PLI, "B sees the PLI", |me| {
        let now = me.publish_stats();
        now.plis_received + now.firs_received > before.plis_received + before.firs_received
    })
    .await
    .unwrap_or_else(|e| panic!("{e}: {}", describe(&b)));
    // And the keyframe B sends in reply reaches A.
    a.wait_until(PLI, "A receives B's new keyframe", |me| {
        me.remote_stats(&b_id, MediaKind::Video)
            .is_some_and(|s| s.keyframes > keyframes_before)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}: {}", describe(&a)));

    eprintln!("{}\n{}", describe(&a), describe(&b));

    // A leaves politely; B hears of it.
    a.leave().await.expect("A's leave is confirmed");
    b.wait_until(PLI, "B sees A leave", |me| {
        me.participants().iter().all(|p| p.id != a_id)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}: {}", describe(&b)));
    b.leave().await.expect("B's leave is confirmed");
    server.shutdown().await;
}
