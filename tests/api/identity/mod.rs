//! Local accounts and staff sessions, on SQLite and on PostgreSQL: password login (argon2id),
//! the failure limit, revoked / not yet valid / expired accounts, database sessions with idle
//! and absolute limits, CSRF and Origin checks, the enabling of operators by the comune's user
//! administrator, and the production bootstrap of the first INPS administrator.

use std::time::Duration;

use crate::support::{DEMO_PASSWORD, TestServer};
use serde_json::{Value, json};

mod enablement;
mod login;
mod login_limits;

use enablement::{enablement_refusals, user_admin_enables_operators, validity_dates_end_sessions};
use login::{
    csrf_and_origin, failed_logins_are_limited, password_login_and_logout,
    refused_accounts_need_the_right_password_to_learn_why, sessions_end_when_idle_or_too_old,
};
use login_limits::{
    an_account_attacked_from_many_addresses_is_slowed_not_locked,
    one_address_is_limited_across_account_names, parallel_wrong_passwords_cannot_pass_the_limit,
};

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
    parallel_wrong_passwords_cannot_pass_the_limit,
    one_address_is_limited_across_account_names,
    an_account_attacked_from_many_addresses_is_slowed_not_locked,
);

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
    c.cookie = Some(r.first_cookie());
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
