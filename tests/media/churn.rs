//! Churn: 50 join/leave cycles with real WebRTC peers through the whole server. Afterwards no
//! participant, track, room or task is left, and the participant who stayed still gets media.

use std::time::Duration;

use sportello::{Config, Server};
use sportello_loadtest::{Participant, ParticipantConfig};
use sportello_signalling::protocol::{MediaKind, Role};

use crate::support::internals::room_counts;

const CYCLES: usize = 50;
const CONNECT: Duration = Duration::from_secs(10);

async fn join(server: &Server, name: &str) -> Participant {
    let token = server.token("churn", Role::Citizen, name);
    let p = Participant::join(ParticipantConfig::new(server.ws_url(), token))
        .await
        .expect("joins");
    p.wait_connected(CONNECT).await.expect("media connects");
    p
}

async fn settle<F: Fn() -> bool>(what: &str, timeout: Duration, ok: F) {
    let settled = crate::support::eventually(timeout, || std::future::ready(ok())).await;
    assert!(settled, "timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_join_leave_cycles_leave_nothing_behind() {
    let whole = tokio::time::timeout(Duration::from_secs(120), async {
        let server = Server::start(Config::for_tests()).await.unwrap();
        let metrics = tokio::runtime::Handle::current().metrics();
        let baseline_tasks = metrics.num_alive_tasks();

        let stayer = join(&server, "Stayer").await;
        for cycle in 0..CYCLES {
            let visitor = join(&server, &format!("Visitor {cycle}")).await;
            if cycle % 10 == 0 {
                // Media really flows both ways in this cycle.
                let id = visitor.id().to_owned();
                stayer
                    .wait_until(CONNECT, "visitor media", |p| {
                        p.remote_stats(&id, MediaKind::Video)
                            .is_some_and(|s| s.seq.received() > 10)
                    })
                    .await
                    .unwrap();
            }
            visitor.leave().await.expect("leaves cleanly");
        }
        // The stayer is alone again and still connected.
        settle("the room to shrink to one", Duration::from_secs(5), || {
            room_counts(server.signalling()) == (1, 1)
        })
        .await;
        let stats = server.signalling().sfu().stats();
        assert_eq!((stats.rooms, stats.participants), (1, 1), "{stats:?}");
        assert_eq!(stats.forwarded_tracks, 0, "{stats:?}");
        stayer.leave().await.unwrap();

        let signalling = server.signalling().clone();
        settle(
            "every room and participant to go",
            Duration::from_secs(5),
            || {
                let s = signalling.sfu().stats();
                room_counts(&signalling) == (0, 0) && s.occupancy() == (0, 0, 0, 0)
            },
        )
        .await;
        server.shutdown().await;
        // Every task the server and the clients started is gone (a few may still be ending).
        settle("tasks to end", Duration::from_secs(10), || {
            metrics.num_alive_tasks() <= baseline_tasks
        })
        .await;
    });
    whole.await.expect("churn finishes within two minutes");
}
