//! Operator revocation, on SQLite and on PostgreSQL: an operator in a meeting is revoked by the
//! comune's user administrator and is cut off within 2 seconds (signalling `error` `removed`,
//! then close; the official sees `participant_left`), their session cookie stops working, they
//! cannot log in until re-enabled (a row in `staff_revocations`); who may revoke; audit entries.

use std::time::{Duration as StdDuration, Instant};

use crate::support::slots::MON_0930;
use crate::support::ws;
use crate::support::{Client, PgCluster, Request, TestServer, at, expect_errors};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_on_sqlite() {
    revocation(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_on_postgres() {
    let pg = PgCluster::start().await;
    revocation(Some(pg.create_database().await)).await;
}

async fn revoke(c: &Client, account: &str) -> crate::support::Response {
    c.post(
        &format!("/v1/identity/operators/{account}/revoke"),
        &json!({}),
    )
    .await
}

async fn enable(c: &Client, account: &str) -> crate::support::Response {
    c.post(
        &format!("/v1/identity/operators/{account}/enable"),
        &json!({}),
    )
    .await
}

async fn revocation(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    let ua = env.user_admin().await;
    let admin = env.inps_admin().await;

    // A real meeting: "Apri meeting" and "Entra nel meeting".
    let id = op.book(&at(MON_0930), "rev").await;
    let r = op.meeting(&id, "", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let op_ticket = r.json();
    let r = official.meeting(&id, "join", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let official_ticket = r.json();

    let (mut ws_op, joined) = ws::join(&env.server, op_ticket["token"].as_str().unwrap()).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    let (mut ws_official, joined_o) =
        ws::join(&env.server, official_ticket["token"].as_str().unwrap()).await;
    assert_eq!(joined_o["type"], "joined", "{joined_o}");
    assert_eq!(joined_o["room"], joined["room"]);
    let op_participant = joined_o["participants"][0]["id"].clone();
    // The operator hears of the official.
    let v = ws::next(&mut ws_op, StdDuration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(v["type"], "participant_joined", "{v}");

    // Who may not revoke: an operator, an official, the user administrator of another comune's
    // operator; nor may anyone revoke a non-operator through this route.
    let anonymous = env.anonymous();
    let revoke_as = |account: &str| {
        Request::post(
            format!("/v1/identity/operators/{account}/revoke"),
            &json!({}),
        )
    };
    let long = "a".repeat(65);
    let mut cases = vec![
        (&op, revoke_as("operatore.alghero"), 403, "forbidden"),
        (&op, revoke_as("operatore.villanova"), 403, "forbidden"),
        (
            &official,
            revoke_as("operatore.villanova"),
            403,
            "forbidden",
        ),
        (&ua, revoke_as("operatore.alghero"), 403, "forbidden"),
        (&ua, revoke_as("funzionario.sassari"), 403, "forbidden"),
        (
            &anonymous,
            revoke_as("operatore.villanova"),
            401,
            "unauthenticated",
        ),
    ];
    // Bad and unknown ids.
    for bad in ["Operatore", "a%20b", "x;y", &long] {
        cases.push((&ua, revoke_as(bad), 400, "bad_account_id"));
    }
    cases.push((&ua, revoke_as("operatore.nessuno"), 404, "unknown_account"));
    cases.push((
        &ua,
        Request::post(
            "/v1/identity/operators/operatore.nessuno/enable",
            &json!({}),
        ),
        404,
        "unknown_account",
    ));
    expect_errors("who may revoke", &cases).await;
    // Nothing happened to the operator.
    assert_eq!(op.get("/v1/session").await.status, 200);

    // Revoked by the comune's user administrator: cut off within 2 s.
    let started = Instant::now();
    let r = revoke(&ua, "operatore.villanova").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["revoked"], true);
    let v = ws::next(&mut ws_op, StdDuration::from_secs(2))
        .await
        .expect("an error before the close");
    let got_error = started.elapsed();
    assert_eq!(v["type"], "error", "{v}");
    assert_eq!(v["code"], "removed", "{v}");
    let left = started + StdDuration::from_secs(2);
    let closed = ws::next(
        &mut ws_op,
        left.saturating_duration_since(Instant::now())
            .max(StdDuration::from_millis(1)),
    )
    .await;
    assert!(closed.is_none(), "closed after the error: {closed:?}");
    let cut_off = started.elapsed();
    eprintln!(
        "revocation cut-off: error after {} ms, closed after {} ms",
        got_error.as_millis(),
        cut_off.as_millis()
    );
    assert!(cut_off < StdDuration::from_secs(2), "{cut_off:?}");
    let v = ws::next(&mut ws_official, StdDuration::from_secs(2))
        .await
        .expect("the official hears");
    assert_eq!(v["type"], "participant_left", "{v}");
    assert_eq!(v["participant_id"], op_participant, "{v}");
    assert_eq!(v["reason"], "removed", "{v}");

    // The cookie is dead, and the account cannot log in again.
    op.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    env.try_login("operatore.villanova")
        .await
        .expect_error(403, "account_revoked");
    // Kept in the database: who, when, by whom (ids only).
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT subject, revoked_by FROM staff_revocations")
            .fetch_all(env.pool())
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![("operatore.villanova".into(), "utenze.villanova".into())]
    );
    // Other accounts are untouched.
    assert_eq!(official.get("/v1/session").await.status, 200);
    assert_eq!(ua.get("/v1/session").await.status, 200);

    // Re-enabled (here by the INPS administrator): login works again.
    let r = enable(&admin, "operatore.villanova").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["revoked"], false);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM staff_revocations")
        .fetch_one(env.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    let again = env.operator().await;
    assert_eq!(again.get("/v1/session").await.status, 200);
    // The INPS administrator may revoke any comune's operator, and the user administrator may
    // re-enable their own.
    let r = revoke(&admin, "operatore.villanova").await;
    assert_eq!(r.status, 200, "{}", r.text);
    again
        .get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    let r = enable(&ua, "operatore.villanova").await;
    assert_eq!(r.status, 200, "{}", r.text);
    env.operator().await;
    let r = revoke(&admin, "operatore.alghero").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = enable(&admin, "operatore.alghero").await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Audit entries: target = the account id, no personal data.
    let r = admin.get("/v1/audit?action=operator.revoke").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let revokes = r.json().as_array().unwrap().clone();
    let ok: Vec<_> = revokes.iter().filter(|e| e["outcome"] == "ok").collect();
    assert_eq!(ok.len(), 3, "{revokes:?}");
    assert!(ok.iter().any(|e| e["actor_subject"] == "utenze.villanova"
        && e["target"] == "operatore.villanova"
        && e["comune_istat"] == "090078"));
    assert!(
        revokes
            .iter()
            .any(|e| e["outcome"] == "denied" && e["actor_subject"] == "operatore.villanova"),
        "{revokes:?}"
    );
    let r = admin.get("/v1/audit?action=operator.enable").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let enables = r.json().as_array().unwrap().clone();
    assert_eq!(
        enables.iter().filter(|e| e["outcome"] == "ok").count(),
        3,
        "{enables:?}"
    );
    let r = admin.get("/v1/audit?action=session.login").await;
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["outcome"] == "denied" && e["target"] == "operatore.villanova"),
        "{}",
        r.text
    );
    for e in revokes.iter().chain(&enables) {
        for secret in ["Laura", "Bianchi", "BNCLRA92P55I452E"] {
            assert!(!e.to_string().contains(secret), "{secret} in {e}");
        }
    }
    let _ = ws_official.close(None).await;
    env.stop().await;
}

/// The operator books today's 09:30 slot, opens its meeting and joins it; returns the connection.
async fn operator_in_meeting(env: &TestServer, op: &Client, key: &str) -> ws::Ws {
    let id = op.book(&at(MON_0930), key).await;
    let r = op.meeting(&id, "", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (ws_op, joined) = ws::join(&env.server, r.json()["token"].as_str().unwrap()).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    ws_op
}

/// Dates that end today's validity are a revocation too: the connected operator is cut off
/// within 2 s, like a revoked one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validity_end_cuts_off_a_connected_operator() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let ua = env.user_admin().await;
    let mut ws_op = operator_in_meeting(&env, &op, "validity").await;

    let started = Instant::now();
    let r = ua
        .send(
            "PATCH",
            "/v1/identity/operators/operatore.villanova",
            &[("Content-Type", "application/json")],
            &json!({"valid_until": "2026-11-22"}).to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = ws::next(&mut ws_op, StdDuration::from_secs(2))
        .await
        .expect("an error before the close");
    assert_eq!(v["type"], "error", "{v}");
    assert_eq!(v["code"], "removed", "{v}");
    let closed = ws::next(&mut ws_op, StdDuration::from_secs(2)).await;
    assert!(closed.is_none(), "closed after the error: {closed:?}");
    let cut_off = started.elapsed();
    eprintln!("validity cut-off: closed after {} ms", cut_off.as_millis());
    assert!(cut_off < StdDuration::from_secs(3), "{cut_off:?}");
    op.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    env.stop().await;
}

/// The last valid day ends while the operator is in a meeting: cut off when the day changes,
/// without anyone touching the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_valid_day_ends_during_a_meeting() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let ua = env.user_admin().await;
    // Valid through today (Monday 23 November 2026).
    let r = ua
        .send(
            "PATCH",
            "/v1/identity/operators/operatore.villanova",
            &[("Content-Type", "application/json")],
            &json!({"valid_until": "2026-11-23"}).to_string(),
        )
        .await;
    assert_eq!(r.json()["status"], "active", "{}", r.text);
    let mut ws_op = operator_in_meeting(&env, &op, "midnight").await;
    // Still connected a second later: nothing happens during the last valid day.
    let quiet = tokio::time::timeout(
        StdDuration::from_millis(1500),
        ws::next(&mut ws_op, StdDuration::from_secs(10)),
    )
    .await;
    assert!(quiet.is_err(), "nothing arrives: {quiet:?}");
    // Midnight passes.
    env.clock.advance(chrono::Duration::hours(15));
    let started = Instant::now();
    let v = ws::next(&mut ws_op, StdDuration::from_secs(3))
        .await
        .expect("an error when the day changes");
    assert_eq!(v["type"], "error", "{v}");
    assert_eq!(v["code"], "removed", "{v}");
    eprintln!(
        "day-end cut-off: {} ms after the clock passed midnight",
        started.elapsed().as_millis()
    );
    op.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    env.stop().await;
}
