//! The citizen's feedback at the end of the meeting, on SQLite and on PostgreSQL: the kiosk's
//! citizen session outlives the close for the feedback only, the feedback is stored without
//! anything that leads back to the meeting, once per session, bad input is refused and leaves
//! nothing, and the grace ends.

use sqlx::{Column as _, Row as _};

use crate::support::slots::{MON_0930, MON_1000};
use crate::support::{Client, TestServer, at};
use serde_json::{Value, json};

on_both_databases!(
    feedback_on_postgres;
    feedback_after_the_close_unlinked_and_once,
    feedback_refused_after_the_grace_or_when_skipped,
);

/// Opens appointment `id` and hands it over: (the kiosk's citizen client, its CSRF token, the
/// handover answer).
async fn kiosk(env: &TestServer, id: &str) -> (Client, String, Value) {
    let op = env.operator().await;
    let r = op.meeting(id, "", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = op.meeting(id, "handover", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let citizen = env.citizen_after_handover(&r);
    let csrf = r.json()["csrf_token"].as_str().unwrap().to_owned();
    (citizen, csrf, r.json())
}

async fn give(citizen: &Client, csrf: &str, body: Value) -> crate::support::Response {
    citizen
        .post_with("/v1/citizen/feedback", &[("x-csrf-token", csrf)], &body)
        .await
}

async fn close(env: &TestServer, id: &str, outcome: &str) {
    let r = env
        .official()
        .await
        .meeting(
            id,
            "close",
            json!({"outcome": outcome, "notes": "Da ricontattare."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

pub(crate) async fn feedback_after_the_close_unlinked_and_once(db: Option<String>) {
    let env = TestServer::start(db).await;
    let id = env.operator().await.book(&at(MON_0930), "a").await;
    let (citizen, csrf, handover) = kiosk(&env, &id).await;

    // While the meeting goes on there is nothing to rate yet.
    give(&citizen, &csrf, json!({"rating": 5}))
        .await
        .expect_error(409, "meeting_not_closed");

    close(&env, &id, "call_back").await;

    // After the close every other citizen route answers as for a closed meeting.
    citizen
        .get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");
    citizen
        .post_with(
            "/v1/citizen/meeting/token",
            &[("x-csrf-token", &csrf)],
            &json!({}),
        )
        .await
        .expect_error(401, "unauthenticated");
    citizen
        .get("/v1/citizen/prints")
        .await
        .expect_error(401, "unauthenticated");

    // Bad input of every kind is refused and stores nothing.
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"rating": 0}), 400, "bad_rating"),
        (json!({"rating": 6}), 400, "bad_rating"),
        (json!({"rating": -3}), 400, "bad_rating"),
        (
            json!({"rating": 3, "comment": "x".repeat(501)}),
            400,
            "comment_too_long",
        ),
        (
            json!({"rating": 3, "comment": "ciao\u{0007}"}),
            400,
            "bad_comment",
        ),
        (
            json!({"rating": 3, "comment": "a\u{0}b"}),
            400,
            "bad_comment",
        ),
        (json!({}), 422, "bad_request_body"),
        (json!({"rating": "5"}), 422, "bad_request_body"),
        (json!({"rating": 4.5}), 422, "bad_request_body"),
        (
            json!({"rating": 4, "appointment_id": id}),
            422,
            "bad_request_body",
        ),
    ];
    for (body, status, code) in cases {
        give(&citizen, &csrf, body).await.expect_error(status, code);
    }
    citizen
        .post("/v1/citizen/feedback", &json!({"rating": 4}))
        .await
        .expect_error(403, "csrf_failed");
    let r = citizen
        .send(
            "POST",
            "/v1/citizen/feedback",
            &[
                ("x-csrf-token", &csrf),
                ("Content-Type", "application/json"),
            ],
            "{\"rating\": ",
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // Staff sessions are not the citizen's.
    env.operator()
        .await
        .post("/v1/citizen/feedback", &json!({"rating": 4}))
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(env.count("SELECT COUNT(*) FROM feedback").await, 0);

    // 500 characters are fine; the answer clears the kiosk's cookie.
    let comment = format!("Tutto chiaro,\ngrazie. {}", "è".repeat(478));
    assert_eq!(comment.chars().count(), 500);
    let r = give(&citizen, &csrf, json!({"rating": 4, "comment": comment})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let cleared = r
        .set_cookie("sportello_citizen")
        .expect("the cookie cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    // Stored with the day, the comune, the Sede, the rating and the comment: nothing else.
    let rows = sqlx::query("SELECT * FROM feedback")
        .fetch_all(env.pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let mut columns: Vec<String> = rows[0]
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    columns.sort();
    assert_eq!(
        columns,
        ["comment", "comune_istat", "day", "id", "rating", "sede_id"],
        "a feedback row has no column that leads back to the meeting"
    );
    let row = &rows[0];
    assert_eq!(row.try_get::<String, _>("day").unwrap(), "2026-11-23");
    assert_eq!(row.try_get::<String, _>("comune_istat").unwrap(), "090078");
    assert_eq!(row.try_get::<String, _>("sede_id").unwrap(), "sede-sassari");
    assert_eq!(row.try_get::<i64, _>("rating").unwrap(), 4);
    assert_eq!(
        row.try_get::<Option<String>, _>("comment").unwrap(),
        Some(comment)
    );
    let feedback_id: String = row.try_get("id").unwrap();
    let room = handover["ticket"]["room"].as_str().unwrap();
    for linked in [id.as_str(), room, csrf.as_str()] {
        assert_ne!(feedback_id, linked);
    }
    // Nor does the audit log tie a feedback to the meeting.
    let audit: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE '%feedback%'")
            .fetch_one(env.pool())
            .await
            .unwrap();
    assert_eq!(audit, 0);

    // Once per session.
    give(&citizen, &csrf, json!({"rating": 1}))
        .await
        .expect_error(409, "feedback_already_given");
    assert_eq!(env.count("SELECT COUNT(*) FROM feedback").await, 1);
    // Nothing else opens up after it.
    citizen
        .get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");
    env.stop().await;
}

pub(crate) async fn feedback_refused_after_the_grace_or_when_skipped(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    let b = op.book(&at(MON_1000), "b").await;
    // 09:31: both meeting windows are open.
    env.clock.advance(chrono::Duration::minutes(31));
    let (citizen_a, csrf_a, _) = kiosk(&env, &a).await;
    let (citizen_b, csrf_b, _) = kiosk(&env, &b).await;
    close(&env, &a, "resolved").await;
    close(&env, &b, "no_show").await;

    // "Salta": the kiosk ends its session in the grace; no feedback afterwards.
    let r = citizen_b
        .send(
            "DELETE",
            "/v1/citizen/session",
            &[("x-csrf-token", &csrf_b)],
            "",
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    give(&citizen_b, &csrf_b, json!({"rating": 3}))
        .await
        .expect_error(401, "unauthenticated");

    // Within the grace: still possible (checked without giving it); past it: gone.
    env.clock.advance(chrono::Duration::minutes(14));
    give(&citizen_a, &csrf_a, json!({"rating": 9}))
        .await
        .expect_error(400, "bad_rating");
    env.clock.advance(chrono::Duration::minutes(2));
    give(&citizen_a, &csrf_a, json!({"rating": 5}))
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(env.count("SELECT COUNT(*) FROM feedback").await, 0);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM citizen_sessions").await,
        0,
        "a session past its grace is deleted when it is read"
    );
    env.stop().await;
}
