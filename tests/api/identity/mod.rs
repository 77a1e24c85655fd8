//! Local accounts and staff sessions, on SQLite and on PostgreSQL: password login (argon2id),
//! the failure limit, revoked / not yet valid / expired accounts, database sessions with idle
//! and absolute limits, CSRF and Origin checks, the enabling of operators by the comune's user
//! administrator, and the production bootstrap of the first INPS administrator.

use std::time::Duration;

use crate::support::{DEMO_PASSWORD, TestServer};
use serde_json::{Value, json};

on_both_databases!(
    all_identity_rules_on_postgres;
    password_login_and_logout,
    failed_logins_are_limited,
    refused_accounts_need_the_right_password_to_learn_why,
    sessions_end_when_idle_or_too_old,
    csrf_and_origin,
    user_admin_enables_operators,
    enablement_refusals,
    validity_dates_end_sessions,
);

async fn password_login_and_logout(db: Option<String>) {
    let env = TestServer::start(db).await;
    let (c, r) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Secure"));
    assert!(cookie.contains("SameSite=Strict") && cookie.contains("Path=/"));
    let answer = r.json();
    assert_eq!(answer["subject"], "operatore.villanova");
    assert_eq!(answer["role"], "operator");
    assert_eq!(answer["comune_istat"], "090078");
    let csrf = answer["csrf_token"].as_str().unwrap().to_owned();

    let me = c.get("/v1/session").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["csrf_token"], csrf.as_str());
    assert_eq!(
        me.json()["label"],
        "Operatore del Comune di Villanova Monteleone"
    );

    // The database keeps a hash of the token, never the token itself.
    let token = c
        .cookie
        .as_ref()
        .unwrap()
        .strip_prefix("sportello_session=")
        .unwrap();
    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM staff_sessions")
        .fetch_all(env.pool())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, token);
    assert_eq!(stored[0].0.len(), 64);
    // Argon2id hashes only.
    let hashes: Vec<(String,)> =
        sqlx::query_as("SELECT password_hash FROM staff_accounts WHERE password_hash IS NOT NULL")
            .fetch_all(env.pool())
            .await
            .unwrap();
    assert!(!hashes.is_empty());
    assert!(hashes.iter().all(|(h,)| h.starts_with("$argon2id$v=19$")));

    // The account name is not case-sensitive; the password is.
    let (_, r) = env
        .password_login("Operatore.Villanova", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, r) = env
        .password_login("operatore.villanova", "Demo-Sportello")
        .await;
    r.expect_error(401, "bad_credentials");

    // Logout ends the session on the server.
    assert_eq!(c.delete("/v1/session").await.status, 204);
    c.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(env.count("SELECT COUNT(*) FROM staff_sessions").await, 1);

    // Logins are audited, with the account only once it is known.
    let ok = env
        .count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login' AND outcome = 'ok' \
         AND actor_subject = 'operatore.villanova'",
        )
        .await;
    assert_eq!(ok, 2);

    // Malformed bodies.
    let anon = env.anonymous();
    anon.send(
        "POST",
        "/v1/login",
        &[("Content-Type", "application/json")],
        "{",
    )
    .await
    .expect_error(400, "bad_json");
    anon.post("/v1/login", &json!({"account": "x"}))
        .await
        .expect_error(422, "bad_request_body");
    anon.post(
        "/v1/login",
        &json!({"account": "operatore.villanova", "password": "x".repeat(1025)}),
    )
    .await
    .expect_error(400, "password_too_long");
    env.stop().await;
}

async fn failed_logins_are_limited(db: Option<String>) {
    let env = TestServer::start(db).await;
    for _ in 0..5 {
        let (_, r) = env
            .password_login("operatore.alghero", "wrong password!")
            .await;
        r.expect_error(401, "bad_credentials");
    }
    // Locked now, even with the right password; an unknown account looks the same as a known one.
    let (_, r) = env.password_login("operatore.alghero", DEMO_PASSWORD).await;
    r.expect_error(429, "too_many_attempts");
    let wait: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    let (_, r) = env.password_login("nessuno.qui", "wrong password!").await;
    r.expect_error(401, "bad_credentials");
    // Other accounts are not affected.
    let (_, r) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200);
    // The window ends: the right password works, and clears the count.
    env.clock.advance(chrono::Duration::minutes(16));
    let (c, r) = env.password_login("operatore.alghero", DEMO_PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c.get("/v1/session").await.status, 200);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM login_failures WHERE account = 'operatore.alghero'")
            .await,
        0
    );
    // No refused login records what was typed as the account.
    let typed = env
        .count("SELECT COUNT(*) FROM audit_log WHERE target = 'nessuno.qui'")
        .await;
    assert_eq!(typed, 0);
    env.stop().await;
}

