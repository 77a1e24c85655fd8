//! The operator's side of a booking: the booking code (format, uniqueness, in the JSON and the
//! `.ics`), the request read back for reprinting, cancel with a reason (stored, never audited),
//! search by code, name or date, and reschedule into a new 5-minute hold.

use serde_json::json;

use super::{TUE_0830, TUE_0900, TUE_0930, TUE_1000, id};
use crate::support::{TestServer, at, citizen};

/// The code's shape: `PUE-` and 4 + 2 characters without 0, O, 1 and I.
fn is_code(code: &str) -> bool {
    let ok = |s: &str| {
        s.chars()
            .all(|c| "23456789ABCDEFGHJKLMNPQRSTUVWXYZ".contains(c))
    };
    code.len() == 11
        && code.starts_with("PUE-")
        && &code[8..9] == "-"
        && ok(&code[4..8])
        && ok(&code[9..])
}

pub(super) async fn booking_codes_are_readable_and_unique(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let mut codes = Vec::new();
    for (i, slot) in [TUE_0830, TUE_0900, TUE_0930, TUE_1000].iter().enumerate() {
        let hold = op.hold_sassari(&at(slot)).await;
        let r = op.confirm(&hold, &format!("code-{i}")).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let code = r.json()["code"].as_str().unwrap().to_owned();
        assert!(is_code(&code), "{code}");
        // The same code when read again, in the list and in the calendar file.
        let a = op.get(&format!("/v1/booking/appointments/{hold}")).await;
        assert_eq!(a.json()["code"], code.as_str());
        let ics = op
            .get(&format!("/v1/booking/appointments/{hold}/ics"))
            .await;
        assert!(
            ics.text.replace("\r\n ", "").contains(&code),
            "{}",
            ics.text
        );
        codes.push(code);
    }
    let list = op
        .get("/v1/booking/comuni/090078/appointments?date=2026-11-24")
        .await
        .json();
    for a in list.as_array().unwrap() {
        assert!(codes.contains(&a["code"].as_str().unwrap().to_owned()));
    }
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), codes.len(), "{codes:?}");
    // The database itself refuses a second reservation with the same code.
    let first: String = sqlx::query_scalar("SELECT id FROM reservations WHERE booking_code = $1")
        .bind(&codes[0])
        .fetch_one(env.pool())
        .await
        .unwrap();
    let dup = sqlx::query("UPDATE reservations SET booking_code = $1 WHERE booking_code = $2")
        .bind(&codes[0])
        .bind(&codes[1])
        .execute(env.pool())
        .await;
    assert!(dup.is_err(), "a duplicate code must be refused");
    assert!(!first.is_empty());
    env.stop().await;
}

