//! The shared database: SQLite (a file in the data dir) or PostgreSQL, through one code path
//! (`sqlx::Any`, runtime queries). Opening runs the migrations in `migrations/` and, in demo
//! mode, loads `seed/demo.sql` into an empty database.

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AssertSqlSafe, SqlSafeStr as _, Transaction};

/// The migrations, embedded at build time (one portable dialect for both databases).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "booking",
        include_str!("../../migrations/0001_booking.sql"),
    ),
    (
        2,
        "meetings",
        include_str!("../../migrations/0002_meetings.sql"),
    ),
    (3, "audit", include_str!("../../migrations/0003_audit.sql")),
    (
        4,
        "staff_revocations",
        include_str!("../../migrations/0004_staff_revocations.sql"),
    ),
    (
        5,
        "meeting_close",
        include_str!("../../migrations/0005_meeting_close.sql"),
    ),
    (
        6,
        "staff_accounts",
        include_str!("../../migrations/0006_staff_accounts.sql"),
    ),
    (
        7,
        "oidc_links",
        include_str!("../../migrations/0007_oidc_links.sql"),
    ),
    (
        8,
        "staff_names",
        include_str!("../../migrations/0008_staff_names.sql"),
    ),
    (
        9,
        "documents",
        include_str!("../../migrations/0009_documents.sql"),
    ),
    (
        10,
        "audit_detail",
        include_str!("../../migrations/0010_audit_detail.sql"),
    ),
    (
        11,
        "monitoring",
        include_str!("../../migrations/0011_monitoring.sql"),
    ),
    (
        12,
        "catalogue",
        include_str!("../../migrations/0012_catalogue.sql"),
    ),
    (
        13,
        "booking_code",
        include_str!("../../migrations/0013_booking_code.sql"),
    ),
    (
        14,
        "operator_enablement",
        include_str!("../../migrations/0014_operator_enablement.sql"),
    ),
];

/// Demo data (real comuni, made-up Sedi and calendars).
const DEMO_SEED: &str = include_str!("../../seed/demo.sql");

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// A pool on the database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// The default SQLite database file of a data dir.
pub fn sqlite_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("booking.db")
}

/// The default SQLite URL for a data dir.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", sqlite_path(data_dir).display())
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and runs the migrations.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("the database URL must start with sqlite: or postgres:");
        };
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30));
        let options = if backend == Backend::Sqlite {
            // Concurrent writers wait for each other instead of failing at once.
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::raw_sql("PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;")
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        // The URL may hold a password: never put it in an error message.
        let pool = options
            .connect(url)
            .await
            .context("connecting to the booking database")?;
        if backend == Backend::Sqlite {
            // WAL lets readers go on while one writer commits; it is a property of the file.
            sqlx::raw_sql("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .context("setting the SQLite journal mode")?;
        }
        let db = Self { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        let migrations = MIGRATIONS
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    AssertSqlSafe(sql).into_sql_str(),
                    false,
                )
            })
            .collect();
        let mut migrator = Migrator::with_migrations(migrations);
        // SQLite needs no advisory lock; PostgreSQL nodes starting together take turns.
        migrator.set_locking(self.backend == Backend::Postgres);
        migrator
            .run(&self.pool)
            .await
            .context("running the booking migrations")?;
        Ok(())
    }

    /// Loads the demo data if the database holds no comune yet.
    pub async fn seed_demo(&self) -> anyhow::Result<bool> {
        let mut tx = self.begin_write().await?;
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM comuni")
            .fetch_one(&mut *tx)
            .await?;
        if count > 0 {
            return Ok(false);
        }
        sqlx::raw_sql(DEMO_SEED)
            .execute(&mut *tx)
            .await
            .context("loading the demo data")?;
        tx.commit().await?;
        Ok(true)
    }

    /// The pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction that will write. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so concurrent writers queue on the busy timeout instead of failing when a
    /// read lock cannot be upgraded.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
