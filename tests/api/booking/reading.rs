//! What callers read: free slots (holidays, closures, the past), only their own bookings,
//! Sedi, calendars and holidays, comuni and session names, the operator's days.

use chrono::Duration;
use serde_json::{Value, json};

use super::{TUE_0830, id};
use crate::support::{TestServer, at};

pub(super) async fn slots_skip_holidays_closures_and_the_past(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let admin = env.inps_admin().await;
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

pub(super) async fn callers_see_only_what_is_theirs(db: Option<String>) {
    let env = TestServer::start(db).await;
    let a = env.operator().await;
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
    let admin = env.inps_admin().await;
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

pub(super) async fn admin_reads_sedi_calendars_and_holidays(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.inps_admin().await;
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
        env.official().await.get("/v1/booking/sedi").await.status,
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
    let op = env.operator().await;
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

pub(super) async fn comuni_search_and_session_names(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
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

pub(super) async fn operator_home_reads_a_range_of_days(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
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
    env.official()
        .await
        .get("/v1/booking/comuni/090078/appointments?from=2026-11-23&to=2026-11-25")
        .await
        .expect_error(403, "forbidden");
    env.stop().await;
}