pub(super) async fn the_request_is_read_back_for_reprinting(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let hold = op.hold_sassari(&at(TUE_0830)).await;
    let mut request = citizen();
    request["delegate"] = json!({
        "given_name": "Mario", "family_name": "Rossi", "codice_fiscale": "RSSMRA80A01H501U",
        "delegation_act": "prot. 12 del 20/11/2026", "delegator_id_copy": true,
        "delegate_id_copy": true,
    });
    let r = op
        .post_with(
            &format!("/v1/booking/holds/{hold}/confirm"),
            &[("Idempotency-Key", "reprint")],
            &request,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = op
        .get(&format!("/v1/booking/appointments/{hold}/request"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.headers
            .iter()
            .any(|(k, v)| k == "cache-control" && v == "no-store")
    );
    let v = r.json();
    assert!(is_code(v["appointment"]["code"].as_str().unwrap()));
    let req = &v["request"];
    assert_eq!(req["applicant"]["codice_fiscale"], "BNCLRA92P55I452E");
    assert_eq!(req["applicant"]["birth_date"], "1992-09-15");
    assert_eq!(req["data_processing_authorised"], true);
    assert_eq!(req["id_copy_acquired"], true);
    assert_eq!(req["delegate"]["delegation_act"], "prot. 12 del 20/11/2026");
    assert_eq!(req["delegate"]["delegate_id_copy"], true);
    assert_eq!(req["services"], json!(["pensioni"]));
    // Another comune's operator does not see it.
    let other = env.login("operatore.alghero").await;
    other
        .get(&format!("/v1/booking/appointments/{hold}/request"))
        .await
        .expect_error(404, "unknown_appointment");
    env.stop().await;
}

pub(super) async fn cancel_with_a_reason_not_audited(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let a = op.book(&at(TUE_0830), "cancel-1").await;
    let long = "x".repeat(201);
    op.post(
        &format!("/v1/booking/appointments/{a}/cancel"),
        &json!({ "reason": long }),
    )
    .await
    .expect_error(422, "invalid_reason");
    let reason = "Il cittadino è ricoverato in ospedale";
    let r = op
        .post(
            &format!("/v1/booking/appointments/{a}/cancel"),
            &json!({ "reason": reason }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "cancelled");
    let stored: Option<String> =
        sqlx::query_scalar("SELECT cancel_reason FROM reservations WHERE id = $1")
            .bind(&a)
            .fetch_one(env.pool())
            .await
            .unwrap();
    assert_eq!(stored.as_deref(), Some(reason));
    assert_eq!(env.audited_ok("appointment.cancel").await, 1);
    let leaked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE COALESCE(detail, '') LIKE '%ospedale%'",
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(leaked, 0, "the reason is never audited");
    env.stop().await;
}

pub(super) async fn search_by_code_name_or_date(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let a = op.book(&at(TUE_0830), "search-1").await;
    let code = op
        .get(&format!("/v1/booking/appointments/{a}"))
        .await
        .json()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let found = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let base = "/v1/booking/comuni/090078/appointments";
    // By code, as read aloud: lower case, spaces, without the prefix.
    let spoken = code[4..].replace('-', " ").to_lowercase();
    for q in [code.clone(), spoken, code[4..].to_owned()] {
        let r = op.get(&format!("{base}?q={}", q.replace(' ', "%20"))).await;
        assert_eq!(r.status, 200, "{q}: {}", r.text);
        assert_eq!(found(r.json()), vec![a.clone()], "{q}");
    }
    // By the start of the family name, any case.
    assert_eq!(
        found(op.get(&format!("{base}?q=bian")).await.json()),
        vec![a.clone()]
    );
    assert!(found(op.get(&format!("{base}?q=Rossi")).await.json()).is_empty());
    // By date.
    assert_eq!(
        found(op.get(&format!("{base}?date=2026-11-24")).await.json()),
        vec![a.clone()]
    );
    // A cancelled appointment is still found by its code.
    op.post(&format!("/v1/booking/appointments/{a}/cancel"), &json!({}))
        .await;
    let r = op.get(&format!("{base}?q={code}")).await.json();
    assert_eq!(r[0]["status"], "cancelled");
    // Bad searches, and another comune's operators.
    op.get(&format!("{base}?q=%20"))
        .await
        .expect_error(422, "bad_search");
    op.get(&format!("{base}?q=bian&date=2026-11-24"))
        .await
        .expect_error(400, "bad_query");
    let other = env.login("operatore.alghero").await;
    let r = other.get(&format!("{base}?q={code}")).await;
    assert_eq!(r.status, 403, "{}", r.text);
    env.stop().await;
}

pub(super) async fn reschedule_into_a_hold(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let a = op.book(&at(TUE_0830), "move-1").await;
    let code = op
        .get(&format!("/v1/booking/appointments/{a}"))
        .await
        .json()["code"]
        .clone();
    let hold = id(&op.hold("sassari-1", &at(TUE_0930), "pensioni").await.json());
    let r = op
        .post(
            &format!("/v1/booking/appointments/{a}/reschedule"),
            &json!({ "hold_id": hold }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["starts_at"], "2026-11-24T09:30:00+01:00");
    assert_eq!(v["code"], code, "the code stays");
    // The hold is used up; the old slot is free again.
    op.post(
        &format!("/v1/booking/appointments/{a}/reschedule"),
        &json!({ "hold_id": hold }),
    )
    .await
    .expect_error(409, "hold_expired");
    let r = op.hold("sassari-1", &at(TUE_0830), "pensioni").await;
    assert_eq!(r.status, 201, "old slot free again: {}", r.text);
    // Another comune's hold cannot be used.
    let other = env.login("operatore.alghero").await;
    let theirs = id(&other
        .hold("sassari-1", &at(TUE_1000), "pensioni")
        .await
        .json());
    op.post(
        &format!("/v1/booking/appointments/{a}/reschedule"),
        &json!({ "hold_id": theirs }),
    )
    .await
    .expect_error(404, "unknown_hold");
    env.stop().await;
}

pub(super) async fn earlier_appointments_get_a_code_at_start(db: Option<String>) {
    let mut data_dir = None;
    let env = TestServer::start_with(db.clone(), |c| data_dir = Some(c.data_dir.clone())).await;
    let op = env.operator().await;
    let a = op.book(&at(TUE_0830), "earlier-1").await;
    // As booked before migration 0013: no code.
    sqlx::query("UPDATE reservations SET booking_code = NULL WHERE id = $1")
        .bind(&a)
        .execute(env.pool())
        .await
        .unwrap();
    env.stop().await;
    let dir = data_dir.expect("the data dir");
    let env = TestServer::start_with(db, |c| {
        c.certs_dir = dir.join("certs");
        c.data_dir = dir;
    })
    .await;
    let op = env.operator().await;
    let r = op.get(&format!("/v1/booking/appointments/{a}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(is_code(r.json()["code"].as_str().unwrap()), "{}", r.text);
    env.stop().await;
}
