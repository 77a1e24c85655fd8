//! The INPS administrator creates every kind of staff account (officials bound to a Sede and its
//! sportelli, user administrators of a comune, other administrators) and cannot lock themselves
//! out; staff change their own password with the current one, which ends their sessions.

use serde_json::json;

use crate::support::{DEMO_PASSWORD, TestServer, new_account as new};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inps_administrator_creates_officials_and_administrators() {
    let env = TestServer::start(None).await;
    let inps = env.inps_admin().await;
    let r = inps
        .post(
            "/v1/identity/operators",
            &new(
                "funz.nuovo",
                "official",
                json!({"sede_id": "sede-sassari", "sportello_ids": ["sassari-2"]}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["sportello_ids"], json!(["sassari-2"]));
    let (official, login) = env.password_login("funz.nuovo", "una-password-lunga").await;
    assert_eq!(login.status, 200, "{}", login.text);
    let agenda = official
        .get("/v1/booking/sportelli/sassari-2/agenda?from=2026-11-23&to=2026-11-23")
        .await;
    assert_eq!(agenda.status, 200, "{}", agenda.text);
    official
        .get("/v1/booking/sportelli/sassari-1/agenda?from=2026-11-23&to=2026-11-23")
        .await
        .expect_error(403, "forbidden");
    for (extra, status, code) in [
        (json!({}), 400, "bad_sede"),
        (json!({"sede_id": "sede-atlantide"}), 404, "unknown_sede"),
        (
            json!({"sede_id": "sede-sassari", "sportello_ids": ["laquila-1"]}),
            400,
            "bad_sede",
        ),
        (
            json!({"sede_id": "sede-sassari", "comune_istat": "090078"}),
            400,
            "bad_regions",
        ),
    ] {
        inps.post("/v1/identity/operators", &new("funz.x", "official", extra))
            .await
            .expect_error(status, code);
    }
    let r = inps
        .post(
            "/v1/identity/operators",
            &new(
                "utenze.alghero",
                "user_admin",
                json!({"comune_istat": "090003"}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = inps
        .post(
            "/v1/identity/operators",
            &new("admin.due", "inps_admin", json!({})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The new user administrator manages Alghero's operators only.
    let (ua, _) = env
        .password_login("utenze.alghero", "una-password-lunga")
        .await;
    let listed = ua.get("/v1/identity/operators").await.json();
    let accounts: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["account"].as_str().unwrap())
        .collect();
    assert_eq!(accounts, ["operatore.alghero"]);
    // Nobody revokes or changes their own account here; another administrator may.
    inps.post("/v1/identity/operators/admin.inps/revoke", &json!({}))
        .await
        .expect_error(403, "forbidden");
    let (second, _) = env.password_login("admin.due", "una-password-lunga").await;
    let r = second
        .post("/v1/identity/operators/admin.inps/revoke", &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_change_their_own_password() {
    let env = TestServer::start(None).await;
    let (op, _) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    for (body, status, code) in [
        (
            change("sbagliata-123456", "nuova-password-123"),
            400,
            "wrong_password",
        ),
        (change(DEMO_PASSWORD, DEMO_PASSWORD), 400, "same_password"),
        (change(DEMO_PASSWORD, "corta"), 400, "weak_password"),
        (
            json!({"current_password": DEMO_PASSWORD}),
            422,
            "bad_request_body",
        ),
    ] {
        op.post("/v1/session/password", &body)
            .await
            .expect_error(status, code);
    }
    assert_eq!(env.audited_ok("password.change").await, 0);
    let r = op
        .post(
            "/v1/session/password",
            &change(DEMO_PASSWORD, "nuova-password-123"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(env.audited_ok("password.change").await, 1);
    // Every session ends, this one too; the old password no longer opens one.
    let ended = crate::support::eventually(std::time::Duration::from_secs(5), || async {
        op.get("/v1/session").await.status == 401
    })
    .await;
    assert!(ended, "the session ends");
    let (_, old) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    old.expect_error(401, "bad_credentials");
    let (_, new) = env
        .password_login("operatore.villanova", "nuova-password-123")
        .await;
    assert_eq!(new.status, 200, "{}", new.text);
    // Guessing the current password from a session is limited like logins.
    let (op, _) = env.password_login("operatore.alghero", DEMO_PASSWORD).await;
    let mut last = 0;
    for i in 0..8 {
        last = op
            .post(
                "/v1/session/password",
                &change(&format!("tentativo-{i:04}-xx"), "nuova-password-123"),
            )
            .await
            .status;
    }
    assert_eq!(last, 429, "too many wrong current passwords");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_log_in_with_spid_cie_only_when_so_configured() {
    let env = TestServer::start_with(None, |c| c.operator_password_login = false).await;
    // Only the right password learns why; a wrong one is a plain refusal.
    let (_, r) = env
        .password_login("operatore.villanova", "sbagliata-123456")
        .await;
    r.expect_error(401, "bad_credentials");
    let (_, r) = env
        .password_login("operatore.villanova", DEMO_PASSWORD)
        .await;
    r.expect_error(403, "password_login_disabled");
    // Other roles keep their passwords.
    let (_, r) = env
        .password_login("funzionario.sassari", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, r) = env.password_login("utenze.villanova", DEMO_PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    env.stop().await;
}
