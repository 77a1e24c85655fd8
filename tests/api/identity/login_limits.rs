//! The login limits, with clients on distinct loopback addresses (127.0.x.y): attempts are
//! reserved before the password is hashed (parallel wrong passwords cannot pass the limit),
//! a lock holds one account for one client address only, a client address is limited across
//! account names, and an account attacked from many addresses is slowed down, not locked.
//! And the memory bound: a flood of parallel logins keeps the server's memory flat.

use std::net::IpAddr;

use futures_util::future::join_all;

use crate::support::from_address::loopback;
use crate::support::{DEMO_PASSWORD, Response, TestServer};

/// Statuses of `answers` as (401, 429, 503, any other) counts.
fn tally(answers: &[Response]) -> (usize, usize, usize, usize) {
    let n = |s: u16| answers.iter().filter(|r| r.status == s).count();
    let (a, b, c) = (n(401), n(429), n(503));
    (a, b, c, answers.len() - a - b - c)
}

async fn wrong_from(env: &TestServer, from: IpAddr, account: &str) -> Response {
    env.password_login_from(from, account, "wrong password!")
        .await
}

pub(super) async fn parallel_wrong_passwords_cannot_pass_the_limit(db: Option<String>) {
    let env = TestServer::start(db).await;
    let from = loopback(2);
    let answers = join_all((0..20).map(|_| wrong_from(&env, from, "operatore.alghero"))).await;
    let (verified, locked, busy, other) = tally(&answers);
    eprintln!(
        "20 parallel wrong passwords: {verified} verified (401), {locked} locked (429), {busy} busy (503)"
    );
    assert_eq!(other, 0);
    assert_eq!(verified + busy, 5, "exactly the limit gets past the count");
    assert_eq!(locked, 15);
    for r in answers.iter().filter(|r| r.status == 429) {
        r.expect_error(429, "too_many_attempts");
        assert!(r.header("retry-after").is_some());
    }
    // The right password from that address waits too…
    let r = env
        .password_login_from(from, "operatore.alghero", DEMO_PASSWORD)
        .await;
    r.expect_error(429, "too_many_attempts");
    // …but not from another one: a stranger cannot lock the operator out by name.
    let r = env
        .password_login_from(loopback(3), "operatore.alghero", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    env.stop().await;
}

pub(super) async fn one_address_is_limited_across_account_names(db: Option<String>) {
    let env = TestServer::start(db).await;
    let from = loopback(4);
    // Four wrong passwords for each of five names (under each name's limit): 20 failures.
    for i in 0..5 {
        for _ in 0..4 {
            wrong_from(&env, from, &format!("nome.{i}"))
                .await
                .expect_error(401, "bad_credentials");
        }
    }
    // The address is locked now, for every name, even with a right password.
    let r = env
        .password_login_from(from, "operatore.alghero", DEMO_PASSWORD)
        .await;
    r.expect_error(429, "too_many_attempts");
    let wait: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    wrong_from(&env, from, "nome.nuovo")
        .await
        .expect_error(429, "too_many_attempts");
    // Other addresses are not.
    let r = env
        .password_login_from(loopback(5), "operatore.alghero", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The window ends.
    env.clock.advance(chrono::Duration::minutes(16));
    let r = env
        .password_login_from(from, "operatore.alghero", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    env.stop().await;
}

pub(super) async fn an_account_attacked_from_many_addresses_is_slowed_not_locked(
    db: Option<String>,
) {
    let env = TestServer::start(db).await;
    let account = "operatore.alghero";
    // 50 failures for one account, 5 from each of 10 addresses (each at its own limit).
    for n in 10..20 {
        for _ in 0..5 {
            wrong_from(&env, loopback(n), account)
                .await
                .expect_error(401, "bad_credentials");
        }
    }
    // Past the account's cap, one attempt per slowdown interval goes through, from any address.
    let r = env
        .password_login_from(loopback(30), account, DEMO_PASSWORD)
        .await;
    assert_eq!(
        r.status, 200,
        "the first attempt of the interval: {}",
        r.text
    );
    // A success clears the account's count: the next attempts are not slowed.
    let r = env
        .password_login_from(loopback(31), account, DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Again 50 failures; then a wrong attempt takes the interval's one slot.
    for n in 40..50 {
        for _ in 0..5 {
            wrong_from(&env, loopback(n), account)
                .await
                .expect_error(401, "bad_credentials");
        }
    }
    wrong_from(&env, loopback(50), account)
        .await
        .expect_error(401, "bad_credentials");
    let r = env
        .password_login_from(loopback(51), account, DEMO_PASSWORD)
        .await;
    r.expect_error(429, "too_many_attempts");
    let wait: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&wait), "a short wait, not a lock: {wait}");
    env.clock.advance(chrono::Duration::seconds(wait));
    let r = env
        .password_login_from(loopback(51), account, DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "after the interval: {}", r.text);
    env.stop().await;
}

/// Resident memory of this process (the server runs in it), in MiB, from `/proc/self/status`.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line");
    kib / 1024.0
}

/// 200 parallel logins with unknown account names, each from its own address (so no attempt
/// limit applies): at most a few argon2 verifications run at once, the rest are refused with
/// 503 `login_busy`, and the memory of the process stays within a bound and stays there after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_keeps_memory_bounded() {
    let env = TestServer::start(None).await;
    // Warm up: the dummy hash of unknown accounts, the first verification.
    wrong_from(&env, loopback(1000), "nessuno.qui")
        .await
        .expect_error(401, "bad_credentials");
    let before = rss_mib();
    let peak = std::sync::Arc::new(std::sync::Mutex::new(before));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            // Bounded: 60 s at most, sampling every 10 ms until aborted.
            for _ in 0..6000 {
                let now = rss_mib();
                {
                    let mut p = peak.lock().unwrap();
                    *p = p.max(now);
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        })
    };
    let started = std::time::Instant::now();
    let answers = join_all((0..200).map(|i| {
        let env = &env;
        async move { wrong_from(env, loopback(2000 + i), &format!("ignoto.{i}")).await }
    }))
    .await;
    let took = started.elapsed();
    sampler.abort();
    let after = rss_mib();
    let peak = *peak.lock().unwrap();
    let (verified, locked, busy, other) = tally(&answers);
    for r in answers.iter().filter(|r| r.status == 503) {
        r.expect_error(503, "login_busy");
        assert!(r.header("retry-after").is_some());
    }
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    // Each verification holds about 19 MiB; the bound allows twice that per worker, plus room
    // for 200 connections and requests.
    let bound = 64.0 + 40.0 * workers as f64;
    eprintln!(
        "200 parallel bad logins in {took:.2?}: {verified} verified, {busy} busy, {locked} locked; \
         RSS before {before:.0} MiB, peak {peak:.0} MiB (+{:.0}), after {after:.0} MiB (+{:.0}); \
         bound +{bound:.0} MiB ({workers} hashing workers)",
        peak - before,
        after - before
    );
    assert_eq!((locked, other), (0, 0));
    assert!(verified >= 1);
    assert!(peak - before < bound, "peak +{:.0} MiB", peak - before);
    assert!(after - before < bound, "after +{:.0} MiB", after - before);
    env.stop().await;
}

