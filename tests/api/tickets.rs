//! Join tickets are single-use, and every `join` and `reauthenticate` checks at that moment that
//! the ticket's subject is still admitted: a ticket taken before a revocation, a handover or the
//! citizen's "esci" admits nobody afterwards, while a reconnect with a new ticket gets back in.
//! A handover cuts off the connection of the citizen session it replaces. `reauthenticate` is
//! rate-limited per connection, and one that keeps the identity records nothing.

use std::time::Duration as StdDuration;

use crate::meeting_day::reauthenticate;
use crate::support::slots::MON_0930;
use crate::support::ws::{self, Ws};
use crate::support::{Client, TestServer, at};
use serde_json::{Value, json};
use sportello_signalling::protocol::Role;

const SECS: StdDuration = StdDuration::from_secs(10);

on_both_databases!(
    ticket_rules_on_postgres;
    a_ticket_admits_once,
    a_ticket_taken_before_a_revocation_admits_nobody,
    after_the_handover_operator_tickets_admit_no_new_connection,
    after_esci_the_citizen_s_last_ticket_admits_nobody,
    a_new_handover_cuts_off_the_earlier_citizen,
);

fn token(ticket: &Value) -> &str {
    ticket["token"].as_str().expect("a ticket token")
}

/// A fresh ticket through a staff door (`""` = "Apri meeting", `"join"` = the official's).
async fn ticket(who: &Client, id: &str, door: &str) -> Value {
    let r = who.meeting(id, door, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

async fn refused(env: &TestServer, token: &str, code: &str) {
    let (mut socket, v) = ws::join(&env.server, token).await;
    assert_eq!(v["type"], "error", "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert!(ws::next(&mut socket, SECS).await.is_none(), "then closed");
}

async fn joined(env: &TestServer, token: &str) -> (Ws, Value) {
    let (socket, v) = ws::join(&env.server, token).await;
    assert_eq!(v["type"], "joined", "{v}");
    (socket, v)
}

/// "Passa al cittadino": the handover answer's citizen client, ticket and CSRF token.
async fn handover(env: &TestServer, op: &Client, id: &str) -> (Client, Value, String) {
    let r = op.meeting(id, "handover", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let citizen = env.citizen_after_handover(&r);
    let answer = r.json();
    let csrf = answer["csrf_token"].as_str().unwrap().to_owned();
    (citizen, answer["ticket"].clone(), csrf)
}

async fn citizen_ticket(citizen: &Client, csrf: &str) -> Value {
    let r = citizen
        .post_with(
            "/v1/citizen/meeting/token",
            &[("x-csrf-token", csrf)],
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

async fn a_ticket_admits_once(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let id = op.book(&at(MON_0930), "once").await;
    let t = ticket(&op, &id, "").await;
    let (mut first, _) = joined(&env, token(&t)).await;
    // The same ticket again: on a second connection, and as `reauthenticate` on its own.
    refused(&env, token(&t), "ticket_used").await;
    let v = reauthenticate(&mut first, token(&t)).await;
    assert_eq!(v["code"], "ticket_used", "{v}");
    // After leaving, the ticket does not bring the connection back; a new one does.
    ws::send(&mut first, json!({"type": "leave"})).await;
    assert!(ws::next_of(&mut first, "never", SECS).await.is_none());
    refused(&env, token(&t), "ticket_used").await;
    let (_again, _) = joined(&env, token(&ticket(&op, &id, "").await)).await;
    // Tokens that stand alone (demo room, load tests) are single-use too.
    let demo = env.server.token("demo-once", Role::LoadTester, "load 0.0");
    let (_demo, _) = joined(&env, &demo).await;
    refused(&env, &demo, "ticket_used").await;
    env.stop().await;
}

async fn a_ticket_taken_before_a_revocation_admits_nobody(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    let ua = env.user_admin().await;
    let id = op.book(&at(MON_0930), "rev").await;
    let (mut in_call, _) = joined(&env, token(&ticket(&op, &id, "").await)).await;
    let spare = ticket(&op, &id, "").await;
    let (mut off, _) = joined(&env, token(&ticket(&official, &id, "join").await)).await;
    let spare_for_reauth = ticket(&op, &id, "").await;

    let r = ua
        .post(
            "/v1/identity/operators/operatore.villanova/revoke",
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let e = ws::error_then_close(&mut in_call, SECS)
        .await
        .expect("cut off");
    assert_eq!(e["code"], "removed", "{e}");
    // The ticket taken before the revocation is refused, on a new connection and as a
    // reauthenticate on someone else's.
    refused(&env, token(&spare), "not_admitted").await;
    let v = reauthenticate(&mut off, token(&spare_for_reauth)).await;
    assert_eq!(v["code"], "not_admitted", "{v}");
    // Re-enabled, the account needs a new login and a new ticket: the old session is gone.
    let admin = env.inps_admin().await;
    let r = admin
        .post(
            "/v1/identity/operators/operatore.villanova/enable",
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let spare2 = ticket(&env.operator().await, &id, "").await;
    let (_back, _) = joined(&env, token(&spare2)).await;
    env.stop().await;
}

async fn after_the_handover_operator_tickets_admit_no_new_connection(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    let id = op.book(&at(MON_0930), "ho").await;
    let (mut kiosk, _) = joined(&env, token(&ticket(&op, &id, "").await)).await;
    let (mut off, _) = joined(&env, token(&ticket(&official, &id, "join").await)).await;
    let before = ticket(&op, &id, "").await;
    let (citizen, handed, csrf) = handover(&env, &op, &id).await;
    let v = reauthenticate(&mut kiosk, token(&handed)).await;
    assert_eq!(v["participant"]["role"], "citizen", "{v}");

    // The ticket taken before the handover: its session was logged out by the handover.
    refused(&env, token(&before), "not_admitted").await;
    // The operator logs in again (elsewhere) and takes a fresh ticket: the ticket is issued
    // ("Richiama operatore" needs it at the kiosk) but admits no new connection.
    let op = env.operator().await;
    let fresh = ticket(&op, &id, "").await;
    refused(&env, token(&fresh), "not_admitted").await;
    // Nor does it turn the official's connection into the operator's.
    let v = reauthenticate(&mut off, token(&ticket(&op, &id, "").await)).await;
    assert_eq!(v["code"], "not_admitted", "{v}");
    // The citizen is still the one at the kiosk.
    assert_eq!(citizen.get("/v1/citizen/session").await.status, 200);

    // "Richiama operatore" at the kiosk: the citizen's connection takes the operator back,
    // and the comune's side of the call is the operator's again (the citizen session ends).
    let v = reauthenticate(&mut kiosk, token(&ticket(&op, &id, "").await)).await;
    assert_eq!(v["participant"]["role"], "operator", "{v}");
    citizen
        .get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");
    citizen_ticket_refused(&citizen, &csrf).await;
    // A reconnect of the operator with a new ticket gets back in.
    drop(kiosk);
    let (_kiosk, _) = joined(&env, token(&ticket(&op, &id, "").await)).await;
    env.stop().await;
}

async fn citizen_ticket_refused(citizen: &Client, csrf: &str) {
    citizen
        .post_with(
            "/v1/citizen/meeting/token",
            &[("x-csrf-token", csrf)],
            &json!({}),
        )
        .await
        .expect_error(401, "unauthenticated");
}

async fn after_esci_the_citizen_s_last_ticket_admits_nobody(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let id = op.book(&at(MON_0930), "esci").await;
    let (mut kiosk, _) = joined(&env, token(&ticket(&op, &id, "").await)).await;
    let (citizen, handed, csrf) = handover(&env, &op, &id).await;
    let v = reauthenticate(&mut kiosk, token(&handed)).await;
    assert_eq!(v["participant"]["role"], "citizen", "{v}");
    // A reconnect of the citizen with a new ticket gets back in.
    drop(kiosk);
    let (kiosk, _) = joined(&env, token(&citizen_ticket(&citizen, &csrf).await)).await;
    let last = citizen_ticket(&citizen, &csrf).await;
    let leave = [("x-csrf-token", csrf.as_str())];
    let r = citizen
        .send("DELETE", "/v1/citizen/session", &leave, "")
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    refused(&env, token(&last), "not_admitted").await;
    drop(kiosk);
    env.stop().await;
}

async fn a_new_handover_cuts_off_the_earlier_citizen(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    let id = op.book(&at(MON_0930), "again").await;
    let (mut kiosk, hello) = joined(&env, token(&ticket(&op, &id, "").await)).await;
    let kiosk_id = hello["participant_id"].clone();
    let (mut off, _) = joined(&env, token(&ticket(&official, &id, "join").await)).await;
    let (first_citizen, handed, _) = handover(&env, &op, &id).await;
    let v = reauthenticate(&mut kiosk, token(&handed)).await;
    assert_eq!(v["participant"]["role"], "citizen", "{v}");

    // The operator logs in again (the kiosk browser was lost, say) and hands over anew: the
    // earlier citizen's connection is cut off at once.
    let op = env.operator().await;
    let (second_citizen, handed2, _) = handover(&env, &op, &id).await;
    let e = ws::error_then_close(&mut kiosk, SECS)
        .await
        .expect("an error before the close");
    assert_eq!(e["code"], "removed", "{e}");
    let left = ws::next_of(&mut off, "participant_left", SECS)
        .await
        .expect("the official is told");
    assert_eq!(left["participant_id"], kiosk_id, "{left}");
    first_citizen
        .get("/v1/citizen/session")
        .await
        .expect_error(401, "unauthenticated");
    // The new citizen session enters.
    assert_eq!(second_citizen.get("/v1/citizen/session").await.status, 200);
    let (_kiosk2, _) = joined(&env, token(&handed2)).await;
    env.stop().await;
}

/// Audit rows whose target is `target`.
async fn audit_rows(env: &TestServer, target: &str, like: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE target = $1 AND action LIKE $2")
        .bind(target)
        .bind(like)
        .fetch_one(env.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reauthenticate_is_rate_limited_per_connection() {
    let env = TestServer::start(None).await;
    let room = "reauth-flood";
    let (mut socket, _) = joined(&env, &env.server.token(room, Role::LoadTester, "load")).await;
    // 50 reauthenticates at once, each with a new ticket of another identity.
    const N: usize = 50;
    for i in 0..N {
        let t = env
            .server
            .token(room, Role::LoadTester, &format!("load {i}"));
        ws::send(&mut socket, json!({"type": "reauthenticate", "token": t})).await;
    }
    let (mut taken, mut limited) = (0, 0);
    for _ in 0..N {
        let v = loop {
            let v = ws::next(&mut socket, SECS).await.expect("an answer");
            if v["type"] == "reauthenticated" || v["type"] == "error" {
                break v;
            }
        };
        match (v["type"].as_str(), v["code"].as_str()) {
            (Some("reauthenticated"), _) => taken += 1,
            (_, Some("rate_limited")) => limited += 1,
            _ => panic!("unexpected answer {v}"),
        }
    }
    eprintln!("{N} rapid reauthenticates: {taken} taken, {limited} rate-limited");
    assert!((1..=5).contains(&taken), "{taken} taken");
    assert_eq!(taken + limited, N);
    // The connection is still there; its leave is the last audit entry written.
    ws::send(&mut socket, json!({"type": "leave"})).await;
    let written = crate::support::eventually(StdDuration::from_secs(5), || async {
        audit_rows(&env, room, "meeting.disconnect").await == 1
    })
    .await;
    assert!(written, "the leave is recorded");
    let rows = audit_rows(&env, room, "meeting.%").await;
    eprintln!("audit rows for the flooded connection: {rows}");
    // join + 2 per identity change + leave.
    assert!(rows <= 2 + 2 * 5, "{rows} audit rows");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_same_identity_reauthenticate_records_nothing() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let official = env.official().await;
    let id = op.book(&at(MON_0930), "same").await;
    let (mut kiosk, _) = joined(&env, token(&ticket(&op, &id, "").await)).await;
    let (mut off, _) = joined(&env, token(&ticket(&official, &id, "join").await)).await;
    let (citizen, handed, csrf) = handover(&env, &op, &id).await;
    let v = reauthenticate(&mut kiosk, token(&handed)).await;
    assert_eq!(v["participant"]["role"], "citizen", "{v}");
    ws::next_of(&mut off, "participant_updated", SECS)
        .await
        .expect("the official is told of the change");
    // A new ticket of the same identity: answered, but nothing changes and nobody is told.
    let same = citizen_ticket(&citizen, &csrf).await;
    let v = reauthenticate(&mut kiosk, token(&same)).await;
    assert_eq!(v["type"], "reauthenticated", "{v}");
    assert_eq!(v["participant"]["role"], "citizen", "{v}");
    // The official was not told (anything sent to it for the reauthenticate would come
    // before the answer to its ping).
    ws::send(&mut off, json!({"type": "ping", "nonce": 1})).await;
    loop {
        let v = ws::next(&mut off, SECS).await.expect("the pong");
        assert_ne!(v["type"], "participant_updated", "{v}");
        if v["type"] == "pong" {
            break;
        }
    }
    // The official leaves: once that is recorded, every earlier entry is too.
    ws::send(&mut off, json!({"type": "leave"})).await;
    let written = crate::support::eventually(StdDuration::from_secs(5), || async {
        audit_rows(&env, &id, "meeting.disconnect").await == 1
    })
    .await;
    assert!(written, "the leave is recorded");
    assert_eq!(
        audit_rows(&env, &id, "meeting.connection_taken_over").await,
        1
    );
    assert_eq!(
        audit_rows(&env, &id, "meeting.connection_handed_over").await,
        1
    );
    env.stop().await;
}
