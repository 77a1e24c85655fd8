//! The booking rules, through the HTTP API and the session interface, on SQLite and on
//! PostgreSQL (a throwaway cluster started by the test): proposals, free slots, holds with an
//! injectable clock, "Prenota" with an idempotency key, release, cancel, reschedule, 200
//! concurrent holds on one slot, permissions, and bad input that changes nothing.

use crate::support::{TestServer, at, citizen};
use chrono::Duration;
use serde_json::{Value, json};

/// Tuesday 24 November 2026, 08:30 in Italy: the first slot of sassari-1 that day.
const TUE_0830: &str = "2026-11-24T07:30:00Z";
const TUE_0900: &str = "2026-11-24T08:00:00Z";
const TUE_0930: &str = "2026-11-24T08:30:00Z";
const TUE_1000: &str = "2026-11-24T09:00:00Z";

on_both_databases!(
    all_rules_on_postgres;
    book_a_slot_end_to_end,
    concurrent_holds_on_one_slot,
    hold_expires_by_the_clock,
    release_cancel_and_reschedule_free_slots,
    bad_input_changes_nothing,
    slots_skip_holidays_closures_and_the_past,
    callers_see_only_what_is_theirs,
    prenota_is_idempotent_under_concurrent_retries,
    release_racing_prenota_never_loses_an_appointment,
    the_database_itself_refuses_a_second_live_claim,
    admin_reads_sedi_calendars_and_holidays,
    comuni_search_and_session_names,
    operator_home_reads_a_range_of_days,
);

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

async fn book_a_slot_end_to_end(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.login("operatore.villanova").await;

    let r = op
        .get("/v1/booking/comuni/090078/proposals?service=pensioni")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["comune"]["name"], "Villanova Monteleone");
    let options = v["options"].as_array().unwrap();
    assert_eq!(options.len(), 1, "{v}");
    assert_eq!(options[0]["sede_id"], "sede-sassari");
    assert_eq!(options[0]["reason"], "territorial");
    assert_eq!(options[0]["sportelli"][0]["id"], "sassari-1");

    let v = op
        .get("/v1/booking/comuni/090078/proposals?service=assegno-unico")
        .await
        .json();
    let kinds: Vec<_> = v["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["sede_id"].clone(), o["reason"].clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (json!("sede-sassari"), json!("territorial")),
            (json!("polo-famiglia"), json!("national"))
        ]
    );

    // Monday from 09:00 (now; only later slots) and Tuesday morning + afternoon.
    let r = op
        .get("/v1/booking/sportelli/sassari-1/slots?from=2026-11-23&to=2026-11-24")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let slots = r.json()["slots"].as_array().unwrap().clone();
    assert_eq!(slots.len(), 6 + 12, "{slots:?}");
    assert_eq!(slots[0]["starts_at"], "2026-11-23T09:30:00+01:00");

    let r = op.hold("sassari-1", &at(TUE_0830), "pensioni").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let hold = r.json();
    assert_eq!(hold["status"], "held");
    assert_eq!(hold["expires_at"], "2026-11-23T09:05:00+01:00");
    let hold_id = id(&hold);

    let slots = op
        .get("/v1/booking/sportelli/sassari-1/slots?from=2026-11-24&to=2026-11-24")
        .await
        .json();
    assert_eq!(slots["slots"].as_array().unwrap().len(), 11);
    assert_eq!(slots["slots"][0]["starts_at"], "2026-11-24T09:00:00+01:00");

    let r = op.confirm(&hold_id, "prenota-1").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let appt = r.json();
    assert_eq!(appt["id"], hold_id.as_str());
    assert_eq!(appt["status"], "booked");
    assert_eq!(appt["starts_at"], "2026-11-24T08:30:00+01:00");
    assert_eq!(appt["family_name"], "Bianchi");
    assert_eq!(appt["services"], json!(["pensioni"]));

    // "Prenota" pressed again with the same key: the same appointment, 200.
    let r = op.confirm(&hold_id, "prenota-1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], hold_id.as_str());
    // With another key: already confirmed.
    op.confirm(&hold_id, "prenota-2")
        .await
        .expect_error(409, "already_confirmed");
    // The hold now reads as booked.
    assert_eq!(
        op.get(&format!("/v1/booking/holds/{hold_id}")).await.json()["status"],
        "booked"
    );

    // The operator home: nothing today, one card tomorrow.
    let today = op.get("/v1/booking/comuni/090078/appointments").await;
    assert_eq!(today.status, 200, "{}", today.text);
    assert_eq!(today.json().as_array().unwrap().len(), 0);
    env.clock.advance(Duration::days(1));
    let today = op
        .get("/v1/booking/comuni/090078/appointments")
        .await
        .json();
    assert_eq!(today.as_array().unwrap().len(), 1, "{today}");
    assert_eq!(today[0]["id"], hold_id.as_str());

    // The official's agenda.
    let official = env.login("funzionario.sassari").await;
    let agenda = official.get("/v1/booking/sportelli/sassari-1/agenda").await;
    assert_eq!(agenda.status, 200, "{}", agenda.text);
    assert_eq!(agenda.json().as_array().unwrap().len(), 1);

    // ICS export.
    let r = official
        .get(&format!("/v1/booking/appointments/{hold_id}/ics"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(
        r.text.contains("DTSTART:20261124T073000Z\r\n"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("Bianchi"));

    env.stop().await;
}

async fn concurrent_holds_on_one_slot(db: Option<String>) {
    let env = TestServer::start(db).await;
    let ops = [
        env.login("operatore.villanova").await,
        env.login("operatore.alghero").await,
    ];
    let mut tasks = Vec::new();
    for i in 0..200 {
        let op = ops[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            op.hold("sassari-1", &at(TUE_0900), "pensioni").await
        }));
    }
    let mut created = 0;
    let mut taken = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            201 => created += 1,
            409 => {
                r.expect_error(409, "slot_taken");
                taken += 1;
            }
            other => panic!("unexpected {other}: {}", r.text),
        }
    }
    assert_eq!((created, taken), (1, 199));
    let (live,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM reservations WHERE starts_at = $1 AND status IN ('held', 'booked')",
    )
    .bind(
        TUE_0900
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            .timestamp(),
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(live, 1);
    env.stop().await;
}

