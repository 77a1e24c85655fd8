//! Problem reports of a meeting ("Segnala un problema") and their list for the referenti: who may
//! report (the meeting's operator and official; others refused, another comune's or Sede's as
//! unknown), bad kinds and texts refused, the audit entry without the text, the bound per
//! appointment, and what each referente role reads (scope, pages, newest first).

use crate::support::slots::MON_0930;
use crate::support::{Client, TestServer, at};
use serde_json::{Value, json};

on_both_databases!(
    reports_on_postgres;
    who_reports_and_what_is_refused,
    what_each_referente_reads,
);

async fn report(who: &Client, id: &str, body: Value) -> crate::support::Response {
    who.post(&format!("/v1/booking/appointments/{id}/reports"), &body)
        .await
}

/// An appointment of Pescasseroli (Abruzzo) at the Sede dell'Aquila, booked by its operator.
async fn book_in_abruzzo(env: &TestServer) -> (Client, String) {
    let op = env.login("operatore.pescasseroli").await;
    let r = op
        .get("/v1/booking/sportelli/laquila-1/slots?from=2026-11-24&to=2026-11-24")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let slot = r.json()["slots"][0]["starts_at"]
        .as_str()
        .expect("a free slot")
        .to_owned();
    let hold = op.hold("laquila-1", &slot, "pensioni").await;
    assert_eq!(hold.status, 201, "{}", hold.text);
    let id = hold.json()["id"].as_str().unwrap().to_owned();
    let mut citizen = crate::support::citizen();
    citizen["applicant"]["residence_istat"] = json!("066068");
    let r = op
        .post_with(
            &format!("/v1/booking/holds/{id}/confirm"),
            &[("Idempotency-Key", "abruzzo")],
            &citizen,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (op, id)
}

pub(crate) async fn who_reports_and_what_is_refused(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    let id = op.book(&at(MON_0930), "a").await;

    let r = report(
        &op,
        &id,
        json!({"kind": "audio", "text": "Il cittadino non sente."}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["id"].as_str().unwrap().len(), 32);
    let r = report(&official, &id, json!({"kind": "video"})).await;
    assert_eq!(r.status, 201, "{}", r.text);

    // Another comune's operator and another Sede's official: as if there were no appointment.
    for account in ["operatore.alghero", "funzionario.laquila"] {
        let other = env.login(account).await;
        report(&other, &id, json!({"kind": "audio"}))
            .await
            .expect_error(404, "unknown_appointment");
    }
    // Roles that take no part in the meeting.
    for account in [
        "utenze.villanova",
        "admin.inps",
        "referente.villanova",
        "referente.inps",
        "referente.anci",
    ] {
        let other = env.login(account).await;
        report(&other, &id, json!({"kind": "audio"}))
            .await
            .expect_error(403, "forbidden");
    }
    report(&env.anonymous(), &id, json!({"kind": "audio"}))
        .await
        .expect_error(401, "unauthenticated");

    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (&id, json!({"kind": "rumore"}), 400, "bad_report_kind"),
        (&id, json!({"kind": "AUDIO"}), 400, "bad_report_kind"),
        (&id, json!({"kind": ""}), 400, "bad_report_kind"),
        (
            &id,
            json!({"kind": "other", "text": "x".repeat(1001)}),
            400,
            "report_too_long",
        ),
        (
            &id,
            json!({"kind": "other", "text": "a\u{001b}[31m"}),
            400,
            "bad_report_text",
        ),
        (&id, json!({}), 422, "bad_request_body"),
        (&id, json!({"kind": 1}), 422, "bad_request_body"),
        (
            &id,
            json!({"kind": "audio", "reporter": "x"}),
            422,
            "bad_request_body",
        ),
        ("x", json!({"kind": "audio"}), 400, "bad_appointment_id"),
        (
            "ffffffffffffffffffffffffffffffff",
            json!({"kind": "audio"}),
            404,
            "unknown_appointment",
        ),
    ];
    for (target, body, status, code) in cases {
        report(&op, target, body).await.expect_error(status, code);
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM meeting_reports").await, 2);

    // Audited with the kind, never the text; refusals as denied.
    assert_eq!(env.audited_ok("meeting.report").await, 2);
    let details: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT detail FROM audit_log WHERE action = 'meeting.report' AND outcome = 'ok' \
         ORDER BY detail",
    )
    .fetch_all(env.pool())
    .await
    .unwrap();
    assert_eq!(
        details,
        vec![(Some("kind=audio".into()),), (Some("kind=video".into()),)]
    );
    let denied = env
        .count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.report' AND outcome = 'denied'",
        )
        .await;
    // The two hidden and the five wrong roles; not the id that names no appointment.
    assert_eq!(denied, 7);
    let leaked = env
        .count("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%sente%'")
        .await;
    assert_eq!(leaked, 0);

    // After the close too ("Videochiamata chiusa"), up to 20 per appointment.
    assert_eq!(op.meeting(&id, "", json!({})).await.status, 200);
    let r = official
        .meeting(&id, "close", json!({"outcome": "resolved"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for _ in 2..20 {
        let r = report(&official, &id, json!({"kind": "connection", "text": ""})).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    report(&op, &id, json!({"kind": "other"}))
        .await
        .expect_error(409, "too_many_reports");
    assert_eq!(env.count("SELECT COUNT(*) FROM meeting_reports").await, 20);
    env.stop().await;
}

async fn list(who: &Client, query: &str) -> Value {
    let r = who.get(&format!("/v1/monitoring/reports{query}")).await;
    assert_eq!(r.status, 200, "{query}: {}", r.text);
    r.json()
}

fn comuni(page: &Value) -> Vec<String> {
    page["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["comune_name"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn what_each_referente_reads(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let villanova = op.book(&at(MON_0930), "a").await;
    let (op_abruzzo, pescasseroli) = book_in_abruzzo(&env).await;
    let r = report(
        &op,
        &villanova,
        json!({"kind": "audio", "text": "Eco forte."}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    env.clock.advance(chrono::Duration::minutes(1));
    let r = report(
        &op_abruzzo,
        &pescasseroli,
        json!({"kind": "connection", "text": "La linea cade."}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);

    let both = ["Pescasseroli", "Villanova Monteleone"];
    for (account, want) in [
        ("referente.villanova", &both[1..]),
        ("referente.sardegna", &both[1..]),
        ("referente.inps", &both[..]),
        ("admin.inps", &both[..]),
    ] {
        let who = env.login(account).await;
        let page = list(&who, "").await;
        assert_eq!(comuni(&page), want, "{account}");
        assert_eq!(page["total"], want.len(), "{account}");
        assert_eq!(
            (page["page"].clone(), page["limit"].clone()),
            (json!(1), json!(20))
        );
    }
    // ANCI reads aggregated figures only (not the reports' free text); the others nothing.
    for account in [
        "referente.anci",
        "operatore.villanova",
        "funzionario.sassari",
        "utenze.villanova",
    ] {
        env.login(account)
            .await
            .get("/v1/monitoring/reports")
            .await
            .expect_error(403, "forbidden");
    }
    env.anonymous()
        .get("/v1/monitoring/reports")
        .await
        .expect_error(401, "unauthenticated");

    // What one report says: date, comune, Sede, kind, text, the reporter's role; not who.
    let all = env.login("referente.inps").await;
    let page = list(&all, "").await;
    let newest = &page["reports"][0];
    assert_eq!(newest["comune_name"], "Pescasseroli");
    assert_eq!(newest["comune_istat"], "066068");
    assert_eq!(newest["kind"], "connection");
    assert_eq!(newest["text"], "La linea cade.");
    assert_eq!(newest["reporter_role"], "operator");
    assert!(
        newest["sede_name"].as_str().unwrap().contains("Aquila"),
        "{newest}"
    );
    assert!(
        newest["created_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-23T09:01:00+01:00"),
        "{newest}"
    );
    assert!(!page.to_string().contains("operatore."), "{page}");
    assert_eq!(
        page["reports"][1]["sede_name"],
        "Sede provinciale di Sassari"
    );

    // Pages of one, newest first.
    assert_eq!(comuni(&list(&all, "?limit=1").await), ["Pescasseroli"]);
    assert_eq!(
        comuni(&list(&all, "?limit=1&page=2").await),
        ["Villanova Monteleone"]
    );
    assert_eq!(
        comuni(&list(&all, "?limit=1&page=3").await),
        Vec::<String>::new()
    );
    for (query, code) in [
        ("?limit=0", "bad_limit"),
        ("?limit=101", "bad_limit"),
        ("?page=0", "bad_page"),
        ("?page=10001", "bad_page"),
        ("?page=due", "bad_query"),
        ("?comune=090078", "bad_query"),
    ] {
        all.get(&format!("/v1/monitoring/reports{query}"))
            .await
            .expect_error(400, code);
    }
    env.stop().await;
}
