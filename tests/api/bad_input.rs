//! Bad input on the signalling WebSocket and the HTTP API: every case gets its error code,
//! the server never panics, and the connections of other rooms go on.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::{Value, json};
use sportello::{Config, Server};
use sportello_signalling::protocol::Role;
use sportello_signalling::token::{MeetingClaims, TokenKey, unix_now};
use tokio_tungstenite::tungstenite::Message;

use crate::support::Client;
use crate::support::internals::room_counts;
use crate::support::ws::{self, Ws};

const STEP: Duration = Duration::from_secs(5);

async fn start() -> Server {
    let mut config = Config::for_tests();
    config.signalling.join_timeout = Duration::from_millis(300);
    config.signalling.rate_burst = 20;
    config.signalling.rate_per_second = 5;
    Server::start(config).await.expect("server starts")
}

/// Next JSON message, skipping server pings.
async fn recv(ws: &mut Ws) -> Option<Value> {
    ws::next_unanswered(ws, STEP).await
}

async fn expect_error(ws: &mut Ws, code: &str) {
    let v = recv(ws).await.expect("an error message");
    assert_eq!(v["type"], "error", "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
}

async fn expect_closed(ws: &mut Ws) {
    assert!(recv(ws).await.is_none(), "connection should be closed");
}

async fn join(server: &Server, room: &str) -> (Ws, Value) {
    let mut ws = ws::connect(server).await;
    let token = server.token(room, Role::Citizen, "Test");
    ws::send(
        &mut ws,
        json!({"type": "join", "version": 1, "token": token}),
    )
    .await;
    let joined = recv(&mut ws).await.expect("joined");
    assert_eq!(joined["type"], "joined", "{joined}");
    (ws, joined)
}

async fn refused_before_join(server: &Server, frame: Message, code: &str) {
    let mut ws = ws::connect(server).await;
    ws.send(frame).await.unwrap();
    expect_error(&mut ws, code).await;
    expect_closed(&mut ws).await;
}

#[tokio::test]
async fn refusals_before_join() {
    let server = start().await;
    let key_other = TokenKey::generate();
    let now = unix_now();
    let claims = |exp| MeetingClaims {
        room: "r".into(),
        role: Role::Citizen,
        sub: "s".into(),
        name: "n".into(),
        iat: now - 100,
        exp,
        jti: sportello_signalling::token::new_jti(),
        session: None,
    };
    let cases: Vec<(Message, &str)> = vec![
        (Message::text("{not json"), "bad_json"),
        (Message::text(r#"{"type":"teleport"}"#), "unknown_type"),
        (
            Message::text(r#"{"type":"offer","sdp":"v=0"}"#),
            "not_joined",
        ),
        (
            Message::text(r#"{"type":"join","version":1}"#),
            "bad_message",
        ),
        (
            Message::text(r#"{"type":"join","version":1,"token":""}"#),
            "token_missing",
        ),
        (
            Message::text(r#"{"type":"join","version":1,"token":"v1.garbage.sig"}"#),
            "token_invalid",
        ),
        (
            Message::text(
                json!({"type":"join","version":1,"token": key_other.sign(&claims(now + 60))})
                    .to_string(),
            ),
            "token_invalid",
        ),
        (
            Message::text(json!({"type":"join","version":7,"token":"x"}).to_string()),
            "unsupported_version",
        ),
        (Message::binary(vec![1u8, 2, 3]), "binary_not_supported"),
        (Message::text("x".repeat(70 * 1024)), "message_too_large"),
    ];
    for (frame, code) in cases {
        refused_before_join(&server, frame, code).await;
    }
    // Expired: signed by the server's own key, but in the past.
    let expired = server.signalling().token_key().sign(&claims(now - 1));
    refused_before_join(
        &server,
        Message::text(json!({"type":"join","version":1,"token": expired}).to_string()),
        "token_expired",
    )
    .await;
    // No message at all within the join timeout.
    let mut ws = ws::connect(&server).await;
    expect_error(&mut ws, "join_timeout").await;
    expect_closed(&mut ws).await;
    server.shutdown().await;
}

#[tokio::test]
async fn refusals_after_join_keep_the_connection() {
    let server = start().await;
    let (mut other_a, _) = join(&server, "other-room").await;
    let (mut other_b, _) = join(&server, "other-room").await;
    assert_eq!(
        recv(&mut other_a).await.unwrap()["type"],
        "participant_joined"
    );

    let (mut ws, joined) = join(&server, "bad-room").await;
    assert_eq!(joined["version"], 1);
    assert_eq!(joined["participants"], json!([]));
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"type": "offer", "sdp": "this is not SDP"}),
            "bad_sdp",
        ),
        (
            json!({"type": "answer", "sdp": "v=0\r\n"}),
            "no_pending_offer",
        ),
        (
            json!({"type": "join", "version": 1, "token": "x"}),
            "already_joined",
        ),
        (json!({"type": "warp"}), "unknown_type"),
        (
            json!({"type": "track_state", "kind": "smell", "muted": true}),
            "bad_message",
        ),
        (
            json!({"type": "candidate", "candidate": {"candidate": "garbage"}}),
            "bad_candidate",
        ),
    ];
    for (msg, code) in cases {
        ws::send(&mut ws, msg).await;
        expect_error(&mut ws, code).await;
    }
    ws.send(Message::text("[[[")).await.unwrap();
    expect_error(&mut ws, "bad_json").await;
    ws.send(Message::binary(vec![0u8; 10])).await.unwrap();
    expect_error(&mut ws, "binary_not_supported").await;
    // Still alive.
    ws::send(&mut ws, json!({"type": "ping", "nonce": 42})).await;
    assert_eq!(
        recv(&mut ws).await.unwrap(),
        json!({"type": "pong", "nonce": 42})
    );

    // Flooding is limited, not fatal.
    for i in 0..40 {
        ws::send(&mut ws, json!({"type": "ping", "nonce": i})).await;
    }
    let mut limited = false;
    for _ in 0..40 {
        let v = recv(&mut ws).await.unwrap();
        if v["code"] == "rate_limited" {
            limited = true;
            break;
        }
    }
    assert!(limited, "a flood of messages is rate limited");

    // An oversized frame after join: error, then the connection closes.
    ws.send(Message::text("y".repeat(65 * 1024))).await.unwrap();
    let mut saw = false;
    while let Some(v) = recv(&mut ws).await {
        if v["code"] == "message_too_large" {
            saw = true;
        }
    }
    assert!(saw, "oversized frame gets message_too_large");

    // The other room never noticed.
    ws::send(
        &mut other_b,
        json!({"type": "track_state", "kind": "audio", "muted": true}),
    )
    .await;
    let v = recv(&mut other_a).await.unwrap();
    assert_eq!(v["type"], "track_state", "{v}");
    ws::send(&mut other_a, json!({"type": "leave"})).await;
    assert_eq!(recv(&mut other_a).await.unwrap()["type"], "left");
    let v = recv(&mut other_b).await.unwrap();
    assert_eq!(v["type"], "participant_left", "{v}");
    assert_eq!(v["reason"], "left");
    server.shutdown().await;
}

/// An SDP offer with one `sendrecv` audio section per mid in `mids`.
fn offer_with_sections(mids: &[&str]) -> String {
    let mut sdp = String::from("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
    for mid in mids {
        sdp.push_str(&format!(
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:{mid}\r\n\
             a=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n"
        ));
    }
    sdp
}

/// Offers over the limits get their codes over a real WebSocket, with fixed texts, and the
/// offers beyond the burst are rate limited (issue 13, items 5 and 8).
#[tokio::test]
async fn offer_limits_over_the_websocket() {
    let server = start().await;
    let (mut ws, _) = join(&server, "offers").await;
    let cases = [
        (
            offer_with_sections(&["a", "b", "c", "d", "e"]),
            "too_many_tracks",
        ),
        (offer_with_sections(&["a", "a"]), "bad_sdp"),
        ("v=0 ZQXJ".repeat(200), "bad_sdp"),
        ("garbage".to_owned(), "bad_sdp"),
        ("garbage".to_owned(), "bad_sdp"),
        ("garbage".to_owned(), "rate_limited"),
    ];
    for (sdp, code) in cases {
        ws::send(&mut ws, json!({"type": "offer", "sdp": sdp})).await;
        let v = recv(&mut ws).await.expect("an error message");
        assert_eq!(v["code"], code, "{v}");
        let message = v["message"].as_str().unwrap();
        assert!(message.len() <= 100 && !message.contains("ZQXJ"), "{v}");
    }
    ws::send(&mut ws, json!({"type": "ping", "nonce": 1})).await;
    assert_eq!(recv(&mut ws).await.unwrap()["type"], "pong");
    server.shutdown().await;
}

#[tokio::test]
async fn room_capacity_is_six() {
    let server = start().await;
    let mut members = Vec::new();
    for _ in 0..6 {
        members.push(join(&server, "full").await.0);
    }
    let mut seventh = ws::connect(&server).await;
    let token = server.token("full", Role::Official, "Late");
    ws::send(
        &mut seventh,
        json!({"type": "join", "version": 1, "token": token}),
    )
    .await;
    expect_error(&mut seventh, "room_full").await;
    expect_closed(&mut seventh).await;
    assert_eq!(room_counts(server.signalling()), (1, 6));
    server.shutdown().await;
}

#[tokio::test]
async fn dev_token_endpoint_validates_input() {
    let server = start().await;
    let url = format!("http://{}/v1/dev/token", server.http_addr());
    let client = Client::new(server.http_addr());
    let ok = post_json(
        &client,
        "/v1/dev/token",
        r#"{"room":"demo","display_name":"Mario","role":"citizen"}"#,
    )
    .await;
    assert_eq!(ok.0, 200, "{url}: {}", ok.1);
    let body: Value = serde_json::from_str(&ok.1).unwrap();
    assert!(body["token"].as_str().unwrap().starts_with("v1."));
    let cases = [
        ("{", 400, "bad_json"),
        (r#"{"room":"demo"}"#, 422, "bad_request_body"),
        (
            r#"{"room":"demo","display_name":"M","role":"king"}"#,
            422,
            "bad_request_body",
        ),
        (
            r#"{"room":"../etc","display_name":"M","role":"citizen"}"#,
            400,
            "bad_room",
        ),
        (
            r#"{"room":"demo","display_name":"  ","role":"citizen"}"#,
            400,
            "bad_display_name",
        ),
    ];
    for (body, status, code) in cases {
        let (got_status, text) = post_json(&client, "/v1/dev/token", body).await;
        assert_eq!(got_status, status, "{body}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["code"], code, "{body}: {text}");
    }
    let (status, text) = get(&client, "/v1/nothing").await;
    assert_eq!(status, 404);
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["code"],
        "not_found"
    );
    let (status, text) = get(&client, "/healthz").await;
    assert_eq!((status, text.as_str()), (200, "ok\n"));
    let (status, text) = get(&client, "/metrics").await;
    assert_eq!(status, 200);
    assert!(text.contains("sportello_rooms"), "{text}");
    server.shutdown().await;
}

#[tokio::test]
async fn production_mode_has_no_dev_tokens() {
    let mut config = Config::for_tests();
    config.demo = false;
    let server = Server::start(config).await.unwrap();
    let client = Client::new(server.http_addr());
    let (status, _) = post_json(
        &client,
        "/v1/dev/token",
        r#"{"room":"demo","display_name":"Mario","role":"citizen"}"#,
    )
    .await;
    assert_eq!(status, 404);
    server.shutdown().await;
}

/// POSTs `body` as JSON text; returns the status and the body.
async fn post_json(client: &Client, path: &str, body: &str) -> (u16, String) {
    let r = client
        .send("POST", path, &[("Content-Type", "application/json")], body)
        .await;
    (r.status, r.text)
}

/// GETs `path`; returns the status and the body.
async fn get(client: &Client, path: &str) -> (u16, String) {
    let r = client.get(path).await;
    (r.status, r.text)
}