async fn hold_expires_by_the_clock(db: Option<String>) {
    let env = TestServer::start(db).await;
    let a = env.login("operatore.villanova").await;
    let b = env.login("operatore.alghero").await;
    let hold = a.hold("sassari-1", &at(TUE_0930), "pensioni").await.json();
    let hold_id = id(&hold);
    b.hold("sassari-1", &at(TUE_0930), "pensioni")
        .await
        .expect_error(409, "slot_taken");

    env.clock
        .advance(Duration::minutes(5) - Duration::seconds(1));
    assert_eq!(
        a.get(&format!("/v1/booking/holds/{hold_id}")).await.json()["status"],
        "held"
    );
    env.clock.advance(Duration::seconds(1));
    assert_eq!(
        a.get(&format!("/v1/booking/holds/{hold_id}")).await.json()["status"],
        "expired"
    );
    // The slot is offered again and another operator can take it.
    let free = a
        .get("/v1/booking/sportelli/sassari-1/slots?from=2026-11-24&to=2026-11-24")
        .await
        .json();
    assert!(
        free["slots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["starts_at"] == "2026-11-24T09:30:00+01:00")
    );
    let r = b.hold("sassari-1", &at(TUE_0930), "pensioni").await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The first operator's "Prenota" comes too late.
    a.confirm(&hold_id, "late")
        .await
        .expect_error(409, "hold_expired");

    // An expired hold that nobody else took: confirming answers the same.
    let lone = id(&a.hold("sassari-1", &at(TUE_1000), "pensioni").await.json());
    env.clock.advance(Duration::minutes(6));
    let before = env.row_counts().await;
    a.confirm(&lone, "late-2")
        .await
        .expect_error(409, "hold_expired");
    let after = env.row_counts().await;
    assert_eq!(before[1..4], after[1..4], "no request stored");

    // At most five live holds per operator; an expired one no longer counts.
    for time in ["07:30", "08:00", "08:30", "09:00", "09:30"] {
        let r = a
            .hold(
                "sassari-1",
                &at(&format!("2026-11-25T{time}:00Z")),
                "pensioni",
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    a.hold("sassari-1", &at("2026-11-25T10:00:00Z"), "pensioni")
        .await
        .expect_error(409, "too_many_holds");
    env.clock.advance(Duration::minutes(5));
    let r = a
        .hold("sassari-1", &at("2026-11-25T10:00:00Z"), "pensioni")
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    env.stop().await;
}

async fn release_cancel_and_reschedule_free_slots(db: Option<String>) {
    let env = TestServer::start(db).await;
    let a = env.login("operatore.villanova").await;
    let b = env.login("operatore.alghero").await;

    // Release frees the slot.
    let h1 = id(&a.hold("sassari-1", &at(TUE_0830), "pensioni").await.json());
    let r = a.delete(&format!("/v1/booking/holds/{h1}")).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let h2 = id(&b.hold("sassari-1", &at(TUE_0830), "pensioni").await.json());
    b.delete(&format!("/v1/booking/holds/{h2}")).await;

    // Book, then block a second slot with another operator's hold.
    let h3 = id(&a.hold("sassari-1", &at(TUE_0830), "pensioni").await.json());
    assert_eq!(a.confirm(&h3, "k3").await.status, 201);
    let r = b.hold("sassari-1", &at(TUE_0900), "pensioni").await;
    assert_eq!(r.status, 201, "{}", r.text);

    // Reschedule onto the taken slot fails and leaves the appointment where it was.
    a.post(
        &format!("/v1/booking/appointments/{h3}/reschedule"),
        &json!({ "starts_at": at(TUE_0900) }),
    )
    .await
    .expect_error(409, "slot_taken");
    let appt = a
        .get(&format!("/v1/booking/appointments/{h3}"))
        .await
        .json();
    assert_eq!(appt["starts_at"], "2026-11-24T08:30:00+01:00");

    // Reschedule onto a free slot moves it and frees the old one.
    let r = a
        .post(
            &format!("/v1/booking/appointments/{h3}/reschedule"),
            &json!({ "starts_at": at(TUE_0930), "sportello_id": "sassari-1" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["starts_at"], "2026-11-24T09:30:00+01:00");
    let r = b.hold("sassari-1", &at(TUE_0830), "pensioni").await;
    assert_eq!(r.status, 201, "old slot free again: {}", r.text);

    // Cancel frees the slot; cancelling twice is harmless.
    let r = a
        .post(&format!("/v1/booking/appointments/{h3}/cancel"), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "cancelled");
    let r = a
        .post(&format!("/v1/booking/appointments/{h3}/cancel"), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = b.hold("sassari-1", &at(TUE_0930), "pensioni").await;
    assert_eq!(r.status, 201, "cancelled slot free again: {}", r.text);
    // A cancelled appointment cannot be moved.
    a.post(
        &format!("/v1/booking/appointments/{h3}/reschedule"),
        &json!({ "starts_at": at(TUE_1000) }),
    )
    .await
    .expect_error(404, "unknown_appointment");
    env.stop().await;
}

async fn bad_input_changes_nothing(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.login("operatore.villanova").await;
    let admin = env.login("admin.inps").await;
    let r = admin
        .post(
            "/v1/booking/sedi/sede-sassari/closures",
            &json!({"first_day": "2026-11-26", "last_day": "2026-11-26", "reason": "Inventario"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let live = id(&op.hold("sassari-1", &at(TUE_0830), "pensioni").await.json());
    let confirm_path = format!("/v1/booking/holds/{live}/confirm");
    let before = env.row_counts().await;

    let hold = |sportello: &str, start: &str, service: &str| json!({"sportello_id": sportello, "starts_at": start, "service_code": service});
    // Holds.
    op.send(
        "POST",
        "/v1/booking/holds",
        &[("Content-Type", "application/json")],
        "{\"sportello_id\": ",
    )
    .await
    .expect_error(400, "bad_json");
    op.post(
        "/v1/booking/holds",
        &json!({"sportello_id": "sassari-1", "starts_at": at(TUE_0900)}),
    )
    .await
    .expect_error(422, "bad_request_body");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", "tuesday morning", "pensioni"),
    )
    .await
    .expect_error(422, "bad_request_body");
    op.send(
        "POST",
        "/v1/booking/holds",
        &[("Content-Type", "text/plain")],
        &hold("sassari-1", &at(TUE_0900), "pensioni").to_string(),
    )
    .await
    .expect_error(415, "bad_content_type");
    op.post(
        "/v1/booking/holds",
        &hold("nowhere-9", &at(TUE_0900), "pensioni"),
    )
    .await
    .expect_error(404, "unknown_sportello");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", &at(TUE_0900), "tarocchi"),
    )
    .await
    .expect_error(404, "unknown_service");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", &at("2026-11-24T07:45:00Z"), "pensioni"),
    )
    .await
    .expect_error(422, "outside_opening_hours");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", &at("2026-11-24T11:30:00Z"), "pensioni"),
    )
    .await
    .expect_error(422, "outside_opening_hours");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", &at("2026-11-29T08:30:00Z"), "pensioni"),
    )
    .await
    .expect_error(422, "outside_opening_hours");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", &at("2026-12-08T07:30:00Z"), "pensioni"),
    )
    .await
    .expect_error(422, "holiday");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", &at("2026-11-26T07:30:00Z"), "pensioni"),
    )
    .await
    .expect_error(422, "sede_closed");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", &at("2026-11-20T07:30:00Z"), "pensioni"),
    )
    .await
    .expect_error(422, "slot_in_past");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", &at("2028-11-21T07:30:00Z"), "pensioni"),
    )
    .await
    .expect_error(422, "too_far_ahead");
    op.post(
        "/v1/booking/holds",
        &hold("sassari-1", &at(TUE_0900), "assegno-unico"),
    )
    .await
    .expect_error(422, "service_not_handled");
    env.login("operatore.ostana")
        .await
        .post(
            "/v1/booking/holds",
            &hold("sassari-1", &at(TUE_0900), "pensioni"),
        )
        .await
        .expect_error(403, "forbidden");
    env.login("funzionario.sassari")
        .await
        .post(
            "/v1/booking/holds",
            &hold("sassari-1", &at(TUE_0900), "pensioni"),
        )
        .await
        .expect_error(403, "forbidden");
    env.anonymous()
        .post(
            "/v1/booking/holds",
            &hold("sassari-1", &at(TUE_0900), "pensioni"),
        )
        .await
        .expect_error(401, "unauthenticated");
    let mut forged = env.anonymous();
    forged.cookie = Some("sportello_session=forged".into());
    forged
        .post(
            "/v1/booking/holds",
            &hold("sassari-1", &at(TUE_0900), "pensioni"),
        )
        .await
        .expect_error(401, "unauthenticated");

    // Confirmations of a live hold with a bad request.
    let key = [("Idempotency-Key", "k-bad")];
    let with = |path: &str, value: Value| {
        let mut c = citizen();
        let mut target = &mut c;
        let parts: Vec<&str> = path.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            target = &mut target[*p];
        }
        target[parts[parts.len() - 1]] = value;
        c
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            with("applicant.codice_fiscale", json!("BNCLRA92P55I452A")),
            422,
            "invalid_codice_fiscale",
        ),
        (
            with("applicant.codice_fiscale", json!("BNCLRA92P55I45")),
            422,
            "invalid_codice_fiscale",
        ),
        (
            with("applicant.codice_fiscale", json!("BNCLRÀ92P55I452E")),
            422,
            "invalid_codice_fiscale",
        ),
        (
            with("applicant.birth_date", json!("1992-09-16")),
            422,
            "codice_fiscale_mismatch",
        ),
        (
            with("applicant.sex", json!("M")),
            422,
            "codice_fiscale_mismatch",
        ),
        (
            with("applicant.birth_place", json!("H501")),
            422,
            "codice_fiscale_mismatch",
        ),
        (with("applicant.sex", json!("X")), 422, "bad_request_body"),
        (with("applicant.given_name", json!("")), 422, "invalid_name"),
        (
            with("applicant.email", json!("not-an-address")),
            422,
            "invalid_email",
        ),
        (
            with("applicant.residence_istat", json!("999999")),
            422,
            "unknown_residence",
        ),
        (
            with("services", json!(["tarocchi"])),
            422,
            "unknown_service",
        ),
        (
            with("gdpr_notice_signed", json!(false)),
            422,
            "gdpr_notice_not_signed",
        ),
        (
            with(
                "delegate",
                json!({"given_name": "Mario", "family_name": "Rossi",
                       "codice_fiscale": "RSSMRA80A01H501U"}),
            ),
            422,
            "delegation_missing",
        ),
        (
            with(
                "delegate",
                json!({"given_name": "Mario", "family_name": "Rossi",
                       "codice_fiscale": "RSSMRA80A01H501X", "digital_delegation": true}),
            ),
            422,
            "invalid_delegate_codice_fiscale",
        ),
        (with("unexpected", json!(1)), 422, "bad_request_body"),
        (json!({"services": []}), 422, "bad_request_body"),
    ];
    for (body, status, code) in cases {
        op.post_with(&confirm_path, &key, &body)
            .await
            .expect_error(status, code);
    }
    op.post(&confirm_path, &citizen())
        .await
        .expect_error(400, "missing_idempotency_key");
    op.post_with(&confirm_path, &[("Idempotency-Key", "a b")], &citizen())
        .await
        .expect_error(400, "bad_idempotency_key");
    op.send(
        "POST",
        &confirm_path,
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", "k"),
        ],
        "{\"applicant\": {",
    )
    .await
    .expect_error(400, "bad_json");
    op.post_with("/v1/booking/holds/nope/confirm", &key, &citizen())
        .await
        .expect_error(404, "unknown_hold");

    // Queries.
    op.get("/v1/booking/sportelli/sassari-1/slots?from=2026-11-24&to=2027-01-24")
        .await
        .expect_error(422, "date_range_too_long");
    op.get("/v1/booking/sportelli/sassari-1/slots?from=2026-11-25&to=2026-11-24")
        .await
        .expect_error(422, "bad_date_range");
    op.get("/v1/booking/sportelli/sassari-1/slots?to=2026-11-24")
        .await
        .expect_error(400, "bad_query");
    op.get("/v1/booking/sportelli/sassari-1/slots?from=24/11/2026&to=2026-11-24")
        .await
        .expect_error(400, "bad_query");
    op.get("/v1/booking/sportelli/nowhere/slots?from=2026-11-24&to=2026-11-24")
        .await
        .expect_error(404, "unknown_sportello");
    op.get("/v1/booking/comuni/090078/proposals")
        .await
        .expect_error(400, "bad_query");
    op.get("/v1/booking/comuni/090078/proposals?service=tarocchi")
        .await
        .expect_error(404, "unknown_service");
    op.get("/v1/booking/comuni/090003/proposals?service=pensioni")
        .await
        .expect_error(403, "forbidden");
    admin
        .post(
            "/v1/booking/sedi/sede-sassari/closures",
            &json!({"first_day": "2026-11-27", "last_day": "2026-11-26", "reason": "x"}),
        )
        .await
        .expect_error(422, "bad_date_range");
    op.post(
        "/v1/booking/sedi/sede-sassari/closures",
        &json!({"first_day": "2026-11-27", "last_day": "2026-11-27", "reason": "x"}),
    )
    .await
    .expect_error(403, "forbidden");

    assert_eq!(env.row_counts().await, before, "bad input changed rows");
    assert_eq!(
        op.get(&format!("/v1/booking/holds/{live}")).await.json()["status"],
        "held"
    );
    // And the hold still confirms.
    assert_eq!(op.confirm(&live, "k-good").await.status, 201);
    env.stop().await;
}