async fn refused_accounts_need_the_right_password_to_learn_why(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.login("utenze.villanova").await;
    let r = admin
        .post(
            "/v1/identity/operators/operatore.villanova/revoke",
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, r) = env
        .password_login("operatore.villanova", "wrong password!")
        .await;
    r.expect_error(401, "bad_credentials");
    let (c, r) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    r.expect_error(403, "account_revoked");
    assert!(c.cookie.is_none());
    // The demo login says the same.
    env.anonymous()
        .post("/v1/demo/login", &json!({"account": "operatore.villanova"}))
        .await
        .expect_error(403, "account_revoked");
    let r = admin
        .post(
            "/v1/identity/operators/operatore.villanova/enable",
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200);
    let (_, r) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    env.stop().await;
}

async fn sessions_end_when_idle_or_too_old(db: Option<String>) {
    let env = TestServer::start_with(db, |config| {
        config.session_limits = crate::support::internals::SessionLimits {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(10 * 3600),
        };
    })
    .await;
    // Idle: 29 minutes is fine, and refreshes; 30 minutes without use ends it.
    let (idle, _) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    env.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(idle.get("/v1/session").await.status, 200);
    env.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(idle.get("/v1/session").await.status, 200);
    env.clock.advance(chrono::Duration::minutes(30));
    idle.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");

    // Absolute: used every 20 minutes, it still ends 10 hours after login.
    let (busy, _) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    for _ in 0..29 {
        env.clock.advance(chrono::Duration::minutes(20));
        assert_eq!(busy.get("/v1/session").await.status, 200);
    }
    env.clock.advance(chrono::Duration::minutes(20));
    busy.get("/v1/session")
        .await
        .expect_error(401, "unauthenticated");
    // Expired rows are removed, not only ignored.
    let (_, _) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    assert_eq!(env.count("SELECT COUNT(*) FROM staff_sessions").await, 1);
    env.stop().await;
}

