//! "Passa al cittadino": the handover to the kiosk, "Richiama operatore", the close, and the
//! handover's refusals and grace period.

use super::*;

pub(super) async fn handover_recall_and_close(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    let id = op.book(&at(MON_0930), "day").await;

    // The lobby learns whom to expect from the tickets.
    let ticket_op = op.meeting(&id, "", json!({})).await.json();
    assert_eq!(
        ticket_op["expected"],
        json!([{"role": "official", "display_name": "Funzionario INPS – Sede provinciale di Sassari"}])
    );
    let ticket_off = official.meeting(&id, "join", json!({})).await.json();
    assert_eq!(ticket_off["expected"][0]["role"], "operator");
    assert_eq!(ticket_off["expected"][1]["role"], "citizen");

    let (mut kiosk, joined) = ws::join(&env.server, ticket_op["token"].as_str().unwrap()).await;
    assert_eq!(joined["role"], "operator", "{joined}");
    let kiosk_id = joined["participant_id"].as_str().unwrap().to_owned();
    let (mut off, joined) = ws::join(&env.server, ticket_off["token"].as_str().unwrap()).await;
    assert_eq!(joined["participants"][0]["role"], "operator", "{joined}");
    ws::next_of(&mut kiosk, "participant_joined", SECS)
        .await
        .expect("the official arrives");

    // "Passa al cittadino".
    let staff_cookie = op.cookie.clone();
    let r = op.meeting(&id, "handover", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let cleared = r
        .set_cookie("sportello_session")
        .expect("the staff cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let handover = r.json();
    let citizen = env.citizen_after_handover(&r);
    let ticket = &handover["ticket"];
    assert_eq!(ticket["role"], "citizen");
    assert_eq!(ticket["display_name"], "Cittadino");
    assert_eq!(ticket["room"], ticket_op["room"]);
    let c = claims(&env.server, ticket["token"].as_str().unwrap());
    assert_eq!(c.role, Role::Citizen);
    assert!(c.sub.starts_with("citizen-"), "a random subject: {}", c.sub);
    for secret in ["Laura", "Bianchi", "BNCLRA92P55I452E"] {
        assert!(!handover.to_string().contains(secret), "{secret}");
    }
    // The operator is logged out on the server: the old cookie no longer works.
    let mut old = env.anonymous();
    old.cookie = staff_cookie;
    old.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");

    // The kiosk's connection continues as the citizen's: same participant, new role.
    let v = reauthenticate(&mut kiosk, ticket["token"].as_str().unwrap()).await;
    assert_eq!(v["type"], "reauthenticated", "{v}");
    assert_eq!(v["participant"]["id"], kiosk_id.as_str());
    assert_eq!(v["participant"]["role"], "citizen");
    let seen = ws::next_of(&mut off, "participant_updated", SECS)
        .await
        .expect("the official is told");
    assert_eq!(seen["participant"]["id"], kiosk_id.as_str());
    assert_eq!(seen["participant"]["role"], "citizen");
    assert_eq!(seen["participant"]["display_name"], "Cittadino");

    // The citizen session works, with its CSRF token.
    let info = citizen.get("/v1/citizen/session").await;
    assert_eq!(info.status, 200, "{}", info.text);
    let info = info.json();
    assert_eq!(info["appointment_id"], id.as_str());
    assert_eq!(info["comune_name"], "Villanova Monteleone");
    let csrf = info["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(csrf, handover["csrf_token"].as_str().unwrap());
    citizen
        .post("/v1/citizen/meeting/token", &json!({}))
        .await
        .expect_error(403, "csrf_failed");
    citizen
        .post_with(
            "/v1/citizen/meeting/token",
            &[("x-csrf-token", "not-the-token")],
            &json!({}),
        )
        .await
        .expect_error(403, "csrf_failed");
    let fresh = citizen
        .post_with(
            "/v1/citizen/meeting/token",
            &[("x-csrf-token", &csrf)],
            &json!({}),
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    let fresh = fresh.json();
    assert_eq!(fresh["room"], ticket_op["room"]);
    assert_eq!(
        claims(&env.server, fresh["token"].as_str().unwrap()).sub,
        c.sub
    );

    // Past the grace period the kiosk is still there: it took the citizen's identity.
    tokio::time::sleep(crate::support::internals::HANDOVER_GRACE + StdDuration::from_secs(1)).await;
    ws::send(&mut kiosk, json!({"type": "ping", "nonce": 7})).await;
    let pong = ws::next_of(&mut kiosk, "pong", SECS).await;
    assert!(pong.is_some(), "the citizen's connection stays");

    // "Richiama operatore": the operator logs in again and takes the connection back.
    let op = env.operator().await;
    let back = op.meeting(&id, "", json!({})).await;
    assert_eq!(back.status, 200, "{}", back.text);
    let v = reauthenticate(&mut kiosk, back.json()["token"].as_str().unwrap()).await;
    assert_eq!(v["participant"]["role"], "operator", "{v}");
    let seen = ws::next_of(&mut off, "participant_updated", SECS)
        .await
        .unwrap();
    assert_eq!(seen["participant"]["role"], "operator");
    // ...and hands over again: a new citizen session replaces the first.
    let r = op.meeting(&id, "handover", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let citizen2 = env.citizen_after_handover(&r);
    citizen
        .get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");
    let v = reauthenticate(&mut kiosk, r.json()["ticket"]["token"].as_str().unwrap()).await;
    assert_eq!(v["participant"]["role"], "citizen", "{v}");

    // The official closes the meeting with an outcome.
    let closed = official
        .meeting(
            &id,
            "close",
            json!({"outcome": "resolved", "notes": "Domanda di pensione inoltrata."}),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.json()["outcome"], "resolved");
    for socket in [&mut kiosk, &mut off] {
        let e = ws::error_then_close(socket, SECS)
            .await
            .expect("an error before the close");
        assert_eq!(e["code"], "meeting_ended", "{e}");
    }
    let (outcome, notes): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT meeting_outcome, meeting_notes FROM reservations WHERE id = $1")
            .bind(&id)
            .fetch_one(env.pool())
            .await
            .unwrap();
    assert_eq!(outcome.as_deref(), Some("resolved"));
    assert_eq!(notes.as_deref(), Some("Domanda di pensione inoltrata."));
    // The citizen session can no longer reach the meeting (it lives on for the feedback only).
    citizen2
        .get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");
    // A token still within its two minutes cannot enter the closed room.
    let (_ws, refused) = ws::join(&env.server, fresh["token"].as_str().unwrap()).await;
    assert_eq!(refused["code"], "meeting_ended", "{refused}");
    // Nothing more can be done with the meeting (the operator, logged out by the handover,
    // logs in again), and both staff lists say so: the card and the agenda show "Concluso".
    let op = env.operator().await;
    assert_eq!(
        closed_flag(
            &op,
            "/v1/booking/comuni/090078/appointments?date=2026-11-23",
            &id
        )
        .await,
        Some(true),
        "the operator's day shows the meeting closed"
    );
    assert_eq!(
        closed_flag(
            &official,
            "/v1/booking/sportelli/sassari-1/agenda?from=2026-11-23&to=2026-11-23",
            &id
        )
        .await,
        Some(true),
        "the official's agenda shows the meeting closed"
    );
    op.meeting(&id, "", json!({}))
        .await
        .expect_error(409, "meeting_closed");
    official
        .meeting(&id, "join", json!({}))
        .await
        .expect_error(409, "meeting_closed");
    op.meeting(&id, "handover", json!({}))
        .await
        .expect_error(409, "meeting_closed");
    official
        .meeting(&id, "close", json!({"outcome": "resolved"}))
        .await
        .expect_error(409, "meeting_closed");

    // The audit log tells the whole story, with roles.
    wait_for_audit(&env, &id, "citizen", "meeting.removed").await;
    wait_for_audit(&env, &id, "official", "meeting.removed").await;
    let actions = audit_actions(&env, &id).await;
    for expected in [
        ("operator", "meeting.open"),
        ("official", "meeting.join"),
        ("operator", "meeting.connect"),
        ("official", "meeting.connect"),
        ("operator", "meeting.handover"),
        ("operator", "meeting.connection_handed_over"),
        ("citizen", "meeting.connection_taken_over"),
        ("citizen", "meeting.citizen_token"),
        ("official", "meeting.close"),
        ("official", "meeting.removed"),
    ] {
        assert!(
            actions
                .iter()
                .any(|(r, a, o)| r == expected.0 && a == expected.1 && o == "ok"),
            "{expected:?} missing from {actions:?}"
        );
    }
    let logouts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'session.logout' \
         AND actor_subject = 'operatore.villanova'",
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(logouts, 2, "each handover logs the operator out");
    env.stop().await;
}

pub(super) async fn handover_refusals(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let other_op = env.login("operatore.alghero").await;
    let official = env.official().await;
    let admin = env.inps_admin().await;
    let id = op.book(&at(MON_0930), "a").await;
    let later = op.book(&at(MON_1000), "b").await;

    // Before "Apri meeting" there is nothing to hand over.
    op.meeting(&id, "handover", json!({}))
        .await
        .expect_error(409, "meeting_not_open");
    let ticket = op.meeting(&id, "", json!({})).await.json();
    let before = env.row_counts().await;
    for who in [&other_op, &official, &admin] {
        who.meeting(&id, "handover", json!({}))
            .await
            .expect_error(403, "forbidden");
    }
    env.anonymous()
        .post(
            &format!("/v1/booking/appointments/{id}/meeting/handover"),
            &json!({}),
        )
        .await
        .expect_error(401, "unauthenticated");
    op.meeting("nope", "handover", json!({}))
        .await
        .expect_error(400, "bad_appointment_id");
    op.meeting(&"0".repeat(32), "handover", json!({}))
        .await
        .expect_error(404, "unknown_appointment");
    op.meeting(&id, "handover", json!({"x": 1}))
        .await
        .expect_error(422, "bad_request_body");
    op.send(
        "POST",
        &format!("/v1/booking/appointments/{id}/meeting/handover"),
        &[("Content-Type", "application/json")],
        "{",
    )
    .await
    .expect_error(400, "bad_json");
    assert_eq!(env.row_counts().await, before, "refusals change nothing");
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citizen_sessions")
        .fetch_one(env.pool())
        .await
        .unwrap();
    assert_eq!(sessions, 0, "no citizen session from a refused handover");
    assert_eq!(op.get("/v1/session").await.status, 200, "still logged in");

    // Reauthenticate refusals on a live connection: each leaves it as it was.
    let (mut kiosk, joined) = ws::join(&env.server, ticket["token"].as_str().unwrap()).await;
    assert_eq!(joined["type"], "joined");
    // The 10:00 appointment's window opens at 09:30: a valid token of that other meeting is
    // refused on this connection.
    env.clock.advance(chrono::Duration::minutes(30));
    let other_room = op.meeting(&later, "", json!({})).await;
    assert_eq!(other_room.status, 200, "{}", other_room.text);
    let v = reauthenticate(&mut kiosk, other_room.json()["token"].as_str().unwrap()).await;
    assert_eq!(v["code"], "wrong_room", "{v}");
    let key = env.server.signalling().token_key();
    let room = ticket["room"].as_str().unwrap().to_owned();
    let mk = |room: &str, exp: u64| {
        key.sign(&MeetingClaims {
            room: room.to_owned(),
            role: Role::Citizen,
            sub: "citizen-x".into(),
            name: "Cittadino".into(),
            iat: unix_now().saturating_sub(300),
            exp,
            jti: sportello_signalling::token::new_jti(),
            session: None,
        })
    };
    let v = reauthenticate(&mut kiosk, &mk("mtg-elsewhere", unix_now() + 60)).await;
    assert_eq!(v["code"], "wrong_room", "{v}");
    let v = reauthenticate(&mut kiosk, &mk(&room, unix_now() - 1)).await;
    assert_eq!(v["code"], "token_expired", "{v}");
    let forged = sportello_signalling::TokenKey::generate().sign(&MeetingClaims {
        room: room.clone(),
        role: Role::Official,
        sub: "intruder".into(),
        name: "Funzionario".into(),
        iat: unix_now(),
        exp: unix_now() + 60,
        jti: sportello_signalling::token::new_jti(),
        session: None,
    });
    let v = reauthenticate(&mut kiosk, &forged).await;
    assert_eq!(v["code"], "token_invalid", "{v}");
    let v = reauthenticate(&mut kiosk, "").await;
    assert_eq!(v["code"], "token_missing", "{v}");
    // Still the operator, still connected.
    let (mut off, joined) = ws::join(
        &env.server,
        official.meeting(&id, "join", json!({})).await.json()["token"]
            .as_str()
            .unwrap(),
    )
    .await;
    assert_eq!(joined["participants"][0]["role"], "operator", "{joined}");

    // A handover that the kiosk never takes up: the operator's connection is cut off after
    // the grace period (the operator is logged out and must not stay in the call).
    let r = op.meeting(&id, "handover", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let started = std::time::Instant::now();
    let e = ws::error_then_close(&mut kiosk, StdDuration::from_secs(30))
        .await
        .expect("an error before the close");
    assert_eq!(e["code"], "removed", "{e}");
    let waited = started.elapsed();
    assert!(
        waited >= crate::support::internals::HANDOVER_GRACE - StdDuration::from_millis(500),
        "not before the grace period: {waited:?}"
    );
    let left = ws::next_of(&mut off, "participant_left", SECS).await;
    assert!(left.is_some());
    let _ = off.close(None).await;
    env.stop().await;
}

/// `meeting_closed` of appointment `id` in the list that `path` answers (the operator's day or
/// the official's agenda), None when the appointment is not in it.
async fn closed_flag(who: &crate::support::Client, path: &str, id: &str) -> Option<bool> {
    let r = who.get(path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    v.as_array()
        .expect("a list of appointments")
        .iter()
        .find(|a| a["id"] == id)
        .and_then(|a| a["meeting_closed"].as_bool())
}
