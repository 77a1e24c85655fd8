//! A throwaway PostgreSQL cluster for the tests that run on both databases.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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
