//! Meeting day, second piece, on SQLite and on PostgreSQL, with real signalling connections:
//! "Passa al cittadino" (the operator's connection continues as the citizen's, the official is
//! told, the operator is logged out, the citizen session reaches only its meeting), "Richiama
//! operatore" (the operator logs in again and takes the connection back), the official closing
//! the meeting with an outcome (everyone cut off with `meeting_ended`, the room refuses joins,
//! the citizen session is gone), the refusals of every step, and the audit entries.

use std::time::Duration as StdDuration;

use crate::support::slots::{MON_0930, MON_1000};
use crate::support::ws::{self, Ws};
use crate::support::{TestServer, at};
use serde_json::{Value, json};
use sportello::Server;
use sportello_signalling::protocol::Role;
use sportello_signalling::token::{MeetingClaims, unix_now};

mod citizen;
mod handover;

use citizen::{citizen_session_reaches_only_its_meeting, close_refusals};
use handover::{handover_recall_and_close, handover_refusals};

const SECS: StdDuration = StdDuration::from_secs(10);

on_both_databases!(
    all_meeting_day_rules_on_postgres;
    handover_recall_and_close,
    handover_refusals,
    close_refusals,
    citizen_session_reaches_only_its_meeting,
);

fn claims(server: &Server, token: &str) -> MeetingClaims {
    server
        .signalling()
        .token_key()
        .verify(token, unix_now())
        .expect("the token verifies with the server's key")
}

pub(crate) async fn reauthenticate(ws: &mut Ws, token: &str) -> Value {
    ws::send(ws, json!({"type": "reauthenticate", "token": token})).await;
    loop {
        let v = ws::next(ws, SECS).await.expect("an answer");
        if v["type"] == "reauthenticated" || v["type"] == "error" {
            return v;
        }
    }
}

/// Audit actions recorded for appointment `id`, in order.
async fn audit_actions(env: &TestServer, id: &str) -> Vec<(String, String, String)> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor_role, action, outcome FROM audit_log WHERE target = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(env.pool())
    .await
    .unwrap();
    rows
}

/// Waits (bounded) until the audit log holds `action` for `id`: the connection entries are
/// written by a task of their own.
async fn wait_for_audit(env: &TestServer, id: &str, role: &str, action: &str) {
    let written = crate::support::eventually(StdDuration::from_secs(5), || async move {
        audit_actions(env, id)
            .await
            .iter()
            .any(|(r, a, _)| r == role && a == action)
    })
    .await;
    assert!(
        written,
        "no audit entry {role} {action} for {id}: {:?}",
        audit_actions(env, id).await
    );
}
