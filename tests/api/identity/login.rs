//! Password login and logout, the failure limit, refused accounts, idle and absolute session
//! limits, CSRF and Origin checks.

use super::*;

pub(super) async fn password_login_and_logout(db: Option<String>) {
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

pub(super) async fn failed_logins_are_limited(db: Option<String>) {
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

pub(super) async fn refused_accounts_need_the_right_password_to_learn_why(db: Option<String>) {
    let env = TestServer::start(db).await;
    let admin = env.user_admin().await;
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

pub(super) async fn sessions_end_when_idle_or_too_old(db: Option<String>) {
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

pub(super) async fn csrf_and_origin(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
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
    let other = env.operator().await;
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
