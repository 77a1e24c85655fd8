//! What every integration test shares: a server with a manual clock on SQLite or on a
//! throwaway PostgreSQL ([`TestServer`], [`on_both_databases!`]), one HTTP client
//! ([`http::Client`]), logged-in roles and a booked appointment, the signalling WebSocket
//! ([`ws`]), a test OpenID Connect provider ([`oidc`]) and a log capture ([`logs`]).

#![allow(dead_code, unused_imports)]

pub mod from_address;
pub mod http;
pub mod internals;
pub mod logs;
pub mod oidc;
pub mod pg;
pub mod ws;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sportello::{Config, Server};

pub use http::{Client, Request, Response, expect_errors, expect_statuses};
use internals::ManualClock;
pub use pg::PgCluster;

/// Runs each scenario `async fn name(database_url: Option<String>)` as its own test on SQLite,
/// and all of them in one test (named `$pg`) on one throwaway PostgreSQL cluster, each on a
/// fresh database.
#[macro_export]
macro_rules! on_both_databases {
    ($pg:ident; $($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(None).await;
                }
            )*
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $pg() {
            let pg = $crate::support::PgCluster::start().await;
            $(
                eprintln!("postgres: {}", stringify!($name));
                $name(Some(pg.create_database().await)).await;
            )*
        }
    };
}

/// The clock of every test starts here: Monday 23 November 2026, 09:00 in Italy.
pub const START: &str = "2026-11-23T08:00:00Z";

/// Slot starts on the first two days of the test clock, as UTC instants (Italy is UTC+1).
pub mod slots {
    /// Monday 23 November 2026, 09:30 in Italy (the clock starts at 09:00).
    pub const MON_0930: &str = "2026-11-23T08:30:00Z";
    pub const MON_1000: &str = "2026-11-23T09:00:00Z";
    pub const MON_1100: &str = "2026-11-23T10:00:00Z";
    /// Tuesday 24 November 2026, 08:30 in Italy: the first slot of sassari-1 that day.
    pub const TUE_0830: &str = "2026-11-24T07:30:00Z";
    pub const TUE_0900: &str = "2026-11-24T08:00:00Z";
    pub const TUE_0930: &str = "2026-11-24T08:30:00Z";
    pub const TUE_1000: &str = "2026-11-24T09:00:00Z";
}

/// The demo accounts' password.
pub const DEMO_PASSWORD: &str = "demo-sportello";

/// The demo accounts by role, in the comune of Villanova Monteleone (090078, Sede di Sassari)
/// unless named otherwise.
pub mod account {
    pub const OPERATOR: &str = "operatore.villanova";
    pub const OFFICIAL: &str = "funzionario.sassari";
    pub const USER_ADMIN: &str = "utenze.villanova";
    pub const INPS_ADMIN: &str = "admin.inps";
}

/// A running server on port 0 with its manual clock.
pub struct TestServer {
    pub server: Server,
    pub clock: Arc<ManualClock>,
}

impl TestServer {
    /// Starts a demo-mode server on `database_url` (None = SQLite in a temp dir).
    pub async fn start(database_url: Option<String>) -> Self {
        Self::start_with(database_url, |_| {}).await
    }

    /// Like [`TestServer::start`], with a last change to the configuration.
    pub async fn start_with(database_url: Option<String>, tweak: impl FnOnce(&mut Config)) -> Self {
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        let mut config = Config::for_tests();
        // Tests move the clock by days: sessions outlive that unless a test says otherwise.
        config.session_limits = internals::SessionLimits {
            idle: Duration::from_secs(7 * 24 * 3600),
            absolute: Duration::from_secs(7 * 24 * 3600),
        };
        tweak(&mut config);
        config.database_url = database_url;
        config.booking_clock = clock.clone();
        let server = Server::start(config).await.expect("server starts");
        Self { server, clock }
    }

