//! The catalogue administration: the INPS administrator builds a comune, a Sede with its
//! competence, a sportello with hours, a service and a convention through the API, and an
//! operator of that comune books it; conventions count only within their dates; every refusal
//! answers a clear code and changes nothing; the CSV import reports every bad line and its dry
//! run changes nothing.

use serde_json::{Value, json};

use crate::support::{Client, Request, TestServer, expect_errors};

fn put(path: impl Into<String>, body: &Value) -> Request {
    Request::raw("PUT", path, body.to_string()).header("Content-Type", "application/json")
}

async fn send(c: &Client, r: Request) -> crate::support::Response {
    c.request(&r).await
}

async fn ok(c: &Client, r: Request, status: u16) -> Value {
    let (m, p) = (r.method, r.path.clone());
    let resp = send(c, r).await;
    assert_eq!(resp.status, status, "{m} {p}: {}", resp.text);
    if resp.text.is_empty() {
        Value::Null
    } else {
        resp.json()
    }
}

fn comune(name: &str, belfiore: &str) -> Value {
    json!({"name": name, "province": "nu", "region": "Sardegna", "population": 1200,
        "belfiore": belfiore})
}

/// The catalogue of a new comune with its own Sede, built by the INPS administrator.
async fn build_new_sede(inps: &Client) {
    let saved = ok(
        inps,
        put(
            "/v1/catalogue/services/patronato",
            &json!({"name": "Patronato"}),
        ),
        201,
    )
    .await;
    assert_eq!(saved, json!({"id": "patronato", "created": true}));
    ok(
        inps,
        put(
            "/v1/catalogue/services/patronato",
            &json!({"name": "Patronato e CAF"}),
        ),
        200,
    )
    .await;
    ok(
        inps,
        put(
            "/v1/catalogue/comuni/091999",
            &comune("Orune Nuova", "Z901"),
        ),
        201,
    )
    .await;
    let sede = json!({"kind": "sede", "name": "Sede di Orune", "comune_istat": "091999",
        "patron_day": "08-15"});
    ok(inps, put("/v1/catalogue/sedi/sede-orune", &sede), 201).await;
    ok(inps, put("/v1/catalogue/sedi/sede-orune", &sede), 200).await;
    ok(
        inps,
        put(
            "/v1/catalogue/sedi/sede-orune/comuni",
            &json!({"comuni": ["091999"]}),
        ),
        204,
    )
    .await;
    let sportello = json!({"sede_id": "sede-orune", "name": "Sportello unico",
        "slot_minutes": 30, "services": ["patronato", "pensioni"]});
    ok(
        inps,
        put("/v1/catalogue/sportelli/orune-1", &sportello),
        201,
    )
    .await;
    let hours = json!({"hours": [
        {"weekday": 2, "opens": "14:00", "closes": "15:00"},
        {"weekday": 2, "opens": "09:00", "closes": "10:00"},
        {"weekday": 3, "opens": "09:00", "closes": "12:00"},
    ]});
    ok(
        inps,
        put("/v1/catalogue/sportelli/orune-1/hours", &hours),
        204,
    )
    .await;
    ok(
        inps,
        put(
            "/v1/catalogue/conventions/091999/sede-orune",
            &json!({"valid_from": "2026-01-01", "valid_until": "2027-12-31"}),
        ),
        201,
    )
    .await;
}

