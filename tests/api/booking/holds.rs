//! A booking from proposal to appointment, holds that expire by the clock, and release,
//! cancel and reschedule giving their slots back.

use chrono::Duration;
use serde_json::json;

use super::{TUE_0830, TUE_0900, TUE_0930, TUE_1000, id};
use crate::support::{TestServer, at};

pub(super) async fn book_a_slot_end_to_end(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;

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
    let official = env.official().await;
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

pub(super) async fn hold_expires_by_the_clock(db: Option<String>) {
    let env = TestServer::start(db).await;
    let a = env.operator().await;
    let b = env.login("operatore.alghero").await;
    let hold = a.hold("sassari-1", &at(TUE_0930), "pensioni").await.json();
    let hold_id = id(&hold);
    // The hold carries the server's own clock reading (the test clock, far from the real one):
    // the countdown is `expires_at - server_now`, 5 minutes, whatever the computer's clock says.
    assert_eq!(hold["server_now"], "2026-11-23T09:00:00+01:00", "{hold}");
    assert_eq!(hold["expires_at"], "2026-11-23T09:05:00+01:00", "{hold}");
    b.hold("sassari-1", &at(TUE_0930), "pensioni")
        .await
        .expect_error(409, "slot_taken");

    env.clock
        .advance(Duration::minutes(5) - Duration::seconds(1));
    let again = a.get(&format!("/v1/booking/holds/{hold_id}")).await.json();
    assert_eq!(again["status"], "held");
    assert_eq!(again["server_now"], "2026-11-23T09:04:59+01:00", "{again}");
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

pub(super) async fn release_cancel_and_reschedule_free_slots(db: Option<String>) {
    let env = TestServer::start(db).await;
    let a = env.operator().await;
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
