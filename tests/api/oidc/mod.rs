//! OIDC staff login against a real (in-process) provider: discovery, JWKS, authorization code
//! with state, nonce and PKCE, RS256 ID tokens verified by the server; the login outcomes and
//! their `errore` codes; the links API and its refusals; no subject value in the audit log.

use crate::support::oidc::{CLIENT_ID, TestProvider, Token, write_config};
use crate::support::{Client, Response, TestServer};
use serde_json::{Value, json};

/// The person of most tests: opaque `sub` and codice fiscale (SPID's `fiscal_number`).
const SUB: &str = "opaque-sub-1";
const CF: &str = "RSSMRA80A01H501U";

async fn start(db: Option<String>) -> (TestServer, TestProvider) {
    let provider = TestProvider::start().await;
    let path = write_config(&provider.issuer());
    let env = TestServer::start_with(db, |c| c.oidc_config = Some(path)).await;
    (env, provider)
}

/// Headers for a staff request that changes something: the session's CSRF token, when the
/// server has one.
async fn csrf(c: &Client) -> Vec<(String, String)> {
    let r = c.get("/v1/session").await;
    if r.status != 200 {
        return Vec::new();
    }
    match r.json()["csrf_token"].as_str() {
        Some(t) => vec![("x-csrf-token".to_owned(), t.to_owned())],
        None => Vec::new(),
    }
}

async fn link(c: &Client, body: &Value) -> Response {
    let h = csrf(c).await;
    let mut headers: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
    headers.extend(h.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    c.send(
        "POST",
        "/v1/identity/oidc-links",
        &headers,
        &body.to_string(),
    )
    .await
}

async fn unlink(c: &Client, provider: &str, account: &str) -> Response {
    let h = csrf(c).await;
    let headers: Vec<(&str, &str)> = h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    c.send(
        "DELETE",
        &format!("/v1/identity/oidc-links/{provider}/{account}"),
        &headers,
        "",
    )
    .await
}

async fn link_count(env: &TestServer) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM staff_oidc_links")
        .fetch_one(env.pool())
        .await
        .unwrap();
    n
}

/// The path and query of an absolute URL.
fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    }
}

/// A login in progress: the browser's binding cookie and the callback URL the provider
/// redirected to (path and query, to be sent to our server).
struct Attempt {
    cookie: String,
    callback: String,
}

/// Starts a login at `provider` and lets the test provider answer with a code.
async fn attempt(env: &TestServer, idp: &TestProvider, provider: &str, torna: &str) -> Attempt {
    let r = env
        .anonymous()
        .get(&format!("/v1/oidc/{provider}/start?torna={torna}"))
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let set = r
        .headers
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("sportello_oidc="))
        .map(|(_, v)| v.clone())
        .expect("a binding cookie");
    for flag in [
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
        "Max-Age=600",
        "Path=/v1/oidc/",
    ] {
        assert!(set.contains(flag), "{set}");
    }
    let authorize = r.header("location").unwrap().to_owned();
    assert!(
        authorize.starts_with(&format!("{}/authorize?", idp.issuer())),
        "{authorize}"
    );
    let q: std::collections::HashMap<String, String> = url::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert!(q["nonce"].len() >= 16 && q["state"].len() >= 16);
    // The browser goes to the provider, which answers 303 to our callback.
    let at_idp = Client {
        addr: idp.addr,
        cookie: None,
    };
    let r = at_idp.get(&path_of(&authorize)).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let back = r.header("location").unwrap();
    assert!(back.starts_with(&format!("http://127.0.0.1/v1/oidc/{provider}/callback?")));
    Attempt {
        cookie: set.split(';').next().unwrap().to_owned(),
        callback: path_of(back),
    }
}

/// Sends the callback with `cookie`.
async fn finish(env: &TestServer, callback: &str, cookie: Option<String>) -> Response {
    let mut c = env.anonymous();
    c.cookie = cookie;
    c.get(callback).await
}