async fn csrf_and_origin(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.login("operatore.villanova").await;
    let before = env.row_counts().await;
    let hold = json!({
        "sportello_id": "sassari-1",
        "starts_at": crate::support::at("2026-11-24T09:00:00Z"),
        "service_code": "pensioni",
    });
    let h = [("Content-Type", "application/json")];
    let body = hold.to_string();
    // No token, an empty one, another session's.
    op.send(
        "POST",
        "/v1/booking/holds",
        &[h[0], ("x-csrf-token", "")],
        &body,
    )
    .await
    .expect_error(403, "csrf_failed");
    let other = env.login("operatore.villanova").await;
    let other_csrf = other.get("/v1/session").await.json()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    op.send(
        "POST",
        "/v1/booking/holds",
        &[h[0], ("x-csrf-token", &other_csrf)],
        &body,
    )
    .await
    .expect_error(403, "csrf_failed");
    // DELETE (logout) too.
    op.send("DELETE", "/v1/session", &[("x-csrf-token", "nope")], "")
        .await
        .expect_error(403, "csrf_failed");
    assert_eq!(op.get("/v1/session").await.status, 200);
    // A foreign Origin, even with the right token.
    let csrf = op.get("/v1/session").await.json()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    op.send(
        "POST",
        "/v1/booking/holds",
        &[
            h[0],
            ("x-csrf-token", &csrf),
            ("Origin", "https://evil.example"),
        ],
        &body,
    )
    .await
    .expect_error(403, "bad_origin");
    env.anonymous()
        .post_with(
            "/v1/login",
            &[("Origin", "https://evil.example")],
            &json!({"account": "operatore.villanova", "password": DEMO_PASSWORD}),
        )
        .await
        .expect_error(403, "bad_origin");
    assert_eq!(env.row_counts().await, before, "nothing changed");
    // The same request with the token and our own Origin works.
    let r = op
        .send(
            "POST",
            "/v1/booking/holds",
            &[
                h[0],
                ("x-csrf-token", &csrf),
                ("Origin", "http://localhost"),
            ],
            &body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // Login is posted without a token, even with a stale cookie.
    let mut stale = env.anonymous();
    stale.cookie = Some("sportello_session=stale".into());
    let r = stale
        .post_with(
            "/v1/login",
            &[("x-csrf-token", "")],
            &json!({"account": "operatore.villanova", "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    env.stop().await;
}

async fn user_admin_enables_operators(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.login("utenze.villanova").await;
    let list = admin.get("/v1/identity/operators").await;
    assert_eq!(list.status, 200, "{}", list.text);
    let accounts: Vec<String> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["account"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(accounts, ["operatore.villanova"], "only the admin's comune");

    let r = admin
        .post(
            "/v1/identity/operators",
            &json!({
                "account": "operatore.nuovo",
                "password": "una password lunga",
                "valid_from": "2026-11-23",
                "valid_until": "2026-12-31",
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let e = r.json();
    assert_eq!(e["comune_istat"], "090078");
    assert_eq!(e["comune_name"], "Villanova Monteleone");
    assert_eq!(e["status"], "active");
    assert_eq!(e["valid_until"], "2026-12-31");
    assert_eq!(e["has_password"], true);

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
    tokio::time::sleep(Duration::from_millis(200)).await;
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
    let inps = env.login("admin.inps").await;
    let all = inps.get("/v1/identity/operators").await.json();
    assert!(all.as_array().unwrap().len() >= 6);
    let r = inps
        .post(
            "/v1/identity/operators",
            &json!({"account": "operatore.elva", "password": "password di elva", "comune_istat": "004083"}),
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

async fn enablement_refusals(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.login("utenze.villanova").await;
    let good = json!({"account": "operatore.due", "password": "una password lunga"});
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
        (with("role", json!("inps_admin")), 422, "bad_request_body"),
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
    let inps = env.login("admin.inps").await;
    inps.post("/v1/identity/operators", &good)
        .await
        .expect_error(400, "missing_comune");
    inps.post(
        "/v1/identity/operators",
        &with("comune_istat", json!("999999")),
    )
    .await
    .expect_error(404, "unknown_comune");
    env.anonymous()
        .post("/v1/identity/operators", &good)
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(
        env.count("SELECT COUNT(*) FROM staff_accounts").await,
        before
    );

    // PATCH: another comune's operator, a non-operator, unknown, bad dates, weak password.
    let p = |a: &str| format!("/v1/identity/operators/{a}");
    admin
        .patch(
            &p("operatore.alghero"),
            &json!({"valid_until": "2026-12-31"}),
        )
        .await
        .expect_error(403, "forbidden");
    admin
        .patch(
            &p("funzionario.sassari"),
            &json!({"valid_until": "2026-12-31"}),
        )
        .await
        .expect_error(403, "forbidden");
    admin
        .patch(&p("nessuno"), &json!({}))
        .await
        .expect_error(404, "unknown_account");
    admin
        .patch(&p("BAD.ID"), &json!({}))
        .await
        .expect_error(400, "bad_account_id");
    admin
        .patch(&p("operatore.villanova"), &json!({"valid_until": "domani"}))
        .await
        .expect_error(400, "bad_dates");
    admin
        .patch(&p("operatore.villanova"), &json!({"password": "corta"}))
        .await
        .expect_error(400, "weak_password");
    admin
        .patch(&p("operatore.villanova"), &json!({"colour": "red"}))
        .await
        .expect_error(422, "bad_request_body");
    let still = admin.get("/v1/identity/operators").await.json();
    assert_eq!(still[0]["valid_until"], Value::Null);
    assert_eq!(still[0]["status"], "active");
    env.stop().await;
}

async fn validity_dates_end_sessions(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.login("utenze.villanova").await;
    let op = env.login("operatore.villanova").await;
    let path = "/v1/identity/operators/operatore.villanova";
    // The last valid day was yesterday (the clock is at Monday 23 November 2026).
    let r = admin
        .patch(path, &json!({"valid_until": "2026-11-22"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "expired");
    tokio::time::sleep(Duration::from_millis(200)).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_bootstrap_admin_and_no_demo_accounts() {
    let mut config = sportello::Config::for_tests();
    config.demo = false;
    config.bootstrap_admin = Some(("admin.sede".into(), "una password molto lunga".into()));
    let data_dir = config.data_dir.clone();
    let server = sportello::Server::start(config).await.unwrap();
    let mut c = crate::support::Client {
        addr: server.http_addr(),
        cookie: None,
    };
    // No demo account exists in production mode.
    let r = c
        .post(
            "/v1/login",
            &json!({"account": "operatore.villanova", "password": DEMO_PASSWORD}),
        )
        .await;
    r.expect_error(401, "bad_credentials");
    let r = c
        .post(
            "/v1/login",
            &json!({"account": "admin.sede", "password": "una password molto lunga"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["role"], "inps_admin");
    c.cookie = Some(
        r.header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned(),
    );
    assert_eq!(c.get("/v1/session").await.status, 200);
    server.shutdown().await;

    // Sessions are in the database: they outlive a restart (the bootstrap does not run twice).
    let mut config = sportello::Config::for_tests();
    config.demo = false;
    config.data_dir = data_dir.clone();
    config.certs_dir = data_dir.join("certs");
    config.bootstrap_admin = Some(("admin.sede".into(), "another long password".into()));
    let server = sportello::Server::start(config).await.unwrap();
    let c = crate::support::Client {
        addr: server.http_addr(),
        cookie: c.cookie,
    };
    assert_eq!(c.get("/v1/session").await.status, 200);
    let r = c
        .post(
            "/v1/login",
            &json!({"account": "admin.sede", "password": "another long password"}),
        )
        .await;
    r.expect_error(401, "bad_credentials");
    server.shutdown().await;

    // A weak bootstrap password is refused at start.
    let mut config = sportello::Config::for_tests();
    config.demo = false;
    config.bootstrap_admin = Some(("admin.altro".into(), "corta".into()));
    assert!(sportello::Server::start(config).await.is_err());
}
