//! Meeting day, first piece: "Apri meeting" (operator) and "Entra nel meeting" (official) through
//! the HTTP API, on SQLite and on PostgreSQL: the allow/deny matrix by role, the meeting window by
//! the manual clock, idempotent opening, tokens that verify with the server's key and are bound to
//! one room, role and subject, and a token of meeting A that lands only in A's room.

use crate::support::slots::{MON_0930, MON_1000, MON_1100, TUE_0830};
use crate::support::ws;
use crate::support::{TestServer, at};
use chrono::Duration;
use serde_json::{Value, json};
use sportello::Server;
use sportello_signalling::protocol::Role;
use sportello_signalling::token::unix_now;

on_both_databases!(
    all_meeting_rules_on_postgres;
    open_and_join_by_role,
    the_meeting_window_follows_the_clock,
    tokens_are_bound_to_their_room,
);

/// Checks a meeting ticket against the server's key; returns its room.
fn check_ticket(server: &Server, v: &Value, role: Role, sub: &str, name: &str) -> String {
    let room = v["room"].as_str().expect("a room").to_owned();
    assert!(
        room.starts_with("mtg-") && room.len() == 36,
        "an unguessable room id: {room}"
    );
    let claims = server
        .signalling()
        .token_key()
        .verify(v["token"].as_str().expect("a token"), unix_now())
        .expect("the token verifies with the server's key");
    assert_eq!(claims.room, room);
    assert_eq!(claims.role, role);
    assert_eq!(claims.sub, sub);
    assert_eq!(claims.name, name);
    assert_eq!(v["display_name"], name);
    assert_eq!(
        v["role"],
        serde_json::to_value(role).unwrap(),
        "role in the answer"
    );
    assert_eq!(claims.exp - claims.iat, 120, "short-lived");
    let expires: chrono::DateTime<chrono::FixedOffset> =
        v["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires.timestamp(), i64::try_from(claims.exp).unwrap());
    // The citizen's personal data never travels in a staff token.
    for secret in ["Laura", "Bianchi", "BNCLRA92P55I452E"] {
        assert!(!v.to_string().contains(secret), "{secret} in {v}");
    }
    room
}

async fn open_and_join_by_role(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;

    // The page decides "today" by the server's clock.
    let s = op.get("/v1/session").await.json();
    assert_eq!(s["server_now"], "2026-11-23T09:00:00+01:00");

    // Not yet opened: the official waits (409), nobody else may even ask.
    let official = env.official().await;
    official
        .meeting(&a, "join", json!({}))
        .await
        .expect_error(409, "meeting_not_open");

    // Who may open: only an operator of the appointment's comune.
    for account in [
        "operatore.alghero",
        "funzionario.sassari",
        "funzionario.laquila",
        "utenze.villanova",
        "admin.inps",
    ] {
        let c = env.login(account).await;
        c.meeting(&a, "", json!({}))
            .await
            .expect_error(403, "forbidden");
    }
    env.anonymous()
        .meeting(&a, "", json!({}))
        .await
        .expect_error(401, "unauthenticated");
    let r = op.meeting(&a, "", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["appointment_id"], a.as_str());
    let room = check_ticket(
        &env.server,
        &v,
        Role::Operator,
        "operatore.villanova",
        "Operatore – Villanova Monteleone",
    );
    // Idempotent: the same room again (with a fresh token).
    let again = op.meeting(&a, "", json!({})).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["room"], room.as_str());

    // Who may join: only the official of the appointment's sportello.
    for account in [
        "operatore.villanova",
        "operatore.alghero",
        "funzionario.laquila",
        "funzionario.polo",
        "utenze.villanova",
        "admin.inps",
    ] {
        let c = env.login(account).await;
        c.meeting(&a, "join", json!({}))
            .await
            .expect_error(403, "forbidden");
    }
    env.anonymous()
        .meeting(&a, "join", json!({}))
        .await
        .expect_error(401, "unauthenticated");
    let r = official.meeting(&a, "join", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let joined_room = check_ticket(
        &env.server,
        &r.json(),
        Role::Official,
        "funzionario.sassari",
        "Funzionario INPS – Sede provinciale di Sassari",
    );
    assert_eq!(joined_room, room, "the official joins the operator's room");

    // Bad ids, unknown appointments, holds that never became appointments.
    for bad in ["xyz", "0123", &"A".repeat(32), &format!("{a}0")] {
        op.meeting(bad, "", json!({}))
            .await
            .expect_error(400, "bad_appointment_id");
        official
            .meeting(bad, "join", json!({}))
            .await
            .expect_error(400, "bad_appointment_id");
    }
    let unknown = "0".repeat(32);
    op.meeting(&unknown, "", json!({}))
        .await
        .expect_error(404, "unknown_appointment");
    official
        .meeting(&unknown, "join", json!({}))
        .await
        .expect_error(404, "unknown_appointment");
    let r = op.hold("sassari-1", &at(MON_1000), "pensioni").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let hold = r.json()["id"].as_str().unwrap().to_owned();
    op.meeting(&hold, "", json!({}))
        .await
        .expect_error(404, "unknown_appointment");
    // A body is required (cross-site forms cannot send JSON).
    let r = op
        .send(
            "POST",
            &format!("/v1/booking/appointments/{a}/meeting"),
            &[],
            "",
        )
        .await;
    assert!(r.status == 400 || r.status == 415, "{}", r.text);

    // A cancelled appointment has no meeting.
    let c = op.book(&at(MON_1100), "c").await;
    let r = op
        .post(&format!("/v1/booking/appointments/{c}/cancel"), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    env.clock.advance(Duration::minutes(90));
    op.meeting(&c, "", json!({}))
        .await
        .expect_error(409, "appointment_cancelled");
    official
        .meeting(&c, "join", json!({}))
        .await
        .expect_error(409, "appointment_cancelled");
    env.stop().await;
}

async fn the_meeting_window_follows_the_clock(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    // 10:00-10:30 today: the window is 09:30-11:00.
    let b = op.book(&at(MON_1000), "b").await;
    let tomorrow = op.book(&at(TUE_0830), "t").await;

    // 09:00: too early.
    let r = op.meeting(&b, "", json!({})).await;
    r.expect_error(409, "outside_meeting_window");
    assert!(r.json()["message"].as_str().unwrap().contains("09:30"));
    official
        .meeting(&b, "join", json!({}))
        .await
        .expect_error(409, "outside_meeting_window");
    // Tomorrow's appointment cannot be opened today.
    op.meeting(&tomorrow, "", json!({}))
        .await
        .expect_error(409, "outside_meeting_window");

    // 09:30: open.
    env.clock.advance(Duration::minutes(30));
    official
        .meeting(&b, "join", json!({}))
        .await
        .expect_error(409, "meeting_not_open");
    let r = op.meeting(&b, "", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let room = r.json()["room"].as_str().unwrap().to_owned();
    let r = official.meeting(&b, "join", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["room"], room.as_str());

    // 11:00 (30 minutes after the end): still open; one minute later: closed.
    env.clock.advance(Duration::minutes(90));
    assert_eq!(op.meeting(&b, "", json!({})).await.status, 200);
    assert_eq!(official.meeting(&b, "join", json!({})).await.status, 200);
    env.clock.advance(Duration::minutes(1));
    op.meeting(&b, "", json!({}))
        .await
        .expect_error(409, "outside_meeting_window");
    official
        .meeting(&b, "join", json!({}))
        .await
        .expect_error(409, "outside_meeting_window");

    // Tomorrow at 08:00 (30 minutes before the slot): tomorrow's appointment opens.
    env.clock.set("2026-11-24T07:00:00Z".parse().unwrap());
    let r = op.meeting(&tomorrow, "", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(r.json()["room"], room.as_str());
    env.stop().await;
}

async fn tokens_are_bound_to_their_room(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    let a = op.book(&at(MON_0930), "a").await;
    env.clock.advance(Duration::minutes(30));
    let b = op.book(&at(MON_1000), "b").await;

    let ta = op.meeting(&a, "", json!({})).await.json();
    let tb = op.meeting(&b, "", json!({})).await.json();
    assert_ne!(ta["room"], tb["room"], "one room per appointment");
    let oa = official.meeting(&a, "join", json!({})).await.json();
    assert_eq!(oa["room"], ta["room"]);

    // A's operator token lands in A's room, never B's: the room comes from the signed token.
    let (mut ws_a, joined) = ws::join(&env.server, ta["token"].as_str().unwrap()).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(joined["room"], ta["room"]);
    assert_eq!(joined["role"], "operator");
    let (mut ws_b, joined_b) = ws::join(&env.server, tb["token"].as_str().unwrap()).await;
    assert_eq!(joined_b["room"], tb["room"]);
    assert_eq!(
        joined_b["participants"],
        json!([]),
        "B's room does not see A's operator"
    );
    // The official of A finds A's operator there.
    let (mut ws_o, joined_o) = ws::join(&env.server, oa["token"].as_str().unwrap()).await;
    assert_eq!(joined_o["room"], ta["room"]);
    assert_eq!(joined_o["role"], "official");
    let others = joined_o["participants"].as_array().unwrap();
    assert_eq!(others.len(), 1, "{joined_o}");
    assert_eq!(
        others[0]["display_name"],
        "Operatore – Villanova Monteleone"
    );

    // A token edited to name B's room no longer verifies.
    let token = ta["token"].as_str().unwrap();
    let mut parts = token.split('.');
    let (v, claims, mac) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut c: Value = serde_json::from_slice(&engine.decode(claims).unwrap()).unwrap();
    c["room"] = tb["room"].clone();
    let forged = format!(
        "{v}.{}.{mac}",
        engine.encode(serde_json::to_vec(&c).unwrap())
    );
    let (_ws, refused) = ws::join(&env.server, &forged).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "token_invalid", "{refused}");

    for ws in [&mut ws_a, &mut ws_b, &mut ws_o] {
        let _ = ws.close(None).await;
    }
    env.stop().await;
}
