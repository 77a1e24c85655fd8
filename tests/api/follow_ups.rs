//! Outcomes and follow-ups: the appointment JSON (one appointment, the operator's list, the
//! official's agenda) carries the outcome and the official's note; a meeting closed with "Da
//! richiamare" is a follow-up of its comune until an appointment for the same codice fiscale is
//! booked after the close (a cancelled one does not count).

use crate::support::slots::{MON_0930, MON_1000, TUE_0900, TUE_1000};
use crate::support::{Client, TestServer, at};
use serde_json::{Value, json};

on_both_databases!(
    follow_ups_on_postgres;
    outcomes_and_follow_ups,
);

const FOLLOW_UPS: &str = "/v1/booking/comuni/090078/follow-ups";

async fn follow_ups(op: &Client) -> Vec<Value> {
    let r = op.get(FOLLOW_UPS).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    r.json().as_array().unwrap().clone()
}

/// The appointment `id` in the list `path` answers.
async fn in_list(who: &Client, path: &str, id: &str) -> Value {
    let r = who.get(path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .cloned()
        .expect("the appointment in the list")
}

pub(crate) async fn outcomes_and_follow_ups(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let official = env.official().await;
    let a = op.book(&at(MON_0930), "a").await;
    let b = op.book(&at(MON_1000), "b").await;
    let open = op.book(&at(TUE_1000), "open").await;
    // 09:31: both meeting windows are open; both bookings are before the closes.
    env.clock.advance(chrono::Duration::minutes(31));
    for id in [&a, &b] {
        assert_eq!(op.meeting(id, "", json!({})).await.status, 200);
    }
    assert!(follow_ups(&op).await.is_empty());
    let r = official
        .meeting(
            &a,
            "close",
            json!({"outcome": "call_back", "notes": "Richiamare dopo la risposta della Sede."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = official
        .meeting(&b, "close", json!({"outcome": "resolved"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // The outcome and the note travel with the appointment, in every staff view of it.
    let op = env.operator().await;
    let day = "/v1/booking/comuni/090078/appointments?date=2026-11-23";
    let agenda = "/v1/booking/sportelli/sassari-1/agenda?from=2026-11-23&to=2026-11-24";
    for (who, path) in [(&op, day), (&official, agenda)] {
        let card = in_list(who, path, &a).await;
        assert_eq!(card["meeting_closed"], true, "{card}");
        assert_eq!(card["meeting_outcome"], "call_back", "{card}");
        assert_eq!(
            card["meeting_notes"], "Richiamare dopo la risposta della Sede.",
            "{card}"
        );
        let card = in_list(who, path, &b).await;
        assert_eq!(card["meeting_outcome"], "resolved", "{card}");
        assert_eq!(card["meeting_notes"], Value::Null, "{card}");
    }
    let one = op
        .get(&format!("/v1/booking/appointments/{a}"))
        .await
        .json();
    assert_eq!(one["meeting_outcome"], "call_back");
    let not_held = op
        .get(&format!("/v1/booking/appointments/{open}"))
        .await
        .json();
    assert_eq!(not_held["meeting_closed"], false);
    assert_eq!(not_held["meeting_outcome"], Value::Null);
    assert_eq!(not_held["meeting_notes"], Value::Null);

    // A is a follow-up of Villanova, with what "Prenota di nuovo" needs (B, booked before the
    // close for the same citizen, does not count as booking again).
    let list = follow_ups(&op).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let f = &list[0];
    assert_eq!(f["appointment_id"], a.as_str());
    assert_eq!(f["applicant"]["codice_fiscale"], "BNCLRA92P55I452E");
    assert_eq!(f["applicant"]["given_name"], "Laura");
    assert_eq!(f["applicant"]["family_name"], "Bianchi");
    assert_eq!(f["applicant"]["birth_date"], "1992-09-15");
    assert_eq!(f["applicant"]["sex"], "F");
    assert_eq!(f["applicant"]["residence_istat"], "090078");
    assert_eq!(f["services"], json!(["pensioni"]));
    assert_eq!(f["service_name"], "Pensioni");
    assert_eq!(f["notes"], "Richiamare dopo la risposta della Sede.");
    assert!(
        f["starts_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-23T09:30:00+01:00")
    );
    assert!(
        f["closed_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-23T09:31:00+01:00")
    );

    // Only the comune's operators.
    for account in [
        "operatore.alghero",
        "funzionario.sassari",
        "utenze.villanova",
        "admin.inps",
        "referente.villanova",
        "referente.anci",
    ] {
        env.login(account)
            .await
            .get(FOLLOW_UPS)
            .await
            .expect_error(403, "forbidden");
    }
    env.anonymous()
        .get(FOLLOW_UPS)
        .await
        .expect_error(401, "unauthenticated");
    let alghero = env.login("operatore.alghero").await;
    let r = alghero.get("/v1/booking/comuni/090003/follow-ups").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json(), json!([]));

    // Booked again for the same codice fiscale: the follow-up is done...
    env.clock.advance(chrono::Duration::minutes(5));
    let again = op.book(&at(TUE_0900), "again").await;
    assert!(follow_ups(&op).await.is_empty());
    // ...unless that appointment is cancelled.
    let r = op
        .post(
            &format!("/v1/booking/appointments/{again}/cancel"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(follow_ups(&op).await.len(), 1);
    env.stop().await;
}
