//! INPS → PUE documents to print, never kept: the official sends a PDF, the kiosk's citizen
//! session is told, shows it and says it printed it; the document lives in memory only and is
//! gone after printing or when the meeting ends; neither the data dir nor the database ever
//! holds its bytes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::support::http::{Client, Response};
use crate::support::slots::{MON_0930, MON_1000};
use crate::support::{TestServer, at, eventually, ws};

/// Sends `bytes` to print as `c` (an official).
async fn send(c: &Client, id: &str, name: &str, bytes: Vec<u8>) -> Response {
    let path = format!("/v1/booking/appointments/{id}/prints?name={name}");
    crate::documents::post_file(c, &path, "application/pdf", &bytes).await
}

/// Every file under `dir`, recursively.
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(all_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printed_at_the_kiosk_and_never_kept() {
    let dir = Arc::new(Mutex::new(PathBuf::new()));
    let seen = dir.clone();
    let env = TestServer::start_with(None, move |c| {
        *seen.lock().unwrap() = c.data_dir.clone();
    })
    .await;
    let data = dir.lock().unwrap().clone();
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    let other = op.book(&at(MON_1000), "b").await;
    let official = env.official().await;
    let marker = "STAMPA-7f3a9c-INPS";
    let doc = crate::documents::pdf_with(marker);
    // Not before the meeting is open; not by the operator.
    send(&official, &a, "cud.pdf", doc.clone())
        .await
        .expect_error(409, "meeting_not_open");
    let ticket = op.meeting(&a, "", json!({})).await.json();
    send(&op, &a, "cud.pdf", doc.clone())
        .await
        .expect_error(403, "forbidden");
    send(
        &env.login("funzionario.laquila").await,
        &a,
        "cud.pdf",
        doc.clone(),
    )
    .await
    .expect_error(403, "forbidden");

    // The kiosk: the operator's connection, handed over to the citizen.
    let (mut kiosk, _) = ws::join(&env.server, ticket["token"].as_str().unwrap()).await;
    let r = op.meeting(&a, "handover", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let csrf = r.json()["csrf_token"].as_str().unwrap().to_owned();
    let citizen = env.citizen_after_handover(&r);

    // Refusals: not a PDF, too large; nothing held.
    send(&official, &a, "foto.pdf", b"\x89PNG\r\n\x1a\n0000".to_vec())
        .await
        .expect_error(422, "not_a_document");
    send(&official, &a, "grande.pdf", vec![b'%'; 4_000_001])
        .await
        .expect_error(413, "document_too_large");
    assert_eq!(citizen.get("/v1/citizen/prints").await.json(), json!([]));

    // The official sends; the kiosk is told and shows it.
    let r = send(&official, &a, "cud.pdf", doc.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["size"], doc.len());
    ws::next_of(&mut kiosk, "prints_changed", Duration::from_secs(10))
        .await
        .expect("the kiosk is told");
    let list = citizen.get("/v1/citizen/prints").await;
    assert_eq!(list.header("cache-control"), Some("no-store"));
    assert_eq!(list.json()[0]["id"], id.as_str());
    assert_eq!(list.json()[0]["name"], "cud.pdf");
    let got = reqwest::Client::new()
        .get(format!("http://{}/v1/citizen/prints/{id}", citizen.addr))
        .header("Host", "localhost")
        .header("Cookie", citizen.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "application/pdf");
    assert_eq!(got.headers()["cache-control"], "no-store");
    assert_eq!(got.headers()["x-frame-options"], "SAMEORIGIN");
    assert!(
        got.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'self'")
    );
    assert_eq!(got.bytes().await.unwrap().as_ref(), doc.as_slice());
    let pending = official
        .get(&format!("/v1/booking/appointments/{a}/prints"))
        .await;
    assert_eq!(pending.json()[0]["id"], id.as_str());

    // Only this meeting's kiosk: another meeting's citizen session gets 404, nobody else 401.
    assert_eq!(
        op.meeting(&other, "", json!({})).await.status,
        401,
        "the operator was logged out"
    );
    // 09:30: the other appointment's window opens too.
    env.clock.advance(chrono::Duration::minutes(30));
    let op2 = env.operator().await;
    assert_eq!(op2.meeting(&other, "", json!({})).await.status, 200);
    let r2 = op2.meeting(&other, "handover", json!({})).await;
    let other_kiosk = env.citizen_after_handover(&r2);
    other_kiosk
        .get(&format!("/v1/citizen/prints/{id}"))
        .await
        .expect_error(404, "unknown_document");
    assert_eq!(
        other_kiosk.get("/v1/citizen/prints").await.json(),
        json!([])
    );
    env.anonymous()
        .get(&format!("/v1/citizen/prints/{id}"))
        .await
        .expect_error(401, "unauthenticated");
    // Without the session's CSRF token, "done" is refused.
    citizen
        .post(&format!("/v1/citizen/prints/{id}/done"), &json!({}))
        .await
        .expect_error(403, "csrf_failed");

    // Printed: gone.
    let done = citizen
        .post_with(
            &format!("/v1/citizen/prints/{id}/done"),
            &[("x-csrf-token", csrf.as_str())],
            &json!({}),
        )
        .await;
    assert_eq!(done.status, 204, "{}", done.text);
    citizen
        .get(&format!("/v1/citizen/prints/{id}"))
        .await
        .expect_error(404, "unknown_document");
    citizen
        .post_with(
            &format!("/v1/citizen/prints/{id}/done"),
            &[("x-csrf-token", csrf.as_str())],
            &json!({}),
        )
        .await
        .expect_error(404, "unknown_document");

    // At most 3 waiting per meeting; the meeting's end drops them.
    for i in 0..3 {
        assert_eq!(
            send(&official, &a, &format!("d{i}.pdf"), doc.clone())
                .await
                .status,
            201
        );
    }
    send(&official, &a, "d3.pdf", doc.clone())
        .await
        .expect_error(409, "too_many_prints");
    let r = official
        .meeting(&a, "close", json!({"outcome": "resolved"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let pending = format!("/v1/booking/appointments/{a}/prints");
    let official_ref = &official;
    let pending_ref = &pending;
    assert!(
        eventually(Duration::from_secs(30), || async move {
            official_ref.get(pending_ref).await.json() == json!([])
        })
        .await,
        "the prints of the ended meeting are dropped"
    );

    // The audit row of a send names the size and the digest, never the content.
    let (detail,): (String,) =
        sqlx::query_as("SELECT detail FROM audit_log WHERE action = 'print.send' AND target = $1")
            .bind(&id)
            .fetch_one(env.pool())
            .await
            .unwrap();
    assert!(
        detail.starts_with(&format!("size={} sha256=", doc.len())),
        "{detail}"
    );
    // Audited: one send per document, one print.
    for (action, n) in [("print.send", 4), ("print.done", 1)] {
        assert_eq!(env.audited_ok(action).await, n, "{action}");
    }
    env.stop().await;
    // Neither the data dir (database included) nor anything under it ever held the bytes.
    let files = all_files(&data);
    assert!(files.iter().any(|f| f.ends_with("booking.db")), "{files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
            "{} holds the printed document",
            f.display()
        );
    }
}