/// Asserts a failed login: 303 to the login page with `code`, no session cookie.
fn assert_refused(r: &Response, code: &str) {
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(
        r.header("location"),
        Some(format!("/accesso?errore={code}").as_str())
    );
    assert!(r.cookie("sportello_session").is_none());
}

/// A full login; returns the callback's response.
async fn login(env: &TestServer, idp: &TestProvider, provider: &str, torna: &str) -> Response {
    let a = attempt(env, idp, provider, torna).await;
    finish(env, &a.callback, Some(a.cookie)).await
}

/// An audit row: actor, role, comune, Sede, action, target, outcome.
type AuditRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
);

/// Every audit row, as text.
async fn audit_text(env: &TestServer) -> String {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT actor_subject, actor_role, comune_istat, sede_id, action, target, outcome \
             FROM audit_log",
    )
    .fetch_all(env.pool())
    .await
    .unwrap();
    format!("{rows:?}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_are_listed_and_unknown_or_unavailable_ones_refused() {
    let (env, _idp) = start(None).await;
    let r = env.anonymous().get("/v1/oidc/providers").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!([
            {"name": "spid", "label": "Entra con SPID"},
            {"name": "cie", "label": "Entra con CIE"}
        ])
    );
    env.anonymous()
        .get("/v1/oidc/nessuno/start")
        .await
        .expect_error(404, "unknown_provider");
    env.anonymous()
        .get("/v1/oidc/nessuno/callback?code=x&state=y")
        .await
        .expect_error(404, "unknown_provider");
    env.anonymous()
        .get("/v1/oidc/rotto/start")
        .await
        .expect_error(503, "provider_unavailable");
    env.stop().await;

    // No configuration: no providers, the list still answers.
    let env = TestServer::start(None).await;
    let r = env.anonymous().get("/v1/oidc/providers").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!([]));
    env.anonymous()
        .get("/v1/oidc/spid/start")
        .await
        .expect_error(404, "unknown_provider");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_opens_a_session_and_returns_to_torna() {
    let (env, idp) = start(None).await;
    let admin = env.login("admin.inps").await;
    let r = link(
        &admin,
        &json!({"account": "operatore.villanova", "provider": "spid", "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"account": "operatore.villanova", "provider": "spid"})
    );
    // The same link again: 200, nothing added.
    let r = link(
        &admin,
        &json!({"account": "operatore.villanova", "provider": "spid", "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(link_count(&env).await, 1);

    idp.set(Token::person(SUB, CF));
    let r = login(&env, &idp, "spid", "/operatore?giorno=oggi").await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(r.header("location"), Some("/operatore?giorno=oggi"));
    let cookie = r.cookie("sportello_session").expect("a session cookie");
    let set = r.header("set-cookie").unwrap();
    assert!(set.contains("HttpOnly") && set.contains("Secure"), "{set}");
    let mut c = env.anonymous();
    c.cookie = Some(cookie);
    let s = c.get("/v1/session").await;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.json()["subject"], "operatore.villanova");
    assert_eq!(s.json()["role"], "operator");

    // A return path that is not same-origin is ignored.
    for torna in ["//evil.example", "https://evil.example/", "/\\evil.example"] {
        let r = login(&env, &idp, "spid", &urlencode(torna)).await;
        assert_eq!(r.status, 303, "{}", r.text);
        assert_eq!(r.header("location"), Some("/"), "{torna}");
        assert!(r.cookie("sportello_session").is_some());
    }

    // The CIE provider identifies by `sub`: that person is not linked there.
    assert_refused(&login(&env, &idp, "cie", "/").await, "oidc_not_linked");
    let r = link(
        &admin,
        &json!({"account": "funzionario.sassari", "provider": "cie", "subject": SUB}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = login(&env, &idp, "cie", "/").await;
    assert_eq!(r.header("location"), Some("/"), "{}", r.text);
    let mut c = env.anonymous();
    c.cookie = r.cookie("sportello_session");
    assert_eq!(
        c.get("/v1/session").await.json()["subject"],
        "funzionario.sassari"
    );
    assert!(idp.refused().is_empty(), "{:?}", idp.refused());

    // Audit: the logins with their accounts, never the person.
    let text = audit_text(&env).await;
    assert!(text.contains("session.login"), "{text}");
    assert!(text.contains("oidc_link.create"), "{text}");
    for personal in [CF, SUB, "Mario", "Rossi", "mario.rossi"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    env.stop().await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_id_tokens_are_refused() {
    let (env, idp) = start(None).await;
    let admin = env.login("admin.inps").await;
    let r = link(
        &admin,
        &json!({"account": "operatore.villanova", "provider": "spid", "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let good = Token::person(SUB, CF);
    let cases = [
        (
            "forged",
            Token {
                forged: true,
                ..good.clone()
            },
        ),
        (
            "audience",
            Token {
                aud: Some("someone-else".into()),
                ..good.clone()
            },
        ),
        (
            "expired",
            Token {
                expires_in: -3600,
                ..good.clone()
            },
        ),
        (
            "nonce",
            Token {
                nonce: Some("another-nonce".into()),
                ..good.clone()
            },
        ),
        (
            "issuer",
            Token {
                iss: Some("http://127.0.0.1:9".into()),
                ..good.clone()
            },
        ),
        (
            "no subject claim",
            Token {
                extra: json!({}),
                ..good.clone()
            },
        ),
    ];
    for (what, token) in cases {
        idp.set(token);
        let r = login(&env, &idp, "spid", "/").await;
        assert_eq!(
            r.header("location"),
            Some("/accesso?errore=oidc_failed"),
            "{what}"
        );
        assert_refused(&r, "oidc_failed");
    }
    // A provider error with a valid state.
    idp.set(good.clone());
    let a = attempt(&env, &idp, "spid", "/").await;
    let state = a.callback.split("state=").nth(1).unwrap().to_owned();
    let r = finish(
        &env,
        &format!("/v1/oidc/spid/callback?error=access_denied&state={state}"),
        Some(a.cookie.clone()),
    )
    .await;
    assert_refused(&r, "oidc_failed");
    // A code the provider does not know (the token request is refused by the provider).
    let a = attempt(&env, &idp, "spid", "/").await;
    let state = a.callback.split("state=").nth(1).unwrap().to_owned();
    let r = finish(
        &env,
        &format!("/v1/oidc/spid/callback?code=not-a-code&state={state}"),
        Some(a.cookie),
    )
    .await;
    assert_refused(&r, "oidc_failed");
    assert_eq!(idp.refused(), ["code"]);
    // After all that, the good token still logs in.
    assert!(
        login(&env, &idp, "spid", "/")
            .await
            .cookie("sportello_session")
            .is_some()
    );
    let text = audit_text(&env).await;
    assert!(!text.contains(CF) && !text.contains(SUB), "{text}");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_or_replayed_state_is_refused() {
    let (env, idp) = start(None).await;
    let admin = env.login("admin.inps").await;
    let r = link(
        &admin,
        &json!({"account": "operatore.villanova", "provider": "spid", "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    idp.set(Token::person(SUB, CF));

    // Unknown state; no state.
    let a = attempt(&env, &idp, "spid", "/").await;
    let code = a
        .callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let r = finish(
        &env,
        &format!("/v1/oidc/spid/callback?code={code}&state=made-up-state"),
        Some(a.cookie.clone()),
    )
    .await;
    assert_refused(&r, "oidc_state");
    let r = finish(
        &env,
        &format!("/v1/oidc/spid/callback?code={code}"),
        Some(a.cookie),
    )
    .await;
    assert_refused(&r, "oidc_state");

    // Without the binding cookie, or with another browser's: refused, and the state is used up.
    let a = attempt(&env, &idp, "spid", "/").await;
    assert_refused(&finish(&env, &a.callback, None).await, "oidc_state");
    assert_refused(
        &finish(&env, &a.callback, Some(a.cookie)).await,
        "oidc_state",
    );
    let mine = attempt(&env, &idp, "spid", "/").await;
    let theirs = attempt(&env, &idp, "spid", "/").await;
    assert_ne!(mine.cookie, theirs.cookie);
    assert_refused(
        &finish(&env, &theirs.callback, Some(mine.cookie)).await,
        "oidc_state",
    );

    // The state of one provider at another provider's callback.
    let a = attempt(&env, &idp, "spid", "/").await;
    let r = finish(
        &env,
        &a.callback.replacen("/spid/", "/cie/", 1),
        Some(a.cookie),
    )
    .await;
    assert_refused(&r, "oidc_state");

    // A replay of a successful callback.
    let a = attempt(&env, &idp, "spid", "/").await;
    let r = finish(&env, &a.callback, Some(a.cookie.clone())).await;
    assert!(r.cookie("sportello_session").is_some(), "{:?}", r.headers);
    assert_refused(
        &finish(&env, &a.callback, Some(a.cookie)).await,
        "oidc_state",
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlinked_and_revoked_accounts_are_refused() {
    let (env, idp) = start(None).await;
    idp.set(Token::person(SUB, CF));
    assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_not_linked");

    let useradmin = env.login("utenze.villanova").await;
    let r = link(
        &useradmin,
        &json!({"account": "operatore.villanova", "provider": "spid", "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let h = csrf(&useradmin).await;
    let headers: Vec<(&str, &str)> = h
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain([("Content-Type", "application/json")])
        .collect();
    let r = useradmin
        .send(
            "POST",
            "/v1/identity/operators/operatore.villanova/revoke",
            &headers,
            "{}",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_refused(&login(&env, &idp, "spid", "/").await, "account_revoked");
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login' AND outcome = 'denied' \
         AND actor_subject = 'operatore.villanova' AND target = 'operatore.villanova'",
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(n, 1);

    // Unlinked again: not linked.
    let r = unlink(&useradmin, "spid", "operatore.villanova").await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(link_count(&env).await, 0);
    assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_not_linked");
    let text = audit_text(&env).await;
    assert!(text.contains("oidc_link.delete"), "{text}");
    assert!(!text.contains(CF) && !text.contains(SUB), "{text}");
    env.stop().await;
}

on_both_databases!(links_on_postgres; links_api_refusals);

/// Every refusal of the links API, with its code, and no row changed.
async fn links_api_refusals(db: Option<String>) {
    let (env, _idp) = start(db).await;
    let body = |account: &str, provider: &str| json!({"account": account, "provider": provider, "subject": CF});
    let nobody = env.anonymous();
    let operator = env.login("operatore.villanova").await;
    let official = env.login("funzionario.sassari").await;
    let useradmin = env.login("utenze.villanova").await;
    let admin = env.login("admin.inps").await;
    let r = link(&admin, &body("operatore.alghero", "spid")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let before = link_count(&env).await;

    link(&nobody, &body("operatore.villanova", "spid"))
        .await
        .expect_error(401, "unauthenticated");
    for c in [&operator, &official] {
        link(c, &body("operatore.villanova", "spid"))
            .await
            .expect_error(403, "forbidden");
        unlink(c, "spid", "operatore.alghero")
            .await
            .expect_error(403, "forbidden");
    }
    // The user administrator: only operators of their own comune.
    for account in ["operatore.alghero", "admin.inps", "utenze.villanova"] {
        link(&useradmin, &body(account, "spid"))
            .await
            .expect_error(403, "forbidden");
    }
    unlink(&useradmin, "spid", "operatore.alghero")
        .await
        .expect_error(403, "forbidden");
    link(&admin, &body("operatore.villanova", "nessuno"))
        .await
        .expect_error(404, "unknown_provider");
    unlink(&admin, "nessuno", "operatore.alghero")
        .await
        .expect_error(404, "unknown_provider");
    link(&admin, &body("operatore.nessuno", "spid"))
        .await
        .expect_error(404, "unknown_account");
    unlink(&admin, "spid", "operatore.nessuno")
        .await
        .expect_error(404, "unknown_account");
    link(&admin, &body("Operatore Villanova", "spid"))
        .await
        .expect_error(400, "bad_account_id");
    for subject in ["", "a\u{7}b"] {
        link(
            &admin,
            &json!({"account": "operatore.villanova", "provider": "spid", "subject": subject}),
        )
        .await
        .expect_error(400, "bad_subject");
    }
    let long = "x".repeat(256);
    link(
        &admin,
        &json!({"account": "operatore.villanova", "provider": "spid", "subject": long}),
    )
    .await
    .expect_error(400, "bad_subject");
    let h = csrf(&admin).await;
    let mut headers: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
    headers.extend(h.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    admin
        .send("POST", "/v1/identity/oidc-links", &headers, "{not json")
        .await
        .expect_error(400, "bad_json");
    admin
        .send(
            "POST",
            "/v1/identity/oidc-links",
            &headers,
            &json!({"account": "operatore.villanova", "provider": "spid"}).to_string(),
        )
        .await
        .expect_error(422, "bad_request_body");
    // The same person for another account: conflict.
    link(&admin, &body("operatore.villanova", "spid"))
        .await
        .expect_error(409, "already_linked");
    assert_eq!(link_count(&env).await, before);

    // The raw subject is not stored: only its hash.
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT provider, subject_hash, account, created_by FROM staff_oidc_links")
            .fetch_all(env.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "spid");
    assert_eq!(rows[0].1.len(), 64);
    assert_eq!(rows[0].2, "operatore.alghero");
    assert_eq!(rows[0].3, "admin.inps");
    assert!(!format!("{rows:?}").contains(CF));

    // Denied attempts are audited, with the account only when it exists.
    let (denied,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'oidc_link.%' AND outcome = 'denied'",
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(denied, 8);
    let text = audit_text(&env).await;
    assert!(!text.contains(CF), "{text}");
    assert!(!text.contains("operatore.nessuno"), "{text}");

    // The INPS administrator removes the link (204, and 204 again: nothing left).
    let r = unlink(&admin, "spid", "operatore.alghero").await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(link_count(&env).await, 0);
    let r = unlink(&admin, "spid", "operatore.alghero").await;
    assert_eq!(r.status, 204, "{}", r.text);
    env.stop().await;
}

/// The subject, the names, the e-mail and the client secret never reach the logs (TRACE level),
/// through successful and refused logins and the links API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_or_secret_in_logs() {
    let capture = crate::support::logs::capture();

    let (env, idp) = start(None).await;
    let admin = env.login("admin.inps").await;
    for (provider, subject) in [("spid", CF), ("cie", SUB)] {
        let r = link(
            &admin,
            &json!({"account": "operatore.villanova", "provider": provider, "subject": subject}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    idp.set(Token::person(SUB, CF));
    for provider in ["spid", "cie"] {
        let r = login(&env, &idp, provider, "/").await;
        assert!(r.cookie("sportello_session").is_some(), "{}", r.text);
    }
    // Each bad token is refused for its own reason (the error kind in the log).
    let good = Token::person(SUB, CF);
    for bad in [
        Token {
            forged: true,
            ..good.clone()
        },
        Token {
            aud: Some("someone-else".into()),
            ..good.clone()
        },
        Token {
            expires_in: -3600,
            ..good.clone()
        },
        Token {
            nonce: Some("another-nonce".into()),
            ..good.clone()
        },
        Token {
            iss: Some("http://127.0.0.1:9".into()),
            ..good.clone()
        },
    ] {
        idp.set(bad);
        assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_failed");
    }
    idp.set(Token::person("someone-else", "BNCLRA92P55I452E"));
    assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_not_linked");
    let r = unlink(&admin, "spid", "operatore.villanova").await;
    assert_eq!(r.status, 204, "{}", r.text);
    env.stop().await;

    let logs = capture.text();
    assert!(logs.contains("OIDC login refused"), "the capture works");
    assert!(
        logs.contains("id_token_signature"),
        "the error kind is logged"
    );
    for secret in [
        CF,
        SUB,
        "BNCLRA92P55I452E",
        "someone-else",
        "Mario",
        "Rossi",
        "mario.rossi",
        crate::support::oidc::CLIENT_SECRET,
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs");
    }
}