async fn slots_skip_holidays_closures_and_the_past(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.login("operatore.villanova").await;
    let admin = env.login("admin.inps").await;
    let r = admin
        .post(
            "/v1/booking/sedi/sede-sassari/closures",
            &json!({"first_day": "2026-12-09", "last_day": "2026-12-09", "reason": "Sciopero"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The catalogue shows the closure next to the calendars.
    let sedi = admin.get("/v1/booking/sedi").await;
    assert_eq!(sedi.status, 200, "{}", sedi.text);
    let sedi = sedi.json();
    let sassari = sedi
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "sede-sassari")
        .unwrap();
    assert_eq!(sassari["closures"][0]["first_day"], "2026-12-09");
    assert!(
        sassari["competent_for_comuni"]
            .as_array()
            .unwrap()
            .contains(&json!("090078"))
    );
    assert_eq!(
        sassari["sportelli"][0]["opening_hours"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    op.get("/v1/booking/sedi")
        .await
        .expect_error(403, "forbidden");
    let v = op
        .get("/v1/booking/sportelli/sassari-1/slots?from=2026-12-05&to=2026-12-10")
        .await
        .json();
    let days: std::collections::BTreeMap<String, usize> = v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .fold(Default::default(), |mut m, s| {
            *m.entry(s["starts_at"].as_str().unwrap()[..10].to_owned())
                .or_default() += 1;
            m
        });
    // Sat 5 and Sun 6 (San Nicola, Sassari's patron) closed; Mon 7 open; Tue 8 Immacolata;
    // Wed 9 closure; Thu 10 morning + afternoon.
    let expected: std::collections::BTreeMap<String, usize> =
        [("2026-12-07".to_owned(), 8), ("2026-12-10".to_owned(), 12)].into();
    assert_eq!(days, expected);
    // Nothing in the past.
    env.clock
        .advance(Duration::days(1) + Duration::minutes(170)); // Tuesday 11:50
    let v = op
        .get("/v1/booking/sportelli/sassari-1/slots?from=2026-11-23&to=2026-11-24")
        .await
        .json();
    let first = v["slots"][0]["starts_at"].as_str().unwrap().to_owned();
    assert_eq!(first, "2026-11-24T12:00:00+01:00");
    assert!(
        v["slots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["starts_at"].as_str().unwrap() >= "2026-11-24T12:00")
    );
    env.stop().await;
}

async fn callers_see_only_what_is_theirs(db: Option<String>) {
    let env = TestServer::start(db).await;
    let a = env.login("operatore.villanova").await;
    let b = env.login("operatore.alghero").await;
    let hold = id(&a.hold("sassari-1", &at(TUE_0830), "pensioni").await.json());
    // Another comune's operator can neither see, release nor confirm the hold.
    b.get(&format!("/v1/booking/holds/{hold}"))
        .await
        .expect_error(404, "unknown_hold");
    b.delete(&format!("/v1/booking/holds/{hold}"))
        .await
        .expect_error(404, "unknown_hold");
    b.confirm(&hold, "b-key")
        .await
        .expect_error(404, "unknown_hold");
    assert_eq!(a.confirm(&hold, "a-key").await.status, 201);
    b.get(&format!("/v1/booking/appointments/{hold}"))
        .await
        .expect_error(404, "unknown_appointment");
    b.post(
        &format!("/v1/booking/appointments/{hold}/cancel"),
        &json!({}),
    )
    .await
    .expect_error(404, "unknown_appointment");
    b.get("/v1/booking/comuni/090078/appointments?date=2026-11-24")
        .await
        .expect_error(403, "forbidden");
    // Officials read only their own sportelli's agenda.
    env.login("funzionario.cuneo")
        .await
        .get("/v1/booking/sportelli/sassari-1/agenda?from=2026-11-24")
        .await
        .expect_error(403, "forbidden");
    a.get("/v1/booking/sportelli/sassari-1/agenda")
        .await
        .expect_error(403, "forbidden");
    let admin = env.login("admin.inps").await;
    let v = admin
        .get("/v1/booking/sportelli/sassari-1/agenda?from=2026-11-24&to=2026-11-24")
        .await
        .json();
    assert_eq!(v.as_array().unwrap().len(), 1);
    // Logout ends the session.
    let r = a.delete("/v1/session").await;
    assert_eq!(r.status, 204);
    a.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    env.stop().await;
}

async fn prenota_is_idempotent_under_concurrent_retries(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.login("operatore.villanova").await;
    let hold = id(&op.hold("sassari-1", &at(TUE_0830), "pensioni").await.json());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let op = op.clone();
        let hold = hold.clone();
        tasks.push(tokio::spawn(async move {
            op.confirm(&hold, "same-press").await
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert!(matches!(r.status, 200 | 201), "{}: {}", r.status, r.text);
        assert_eq!(r.json()["id"], hold.as_str());
        statuses.push(r.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1);
    let counts = env.row_counts().await;
    assert_eq!(counts[1], 1, "one citizen request stored");
    // The same key on another hold is refused and changes nothing.
    let other = id(&op.hold("sassari-1", &at(TUE_0900), "pensioni").await.json());
    let before = env.row_counts().await;
    op.confirm(&other, "same-press")
        .await
        .expect_error(422, "idempotency_key_reused");
    assert_eq!(env.row_counts().await, before);
    env.stop().await;
}

async fn release_racing_prenota_never_loses_an_appointment(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.login("operatore.villanova").await;
    for (round, slot) in [TUE_0830, TUE_0900, TUE_0930, TUE_1000].iter().enumerate() {
        let hold = id(&op.hold("sassari-1", &at(slot), "pensioni").await.json());
        let mut tasks = Vec::new();
        for i in 0..10 {
            let op = op.clone();
            let hold = hold.clone();
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    ("prenota", op.confirm(&hold, &format!("race-{round}")).await)
                } else {
                    (
                        "release",
                        op.delete(&format!("/v1/booking/holds/{hold}")).await,
                    )
                }
            }));
        }
        let mut confirmed = 0;
        let mut released = 0;
        for t in tasks {
            let (what, r) = t.await.unwrap();
            match (what, r.status) {
                ("prenota", 200 | 201) => confirmed += 1,
                ("prenota", 409) => {}
                ("release", 204) => released += 1,
                ("release", 409) => {}
                _ => panic!("{what}: {} {}", r.status, r.text),
            }
        }
        let status = op.get(&format!("/v1/booking/holds/{hold}")).await.json()["status"].clone();
        if status == "booked" {
            assert_eq!((confirmed, released), (5, 0), "round {round}");
        } else {
            assert_eq!(status, "released", "round {round}");
            assert_eq!(confirmed, 0, "round {round}");
        }
    }
    let counts = env.row_counts().await;
    assert_eq!(counts[1], counts[5], "one request per appointment");
    env.stop().await;
}

/// The rule holds even for code that bypasses the booking service: the unique index refuses a
/// second held or booked row for the same slot, and lets expired, released and cancelled rows be.
async fn the_database_itself_refuses_a_second_live_claim(db: Option<String>) {
    let env = TestServer::start(db).await;
    let pool = env.pool();
    let insert = |id: &'static str, status: &'static str| {
        sqlx::query(
            "INSERT INTO reservations (id, sportello_id, starts_at, ends_at, service_code, \
             comune_istat, status, hold_expires_at, created_by, created_at) \
             VALUES ($1, 'sassari-1', 1795505400, 1795507200, 'pensioni', '090078', $2, 0, \
             'test', 0)",
        )
        .bind(id)
        .bind(status)
        .execute(pool)
    };
    for (i, status) in ["expired", "released", "cancelled", "expired"]
        .iter()
        .enumerate()
    {
        let id = ["a", "b", "c", "d"][i];
        insert(id, status).await.expect("dead claims do not count");
    }
    insert("live", "held").await.expect("the first live claim");
    for (id, status) in [("second-hold", "held"), ("second-booking", "booked")] {
        let err = insert(id, status).await.expect_err("a second live claim");
        let unique = matches!(&err, sqlx::Error::Database(e) if e.is_unique_violation());
        assert!(unique, "{err}");
    }
    env.stop().await;
}

#[tokio::test]
async fn production_mode_has_no_demo_login() {
    let mut config = sportello::Config::for_tests();
    config.demo = false;
    let server = sportello::Server::start(config).await.unwrap();
    let c = crate::support::Client {
        addr: server.http_addr(),
        cookie: None,
    };
    c.post("/v1/demo/login", &json!({"account": "admin.inps"}))
        .await
        .expect_error(404, "not_found");
    c.get("/v1/booking/services")
        .await
        .expect_error(401, "unauthenticated");
    let r = c.get("/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["openapi"], "3.1.0");
    server.shutdown().await;
}

async fn admin_reads_sedi_calendars_and_holidays(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.login("admin.inps").await;
    let r = admin.get("/v1/booking/sedi").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sedi = r.json();
    let sassari = sedi
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "sede-sassari")
        .unwrap()
        .clone();
    assert_eq!(sassari["comune_name"], "Sassari");
    assert_eq!(sassari["patron_day"], "12-06");
    let names: Vec<_> = sassari["competent_comuni"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Alghero", "Sassari", "Villanova Monteleone"]);
    let sportello = &sassari["sportelli"][0];
    assert_eq!(sportello["id"], "sassari-1");
    assert_eq!(sportello["slot_minutes"], 30);
    assert!(
        sportello["services"]
            .as_array()
            .unwrap()
            .contains(&json!("pensioni"))
    );
    assert_eq!(sportello["opening_hours"][0]["weekday"], 1);
    assert_eq!(sportello["opening_hours"][0]["opens"], "08:30");
    let polo = sedi
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "polo")
        .unwrap();
    assert_eq!(polo["competent_for_services"], json!(["assegno-unico"]));

    // Officials read the catalogue too; comune staff do not.
    assert_eq!(
        env.login("funzionario.sassari")
            .await
            .get("/v1/booking/sedi")
            .await
            .status,
        200
    );
    for account in ["operatore.villanova", "utenze.villanova"] {
        env.login(account)
            .await
            .get("/v1/booking/sedi")
            .await
            .expect_error(403, "forbidden");
    }
    env.anonymous()
        .get("/v1/booking/sedi")
        .await
        .expect_error(401, "unauthenticated");

    // Holidays of a year: national ones with Easter Monday computed, plus the patron day.
    let r = admin.get("/v1/booking/holidays?year=2026").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["year"], 2026);
    assert_eq!(v["sede_id"], Value::Null);
    let days: Vec<_> = v["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(days.len(), 13, "{days:?}");
    assert!(days.contains(&"2026-04-06".to_owned()), "Pasquetta");
    assert!(days.contains(&"2026-10-04".to_owned()), "San Francesco");
    assert!(!days.contains(&"2026-12-06".to_owned()));
    let easter_monday_2027 = admin.get("/v1/booking/holidays?year=2027").await.json()["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"].as_str().unwrap().contains("Pasquetta"))
        .unwrap()["date"]
        .clone();
    assert_eq!(easter_monday_2027, "2027-03-29");
    let v = admin
        .get("/v1/booking/holidays?year=2026&sede=sede-sassari")
        .await
        .json();
    let patron = v["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "patron")
        .unwrap();
    assert_eq!(patron["date"], "2026-12-06");
    // Operators may read the holidays (public information).
    let op = env.login("operatore.villanova").await;
    assert_eq!(op.get("/v1/booking/holidays?year=2026").await.status, 200);
    // Bad input.
    admin
        .get("/v1/booking/holidays")
        .await
        .expect_error(400, "bad_query");
    admin
        .get("/v1/booking/holidays?year=duemila")
        .await
        .expect_error(400, "bad_query");
    admin
        .get("/v1/booking/holidays?year=2026&month=1")
        .await
        .expect_error(400, "bad_query");
    admin
        .get("/v1/booking/holidays?year=99999")
        .await
        .expect_error(422, "bad_year");
    admin
        .get("/v1/booking/holidays?year=2026&sede=nowhere")
        .await
        .expect_error(404, "unknown_sede");
    env.anonymous()
        .get("/v1/booking/holidays?year=2026")
        .await
        .expect_error(401, "unauthenticated");
    env.stop().await;
}

async fn comuni_search_and_session_names(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.login("operatore.villanova").await;
    let names = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = op.get("/v1/booking/comuni?q=al").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(names(v.clone()), ["Alghero"]);
    assert_eq!(v[0]["istat"], "090003");
    assert_eq!(v[0]["belfiore"], "A192");
    assert_eq!(
        names(op.get("/v1/booking/comuni?q=C").await.json()),
        ["Civita", "Cosenza", "Cuneo"]
    );
    assert_eq!(
        names(op.get("/v1/booking/comuni?q=c&limit=2").await.json()),
        ["Civita", "Cosenza"]
    );
    assert_eq!(
        names(op.get("/v1/booking/comuni?q=L%27Aq").await.json()),
        ["L'Aquila"]
    );
    assert_eq!(
        names(op.get("/v1/booking/comuni?q=%20villanova%20m").await.json()),
        ["Villanova Monteleone"]
    );
    // LIKE wildcards are plain characters.
    assert!(names(op.get("/v1/booking/comuni?q=%25").await.json()).is_empty());
    assert!(names(op.get("/v1/booking/comuni?q=_").await.json()).is_empty());
    // Bad input.
    op.get("/v1/booking/comuni")
        .await
        .expect_error(400, "bad_query");
    op.get("/v1/booking/comuni?q=")
        .await
        .expect_error(422, "bad_search");
    op.get(&format!("/v1/booking/comuni?q={}", "a".repeat(61)))
        .await
        .expect_error(422, "bad_search");
    op.get("/v1/booking/comuni?q=a&limit=0")
        .await
        .expect_error(422, "bad_limit");
    op.get("/v1/booking/comuni?q=a&limit=500")
        .await
        .expect_error(422, "bad_limit");
    op.get("/v1/booking/comuni?q=a&limit=tanti")
        .await
        .expect_error(400, "bad_query");
    op.get("/v1/booking/comuni?q=a&region=x")
        .await
        .expect_error(400, "bad_query");
    env.anonymous()
        .get("/v1/booking/comuni?q=a")
        .await
        .expect_error(401, "unauthenticated");

    // The session answer carries the names the interface shows.
    let v = op.get("/v1/session").await.json();
    assert_eq!(v["role"], "operator");
    assert_eq!(v["comune_istat"], "090078");
    assert_eq!(v["comune_name"], "Villanova Monteleone");
    assert_eq!(v["sede_name"], Value::Null);
    assert_eq!(v["label"], "Operatore del Comune di Villanova Monteleone");
    let v = env
        .login("funzionario.sassari")
        .await
        .get("/v1/session")
        .await
        .json();
    assert_eq!(v["sede_name"], "Sede provinciale di Sassari");
    assert_eq!(v["label"], "Funzionario INPS – Sede provinciale di Sassari");
    assert_eq!(v["sportelli"][0]["id"], "sassari-1");
    assert_eq!(
        v["sportelli"][0]["name"],
        "Sportello 1 - Pensioni e contributi"
    );
    let v = env
        .login("admin.inps")
        .await
        .get("/v1/session")
        .await
        .json();
    assert_eq!(v["label"], "Amministratore INPS");
    assert_eq!(v["comune_name"], Value::Null);

    // The default GDPR notice.
    let r = op.get("/v1/booking/privacy-notice").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["configured"], false);
    assert!(v["title"].as_str().unwrap().contains("art. 13"));
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .contains("Titolare del trattamento")
    );
    env.anonymous()
        .get("/v1/booking/privacy-notice")
        .await
        .expect_error(401, "unauthenticated");
    env.stop().await;
}

async fn operator_home_reads_a_range_of_days(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.login("operatore.villanova").await;
    let tue = id(&op.hold("sassari-1", &at(TUE_0830), "pensioni").await.json());
    assert_eq!(op.confirm(&tue, "k-tue").await.status, 201);
    // Wednesday 25 November, 09:00 in Italy.
    let wed = id(&op
        .hold("sassari-1", &at("2026-11-25T08:00:00Z"), "pensioni")
        .await
        .json());
    assert_eq!(op.confirm(&wed, "k-wed").await.status, 201);

    let r = op
        .get("/v1/booking/comuni/090078/appointments?from=2026-11-23&to=2026-12-07")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ids: Vec<_> = r.json().as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, [tue.clone(), wed.clone()]);
    assert_eq!(
        op.get("/v1/booking/comuni/090078/appointments?date=2026-11-25")
            .await
            .json()[0]["comune_name"],
        "Villanova Monteleone"
    );
    let v = op
        .get("/v1/booking/comuni/090078/appointments?from=2026-11-25&to=2026-11-25")
        .await
        .json();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["id"], wed.as_str());
    // One day, as before.
    let v = op
        .get("/v1/booking/comuni/090078/appointments?date=2026-11-24")
        .await
        .json();
    assert_eq!(v.as_array().unwrap().len(), 1);
    // Bad input.
    for q in [
        "date=2026-11-24&from=2026-11-24&to=2026-11-25",
        "from=2026-11-24",
        "to=2026-11-24",
        "from=24-11-2026&to=2026-11-25",
    ] {
        op.get(&format!("/v1/booking/comuni/090078/appointments?{q}"))
            .await
            .expect_error(400, "bad_query");
    }
    op.get("/v1/booking/comuni/090078/appointments?from=2026-11-25&to=2026-11-24")
        .await
        .expect_error(422, "bad_date_range");
    op.get("/v1/booking/comuni/090078/appointments?from=2026-11-23&to=2027-01-23")
        .await
        .expect_error(422, "date_range_too_long");
    op.get("/v1/booking/comuni/090003/appointments?from=2026-11-23&to=2026-11-25")
        .await
        .expect_error(403, "forbidden");
    env.login("funzionario.sassari")
        .await
        .get("/v1/booking/comuni/090078/appointments?from=2026-11-23&to=2026-11-25")
        .await
        .expect_error(403, "forbidden");
    env.stop().await;
}

/// The GDPR notice comes from the administrator's file when one is configured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_notice_from_the_configured_file() {
    let dir = std::env::temp_dir().join(format!("sportello-notice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("informativa.txt");
    let text = "Informativa del Comune di prova.\n\nSecondo paragrafo: titolare INPS.";
    std::fs::write(&file, format!("{text}\n")).unwrap();
    let env = TestServer::start_with(None, |c| c.privacy_notice_file = Some(file.clone())).await;
    let op = env.login("operatore.villanova").await;
    let r = op.get("/v1/booking/privacy-notice").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["configured"], true);
    assert_eq!(v["text"], text);
    env.stop().await;
    // A missing file stops the server from starting rather than printing a wrong notice.
    let mut config = sportello::Config::for_tests();
    config.privacy_notice_file = Some(dir.join("missing.txt"));
    assert!(sportello::Server::start(config).await.is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