async fn new_operator(env: &TestServer, inps: &Client, account: &str, istat: &str) -> Client {
    let r = inps
        .post(
            "/v1/identity/operators",
            &json!({"account": account, "password": "una-password-lunga",
                "full_name": "Giovanni Sanna", "role": "operator", "comune_istat": istat}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let (op, login) = env.password_login(account, "una-password-lunga").await;
    assert_eq!(login.status, 200, "{}", login.text);
    op
}

async fn a_catalogue_built_through_the_api_is_bookable(database_url: Option<String>) {
    let env = TestServer::start(database_url).await;
    let inps = env.inps_admin().await;
    build_new_sede(&inps).await;
    let op = new_operator(&env, &inps, "operatore.orune", "091999").await;

    let p = op
        .get("/v1/booking/comuni/091999/proposals?service=patronato")
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    let options = &p.json()["options"];
    assert_eq!(options.as_array().unwrap().len(), 1, "{options}");
    assert_eq!(options[0]["sede_id"], "sede-orune");
    assert_eq!(options[0]["reason"], "territorial");
    assert_eq!(options[0]["sportelli"][0]["id"], "orune-1");

    // Tuesday 24 November: 09:00-10:00 and 14:00-15:00, 30 minutes each.
    let s = op
        .get("/v1/booking/sportelli/orune-1/slots?from=2026-11-24&to=2026-11-24")
        .await;
    assert_eq!(s.status, 200, "{}", s.text);
    let starts: Vec<String> = s.json()["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["starts_at"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-11-24T09:00:00+01:00",
            "2026-11-24T09:30:00+01:00",
            "2026-11-24T14:00:00+01:00",
            "2026-11-24T14:30:00+01:00",
        ]
    );
    let hold = op.hold("orune-1", &starts[0], "patronato").await;
    assert_eq!(hold.status, 201, "{}", hold.text);
    let id = hold.json()["id"].as_str().unwrap().to_owned();
    let confirmed = op.confirm(&id, "orune-1").await;
    assert_eq!(confirmed.status, 201, "{}", confirmed.text);

    // The lists of the pages.
    let page = inps.get("/v1/catalogue/comuni?q=orune").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.json()["comuni"][0]["province"], "NU");
    let conventions = inps.get("/v1/catalogue/conventions").await.json();
    let mine: Vec<&Value> = conventions
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["sede_id"] == "sede-orune")
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["comune_name"], "Orune Nuova");
    assert_eq!(mine[0]["valid_until"], "2027-12-31");
    let services = inps.get("/v1/catalogue/services").await.json();
    assert!(
        services
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "patronato" && s["name"] == "Patronato e CAF")
    );
    // Every change was audited with ids only.
    for action in [
        "catalogue.service_save",
        "catalogue.comune_save",
        "catalogue.sede_save",
        "catalogue.sede_comuni",
        "catalogue.sportello_save",
        "catalogue.opening_hours",
        "catalogue.convention_save",
    ] {
        assert!(env.audited_ok(action).await >= 1, "{action}");
    }
    env.stop().await;
}

async fn a_convention_counts_only_within_its_dates(database_url: Option<String>) {
    let env = TestServer::start(database_url).await;
    let inps = env.inps_admin().await;
    let op = env.operator().await;
    let offered = |op: Client| async move {
        let r = op
            .get("/v1/booking/comuni/090078/proposals?service=pensioni")
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["options"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["sede_id"] == "sede-sassari")
    };
    assert!(offered(op.clone()).await);
    let tuesday = "2026-11-24T08:00:00Z";
    // Ended before today (23 November 2026).
    for (from, until) in [(None, Some("2026-11-22")), (Some("2026-11-25"), None)] {
        ok(
            &inps,
            put(
                "/v1/catalogue/conventions/090078/sede-sassari",
                &json!({"valid_from": from, "valid_until": until}),
            ),
            200,
        )
        .await;
        assert!(!offered(op.clone()).await, "{from:?} {until:?}");
        op.hold("sassari-1", tuesday, "pensioni")
            .await
            .expect_error(403, "forbidden");
    }
    // Valid from the 24th: not proposed today, but a slot on the 24th may be held.
    ok(
        &inps,
        put(
            "/v1/catalogue/conventions/090078/sede-sassari",
            &json!({"valid_from": "2026-11-24"}),
        ),
        200,
    )
    .await;
    assert!(!offered(op.clone()).await);
    assert_eq!(op.hold("sassari-1", tuesday, "pensioni").await.status, 201);
    ok(
        &inps,
        put(
            "/v1/catalogue/conventions/090078/sede-sassari",
            &json!({"valid_from": "2026-11-23", "valid_until": "2026-11-23"}),
        ),
        200,
    )
    .await;
    assert!(offered(op.clone()).await);
    // Ended altogether.
    ok(
        &inps,
        Request::raw(
            "DELETE",
            "/v1/catalogue/conventions/090078/sede-sassari",
            "",
        ),
        204,
    )
    .await;
    assert!(!offered(op.clone()).await);
    env.stop().await;
}

