//! Helpers for the booking tests: a server with a manual clock on SQLite or PostgreSQL, a
//! throwaway PostgreSQL cluster, and a small HTTP client that keeps the session cookie.

#![allow(dead_code)]

pub mod ws;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sportello::store::ManualClock;
use sportello::{Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
            let pg = $crate::booking_support::PgCluster::start().await;
            $(
                eprintln!("postgres: {}", stringify!($name));
                $name(Some(pg.create_database().await)).await;
            )*
        }
    };
}

/// The clock of every test starts here: Monday 23 November 2026, 09:00 in Italy.
pub const START: &str = "2026-11-23T08:00:00Z";

/// A running server with its manual clock.
pub struct Env {
    pub server: Server,
    pub clock: Arc<ManualClock>,
}

impl Env {
    /// Starts a demo-mode server on `database_url` (None = SQLite in a temp dir).
    pub async fn start(database_url: Option<String>) -> Self {
        Self::start_with(database_url, |_| {}).await
    }

    /// Like [`Env::start`], with a last change to the configuration.
    pub async fn start_with(database_url: Option<String>, tweak: impl FnOnce(&mut Config)) -> Self {
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        let mut config = Config::for_tests();
        // Tests move the clock by days: sessions outlive that unless a test says otherwise.
        config.session_limits = sportello::identity::SessionLimits {
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
        Client {
            addr: self.server.http_addr(),
            cookie: None,
        }
    }

    /// A client logged in as a demo account.
    pub async fn login(&self, account: &str) -> Client {
        let mut c = self.anonymous();
        let r = c
            .send(
                "POST",
                "/v1/demo/login",
                &[("Content-Type", "application/json")],
                &serde_json::json!({ "account": account }).to_string(),
            )
            .await;
        assert_eq!(r.status, 200, "login {account}: {}", r.text);
        let cookie = r
            .header("set-cookie")
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        c.cookie = Some(cookie);
        c
    }

    /// Rows in the booking tables (to check that bad input changes nothing).
    pub async fn row_counts(&self) -> Vec<i64> {
        let pool = self.server.booking().db().pool();
        let mut out = Vec::new();
        for sql in [
            "SELECT COUNT(*) FROM reservations",
            "SELECT COUNT(*) FROM citizen_requests",
            "SELECT COUNT(*) FROM request_services",
            "SELECT COUNT(*) FROM closures",
            "SELECT COUNT(*) FROM reservations WHERE status = 'held'",
            "SELECT COUNT(*) FROM reservations WHERE status = 'booked'",
        ] {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
            out.push(n);
        }
        out
    }

    pub async fn stop(self) {
        self.server.shutdown().await;
    }
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts a status and an error body `{code, message}` with `code`.
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{code}: {}", self.text);
        let v = self.json();
        assert_eq!(v["code"], code, "{}", self.text);
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

/// A minimal HTTP/1.1 client (one connection per request) that sends the session cookie.
#[derive(Debug, Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub cookie: Option<String>,
}

impl Client {
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Content-Length: {}\r\n",
            body.len()
        );
        if let Some(c) = &self.cookie {
            head.push_str(&format!("Cookie: {c}\r\n"));
            // The staff session's CSRF token, as the web client sends it (a test that wants to
            // send none or another passes its own `x-csrf-token`).
            let explicit = headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("x-csrf-token"));
            if let Some(token) = c.strip_prefix("sportello_session=")
                && method != "GET"
                && !explicit
            {
                let csrf = sportello::identity::csrf::token_for(token);
                head.push_str(&format!("x-csrf-token: {csrf}\r\n"));
            }
        }
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut raw))
            .await
            .expect("response in time")
            .unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap()[9..12].parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let chunked = headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
        });
        let text = if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        };
        Response {
            status,
            headers,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[], "").await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.send("DELETE", path, &[], "").await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.send(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            &body.to_string(),
        )
        .await
    }

    pub async fn post_with(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Response {
        let mut h = vec![("Content-Type", "application/json")];
        h.extend_from_slice(headers);
        self.send("POST", path, &h, &body.to_string()).await
    }

    /// Places a hold; returns the response.
    pub async fn hold(&self, sportello: &str, starts_at: &str, service: &str) -> Response {
        self.post(
            "/v1/booking/holds",
            &serde_json::json!({
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
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A valid citizen request: Maria Sanna, born in Sassari on 15 September 1992.
pub fn citizen() -> Value {
    serde_json::json!({
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
        "id_copy_acquired": true
    })
}

/// RFC 3339 of an instant.
pub fn at(s: &str) -> String {
    s.parse::<DateTime<Utc>>().unwrap().to_rfc3339()
}

/// A throwaway PostgreSQL cluster in a temp dir, stopped and deleted on drop.
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    child: Option<Child>,
    port: u16,
    as_postgres: Option<(u32, u32)>,
}

fn pg_bin_dir() -> PathBuf {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    candidates.sort();
    if let Some(p) = candidates.pop() {
        return p;
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if p.join("initdb").exists() {
            return p;
        }
    }
    panic!(
        "PostgreSQL binaries (initdb, postgres) not found: install the `postgresql` package \
         (as root: apt-get install -y postgresql); scripts/test.sh does it for you"
    );
}

fn id_of(flag: &str) -> Option<u32> {
    let out = Command::new("id").args([flag, "postgres"]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PgCluster {
    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.as_postgres {
            use std::os::unix::process::CommandExt as _;
            c.uid(uid).gid(gid);
        }
        c.current_dir(&self.dir);
        c
    }

    /// initdb + postgres on a free loopback port. initdb refuses to run as root: as root, the
    /// cluster runs as the `postgres` OS user.
    pub async fn start() -> Self {
        let bin = pg_bin_dir();
        let dir = std::env::temp_dir().join(format!(
            "sportello-pg-{}-{:x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let as_postgres = if is_root() {
            let ids = id_of("-u").zip(id_of("-g"));
            assert!(ids.is_some(), "running as root needs a `postgres` OS user");
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(status.success());
            ids
        } else {
            None
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cluster = Self {
            dir: dir.clone(),
            bin,
            child: None,
            port,
            as_postgres,
        };
        let out = cluster
            .command("initdb")
            .args([
                "-D",
                "data",
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ])
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log = std::fs::File::create(dir.join("postgres.log")).unwrap();
        if let Some((uid, gid)) = as_postgres {
            let _ = Command::new("chown")
                .arg(format!("{uid}:{gid}"))
                .arg(dir.join("postgres.log"))
                .status();
        }
        let child = cluster
            .command("postgres")
            .args(["-D", "data", "-p", &port.to_string(), "-k"])
            .arg(&dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("postgres starts");
        cluster.child = Some(child);
        let url = cluster.url("postgres");
        sqlx::any::install_default_drivers();
        for _ in 0..300 {
            if let Ok(c) = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await {
                let _ = sqlx::Connection::close(c).await;
                return cluster;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "postgres did not accept connections; log: {}",
            std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default()
        );
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A fresh, empty database; returns its URL.
    pub async fn create_database(&self) -> String {
        let name = format!("t{:x}", rand::random::<u64>());
        let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.url("postgres"))
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut c)
            .await
            .unwrap();
        let _ = sqlx::Connection::close(c).await;
        self.url(&name)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-D", "data", "-m", "immediate", "-w"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
