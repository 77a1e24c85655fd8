//! Staff sessions in the database (table `staff_sessions`), so they survive a restart and are
//! shared by every node on PostgreSQL.
//!
//! The cookie holds a random 256-bit token; the table holds its SHA-256 and the account. A
//! session ends on logout, on revocation of its account, after [`SessionLimits::idle`] without
//! use, after [`SessionLimits::absolute`] in all, and as soon as its account is revoked or
//! outside its validity dates (checked at every lookup). Times come from the shared clock.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Principal;
use super::service::accounts;
use super::session::{SessionStore, random_token, token_hash};
use crate::booking::BookingError;
use crate::store::Store;

/// How long a session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Without use.
    pub idle: Duration,
    /// In all, from login.
    pub absolute: Duration,
}

impl Default for SessionLimits {
    /// 30 minutes idle, 10 hours in all (a working day at the desk).
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(10 * 3600),
        }
    }
}

/// `last_used` is written at most this often (seconds), not at every request.
const TOUCH_EVERY_SECS: i64 = 60;

/// Sessions in the shared database.
#[derive(Debug, Clone)]
pub struct DbSessions {
    store: Store,
    limits: SessionLimits,
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

impl DbSessions {
    /// Sessions on `store`'s database and clock.
    pub fn new(store: Store, limits: SessionLimits) -> Self {
        Self { store, limits }
    }

    fn expired(&self, created: i64, last_used: i64, now: i64) -> bool {
        now.saturating_sub(last_used) >= secs(self.limits.idle)
            || now.saturating_sub(created) >= secs(self.limits.absolute)
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<(), BookingError> {
        let now = now.timestamp();
        sqlx::query("DELETE FROM staff_sessions WHERE last_used <= $1 OR created_at <= $2")
            .bind(now.saturating_sub(secs(self.limits.idle)))
            .bind(now.saturating_sub(secs(self.limits.absolute)))
            .execute(self.store.db().pool())
            .await?;
        Ok(())
    }

    async fn find(&self, key: &str) -> Result<Option<Principal>, BookingError> {
        let db = self.store.db();
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT account, created_at, last_used FROM staff_sessions WHERE token_hash = $1",
        )
        .bind(key)
        .fetch_optional(db.pool())
        .await?;
        let Some((account, created, last_used)) = row else {
            return Ok(None);
        };
        let now = self.store.now();
        let account = match accounts::get(db, &account).await? {
            Some(a) if !self.expired(created, last_used, now.timestamp()) => a,
            _ => {
                self.revoke_hash(key).await?;
                return Ok(None);
            }
        };
        if accounts::check(&account, now).is_err() {
            self.revoke_hash(key).await?;
            return Ok(None);
        }
        if now.timestamp() - last_used >= TOUCH_EVERY_SECS {
            sqlx::query("UPDATE staff_sessions SET last_used = $1 WHERE token_hash = $2")
                .bind(now.timestamp())
                .bind(key)
                .execute(db.pool())
                .await?;
        }
        Ok(Some(account.principal))
    }

    async fn revoke_hash(&self, key: &str) -> Result<u64, BookingError> {
        let done = sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(key)
            .execute(self.store.db().pool())
            .await?;
        Ok(done.rows_affected())
    }
}

fn log_failure(what: &'static str, e: &BookingError) {
    tracing::error!(operation = what, error = %e, "session store failed");
}

#[async_trait::async_trait]
impl SessionStore for DbSessions {
    async fn create(&self, principal: &Principal) -> Result<String, BookingError> {
        let now = self.store.now();
        self.purge_expired(now).await?;
        let token = random_token();
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, account, created_at, last_used) \
             VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash(&token))
        .bind(&principal.subject)
        .bind(now.timestamp())
        .execute(self.store.db().pool())
        .await?;
        Ok(token)
    }

    async fn lookup(&self, token: &str) -> Option<Principal> {
        self.lookup_ref(&token_hash(token)).await
    }

    async fn lookup_ref(&self, session_ref: &str) -> Option<Principal> {
        self.find(session_ref)
            .await
            .inspect_err(|e| log_failure("lookup", e))
            .ok()
            .flatten()
    }

    async fn revoke(&self, token: &str) {
        if let Err(e) = self.revoke_hash(&token_hash(token)).await {
            log_failure("revoke", &e);
        }
    }

    async fn revoke_subject(&self, subject: &str) -> usize {
        let done = sqlx::query("DELETE FROM staff_sessions WHERE account = $1")
            .bind(subject)
            .execute(self.store.db().pool())
            .await;
        match done {
            Ok(d) => usize::try_from(d.rows_affected()).unwrap_or(usize::MAX),
            Err(e) => {
                log_failure("revoke_subject", &e.into());
                0
            }
        }
    }
}