/// Rows of every catalogue table.
async fn catalogue_counts(env: &TestServer) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM comuni",
        "SELECT COUNT(*) FROM services",
        "SELECT COUNT(*) FROM sedi",
        "SELECT COUNT(*) FROM sede_comuni",
        "SELECT COUNT(*) FROM polo_services",
        "SELECT COUNT(*) FROM pue_conventions",
        "SELECT COUNT(*) FROM sportelli",
        "SELECT COUNT(*) FROM sportello_services",
        "SELECT COUNT(*) FROM opening_hours",
    ] {
        out.push(env.count(sql).await);
    }
    out
}

async fn every_refusal_is_clear_and_changes_nothing(database_url: Option<String>) {
    let env = TestServer::start(database_url).await;
    let inps = env.inps_admin().await;
    let official = env.official().await;
    let before = catalogue_counts(&env).await;
    let good_sportello = json!({"sede_id": "sede-sassari", "name": "Sportello 9",
        "slot_minutes": 30, "services": ["pensioni"]});
    let with = |base: &Value, k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let hours = |list: Value| json!({ "hours": list });
    let sede = json!({"kind": "sede", "name": "Sede X", "comune_istat": "090078"});
    expect_errors(
        "catalogue",
        &[
            (
                &env.anonymous(),
                Request::get("/v1/catalogue/services"),
                401,
                "unauthenticated",
            ),
            (
                &official,
                Request::get("/v1/catalogue/services"),
                403,
                "forbidden",
            ),
            (
                &official,
                put("/v1/catalogue/services/nuovo", &json!({"name": "Nuovo"})),
                403,
                "forbidden",
            ),
            (
                &inps,
                put("/v1/catalogue/services/Nuovo", &json!({"name": "Nuovo"})),
                400,
                "bad_service_code",
            ),
            (
                &inps,
                put("/v1/catalogue/services/nuovo", &json!({"name": "N"})),
                400,
                "bad_catalogue_name",
            ),
            (
                &inps,
                put("/v1/catalogue/comuni/12345", &comune("Nuovo", "Z900")),
                400,
                "bad_istat",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/comuni/099990",
                    &with(&comune("Nuovo", "Z900"), "province", json!("N1")),
                ),
                400,
                "bad_province",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/comuni/099990",
                    &with(&comune("Nuovo", "Z900"), "population", json!(-1)),
                ),
                400,
                "bad_population",
            ),
            (
                &inps,
                put("/v1/catalogue/comuni/099990", &comune("Nuovo", "Z90")),
                400,
                "bad_belfiore",
            ),
            // L989 is Villanova Monteleone's.
            (
                &inps,
                put("/v1/catalogue/comuni/099990", &comune("Nuovo", "L989")),
                409,
                "belfiore_taken",
            ),
            (
                &inps,
                put("/v1/catalogue/sedi/Sede", &sede),
                400,
                "bad_sede_id",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sedi/sede-x",
                    &with(&sede, "kind", json!("ufficio")),
                ),
                400,
                "bad_sede_kind",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sedi/sede-x",
                    &with(&sede, "patron_day", json!("02-30")),
                ),
                400,
                "bad_patron_day",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sedi/sede-x",
                    &with(&sede, "comune_istat", json!("099990")),
                ),
                404,
                "unknown_comune",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sedi/sede-sassari",
                    &with(&sede, "kind", json!("polo")),
                ),
                409,
                "wrong_sede_kind",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sedi/sede-x/comuni",
                    &json!({"comuni": ["090078"]}),
                ),
                404,
                "unknown_sede",
            ),
            // 090078 is in the competence of sede-sassari.
            (
                &inps,
                put(
                    "/v1/catalogue/sedi/sede-laquila/comuni",
                    &json!({"comuni": ["090078"]}),
                ),
                409,
                "comune_has_sede",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sedi/polo-famiglia/comuni",
                    &json!({"comuni": []}),
                ),
                400,
                "wrong_sede_kind",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sedi/sede-sassari/services",
                    &json!({"services": []}),
                ),
                400,
                "wrong_sede_kind",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sedi/polo-famiglia/services",
                    &json!({"services": ["nessuno"]}),
                ),
                404,
                "unknown_service",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sportelli/nuovo-9",
                    &with(&good_sportello, "slot_minutes", json!(4)),
                ),
                400,
                "bad_slot_minutes",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sportelli/nuovo-9",
                    &with(&good_sportello, "slot_minutes", json!(241)),
                ),
                400,
                "bad_slot_minutes",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sportelli/nuovo-9",
                    &with(&good_sportello, "sede_id", json!("sede-x")),
                ),
                404,
                "unknown_sede",
            ),
            (
                &inps,
                put("/v1/catalogue/sportelli/laquila-1", &good_sportello),
                409,
                "sportello_sede_fixed",
            ),
            (
                &inps,
                put("/v1/catalogue/sportelli/nuovo-9/hours", &hours(json!([]))),
                404,
                "unknown_sportello",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sportelli/sassari-1/hours",
                    &hours(json!([{"weekday": 1, "opens": "9:00", "closes": "12:00"}])),
                ),
                400,
                "bad_opening_hours",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sportelli/sassari-1/hours",
                    &hours(json!([{"weekday": 1, "opens": "12:00", "closes": "11:00"}])),
                ),
                400,
                "bad_opening_hours",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sportelli/sassari-1/hours",
                    &hours(json!([{"weekday": 8, "opens": "09:00", "closes": "11:00"}])),
                ),
                400,
                "bad_opening_hours",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/sportelli/sassari-1/hours",
                    &hours(json!([
                        {"weekday": 1, "opens": "09:00", "closes": "11:00"},
                        {"weekday": 1, "opens": "10:30", "closes": "12:00"},
                    ])),
                ),
                400,
                "overlapping_hours",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/conventions/090078/sede-laquila",
                    &json!({"valid_from": "2026-12-01", "valid_until": "2026-11-01"}),
                ),
                400,
                "bad_convention_dates",
            ),
            (
                &inps,
                put(
                    "/v1/catalogue/conventions/090078/sede-laquila",
                    &json!({"valid_from": "1/12/2026"}),
                ),
                400,
                "bad_convention_dates",
            ),
            (
                &inps,
                put("/v1/catalogue/conventions/099990/sede-laquila", &json!({})),
                404,
                "unknown_comune",
            ),
            (
                &inps,
                Request::raw(
                    "DELETE",
                    "/v1/catalogue/conventions/090078/sede-laquila",
                    "",
                ),
                404,
                "unknown_convention",
            ),
            (
                &inps,
                Request::get("/v1/catalogue/comuni?page=0"),
                400,
                "bad_page",
            ),
        ],
    )
    .await;
    assert_eq!(
        catalogue_counts(&env).await,
        before,
        "a refusal changed something"
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM comuni WHERE istat = '099990'")
            .await
            + env
                .count("SELECT COUNT(*) FROM sportelli WHERE id = 'nuovo-9'")
                .await
            + env
                .count("SELECT COUNT(*) FROM services WHERE code = 'nuovo'")
                .await,
        0
    );
    let h = env
        .count("SELECT COUNT(*) FROM opening_hours WHERE sportello_id = 'sassari-1'")
        .await;
    assert!(h > 0);
    // The refusals by role were audited as denied.
    let denied = env
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalogue.service_save' AND outcome = 'denied'")
        .await;
    assert_eq!(denied, 1);
    env.stop().await;
}

