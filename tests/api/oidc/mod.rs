//! OIDC staff login against a real (in-process) provider: discovery, JWKS, authorization code
//! with state, nonce and PKCE, RS256 ID tokens verified by the server; the login outcomes and
//! their `errore` codes; the links API and its refusals; no subject value in the audit log.

use crate::support::oidc::{
    CLIENT_ID, PRIVATE_KEY_JWT_PROVIDERS, TestProvider, Token, write_config, write_config_with,
};
use crate::support::{Client, Request, Response, TestServer, expect_errors};
use serde_json::{Value, json};

mod levels;
mod links;
mod login;
mod private_key_jwt;
mod refusals;
mod rotation;

use links::links_api_refusals;

/// The person of most tests: opaque `sub` and codice fiscale (SPID's `fiscal_number`).
const SUB: &str = "opaque-sub-1";
const CF: &str = "RSSMRA80A01H501U";

async fn start(db: Option<String>) -> (TestServer, TestProvider) {
    let provider = TestProvider::start().await;
    let path = write_config(&provider.issuer());
    let env = TestServer::start_with(db, |c| c.oidc_config = Some(path)).await;
    (env, provider)
}

/// [`start`] on SQLite with the [`PRIVATE_KEY_JWT_PROVIDERS`] too, the Villanova operator linked
/// to the person [`CF`] at `provider` (by the INPS administrator).
async fn start_linked_at(provider: &str) -> (TestServer, TestProvider) {
    let idp = TestProvider::start().await;
    let path = write_config_with(&idp.issuer(), PRIVATE_KEY_JWT_PROVIDERS);
    let env = TestServer::start_with(None, |c| c.oidc_config = Some(path)).await;
    let admin = env.inps_admin().await;
    let r = link(
        &admin,
        &json!({"account": "operatore.villanova", "provider": provider, "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (env, idp)
}

/// How many logins were refused (audited `session.login`, `denied`).
async fn denied_logins(env: &TestServer) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login' AND outcome = 'denied'",
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    n
}

/// [`start`] on SQLite, and the INPS administrator (returned) links the Villanova operator to
/// the person [`CF`] at SPID.
async fn start_linked() -> (TestServer, TestProvider, Client) {
    let (env, idp) = start(None).await;
    let admin = env.inps_admin().await;
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
    (env, idp, admin)
}

/// The session's CSRF token as the header of a staff request that changes something, when the
/// server has one (read from `GET /v1/session`).
async fn with_csrf(c: &Client, request: Request) -> Request {
    let r = c.get("/v1/session").await;
    if r.status != 200 {
        return request;
    }
    match r.json()["csrf_token"].as_str() {
        Some(t) => request.header("x-csrf-token", t),
        None => request,
    }
}

/// A request to link an account to a provider's subject, as `c`.
async fn link_request(c: &Client, body: &Value) -> Request {
    with_csrf(c, Request::post("/v1/identity/oidc-links", body)).await
}

/// A request to remove the link of `account` at `provider`, as `c`.
async fn unlink_request(c: &Client, provider: &str, account: &str) -> Request {
    let path = format!("/v1/identity/oidc-links/{provider}/{account}");
    with_csrf(c, Request::raw("DELETE", path, "")).await
}

async fn link(c: &Client, body: &Value) -> Response {
    c.request(&link_request(c, body).await).await
}

async fn unlink(c: &Client, provider: &str, account: &str) -> Response {
    c.request(&unlink_request(c, provider, account).await).await
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
        .set_cookie("sportello_oidc")
        .expect("a binding cookie")
        .to_owned();
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

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

on_both_databases!(links_on_postgres; links_api_refusals);
