//! The retention purge with the manual clock, on SQLite and PostgreSQL: the clock is moved past
//! each period in turn and the purge run; nothing past its period remains, what is within it is
//! untouched, the counts stay (monitoring facts, feedback counts), one audit entry per run that
//! purged something, and a second run changes nothing. The privacy notice names the periods.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::documents::{pdf, upload};
use crate::support::internals::{PurgeCounts, RetentionConfig, purge_now};
use crate::support::slots::{MON_0930, MON_1000, MON_1100, TUE_0900, TUE_1000};
use crate::support::{Client, TestServer, at};

on_both_databases!(purge_on_postgres; purge_keeps_the_counts_and_nothing_past_its_period);

/// A server on `db` with its data dir.
async fn start(db: Option<String>) -> (TestServer, PathBuf) {
    let dir = Arc::new(Mutex::new(PathBuf::new()));
    let seen = dir.clone();
    let env = TestServer::start_with(db, move |c| {
        *seen.lock().unwrap() = c.data_dir.clone();
    })
    .await;
    let data = dir.lock().unwrap().clone();
    (env, data)
}

fn set_clock(env: &TestServer, to: &str) {
    env.clock.set(to.parse::<DateTime<Utc>>().unwrap());
}

async fn close(official: &Client, id: &str, outcome: &str, notes: &str) {
    let r = official
        .meeting(id, "close", json!({"outcome": outcome, "notes": notes}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn purge(env: &TestServer, data: &Path) -> PurgeCounts {
    purge_now(&env.server, &RetentionConfig::default(), data).await
}

async fn files(data: &Path) -> usize {
    std::fs::read_dir(data.join("documents")).map_or(0, |d| d.flatten().count())
}

/// Facts of one state: (rows, sum of n).
async fn facts(env: &TestServer, state: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM monitoring_facts \
         WHERE state = $1",
    )
    .bind(state)
    .fetch_one(env.pool())
    .await
    .unwrap()
}

async fn last_purge_detail(env: &TestServer) -> String {
    let (d,): (Option<String>,) = sqlx::query_as(
        "SELECT detail FROM audit_log WHERE action = 'retention.purge' \
         ORDER BY at DESC LIMIT 1",
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    d.unwrap()
}

async fn sql(env: &TestServer, statement: &'static str) {
    sqlx::query(statement).execute(env.pool()).await.unwrap();
}

async fn purge_keeps_the_counts_and_nothing_past_its_period(db: Option<String>) {
    let (env, data) = start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    // Monday 23 November 2026, 09:00: D (Tuesday, left open) booked a day ahead, A and B held
    // with outcomes, C cancelled, a hold released.
    let d = op.book(&at(TUE_0900), "d").await;
    let a = op.book(&at(MON_0930), "a").await;
    let b = op.book(&at(MON_1000), "b").await;
    let c = op.book(&at(MON_1100), "c").await;
    let r = op
        .post(&format!("/v1/booking/appointments/{c}/cancel"), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let hold = op.hold_sassari(&at(TUE_1000)).await;
    assert_eq!(
        op.delete(&format!("/v1/booking/holds/{hold}")).await.status,
        204
    );
    assert_eq!(op.meeting(&a, "", json!({})).await.status, 200);
    let r = upload(&op, &a, "domanda.pdf", pdf()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    env.clock.advance(chrono::Duration::minutes(20));
    close(&official, &a, "resolved", "Pratica avviata").await;
    env.clock.advance(chrono::Duration::minutes(10));
    assert_eq!(op.meeting(&b, "", json!({})).await.status, 200);
    env.clock.advance(chrono::Duration::minutes(5));
    close(&official, &b, "call_back", "Richiamare per l'ISEE").await;
    // What other features write: a problem report, feedback, the year keys, and a fact rolled
    // up earlier that D's will be added to.
    sqlx::query(
        "INSERT INTO meeting_reports (id, appointment_id, comune_istat, sede_id, reporter, \
         reporter_role, kind, text, created_at) VALUES ('r1', $1, '090078', 'sassari', \
         'operatore.villanova', 'operator', 'audio', 'Audio assente', 1795420800)",
    )
    .bind(a.as_str())
    .execute(env.pool())
    .await
    .unwrap();
    sql(
        &env,
        "INSERT INTO feedback (id, day, comune_istat, sede_id, rating, comment) VALUES \
         ('f1', '2026-11-23', '090078', 'sassari', 5, 'Gentilissimi'), \
         ('f2', '2026-11-23', '090078', 'sassari', 5, NULL), \
         ('f3', '2026-11-23', '090078', 'sassari', 3, NULL), \
         ('f4', '2027-02-23', '090078', 'sassari', 4, 'Bene')",
    )
    .await;
    // (The key of 2026 exists already: the held meetings created it.)
    sql(
        &env,
        "INSERT INTO monitoring_keys (year, secret) VALUES ('2026', 'k6'), ('2027', 'k7'), \
         ('2028', 'k8') ON CONFLICT (year) DO NOTHING",
    )
    .await;
    assert_eq!(env.count("SELECT COUNT(*) FROM served_citizens").await, 2);
    sql(
        &env,
        "INSERT INTO monitoring_facts (month, comune_istat, sede_id, service_code, state, \
         waiting_days, duration_minutes, n) SELECT '2026-11', '090078', sede_id, 'pensioni', \
         'open', 1, CAST(NULL AS BIGINT), 5 FROM sportelli WHERE id = 'sassari-1'",
    )
    .await;
    assert_eq!(files(&data).await, 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM citizen_requests").await, 4);

    // Nothing is past its period yet (the released hold is younger than a day).
    assert_eq!(purge(&env, &data).await, PurgeCounts::default());
    assert_eq!(env.audited_ok("retention.purge").await, 0);

    // Tuesday 23 February 2027, 07:30: the documents (90 days) and the hold are gone, and the
    // key of 2026 (the year over for 31 days); E is booked.
    set_clock(&env, "2027-02-23T06:30:00Z");
    let op = env.operator().await;
    let e = op.book(&at("2027-02-23T07:30:00Z"), "e").await;
    let n = purge(&env, &data).await;
    assert_eq!(
        n,
        PurgeCounts {
            documents: 1,
            files: 1,
            holds: 1,
            keys: 1,
            ..PurgeCounts::default()
        }
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM documents").await, 0);
    assert_eq!(files(&data).await, 0);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM reservations WHERE status = 'released'")
            .await,
        0
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM monitoring_keys").await, 2);
    assert_eq!(env.count("SELECT COUNT(*) FROM citizen_requests").await, 5);
    assert_eq!(
        last_purge_detail(&env).await,
        "requests=0 sessions=0 notes=0 documents=1 files=1 appointments=0 holds=1 audit=0 \
         feedback=0 keys=1"
    );

    // 25 November 2027: the request data of A-D (365 days) is gone, E's stays; the rows stay,
    // anonymised.
    set_clock(&env, "2027-11-25T12:00:00Z");
    let n = purge(&env, &data).await;
    assert_eq!(
        n,
        PurgeCounts {
            requests: 4,
            notes: 3,
            ..PurgeCounts::default()
        }
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM citizen_requests").await, 1);
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM citizen_requests WHERE reservation_id = $1")
            .bind(e.as_str())
            .fetch_one(env.pool())
            .await
            .unwrap();
    assert_eq!(n, 1, "E's request data stays");
    assert_eq!(
        env.count("SELECT COUNT(*) FROM reservations WHERE meeting_notes IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM meeting_reports WHERE text <> ''")
            .await,
        0
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM reservations").await, 5);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM reservations WHERE meeting_outcome IS NOT NULL")
            .await,
        2
    );

    // 25 November 2028: A-D (730 days) rolled up and deleted with everything naming them; the
    // audit of November 2026 and the feedback of 2026 gone (ratings counted); E stays,
    // anonymised now; the key of 2027 gone.
    set_clock(&env, "2028-11-25T12:00:00Z");
    let audit_before = env
        .count("SELECT COUNT(*) FROM audit_log WHERE at < 1796083200")
        .await;
    assert!(audit_before > 10, "{audit_before}");
    let n = purge(&env, &data).await;
    assert_eq!(
        n,
        PurgeCounts {
            requests: 1,
            appointments: 4,
            audit: u64::try_from(audit_before).unwrap(),
            feedback: 3,
            keys: 1,
            ..PurgeCounts::default()
        }
    );
    for gone in [
        "SELECT COUNT(*) FROM citizen_requests",
        "SELECT COUNT(*) FROM meeting_reports",
        "SELECT COUNT(*) FROM audit_log WHERE at < 1796083200",
        "SELECT COUNT(*) FROM feedback WHERE day < '2027-01-01'",
        "SELECT COUNT(*) FROM monitoring_keys WHERE year <= '2027'",
        "SELECT COUNT(*) FROM reservations WHERE starts_at < 1800000000",
    ] {
        assert_eq!(env.count(gone).await, 0, "{gone}");
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM reservations").await, 1);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM request_services").await,
        1,
        "E's services stay"
    );
    for id in [&a, &b, &c, &d] {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM request_services WHERE reservation_id = $1")
                .bind(id.as_str())
                .fetch_one(env.pool())
                .await
                .unwrap();
        assert_eq!(n, 0);
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM feedback").await, 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM monitoring_keys").await, 1);
    // The facts: D added to the earlier row, one row per other state.
    assert_eq!(facts(&env, "open").await, (1, 6));
    assert_eq!(facts(&env, "resolved").await, (1, 1));
    assert_eq!(facts(&env, "call_back").await, (1, 1));
    assert_eq!(facts(&env, "cancelled").await, (1, 1));
    assert_eq!(
        env.count("SELECT CAST(SUM(n) AS BIGINT) FROM monitoring_facts")
            .await,
        5 + 4
    );
    let (month, waiting, minutes): (String, i64, Option<i64>) = sqlx::query_as(
        "SELECT month, waiting_days, duration_minutes FROM monitoring_facts \
         WHERE state = 'resolved'",
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!((month.as_str(), waiting, minutes), ("2026-11", 0, Some(20)));
    let (minutes,): (Option<i64>,) =
        sqlx::query_as("SELECT duration_minutes FROM monitoring_facts WHERE state = 'call_back'")
            .fetch_one(env.pool())
            .await
            .unwrap();
    assert_eq!(minutes, Some(5));
    let ratings: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT month, rating, n FROM feedback_counts ORDER BY rating")
            .fetch_all(env.pool())
            .await
            .unwrap();
    assert_eq!(
        ratings,
        [("2026-11".to_owned(), 3, 1), ("2026-11".to_owned(), 5, 2)]
    );
    let detail = last_purge_detail(&env).await;
    assert!(
        detail.starts_with(
            "requests=1 sessions=0 notes=0 documents=0 files=0 appointments=4 holds=0 audit="
        ),
        "{detail}"
    );
    assert!(detail.ends_with("feedback=3 keys=1"), "{detail}");
    assert_eq!(env.audited_ok("retention.purge").await, 3);

    // Again: nothing changes, nothing is recorded.
    let before = env.row_counts().await;
    assert_eq!(purge(&env, &data).await, PurgeCounts::default());
    assert_eq!(env.row_counts().await, before);
    assert_eq!(facts(&env, "open").await, (1, 6));
    assert_eq!(env.audited_ok("retention.purge").await, 3);
    // E is still there, anonymised.
    let (status,): (String,) = sqlx::query_as("SELECT status FROM reservations WHERE id = $1")
        .bind(e.as_str())
        .fetch_one(env.pool())
        .await
        .unwrap();
    assert_eq!(status, "booked");
    env.stop().await;
}

/// The privacy notice served to the operator names the configured periods, in the built-in
/// text and through the placeholders of a configured file; bad periods stop the start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_privacy_notice_names_the_periods() {
    let periods = RetentionConfig {
        requests_days: 180,
        documents_days: 45,
        appointments_days: 365,
        audit_days: 1095,
        feedback_days: 730,
    };
    let env = TestServer::start_with(None, |c| c.retention = periods).await;
    let r = env.operator().await.get("/v1/booking/privacy-notice").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let text = r.json()["text"].as_str().unwrap().to_owned();
    for period in [
        "sono cancellati 6 mesi dopo la data dell’appuntamento",
        "45 giorni dopo",
        "conservati per un anno",
        "conservato per 3 anni",
        "per 2 anni",
    ] {
        assert!(text.contains(period), "{period}: {text}");
    }
    assert!(!text.contains("{conservazione"), "{text}");
    env.stop().await;

    let dir = std::env::temp_dir().join(format!("sportello-retention-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("informativa.txt");
    std::fs::write(
        &file,
        "Richiesta: {conservazione_richiesta}. Documenti: {conservazione_documenti}. \
         Registro: {conservazione_registro}.",
    )
    .unwrap();
    let env = TestServer::start_with(None, |c| {
        c.retention = periods;
        c.privacy_notice_file = Some(file.clone());
    })
    .await;
    let r = env.operator().await.get("/v1/booking/privacy-notice").await;
    assert_eq!(
        r.json()["text"],
        "Richiesta: 6 mesi. Documenti: 45 giorni. Registro: 3 anni."
    );
    env.stop().await;
    let _ = std::fs::remove_dir_all(&dir);

    let mut config = sportello::Config::for_tests();
    config.retention.documents_days = 400;
    let e = sportello::Server::start(config).await.unwrap_err();
    assert!(
        format!("{e:#}").contains("--retention-documents-days"),
        "{e:#}"
    );
}