fn csv(path: &str, text: &str) -> Request {
    Request::raw("POST", path, text).header("Content-Type", "text/csv; charset=utf-8")
}

const COMUNI: &str = "istat,name,province,region,population,belfiore\r\n\
    091901,Primo,NU,Sardegna,100,Z801\r\n\
    \"091902\",\"Secondo, di sopra\",nu,Sardegna,200,z802\r\n\
    091903,Terzo,NU,Sardegna,300,Z803\r\n";

async fn the_csv_import_reports_every_bad_line_and_its_dry_run_changes_nothing(
    database_url: Option<String>,
) {
    let env = TestServer::start(database_url).await;
    let inps = env.inps_admin().await;
    let comuni = || env.count("SELECT COUNT(*) FROM comuni");
    let before = comuni().await;

    let dry = ok(
        &inps,
        csv("/v1/catalogue/import/comuni?dry_run=true", COMUNI),
        200,
    )
    .await;
    assert_eq!(dry["applied"], false);
    assert_eq!(
        (dry["lines"].as_i64(), dry["created"].as_i64()),
        (Some(3), Some(3))
    );
    assert_eq!(dry["errors"], json!([]));
    assert_eq!(comuni().await, before, "a dry run changed something");

    let done = ok(
        &inps,
        csv("/v1/catalogue/import/comuni?dry_run=false", COMUNI),
        200,
    )
    .await;
    assert_eq!(done["applied"], true);
    assert_eq!(done["created"], 3);
    assert_eq!(comuni().await, before + 3);
    let again_text = COMUNI.replace("Terzo,NU,Sardegna,300", "Terzo,NU,Sardegna,301");
    let again = ok(
        &inps,
        csv("/v1/catalogue/import/comuni?dry_run=false", &again_text),
        200,
    )
    .await;
    assert_eq!(
        (
            again["created"].as_i64(),
            again["updated"].as_i64(),
            again["unchanged"].as_i64()
        ),
        (Some(0), Some(1), Some(2))
    );
    assert_eq!(env.audited_ok("catalogue.import").await, 2);

    // Bad lines: every one reported with its number; nothing saved, not even the good ones.
    let bad = "istat,name,province,region,population,belfiore\n\
        091904,Quarto,NU,Sardegna,400,Z804\n\
        91905,Quinto,NU,Sardegna,500,Z805\n\
        \n\
        091906,Sesto,NU,Sardegna,-6,Z806\n\
        091907,Settimo,NU,Sardegna,700,L989\n\
        091904,Quarto,NU,Sardegna,400,Z804\n\
        091908,Ottavo,NU\n";
    let r = ok(
        &inps,
        csv("/v1/catalogue/import/comuni?dry_run=false", bad),
        200,
    )
    .await;
    assert_eq!(r["applied"], false);
    let lines: Vec<(i64, String)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (3, "bad_istat".to_owned()),
            (5, "bad_population".to_owned()),
            (6, "belfiore_taken".to_owned()),
            (7, "bad_csv".to_owned()),
            (8, "bad_csv".to_owned()),
        ]
    );
    assert_eq!(comuni().await, before + 3);

    // Sedi and conventions, referring to what the files before created.
    // Semicolons, as a spreadsheet set to Italian writes them.
    let sedi = "id;kind;name;comune_istat;patron_day\r\n\
        sede-primo;sede;Sede di Primo;091901;06-24\r\n\
        polo-secondo;polo;Polo del Secondo;091902;\r\n";
    let r = ok(
        &inps,
        csv("/v1/catalogue/import/sedi?dry_run=false", sedi),
        200,
    )
    .await;
    assert_eq!(
        (r["applied"].as_bool(), r["created"].as_i64()),
        (Some(true), Some(2)),
        "{r}"
    );
    let conventions = "comune_istat,sede_id,valid_from,valid_until\n\
        091901,sede-primo,2026-01-01,\n\
        091903,sede-primo,,2026-12-31\n\
        091903,sede-nessuna,,\n\
        091903,polo-secondo,2026-12-31,2026-01-01\n";
    let r = ok(
        &inps,
        csv("/v1/catalogue/import/conventions?dry_run=true", conventions),
        200,
    )
    .await;
    let codes: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown_sede", "bad_convention_dates"], "{r}");
    assert_eq!(r["created"], 2);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM pue_conventions WHERE sede_id = 'sede-primo'")
            .await,
        0
    );

    // Whole-file refusals.
    expect_errors(
        "import",
        &[
            (
                &inps,
                csv(
                    "/v1/catalogue/import/comuni?dry_run=true",
                    "istat,name\n1,x\n",
                ),
                400,
                "bad_csv",
            ),
            (
                &inps,
                csv(
                    "/v1/catalogue/import/comuni?dry_run=true",
                    "istat,name,province,region,population,belfiore\n",
                ),
                400,
                "bad_csv",
            ),
            (
                &inps,
                csv("/v1/catalogue/import/comuni?dry_run=true", ""),
                400,
                "bad_csv",
            ),
            (
                &inps,
                csv("/v1/catalogue/import/comuni", COMUNI),
                400,
                "bad_query",
            ),
            (
                &inps,
                csv("/v1/catalogue/import/comuni?dry_run=si", COMUNI),
                400,
                "bad_query",
            ),
            (
                &inps,
                csv("/v1/catalogue/import/sportelli?dry_run=true", COMUNI),
                404,
                "bad_import_kind",
            ),
            (
                &inps,
                Request::raw("POST", "/v1/catalogue/import/comuni?dry_run=true", COMUNI)
                    .header("Content-Type", "application/json"),
                415,
                "bad_content_type",
            ),
            (
                &env.official().await,
                csv("/v1/catalogue/import/comuni?dry_run=true", COMUNI),
                403,
                "forbidden",
            ),
        ],
    )
    .await;
    // Not UTF-8 (Latin-1 "à").
    crate::documents::post_file(
        &inps,
        "/v1/catalogue/import/comuni?dry_run=true",
        "text/csv",
        b"istat,name,province,region,population,belfiore\n091909,Citt\xe0,NU,Sardegna,1,Z809\n",
    )
    .await
    .expect_error(400, "bad_csv");
    // Over 2 MB: the edge refuses it before the handler reads it.
    let big = vec![b'a'; 2 * 1024 * 1024 + 1];
    crate::documents::post_file(
        &inps,
        "/v1/catalogue/import/comuni?dry_run=true",
        "text/csv",
        &big,
    )
    .await
    .expect_error(413, "payload_too_large");
    env.stop().await;
}

