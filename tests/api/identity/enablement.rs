//! The enabling of operators by the comune's user administrator (and the INPS one), its
//! refusals, and validity dates that end sessions.

use super::*;
use crate::support::{Request, eventually, expect_errors};

pub(super) async fn user_admin_enables_operators(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.user_admin().await;
    let list = admin.get("/v1/identity/operators").await;
    assert_eq!(list.status, 200, "{}", list.text);
    let accounts: Vec<String> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["account"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        accounts,
        ["operatore.villanova", "referente.villanova"],
        "only the admin's comune (its operators and its referente)"
    );

    let r = admin
        .post(
            "/v1/identity/operators",
            &json!({
                "account": "operatore.nuovo",
                "password": "una password lunga",
                "full_name": "  Maria Sanna ",
                "valid_from": "2026-11-23",
                "valid_until": "2026-12-31",
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let e = r.json();
    assert_eq!(e["comune_istat"], "090078");
    assert_eq!(e["comune_name"], "Villanova Monteleone");
    assert_eq!(
        e["status"], "awaiting_enablement",
        "INPS has not enabled it yet"
    );
    assert_eq!(e["valid_until"], "2026-12-31");
    assert_eq!(e["has_password"], true);
    assert_eq!(e["full_name"], "Maria Sanna", "the name, trimmed");
    // The list names each operator; the demo's own operator too.
    let listed = admin.get("/v1/identity/operators").await.json();
    let names: Vec<(&str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["account"].as_str().unwrap(),
                e["full_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("operatore.nuovo", "Maria Sanna"),
            ("operatore.villanova", "Giulia Serra"),
            ("referente.villanova", "Sara Piras")
        ]
    );
    // The name can be changed (and is checked).
    let r = admin
        .patch(
            "/v1/identity/operators/operatore.nuovo",
            &json!({"full_name": "Maria Grazia Sanna"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["full_name"], "Maria Grazia Sanna");
    assert_eq!(r.json()["valid_until"], "2026-12-31", "the dates stay");

    // The seeds' two steps: named by the comune, the operator waits for INPS.
    let (_, r) = env
        .password_login("operatore.nuovo", "una password lunga")
        .await;
    r.expect_error(403, "account_not_enabled");
    // INPS enables only once the comune recorded the act authorising the data processing.
    let inps = env.inps_admin().await;
    inps.post(
        "/v1/identity/operators/operatore.nuovo/pue-enable",
        &json!({}),
    )
    .await
    .expect_error(409, "authorisation_missing");
    for (date, act) in [
        ("2099-01-01", "Decreto sindacale n. 12/2026"),
        ("2026-11-2", "Decreto sindacale n. 12/2026"),
        ("2026-11-20", "x"),
        ("2026-11-20", ""),
    ] {
        admin
            .patch(
                "/v1/identity/operators/operatore.nuovo",
                &json!({"data_authorisation_date": date, "data_authorisation_act": act}),
            )
            .await
            .expect_error(400, "bad_authorisation");
    }
    admin
        .patch(
            "/v1/identity/operators/operatore.nuovo",
            &json!({"data_authorisation_date": "2026-11-20"}),
        )
        .await
        .expect_error(400, "bad_authorisation");
    let r = admin
        .patch(
            "/v1/identity/operators/operatore.nuovo",
            &json!({"data_authorisation_date": "2026-11-20", "data_authorisation_act": "Decreto sindacale n. 12/2026"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["data_authorisation_act"],
        "Decreto sindacale n. 12/2026"
    );
    // The user administrator cannot do INPS's step; an official of another Sede cannot either;
    // an official of the competent Sede (Sassari) can.
    admin
        .post(
            "/v1/identity/operators/operatore.nuovo/pue-enable",
            &json!({}),
        )
        .await
        .expect_error(403, "forbidden");
    env.login("funzionario.laquila")
        .await
        .post(
            "/v1/identity/operators/operatore.nuovo/pue-enable",
            &json!({}),
        )
        .await
        .expect_error(403, "forbidden");
    let r = env
        .official()
        .await
        .post(
            "/v1/identity/operators/operatore.nuovo/pue-enable",
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "active");
    assert_eq!(env.audited_ok("operator.pue_enable").await, 1);
    let (c, r) = env
        .password_login("operatore.nuovo", "una password lunga")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c.get("/v1/session").await.json()["comune_istat"], "090078");
    // The new operator books for their comune like any other.
    let r = c
        .get("/v1/booking/comuni/090078/proposals?service=pensioni")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Reset the password: the old one and the open session stop working.
    let r = admin
        .patch(
            "/v1/identity/operators/operatore.nuovo",
            &json!({"password": "un'altra password"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The revocation is applied by a task of its own: wait until it has been.
    let session = &c;
    assert!(
        eventually(Duration::from_secs(5), || async move {
            session.get("/v1/session").await.status == 401
        })
        .await,
        "the password reset ends the open session"
    );
    c.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    let (_, r) = env
        .password_login("operatore.nuovo", "una password lunga")
        .await;
    r.expect_error(401, "bad_credentials");
    let (_, r) = env
        .password_login("operatore.nuovo", "un'altra password")
        .await;
    assert_eq!(r.status, 200);

    // The INPS administrator sees every comune and enables for any, naming it.
    let inps = env.inps_admin().await;
    let all = inps.get("/v1/identity/operators").await.json();
    assert!(all.as_array().unwrap().len() >= 6);
    let r = inps
        .post(
            "/v1/identity/operators",
            &json!({"account": "operatore.elva", "password": "password di elva", "full_name": "Lucia Garnero", "comune_istat": "004083"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["comune_name"], "Elva");

    let created = env.pool().clone();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'operator.create' AND outcome = 'ok'",
    )
    .fetch_one(&created)
    .await
    .unwrap();
    assert_eq!(n, 2);
    env.stop().await;
}

pub(super) async fn enablement_refusals(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.user_admin().await;
    let good = json!({"account": "operatore.due", "password": "una password lunga", "full_name": "Pietro Solinas"});
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let before = env.count("SELECT COUNT(*) FROM staff_accounts").await;
    let cases = [
        (
            with("account", json!("Operatore Due")),
            400,
            "bad_account_id",
        ),
        (with("account", json!("")), 400, "bad_account_id"),
        (with("password", json!("corta")), 400, "weak_password"),
        (with("full_name", json!("")), 400, "invalid_name"),
        (with("full_name", json!(" X ")), 400, "invalid_name"),
        (with("full_name", json!("12345")), 400, "invalid_name"),
        (
            with("full_name", json!("Pietro\u{7}Solinas")),
            400,
            "invalid_name",
        ),
        (
            with("full_name", json!("a".repeat(101))),
            400,
            "invalid_name",
        ),
        (
            {
                let mut b = good.clone();
                b.as_object_mut().unwrap().remove("full_name");
                b
            },
            422,
            "bad_request_body",
        ),
        (with("valid_from", json!("23/11/2026")), 400, "bad_dates"),
        (with("valid_from", json!("2026-02-30")), 400, "bad_dates"),
        (
            with("valid_from", json!("2026-12-02")).tap(|b| b["valid_until"] = json!("2026-12-01")),
            400,
            "bad_dates",
        ),
        (with("comune_istat", json!("090003")), 403, "forbidden"),
        (
            with("account", json!("operatore.alghero")),
            409,
            "account_exists",
        ),
        // Roles the comune's administrator does not manage.
        (with("role", json!("inps_admin")), 403, "forbidden"),
        (with("role", json!("official")), 403, "forbidden"),
        (with("role", json!("user_admin")), 403, "forbidden"),
        (with("role", json!("mayor")), 422, "bad_request_body"),
        (with("sede_id", json!("sede-sassari")), 400, "bad_sede"),
    ];
    for (body, status, code) in cases {
        admin
            .post("/v1/identity/operators", &body)
            .await
            .expect_error(status, code);
    }
    // Other roles may not; the INPS administrator must name an existing comune.
    for account in ["operatore.villanova", "funzionario.sassari"] {
        env.login(account)
            .await
            .post("/v1/identity/operators", &good)
            .await
            .expect_error(403, "forbidden");
        env.login(account)
            .await
            .get("/v1/identity/operators")
            .await
            .expect_error(403, "forbidden");
    }
    let inps = env.inps_admin().await;
    let anonymous = env.anonymous();
    let create = |body: &Value| Request::post("/v1/identity/operators", body);
    expect_errors(
        "create",
        &[
            (&inps, create(&good), 400, "missing_comune"),
            (
                &inps,
                create(&with("comune_istat", json!("999999"))),
                404,
                "unknown_comune",
            ),
            (&anonymous, create(&good), 401, "unauthenticated"),
        ],
    )
    .await;
    assert_eq!(
        env.count("SELECT COUNT(*) FROM staff_accounts").await,
        before
    );

    // PATCH: another comune's operator, a non-operator, unknown, bad dates, weak password.
    let p = |a: &str, body: Value| Request::patch(format!("/v1/identity/operators/{a}"), &body);
    expect_errors(
        "update",
        &[
            (
                &admin,
                p("operatore.alghero", json!({"valid_until": "2026-12-31"})),
                403,
                "forbidden",
            ),
            (
                &admin,
                p("funzionario.sassari", json!({"valid_until": "2026-12-31"})),
                403,
                "forbidden",
            ),
            (&admin, p("nessuno", json!({})), 404, "unknown_account"),
            (&admin, p("BAD.ID", json!({})), 400, "bad_account_id"),
            (
                &admin,
                p("operatore.villanova", json!({"valid_until": "domani"})),
                400,
                "bad_dates",
            ),
            (
                &admin,
                p("operatore.villanova", json!({"password": "corta"})),
                400,
                "weak_password",
            ),
            (
                &admin,
                p("operatore.villanova", json!({"full_name": " "})),
                400,
                "invalid_name",
            ),
            (
                &admin,
                p("operatore.villanova", json!({"colour": "red"})),
                422,
                "bad_request_body",
            ),
        ],
    )
    .await;
    let still = admin.get("/v1/identity/operators").await.json();
    assert_eq!(still[0]["valid_until"], Value::Null);
    assert_eq!(still[0]["status"], "active");
    env.stop().await;
}

pub(super) async fn validity_dates_end_sessions(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.user_admin().await;
    let op = env.operator().await;
    let path = "/v1/identity/operators/operatore.villanova";
    // The last valid day was yesterday (the clock is at Monday 23 November 2026).
    let r = admin
        .patch(path, &json!({"valid_until": "2026-11-22"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "expired");
    // The revocation is applied by a task of its own: wait until it has been.
    let session = &op;
    assert!(
        eventually(Duration::from_secs(5), || async move {
            session.get("/v1/session").await.status == 401
        })
        .await,
        "an expired account's session ends"
    );
    op.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    let (_, r) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    r.expect_error(403, "account_expired");

    // Valid from tomorrow: not yet.
    let r = admin
        .patch(
            path,
            &json!({"valid_from": "2026-11-24", "valid_until": null}),
        )
        .await;
    assert_eq!(r.json()["status"], "not_yet_valid");
    assert_eq!(r.json()["valid_until"], Value::Null);
    let (_, r) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    r.expect_error(403, "account_not_yet_valid");
    // Tomorrow comes.
    env.clock.advance(chrono::Duration::days(1));
    let (c, r) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Its last day passes while it is logged in: the next request is refused.
    let r = admin
        .patch(path, &json!({"valid_until": "2026-11-24"}))
        .await;
    assert_eq!(r.json()["status"], "active");
    assert_eq!(c.get("/v1/session").await.status, 200);
    env.clock.advance(chrono::Duration::days(1));
    c.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    let updates = env
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'operator.update' AND outcome = 'ok'")
        .await;
    assert_eq!(updates, 3);
    env.stop().await;
}

trait Tap {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}

impl Tap for Value {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}
