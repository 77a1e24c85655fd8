//! Monitoring: the figures of each scope against a seeded day of bookings and meetings, on
//! SQLite and PostgreSQL; CSV and charts equal to the JSON; ANCI's suppression of small counts;
//! distinct citizens without their codice fiscale; the operators' activity; open data; referenti
//! created, scoped and revoked; every bad period refused.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::support::{Client, TestServer, citizen_with};

/// The demo citizen born on `day` September 1992 (so with another codice fiscale).
fn citizen_born(day: u32) -> Value {
    let first15 = format!("BNCLRA92P{}I452", 40 + day);
    let check = sportello::codice_fiscale::check_character(first15.as_bytes()).unwrap();
    let cf = format!("{first15}{}", check as char);
    let c = citizen_with("applicant.codice_fiscale", json!(cf));
    let mut c = c;
    c["applicant"]["birth_date"] = json!(format!("1992-09-{day:02}"));
    c
}

/// Books `sportello` at `starts_at` for the citizen born on `day`; returns the id.
async fn book(op: &Client, sportello: &str, starts_at: &str, day: u32) -> String {
    let r = op.hold(sportello, starts_at, "pensioni").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let key = format!("k-{id}");
    let r = op
        .post_with(
            &format!("/v1/booking/holds/{id}/confirm"),
            &[("Idempotency-Key", key.as_str())],
            &citizen_born(day),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    id
}

/// Opens the meeting at its start + 1 minute and closes it 20 minutes later with `outcome`.
async fn hold_meeting(
    env: &TestServer,
    op: &Client,
    official: &Client,
    id: &str,
    starts: &str,
    outcome: &str,
) {
    let starts: DateTime<Utc> = starts
        .parse::<DateTime<chrono::FixedOffset>>()
        .unwrap()
        .into();
    env.clock.set(starts + Duration::minutes(1));
    let r = op.meeting(id, "", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    env.clock.set(starts + Duration::minutes(21));
    let r = official
        .meeting(id, "close", json!({"outcome": outcome, "notes": "nota"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// The seeded day: Villanova (090078) books six (held: resolved and call_back for one citizen,
/// resolved for another; a no-show; a cancellation; one left open), Alghero (090003, also
/// Sardegna) one held, Pescasseroli (066068, Abruzzo) one left open.
async fn seed(env: &TestServer) {
    let op = env.operator().await;
    let alghero = env.login("operatore.alghero").await;
    let pescasseroli = env.login("operatore.pescasseroli").await;
    let official = env.official().await;
    let s = op.free_slots("sassari-1").await;
    let ids = [
        book(&op, "sassari-1", &s[0], 15).await,
        book(&op, "sassari-1", &s[1], 15).await,
        book(&op, "sassari-1", &s[2], 16).await,
        book(&op, "sassari-1", &s[3], 17).await,
        book(&op, "sassari-1", &s[4], 18).await,
        book(&op, "sassari-1", &s[5], 19).await,
    ];
    let alghero_id = book(&alghero, "sassari-1", &s[6], 20).await;
    let l = pescasseroli.free_slots("laquila-1").await;
    book(&pescasseroli, "laquila-1", &l[0], 21).await;
    let r = op
        .post(
            &format!("/v1/booking/appointments/{}/cancel", ids[4]),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    hold_meeting(env, &op, &official, &ids[0], &s[0], "resolved").await;
    hold_meeting(env, &op, &official, &ids[1], &s[1], "call_back").await;
    hold_meeting(env, &op, &official, &ids[2], &s[2], "resolved").await;
    hold_meeting(env, &op, &official, &ids[3], &s[3], "no_show").await;
    hold_meeting(env, &alghero, &official, &alghero_id, &s[6], "resolved").await;
}

fn total(r: &crate::support::Response) -> Value {
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["total"].clone()
}

async fn figures_of_every_scope(db: Option<String>) {
    let env = TestServer::start(db).await;
    seed(&env).await;
    let q = "/v1/monitoring/summary?from=2026-11&to=2026-11";

    let comune = env.login("referente.villanova").await.get(q).await;
    let t = total(&comune);
    assert_eq!(comune.json()["scope"], "Comune di Villanova Monteleone");
    assert_eq!(
        (&t["booked"], &t["held"], &t["resolved"], &t["call_back"]),
        (&json!(6), &json!(3), &json!(2), &json!(1))
    );
    assert_eq!(
        (&t["no_show"], &t["cancelled"], &t["open"]),
        (&json!(1), &json!(1), &json!(1))
    );
    assert_eq!(t["citizens"], 2, "one citizen served twice counts once");
    assert_eq!(t["waiting_days_median"], 0.0);
    assert_eq!(t["duration_minutes_median"], 20.0);
    assert_eq!(comune.json()["suppressed_below"], Value::Null);
    // The user administrator sees the same comune.
    assert_eq!(total(&env.user_admin().await.get(q).await), t);

    let sardegna = env.login("referente.sardegna").await;
    let t = total(&sardegna.get(q).await);
    assert_eq!(
        (&t["booked"], &t["held"], &t["citizens"]),
        (&json!(7), &json!(4), &json!(3))
    );
    let by_comune = sardegna.get(&format!("{q}&by=comune")).await.json();
    let rows: Vec<(&str, i64)> = by_comune["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r["booked"].as_i64().unwrap()))
        .collect();
    assert_eq!(rows, [("090078", 6), ("090003", 1)], "Abruzzo is outside");

    for all in [env.login("referente.inps").await, env.inps_admin().await] {
        let t = total(&all.get(q).await);
        assert_eq!((&t["booked"], &t["open"]), (&json!(8), &json!(2)));
        let by_region = all.get(&format!("{q}&by=region")).await.json();
        assert_eq!(by_region["rows"].as_array().unwrap().len(), 2);
    }

    // ANCI: all of Italy, counts from 1 to 4 suppressed, and so the medians behind them.
    let anci = env.login("referente.anci").await;
    let r = anci.get(q).await;
    let t = total(&r);
    assert_eq!(r.json()["suppressed_below"], 5);
    assert_eq!(t["booked"], 8);
    assert_eq!((&t["held"], &t["citizens"]), (&Value::Null, &Value::Null));
    assert_eq!(t["duration_minutes_median"], Value::Null);
    let by_comune = anci.get(&format!("{q}&by=comune")).await.json();
    let booked: Vec<&Value> = by_comune["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["booked"])
        .collect();
    assert_eq!(booked, [&json!(6), &Value::Null, &Value::Null]);
    assert!(!r.text.contains("BNCLRA") && !by_comune.to_string().contains("Bianchi"));

    // By month: every month of the period, zeros included.
    let months = comune_client(&env)
        .await
        .get("/v1/monitoring/summary?from=2026-10&to=2027-01")
        .await
        .json();
    let keys: Vec<&str> = months["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["2026-10", "2026-11", "2026-12", "2027-01"]);
    assert_eq!(months["rows"][0]["booked"], 0);

    // Operators and officials do not monitor.
    env.operator()
        .await
        .get(q)
        .await
        .expect_error(403, "forbidden");
    env.official()
        .await
        .get(q)
        .await
        .expect_error(403, "forbidden");
    env.anonymous()
        .get(q)
        .await
        .expect_error(401, "unauthenticated");

    // The keyed hashes: no codice fiscale stored, one row per held meeting.
    assert_eq!(env.count("SELECT COUNT(*) FROM served_citizens").await, 4);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM served_citizens WHERE citizen_key LIKE 'BNC%'")
            .await,
        0
    );
    assert_eq!(
        env.count("SELECT COUNT(DISTINCT citizen_key) FROM served_citizens")
            .await,
        3
    );
    env.stop().await;
}

async fn comune_client(env: &TestServer) -> Client {
    env.login("referente.villanova").await
}

on_both_databases!(figures_on_postgres; figures_of_every_scope, figures_survive_the_purge);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_and_chart_match_the_json() {
    let env = TestServer::start(None).await;
    seed(&env).await;
    let c = env.login("referente.sardegna").await;
    for by in ["month", "comune", "service", "sede", "province", "region"] {
        let q = format!("from=2026-11&to=2026-11&by={by}");
        let json = c.get(&format!("/v1/monitoring/summary?{q}")).await.json();
        let csv = c.get(&format!("/v1/monitoring/summary.csv?{q}")).await;
        assert_eq!(csv.status, 200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        let lines: Vec<&str> = csv.text.lines().collect();
        let rows = json["rows"].as_array().unwrap();
        assert_eq!(lines.len(), rows.len() + 2, "{by}: header, rows, total");
        for (line, row) in lines[1..].iter().zip(rows.iter().chain([&json["total"]])) {
            let fields: Vec<String> = line
                .split(',')
                .map(|f| f.trim_matches('"').to_owned())
                .collect();
            assert_eq!(fields[0], row["key"].as_str().unwrap());
            assert_eq!(fields[2], row["booked"].to_string(), "{by} {line}");
            assert_eq!(fields[3], row["held"].to_string(), "{by} {line}");
            assert_eq!(fields[11], row["citizens"].to_string(), "{by} {line}");
        }
        let svg = c
            .get(&format!("/v1/monitoring/chart.svg?{q}&metric=held"))
            .await;
        assert_eq!(svg.status, 200);
        assert!(
            svg.header("content-type")
                .unwrap()
                .starts_with("image/svg+xml")
        );
        for row in rows {
            let held = row["held"].to_string();
            let label = row["label"].as_str().unwrap().replace('&', "&amp;");
            assert!(
                svg.text.contains(&format!("{label}: {held}")),
                "{by}: {}",
                svg.text
            );
        }
    }
    // ANCI's CSV leaves suppressed values empty.
    let anci = env.login("referente.anci").await;
    let csv = anci
        .get("/v1/monitoring/summary.csv?from=2026-11&to=2026-11")
        .await
        .text;
    let total = csv.lines().last().unwrap();
    assert!(
        total.starts_with("\"totale\",\"Totale\",\"8\",\"\","),
        "{total}"
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_periods_and_groupings_are_refused() {
    let env = TestServer::start(None).await;
    let c = env.login("referente.inps").await;
    for q in [
        "from=2026-13",
        "from=262142-01",
        "to=2026-1",
        "from=1999-12",
        "from=2026-05&to=2026-04",
        "from=2020-01&to=2025-01",
        "from=%2B026-01",
    ] {
        for route in ["summary", "summary.csv", "chart.svg"] {
            c.get(&format!("/v1/monitoring/{route}?{q}"))
                .await
                .expect_error(400, "bad_month");
        }
    }
    for q in [
        "by=week",
        "metric=secrets",
        "colour=red",
        "from=2026-01&from=2026-02",
    ] {
        c.get(&format!("/v1/monitoring/summary?{q}"))
            .await
            .expect_error(400, "bad_query");
    }
    let anon = env.anonymous();
    for q in ["year=262142", "year=26", "year=abcd", "year=1999"] {
        anon.get(&format!("/v1/open-data/pue.csv?{q}"))
            .await
            .expect_error(400, "bad_year");
    }
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_data_is_public_and_suppresses_small_counts() {
    let env = TestServer::start(None).await;
    seed(&env).await;
    let r = env.anonymous().get("/v1/open-data/pue.csv?year=2026").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let lines: Vec<&str> = r.text.lines().collect();
    assert_eq!(
        lines[0],
        "\"mese\",\"regione\",\"pue_attivi\",\"incontri_svolti\""
    );
    // Sardegna held 4 meetings in 2 comuni: both under 5, both left empty.
    assert_eq!(lines[1], "\"2026-11\",\"Sardegna\",\"\",\"\"");
    assert_eq!(lines.len(), 2, "Abruzzo held none");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_administrator_sees_the_operators_activity() {
    let env = TestServer::start(None).await;
    seed(&env).await;
    let admin = env.user_admin().await;
    let r = admin
        .post(
            "/v1/identity/operators/operatore.villanova/revoke",
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let a = admin
        .get("/v1/monitoring/activity?from=2026-11&to=2026-11")
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = a.json();
    let ops = a["operators"].as_array().unwrap();
    let villanova = ops
        .iter()
        .find(|o| o["account"] == "operatore.villanova")
        .unwrap();
    assert_eq!(
        (
            &villanova["bookings"],
            &villanova["cancellations"],
            &villanova["meetings_opened"]
        ),
        (&json!(6), &json!(1), &json!(4))
    );
    assert_eq!(villanova["full_name"], "Giulia Serra");
    assert!(
        ops.iter().all(|o| o["account"] != "operatore.alghero"),
        "another comune"
    );
    assert_eq!(a["revocations"][0]["account"], "operatore.villanova");
    assert_eq!(a["revocations"][0]["by"], "utenze.villanova");
    admin
        .get("/v1/monitoring/activity?comune=090003")
        .await
        .expect_error(403, "forbidden");
    let inps = env.inps_admin().await;
    inps.get("/v1/monitoring/activity")
        .await
        .expect_error(400, "missing_comune");
    inps.get("/v1/monitoring/activity?comune=999999")
        .await
        .expect_error(404, "unknown_comune");
    let r = inps.get("/v1/monitoring/activity?comune=090003").await;
    assert_eq!(r.json()["operators"][0]["bookings"], 1);
    env.login("referente.villanova")
        .await
        .get("/v1/monitoring/activity")
        .await
        .expect_error(403, "forbidden");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referenti_are_created_scoped_and_revoked() {
    let env = TestServer::start(None).await;
    let user_admin = env.user_admin().await;
    let new = crate::support::new_account;
    // The comune's user administrator: a comune referente of their comune only.
    let r = user_admin
        .post(
            "/v1/identity/operators",
            &new("ref.comune", "referente_comune", json!({})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (&r.json()["role"], &r.json()["comune_istat"]),
        (&json!("referente_comune"), &json!("090078"))
    );
    for (role, extra) in [
        ("referente_inps", json!({"regions": ["Sardegna"]})),
        ("referente_anci", json!({})),
        ("official", json!({})),
        ("inps_admin", json!({})),
    ] {
        user_admin
            .post("/v1/identity/operators", &new("ref.x", role, extra))
            .await
            .expect_error(403, "forbidden");
    }
    user_admin
        .post(
            "/v1/identity/operators",
            &new(
                "ref.y",
                "referente_comune",
                json!({"comune_istat": "090003"}),
            ),
        )
        .await
        .expect_error(403, "forbidden");
    // The INPS administrator: INPS referenti by region, ANCI's.
    let inps = env.inps_admin().await;
    for (extra, code) in [
        (json!({}), "bad_regions"),
        (json!({"regions": []}), "bad_regions"),
        (json!({"regions": ["Atlantide"]}), "bad_regions"),
        (
            json!({"regions": ["Sardegna"], "comune_istat": "090078"}),
            "bad_regions",
        ),
    ] {
        inps.post(
            "/v1/identity/operators",
            &new("ref.inps", "referente_inps", extra),
        )
        .await
        .expect_error(400, code);
    }
    inps.post(
        "/v1/identity/operators",
        &new(
            "ref.anci",
            "referente_anci",
            json!({"regions": ["Sardegna"]}),
        ),
    )
    .await
    .expect_error(400, "bad_regions");
    let r = inps
        .post(
            "/v1/identity/operators",
            &new(
                "ref.abruzzo",
                "referente_inps",
                json!({"regions": ["Abruzzo", "Abruzzo"]}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["regions"], json!(["Abruzzo"]));
    // The new referente logs in and sees its regions.
    let (abruzzo, login) = env
        .password_login("ref.abruzzo", "una-password-lunga")
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let s = abruzzo.get("/v1/monitoring/summary").await;
    assert_eq!(s.json()["scope"], "Regione Abruzzo");
    // Listed for the INPS administrator, the comune's one for the user administrator.
    let listed = inps.get("/v1/identity/operators").await.json();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["account"] == "ref.abruzzo")
    );
    let listed = user_admin.get("/v1/identity/operators").await.json();
    let accounts: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["account"].as_str().unwrap())
        .collect();
    assert!(accounts.contains(&"ref.comune") && !accounts.contains(&"ref.abruzzo"));
    // Revoked by the INPS administrator: the session ends at once.
    let r = inps
        .post("/v1/identity/operators/ref.abruzzo/revoke", &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let gone = crate::support::eventually(std::time::Duration::from_secs(5), || async {
        abruzzo.get("/v1/monitoring/summary").await.status == 401
    })
    .await;
    assert!(gone, "the revoked referente's session ends");
    // The user administrator cannot revoke an INPS referente.
    user_admin
        .post(
            "/v1/identity/operators/referente.sardegna/revoke",
            &json!({}),
        )
        .await
        .expect_error(403, "forbidden");
    env.stop().await;
}

/// The figures of a past year stay when its appointments are purged: they are rolled up into
/// counts, and the dashboards read those with the live rows.
async fn figures_survive_the_purge(db: Option<String>) {
    let data = std::sync::Arc::new(std::sync::Mutex::new(std::path::PathBuf::new()));
    let seen = data.clone();
    let env = TestServer::start_with(db, move |c| *seen.lock().unwrap() = c.data_dir.clone()).await;
    let data = data.lock().unwrap().clone();
    seed(&env).await;
    let q = "/v1/monitoring/summary?from=2026-11&to=2026-11&by=comune";
    let before = env.inps_admin().await.get(q).await.json();
    assert_eq!(before["total"]["booked"], 8);
    // Past every period: the appointments are rolled up and deleted.
    env.clock.set("2029-01-10T09:00:00Z".parse().unwrap());
    let periods = crate::support::internals::RetentionConfig::default();
    crate::support::internals::purge_now(&env.server, &periods, &data).await;
    assert_eq!(env.count("SELECT COUNT(*) FROM reservations").await, 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM citizen_requests").await, 0);
    let after = env.inps_admin().await.get(q).await.json();
    for field in [
        "booked",
        "held",
        "resolved",
        "call_back",
        "no_show",
        "cancelled",
        "open",
    ] {
        assert_eq!(after["total"][field], before["total"][field], "{field}");
    }
    assert_eq!(after["rows"], before["rows"]);
    assert_eq!(
        after["total"]["duration_minutes_median"],
        before["total"]["duration_minutes_median"]
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_citizens_feedback_is_in_the_figures() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let id = op
        .book(&crate::support::at(crate::support::slots::MON_0930), "a")
        .await;
    assert_eq!(op.meeting(&id, "", json!({})).await.status, 200);
    let handover = op.meeting(&id, "handover", json!({})).await;
    assert_eq!(handover.status, 200, "{}", handover.text);
    let citizen = env.citizen_after_handover(&handover);
    let csrf = handover.json()["csrf_token"].as_str().unwrap().to_owned();
    let r = env
        .official()
        .await
        .meeting(&id, "close", json!({"outcome": "resolved"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = citizen
        .post_with(
            "/v1/citizen/feedback",
            &[("x-csrf-token", &csrf)],
            &json!({"rating": 4}),
        )
        .await;
    assert!(r.status < 300, "{}", r.text);
    let q = "/v1/monitoring/summary?from=2026-11&to=2026-11";
    let t = total(&env.login("referente.villanova").await.get(q).await);
    assert_eq!(
        (&t["feedback"], &t["rating_average"]),
        (&json!(1), &json!(4.0))
    );
    // By service there is no feedback (it is not linked to the appointment); by Sede there is.
    let by_sede = env
        .login("referente.inps")
        .await
        .get(&format!("{q}&by=sede"))
        .await
        .json();
    assert_eq!(by_sede["rows"][0]["feedback"], 1);
    let by_service = env
        .inps_admin()
        .await
        .get(&format!("{q}&by=service"))
        .await
        .json();
    assert_eq!(by_service["rows"][0]["feedback"], 0);
    // ANCI: one answer is under 5.
    let t = total(&env.login("referente.anci").await.get(q).await);
    assert_eq!(
        (&t["feedback"], &t["rating_average"]),
        (&Value::Null, &Value::Null)
    );
    env.stop().await;
}