/// A production server (no demo data) starts with an empty catalogue; its first INPS
/// administrator imports comuni, Sedi and conventions from CSV, adds a service and a sportello
/// with hours, and an operator of one of the comuni books it.
async fn a_production_server_is_set_up_from_csv_files(database_url: Option<String>) {
    let env = TestServer::start_with(database_url, |c| {
        c.demo = false;
        c.bootstrap_admin = Some(("admin.primo".into(), "una password molto lunga".into()));
    })
    .await;
    let (inps, login) = env
        .password_login("admin.primo", "una password molto lunga")
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(inps.get("/v1/catalogue/services").await.json(), json!([]));
    assert_eq!(env.count("SELECT COUNT(*) FROM comuni").await, 0);

    let comuni = "istat,name,province,region,population,belfiore\n\
        090064,Sassari,SS,Sardegna,127525,I452\n\
        090078,Villanova Monteleone,SS,Sardegna,2300,L989\n";
    let sedi = "id,kind,name,comune_istat,patron_day\n\
        sede-sassari,sede,Sede provinciale di Sassari,090064,12-06\n";
    let conventions = "comune_istat,sede_id,valid_from,valid_until\n\
        090078,sede-sassari,2026-01-01,\n";
    for (kind, text) in [
        ("comuni", comuni),
        ("sedi", sedi),
        ("conventions", conventions),
    ] {
        let r = ok(
            &inps,
            csv(&format!("/v1/catalogue/import/{kind}?dry_run=false"), text),
            200,
        )
        .await;
        assert_eq!(r["applied"], true, "{kind}: {r}");
    }
    ok(
        &inps,
        put(
            "/v1/catalogue/services/pensioni",
            &json!({"name": "Pensioni"}),
        ),
        201,
    )
    .await;
    ok(
        &inps,
        put(
            "/v1/catalogue/sedi/sede-sassari/comuni",
            &json!({"comuni": ["090064", "090078"]}),
        ),
        204,
    )
    .await;
    ok(
        &inps,
        put(
            "/v1/catalogue/sportelli/sassari-1",
            &json!({"sede_id": "sede-sassari", "name": "Sportello 1", "slot_minutes": 30,
                "services": ["pensioni"]}),
        ),
        201,
    )
    .await;
    ok(
        &inps,
        put(
            "/v1/catalogue/sportelli/sassari-1/hours",
            &json!({"hours": [{"weekday": 2, "opens": "08:30", "closes": "12:30"}]}),
        ),
        204,
    )
    .await;
    let op = new_operator(&env, &inps, "operatore.villanova", "090078").await;
    let p = op
        .get("/v1/booking/comuni/090078/proposals?service=pensioni")
        .await;
    assert_eq!(
        p.json()["options"][0]["sportelli"][0]["id"],
        "sassari-1",
        "{}",
        p.text
    );
    let hold = op
        .hold("sassari-1", "2026-11-24T07:30:00Z", "pensioni")
        .await;
    assert_eq!(hold.status, 201, "{}", hold.text);
    let id = hold.json()["id"].as_str().unwrap().to_owned();
    let confirmed = op.confirm(&id, "primo").await;
    assert_eq!(confirmed.status, 201, "{}", confirmed.text);
    env.stop().await;
}

on_both_databases!(
    catalogue_on_postgres;
    a_catalogue_built_through_the_api_is_bookable,
    a_convention_counts_only_within_its_dates,
    every_refusal_is_clear_and_changes_nothing,
    the_csv_import_reports_every_bad_line_and_its_dry_run_changes_nothing,
    a_production_server_is_set_up_from_csv_files,
);