    /// A client without a session.
    pub fn anonymous(&self) -> Client {
        Client::new(self.server.http_addr())
    }

    /// Asks for a demo login as `account`; returns the answer (a refusal too).
    pub async fn try_login(&self, account: &str) -> Response {
        self.anonymous()
            .send(
                "POST",
                "/v1/demo/login",
                &[("Content-Type", "application/json")],
                &json!({ "account": account }).to_string(),
            )
            .await
    }

    /// A client logged in as a demo account.
    pub async fn login(&self, account: &str) -> Client {
        let r = self.try_login(account).await;
        assert_eq!(r.status, 200, "login {account}: {}", r.text);
        let cookie = r
            .header("set-cookie")
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        self.anonymous().with_cookie(Some(cookie))
    }

    /// The operator of Villanova Monteleone.
    pub async fn operator(&self) -> Client {
        self.login(account::OPERATOR).await
    }

    /// The official of the Sede di Sassari.
    pub async fn official(&self) -> Client {
        self.login(account::OFFICIAL).await
    }

    /// The user administrator of Villanova Monteleone.
    pub async fn user_admin(&self) -> Client {
        self.login(account::USER_ADMIN).await
    }

    /// The INPS administrator.
    pub async fn inps_admin(&self) -> Client {
        self.login(account::INPS_ADMIN).await
    }

    /// Logs in with a password; returns the client (cookie kept) and the answer.
    pub async fn password_login(&self, account: &str, password: &str) -> (Client, Response) {
        let mut c = self.anonymous();
        let r = c
            .post(
                "/v1/login",
                &json!({"account": account, "password": password}),
            )
            .await;
        if let Some(cookie) = r.header("set-cookie") {
            c.cookie = Some(cookie.split(';').next().unwrap().to_owned());
        }
        (c, r)
    }

    /// Logs in with a password from loopback address `from`; returns the answer.
    pub async fn password_login_from(
        &self,
        from: std::net::IpAddr,
        account: &str,
        password: &str,
    ) -> Response {
        let body = json!({"account": account, "password": password});
        from_address::post_from(from, self.server.http_addr(), "/v1/login", &body).await
    }

    /// A client holding the citizen cookie set by a handover answer (the kiosk after
    /// "Passa al cittadino").
    pub fn citizen_after_handover(&self, handover: &Response) -> Client {
        let cookie = handover
            .set_cookie("sportello_citizen")
            .expect("a citizen cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(cookie.contains("Secure") && cookie.contains("Path=/"));
        self.anonymous()
            .with_cookie(Some(cookie.split(';').next().unwrap().to_owned()))
    }

    /// The application's database.
    pub fn pool(&self) -> &sqlx::AnyPool {
        internals::pool(&self.server)
    }

    /// One number from the database (`SELECT COUNT(*) ...`).
    pub async fn count(&self, sql: &'static str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(self.pool()).await.unwrap();
        n
    }

    /// Audit entries of `action` with outcome `ok`.
    pub async fn audited_ok(&self, action: &str) -> i64 {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND outcome = 'ok'")
                .bind(action)
                .fetch_one(self.pool())
                .await
                .unwrap();
        n
    }

    /// Rows in the booking tables (to check that bad input changes nothing).
    pub async fn row_counts(&self) -> Vec<i64> {
        let mut out = Vec::new();
        for sql in [
            "SELECT COUNT(*) FROM reservations",
            "SELECT COUNT(*) FROM citizen_requests",
            "SELECT COUNT(*) FROM request_services",
            "SELECT COUNT(*) FROM closures",
            "SELECT COUNT(*) FROM reservations WHERE status = 'held'",
            "SELECT COUNT(*) FROM reservations WHERE status = 'booked'",
        ] {
            out.push(self.count(sql).await);
        }
        out
    }

    pub async fn stop(self) {
        self.server.shutdown().await;
    }
}

impl Client {
    /// Places a hold; returns the response.
    pub async fn hold(&self, sportello: &str, starts_at: &str, service: &str) -> Response {
        self.post(
            "/v1/booking/holds",
            &json!({
                "sportello_id": sportello,
                "starts_at": starts_at,
                "service_code": service,
            }),
        )
        .await
    }