/// A login from `from` that carries `X-Forwarded-For: forwarded`.
async fn login_via(
    env: &TestServer,
    from: IpAddr,
    forwarded: &str,
    account: &str,
    password: &str,
) -> Response {
    let body = serde_json::json!({"account": account, "password": password}).to_string();
    let request = format!(
        "POST /v1/login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         X-Forwarded-For: {forwarded}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    crate::support::from_address::send_from(from, env.server.http_addr(), &request).await
}

/// Behind a configured reverse proxy the limits count the client its `X-Forwarded-For` names;
/// from any other address the header is ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_proxy_names_the_client() {
    let proxy = loopback(61);
    let env = TestServer::start_with(None, |c| c.trusted_proxies = vec![proxy]).await;
    // 20 failures of one client behind the proxy lock that client only.
    for i in 0..20 {
        login_via(
            &env,
            proxy,
            "198.51.100.1",
            &format!("nome.{}", i % 5),
            "sbagliata!",
        )
        .await
        .expect_error(401, "bad_credentials");
    }
    login_via(
        &env,
        proxy,
        "198.51.100.1",
        "operatore.alghero",
        DEMO_PASSWORD,
    )
    .await
    .expect_error(429, "too_many_attempts");
    let r = login_via(
        &env,
        proxy,
        "198.51.100.2",
        "operatore.alghero",
        DEMO_PASSWORD,
    )
    .await;
    assert_eq!(r.status, 200, "another client behind the proxy: {}", r.text);
    // A client that is not the proxy cannot pick its address with the header.
    let stranger = loopback(62);
    for i in 0..20 {
        login_via(
            &env,
            stranger,
            &format!("203.0.113.{i}"),
            &format!("nome.{}", i % 5),
            "sbagliata!",
        )
        .await
        .expect_error(401, "bad_credentials");
    }
    login_via(
        &env,
        stranger,
        "203.0.113.99",
        "operatore.alghero",
        DEMO_PASSWORD,
    )
    .await
    .expect_error(429, "too_many_attempts");
    env.stop().await;
}
