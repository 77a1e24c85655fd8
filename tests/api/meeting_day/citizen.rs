//! The close's refusals, and a citizen session that reaches its own meeting only.

use super::*;

pub(super) async fn close_refusals(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    let other_official = env.login("funzionario.laquila").await;
    let ua = env.user_admin().await;
    let id = op.book(&at(MON_0930), "a").await;

    official
        .meeting(&id, "close", json!({"outcome": "resolved"}))
        .await
        .expect_error(409, "meeting_not_open");
    op.meeting(&id, "", json!({})).await;
    let before = env.row_counts().await;
    for who in [&op, &other_official, &ua] {
        who.meeting(&id, "close", json!({"outcome": "resolved"}))
            .await
            .expect_error(403, "forbidden");
    }
    env.anonymous()
        .post(
            &format!("/v1/booking/appointments/{id}/meeting/close"),
            &json!({"outcome": "resolved"}),
        )
        .await
        .expect_error(401, "unauthenticated");
    for (body, status, code) in [
        (json!({"outcome": "done"}), 400, "bad_outcome"),
        (json!({"outcome": ""}), 400, "bad_outcome"),
        (
            json!({"outcome": "resolved", "notes": "x".repeat(2001)}),
            400,
            "notes_too_long",
        ),
        (
            json!({"outcome": "resolved", "notes": "a\u{0007}b"}),
            400,
            "bad_notes",
        ),
        (json!({}), 422, "bad_request_body"),
        (
            json!({"outcome": "resolved", "extra": 1}),
            422,
            "bad_request_body",
        ),
        (json!({"outcome": 3}), 422, "bad_request_body"),
    ] {
        official
            .meeting(&id, "close", body)
            .await
            .expect_error(status, code);
    }
    official
        .meeting("x", "close", json!({"outcome": "resolved"}))
        .await
        .expect_error(400, "bad_appointment_id");
    official
        .meeting(&"f".repeat(32), "close", json!({"outcome": "resolved"}))
        .await
        .expect_error(404, "unknown_appointment");
    assert_eq!(env.row_counts().await, before);
    let (closed,): (Option<i64>,) =
        sqlx::query_as("SELECT meeting_closed_at FROM reservations WHERE id = $1")
            .bind(&id)
            .fetch_one(env.pool())
            .await
            .unwrap();
    assert_eq!(closed, None, "refusals leave the meeting open");
    // Exactly 2000 characters are fine; the outcome is stored once.
    let r = official
        .meeting(
            &id,
            "close",
            json!({"outcome": "call_back", "notes": "è".repeat(2000)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["outcome"], "call_back");
    env.stop().await;
}

pub(super) async fn citizen_session_reaches_only_its_meeting(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let id = op.book(&at(MON_0930), "a").await;
    let ticket = op.meeting(&id, "", json!({})).await.json();
    let r = op.meeting(&id, "handover", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let citizen = env.citizen_after_handover(&r);
    let csrf = r.json()["csrf_token"].as_str().unwrap().to_owned();
    let citizen_token = r.json()["ticket"]["token"].as_str().unwrap().to_owned();

    // No staff route accepts the citizen cookie (nor the citizen's meeting token as a cookie).
    let sportello_path = "/v1/booking/sportelli/sassari-1/agenda?date=2026-11-23".to_owned();
    let staff_gets = [
        "/v1/session",
        "/v1/booking/services",
        "/v1/booking/comuni?q=villa",
        "/v1/booking/comuni/090078/appointments?date=2026-11-23",
        sportello_path.as_str(),
        "/v1/booking/sedi",
        "/v1/audit",
    ];
    let mut as_token = env.anonymous();
    as_token.cookie = Some(format!("sportello_session={citizen_token}"));
    for path in staff_gets {
        citizen.get(path).await.expect_error(401, "unauthenticated");
        as_token
            .get(path)
            .await
            .expect_error(401, "unauthenticated");
    }
    for what in ["", "join", "handover"] {
        citizen
            .meeting(&id, what, json!({}))
            .await
            .expect_error(401, "unauthenticated");
    }
    citizen
        .post_with(
            &format!("/v1/booking/appointments/{id}/meeting/close"),
            &[("x-csrf-token", &csrf)],
            &json!({"outcome": "resolved"}),
        )
        .await
        .expect_error(401, "unauthenticated");
    citizen
        .post("/v1/booking/holds", &json!({}))
        .await
        .expect_error(401, "unauthenticated");

    // The citizen's meeting token enters only its room.
    let (_ws, joined) = ws::join(&env.server, &citizen_token).await;
    assert_eq!(joined["room"], ticket["room"], "{joined}");
    assert_eq!(joined["role"], "citizen");

    // A made-up citizen cookie is nobody.
    let mut fake = env.anonymous();
    fake.cookie = Some("sportello_citizen=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into());
    fake.get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");
    // A staff session is not a citizen session.
    op.get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");

    // Leaving needs the CSRF token, then ends the session.
    citizen
        .send("DELETE", "/v1/citizen/session", &[], "")
        .await
        .expect_error(403, "csrf_failed");
    let r = citizen
        .send(
            "DELETE",
            "/v1/citizen/session",
            &[("x-csrf-token", &csrf)],
            "",
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    citizen
        .get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");

    // The window closes: a citizen session does not outlive it.
    let op = env.operator().await;
    let r = op.meeting(&id, "handover", json!({})).await;
    let citizen = env.citizen_after_handover(&r);
    env.clock.advance(chrono::Duration::hours(3));
    citizen
        .get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");
    env.stop().await;
}