    /// Confirms a hold with the demo citizen and `key`.
    pub async fn confirm(&self, hold_id: &str, key: &str) -> Response {
        self.post_with(
            &format!("/v1/booking/holds/{hold_id}/confirm"),
            &[("Idempotency-Key", key)],
            &citizen(),
        )
        .await
    }

    /// `POST /v1/booking/appointments/{id}/meeting` ("Apri meeting") when `what` is empty,
    /// else `.../meeting/{what}` (`join`, `handover`, `close`), with `body`.
    pub async fn meeting(&self, id: &str, what: &str, body: Value) -> Response {
        let path = if what.is_empty() {
            format!("/v1/booking/appointments/{id}/meeting")
        } else {
            format!("/v1/booking/appointments/{id}/meeting/{what}")
        };
        self.post(&path, &body).await
    }

    /// Holds sassari-1 at `starts_at` (sent as given) for "pensioni"; returns the hold id.
    pub async fn hold_sassari(&self, starts_at: &str) -> String {
        let r = self.hold("sassari-1", starts_at, "pensioni").await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// Free slot starts of `sportello` on Monday 23 and Tuesday 24 November 2026, as RFC 3339.
    pub async fn free_slots(&self, sportello: &str) -> Vec<String> {
        let r = self
            .get(&format!(
                "/v1/booking/sportelli/{sportello}/slots?from=2026-11-23&to=2026-11-24"
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["starts_at"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Books sassari-1 at `starts_at` (sent as given) for the demo citizen with idempotency
    /// key `key`; returns the appointment id.
    pub async fn book(&self, starts_at: &str, key: &str) -> String {
        let id = self.hold_sassari(starts_at).await;
        let r = self.confirm(&id, key).await;
        assert_eq!(r.status, 201, "{}", r.text);
        id
    }
}

/// A valid citizen request: Laura Bianchi, born in Sassari on 15 September 1992.
pub fn citizen() -> Value {
    json!({
        "applicant": {
            "given_name": "Laura",
            "family_name": "Bianchi",
            "codice_fiscale": "BNCLRA92P55I452E",
            "birth_date": "1992-09-15",
            "birth_place": "I452",
            "sex": "F",
            "residence_istat": "090078",
            "email": "laura@example.org"
        },
        "services": ["pensioni"],
        "gdpr_notice_signed": true,
        "data_processing_authorised": true,
        "id_copy_acquired": true
    })
}

/// [`citizen`] with the field at the dotted `path` (e.g. `applicant.sex`) set to `value`.
pub fn citizen_with(path: &str, value: Value) -> Value {
    let mut c = citizen();
    let mut target = &mut c;
    let parts: Vec<&str> = path.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        target = &mut target[*p];
    }
    target[parts[parts.len() - 1]] = value;
    c
}

/// The body of `POST /v1/identity/operators` for a new account of `role` (password
/// "una-password-lunga", name "Rita Porcu"), with the fields of `extra` added.
pub fn new_account(account: &str, role: &str, extra: Value) -> Value {
    let mut body = json!({
        "account": account,
        "password": "una-password-lunga",
        "full_name": "Rita Porcu",
        "role": role,
    });
    for (k, v) in extra.as_object().expect("an object") {
        body[k] = v.clone();
    }
    body
}

/// RFC 3339 of an instant.
pub fn at(s: &str) -> String {
    s.parse::<DateTime<Utc>>().unwrap().to_rfc3339()
}

/// Whether `check` comes to hold within `within`, trying every 50 ms. For effects the server
/// applies in a task of its own with nothing to wait on from outside (a revocation applied by
/// its subscriber, an audit entry written by the connection's task, counters going down).
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
