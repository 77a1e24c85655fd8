//! Every signalling action by every meeting role.

use super::*;

/// A token for `room` in `role` from the demo token endpoint.
async fn dev_token(env: &TestServer, room: &str, role: Role) -> String {
    let r = env
        .anonymous()
        .post(
            "/v1/dev/token",
            &json!({"room": room, "display_name": "Prova", "role": role}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["token"].as_str().unwrap().to_owned()
}

async fn expect(ws: &mut Ws, kind: &str) -> Value {
    ws::next_of(ws, kind, StdDuration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("a {kind} message"))
}

/// Signalling: every action of the protocol by every meeting role. No action is reserved to a
/// role: what a connection may reach is decided by the room its token is bound to. Each role
/// joins, and every action is answered as the protocol says (not refused), while the same
/// actions before a join, and a token of another meeting, are refused with their codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_signalling_action_by_every_role() {
    let env = TestServer::start(None).await;
    let roles = [
        Role::Citizen,
        Role::Operator,
        Role::Official,
        Role::LoadTester,
    ];
    for role in roles {
        let room = format!("matrix-{role:?}").to_lowercase();
        let token = dev_token(&env, &room, role).await;
        let watcher_token = dev_token(&env, &room, Role::Official).await;
        let (mut watcher, joined) = ws::join(&env.server, &watcher_token).await;
        assert_eq!(joined["type"], "joined", "{joined}");

        // Before join, every action is refused with not_joined.
        for msg in [
            json!({"type": "offer", "sdp": "v=0"}),
            json!({"type": "ping", "nonce": 1}),
            json!({"type": "reauthenticate", "token": token}),
        ] {
            let (mut ws, _) = tokio_tungstenite::connect_async(env.server.ws_url())
                .await
                .unwrap();
            ws::send(&mut ws, msg.clone()).await;
            let v = expect(&mut ws, "error").await;
            assert_eq!(v["code"], "not_joined", "{role:?} {msg}: {v}");
        }

        let (mut ws, joined) = ws::join(&env.server, &token).await;
        assert_eq!(joined["type"], "joined", "{role:?}: {joined}");
        assert_eq!(joined["role"], json!(role));
        let me = joined["participant_id"].as_str().unwrap().to_owned();
        let seen = expect(&mut watcher, "participant_joined").await;
        assert_eq!(seen["participant"]["role"], json!(role));

        ws::send(
            &mut ws,
            json!({"type": "join", "version": 1, "token": token}),
        )
        .await;
        assert_eq!(expect(&mut ws, "error").await["code"], "already_joined");
        ws::send(&mut ws, json!({"type": "offer", "sdp": "not sdp"})).await;
        assert_eq!(expect(&mut ws, "error").await["code"], "bad_sdp");
        ws::send(&mut ws, json!({"type": "answer", "sdp": "not sdp"})).await;
        let v = expect(&mut ws, "error").await;
        assert!(
            v["code"] == "no_pending_offer" || v["code"] == "bad_sdp",
            "{v}"
        );
        ws::send(
            &mut ws,
            json!({"type": "candidate", "candidate": {"candidate": "garbage", "sdp_mid": "0", "sdp_m_line_index": 0}}),
        )
        .await;
        let v = expect(&mut ws, "error").await;
        assert!(
            ["bad_candidate", "bad_message"].contains(&v["code"].as_str().unwrap()),
            "{v}"
        );
        ws::send(
            &mut ws,
            json!({"type": "track_state", "kind": "audio", "muted": true}),
        )
        .await;
        let v = expect(&mut watcher, "track_state").await;
        assert_eq!(v["participant_id"], me.as_str());
        ws::send(&mut ws, json!({"type": "ping", "nonce": 42})).await;
        assert_eq!(expect(&mut ws, "pong").await["nonce"], 42);
        ws::send(&mut ws, json!({"type": "pong", "nonce": 1})).await;
        // Reauthenticate: a token of another meeting is refused, one of this meeting taken.
        let elsewhere = dev_token(&env, "matrix-elsewhere", role).await;
        ws::send(
            &mut ws,
            json!({"type": "reauthenticate", "token": elsewhere}),
        )
        .await;
        assert_eq!(expect(&mut ws, "error").await["code"], "wrong_room");
        let again = dev_token(&env, &room, Role::Citizen).await;
        ws::send(&mut ws, json!({"type": "reauthenticate", "token": again})).await;
        let v = expect(&mut ws, "reauthenticated").await;
        assert_eq!(v["participant"]["role"], "citizen");
        let v = expect(&mut watcher, "participant_updated").await;
        assert_eq!(v["participant"]["id"], me.as_str());
        ws::send(&mut ws, json!({"type": "leave"})).await;
        expect(&mut ws, "left").await;
        let v = expect(&mut watcher, "participant_left").await;
        assert_eq!(v["participant_id"], me.as_str());
        let _ = watcher.close(None).await;
    }
    env.stop().await;
}
