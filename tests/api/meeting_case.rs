//! The case of a meeting for the INPS official (`GET /v1/booking/appointments/{id}/case`): the
//! request as booked, the delegate, the notes, who booked it; only the officials of its
//! sportello; each reading audited without the content; never cached.

use serde_json::json;

use crate::support::slots::{MON_0930, MON_1000};
use crate::support::{TestServer, at, citizen};

fn path(id: &str) -> String {
    format!("/v1/booking/appointments/{id}/case")
}

#[tokio::test]
async fn the_official_reads_the_case() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    // With a delegate and notes for the official.
    let hold = op.hold_sassari(&at(MON_1000)).await;
    let mut request = citizen();
    request["delegate"] = json!({
        "given_name": "Mario", "family_name": "Rossi", "codice_fiscale": "RSSMRA80A01H501U",
        "delegation_act": "delega del 20/11/2026", "delegator_id_copy": true,
        "digital_delegation": false, "delegate_id_copy": true,
    });
    request["notes"] = json!("Chiede della ricostituzione della pensione.");
    let r = op
        .post_with(
            &format!("/v1/booking/holds/{hold}/confirm"),
            &[("Idempotency-Key", "case-1")],
            &request,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // And one without.
    let plain = op.book(&at(MON_0930), "case-2").await;

    let official = env.official().await;
    let r = official.get(&path(&hold)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let c = r.json();
    assert_eq!(c["appointment_id"], hold.as_str());
    assert_eq!(c["comune_name"], "Villanova Monteleone");
    assert_eq!(c["applicant"]["given_name"], "Laura");
    assert_eq!(c["applicant"]["family_name"], "Bianchi");
    assert_eq!(c["applicant"]["codice_fiscale"], "BNCLRA92P55I452E");
    assert_eq!(c["applicant"]["birth_date"], "1992-09-15");
    assert_eq!(c["applicant"]["birth_place"], "I452");
    assert_eq!(c["services"].as_array().unwrap().len(), 1);
    assert_eq!(c["delegate"]["family_name"], "Rossi");
    assert_eq!(c["delegate"]["codice_fiscale"], "RSSMRA80A01H501U");
    assert_eq!(c["delegate"]["delegation_act"], "delega del 20/11/2026");
    assert_eq!(c["notes"], "Chiede della ricostituzione della pensione.");
    assert_eq!(c["booked_by"]["account"], "operatore.villanova");
    assert_eq!(c["booked_by"]["full_name"], "Giulia Serra");
    assert_eq!(c["booked_at"], "2026-11-23T09:00:00+01:00");
    assert_eq!(c["starts_at"], "2026-11-23T10:00:00+01:00");

    let c = official.get(&path(&plain)).await.json();
    assert_eq!(c["delegate"], serde_json::Value::Null);
    assert_eq!(c["notes"], serde_json::Value::Null);

    // Every reading is audited (the audit log holds only ids and codes).
    let mut rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT outcome, COALESCE(target, '') FROM audit_log WHERE action = 'case.view'",
    )
    .fetch_all(env.pool())
    .await
    .unwrap();
    rows.sort();
    let mut expected = vec![("ok".to_owned(), hold.clone()), ("ok".to_owned(), plain)];
    expected.sort();
    assert_eq!(rows, expected);
    env.stop().await;
}

#[tokio::test]
async fn only_the_officials_of_the_sportello_read_the_case() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let a = op.book(&at(MON_1000), "a").await;
    env.anonymous()
        .get(&path(&a))
        .await
        .expect_error(401, "unauthenticated");
    for account in [
        "operatore.villanova",
        "operatore.alghero",
        "funzionario.laquila",
        "funzionario.polo",
        "utenze.villanova",
        "admin.inps",
    ] {
        env.login(account)
            .await
            .get(&path(&a))
            .await
            .expect_error(403, "forbidden");
    }
    let denied = env
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.view' AND outcome = 'denied'")
        .await;
    assert_eq!(denied, 6, "each refusal audited");
    let official = env.official().await;
    official
        .get(&path("BAD"))
        .await
        .expect_error(400, "bad_appointment_id");
    official
        .get(&path(&"0".repeat(32)))
        .await
        .expect_error(404, "unknown_appointment");
    // A hold that never became an appointment, and a cancelled appointment: no case.
    let hold = op.hold_sassari(&at(MON_0930)).await;
    official
        .get(&path(&hold))
        .await
        .expect_error(404, "unknown_appointment");
    let r = op
        .post(&format!("/v1/booking/appointments/{a}/cancel"), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    official
        .get(&path(&a))
        .await
        .expect_error(404, "unknown_appointment");
    env.stop().await;
}
