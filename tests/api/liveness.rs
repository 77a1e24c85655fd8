//! Dead peers, slow readers and shutdown: connections end cleanly with an error code and
//! leave nothing behind.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::json;
use sportello::{Config, Server};
use sportello_signalling::protocol::Role;
use tokio_tungstenite::tungstenite::Message;

use crate::support::internals::room_counts;
use crate::support::ws;

/// How long a read waits before it counts as "nothing more".
const STEP: Duration = Duration::from_secs(5);

#[tokio::test]
async fn silent_client_is_dropped_and_the_room_is_told() {
    let mut config = Config::for_tests();
    config.signalling.ping_interval = Duration::from_millis(100);
    config.signalling.pong_timeout = Duration::from_millis(400);
    let server = Server::start(config).await.unwrap();

    let mut alive = ws::connect(&server).await;
    let token = server.token("r", Role::Official, "Official");
    alive
        .send(Message::text(
            json!({"type":"join","version":1,"token":token}).to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(
        ws::next_any(&mut alive, STEP).await.unwrap()["type"],
        "joined"
    );

    let mut silent = ws::connect(&server).await;
    let token = server.token("r", Role::Citizen, "Citizen");
    silent
        .send(Message::text(
            json!({"type":"join","version":1,"token":token}).to_string(),
        ))
        .await
        .unwrap();
    let silent_id = ws::next_any(&mut silent, STEP).await.unwrap()["participant_id"].clone();

    // The live client answers every ping; the silent one never sends anything again.
    let mut left = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < deadline {
        let Some(v) = ws::next_any(&mut alive, STEP).await else {
            break;
        };
        match v["type"].as_str() {
            Some("ping") => alive
                .send(Message::text(
                    json!({"type":"pong","nonce":v["nonce"]}).to_string(),
                ))
                .await
                .unwrap(),
            Some("participant_left") => {
                left = Some(v);
                break;
            }
            _ => {}
        }
    }
    let left = left.expect("the room is told the silent client left");
    assert_eq!(left["participant_id"], silent_id);
    assert_eq!(left["reason"], "connection_lost");
    // The silent client got its reason before the close.
    let mut codes = Vec::new();
    while let Some(v) = ws::next_any(&mut silent, STEP).await {
        if v["type"] == "error" {
            codes.push(v["code"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(codes, ["ping_timeout"]);
    assert_eq!(room_counts(server.signalling()), (1, 1));
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_tells_clients_and_frees_everything() {
    let server = Server::start(Config::for_tests()).await.unwrap();
    let mut clients = Vec::new();
    for i in 0..3 {
        let mut ws = ws::connect(&server).await;
        let token = server.token(&format!("room-{}", i % 2), Role::Citizen, "C");
        ws.send(Message::text(
            json!({"type":"join","version":1,"token":token}).to_string(),
        ))
        .await
        .unwrap();
        assert_eq!(ws::next_any(&mut ws, STEP).await.unwrap()["type"], "joined");
        clients.push(ws);
    }
    assert_eq!(room_counts(server.signalling()), (2, 3));
    let signalling = server.signalling().clone();
    let stopping = tokio::spawn(server.shutdown());
    for ws in &mut clients {
        let mut saw = false;
        while let Some(v) = ws::next_any(ws, STEP).await {
            if v["type"] == "error" && v["code"] == "shutting_down" {
                saw = true;
            }
        }
        assert!(saw, "each client is told the server is shutting down");
    }
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("shutdown finishes")
        .unwrap();
    assert_eq!(room_counts(&signalling), (0, 0));
    let stats = signalling.sfu().stats();
    assert_eq!((stats.rooms, stats.participants), (0, 0), "{stats:?}");
}
