//! Local passwords: argon2id hashes (PHC strings) and the login failure limit.
//!
//! Hashing and checking run on the blocking pool (each costs tens of milliseconds of CPU). A
//! login for an unknown account still checks against a dummy hash, so the answer's timing does
//! not tell which accounts exist.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;

use crate::api::{ApiCode, AppError};
use crate::booking::BookingError;
use crate::store::Db;

/// The password of every demo account (demo mode only).
pub const DEMO_PASSWORD: &str = "demo-sportello";
/// The shortest password accepted.
pub const MIN_LEN: usize = 12;
/// The longest password accepted (bytes; bounds the hashing work).
pub const MAX_BYTES: usize = 1024;
/// Failed logins of one account name allowed within [`FAILURE_WINDOW_SECS`].
pub const MAX_FAILURES: i64 = 5;
/// The counting window, which is also how long a locked name stays locked.
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

/// 400 `password_too_long` over [`MAX_BYTES`], 400 `weak_password` under `min` characters.
pub fn check_length(password: &str, min: usize) -> Result<(), AppError> {
    if password.len() > MAX_BYTES {
        return Err(AppError::bad_request(
            ApiCode::PasswordTooLong,
            format!("a password has at most {MAX_BYTES} bytes"),
        ));
    }
    if password.chars().count() < min {
        return Err(AppError::bad_request(
            ApiCode::WeakPassword,
            format!("a password has at least {min} characters"),
        ));
    }
    Ok(())
}

fn hash_now(password: &str) -> String {
    let salt: [u8; 16] = rand::random();
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Only an out-of-range parameter fails, and ours are the defaults.
        .unwrap_or_default()
}

/// The argon2id PHC string of `password`, with a fresh random salt.
pub async fn hash(password: &str) -> String {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .unwrap_or_default()
}

/// Whether `password` matches `phc`. With no hash, spends the same work on a dummy one and
/// answers `false`.
pub async fn verify(password: &str, phc: Option<&str>) -> bool {
    let (phc, real) = match phc {
        Some(phc) => (phc.to_owned(), true),
        None => (dummy_hash().await.to_owned(), false),
    };
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), phc.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false);
    ok && real
}

async fn dummy_hash() -> &'static str {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    DUMMY
        .get_or_init(|| hash("not a password of any account"))
        .await
}

/// The hash of [`DEMO_PASSWORD`], computed once per process.
pub async fn demo_hash() -> &'static str {
    static DEMO: OnceCell<String> = OnceCell::const_new();
    DEMO.get_or_init(|| hash(DEMO_PASSWORD)).await
}

/// Seconds until account name `account` may try again, if it is locked at `now`.
pub async fn locked_for(
    db: &Db,
    account: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, BookingError> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT failures, first_failure FROM login_failures WHERE account = $1")
            .bind(account)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(failures, first)| {
        let left = first + FAILURE_WINDOW_SECS - now.timestamp();
        (failures >= MAX_FAILURES && left > 0).then_some(left)
    }))
}

/// Counts one failed login of account name `account` (a new window if the last one is over).
pub async fn record_failure(
    db: &Db,
    account: &str,
    now: DateTime<Utc>,
) -> Result<(), BookingError> {
    let now = now.timestamp();
    let window_start = now - FAILURE_WINDOW_SECS;
    // Old windows of other names go too, so the table stays small.
    sqlx::query("DELETE FROM login_failures WHERE first_failure <= $1 AND account <> $2")
        .bind(window_start)
        .bind(account)
        .execute(db.pool())
        .await?;
    sqlx::query(
        "INSERT INTO login_failures (account, failures, first_failure) VALUES ($1, 1, $2) \
         ON CONFLICT (account) DO UPDATE SET \
         failures = CASE WHEN login_failures.first_failure <= $3 THEN 1 \
                         ELSE login_failures.failures + 1 END, \
         first_failure = CASE WHEN login_failures.first_failure <= $3 THEN $2 \
                              ELSE login_failures.first_failure END",
    )
    .bind(account)
    .bind(now)
    .bind(window_start)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Forgets the failures of `account` (after a successful login).
pub async fn clear_failures(db: &Db, account: &str) -> Result<(), BookingError> {
    sqlx::query("DELETE FROM login_failures WHERE account = $1")
        .bind(account)
        .execute(db.pool())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct horse battery").await;
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&h)).await);
        assert!(!verify("wrong horse battery", Some(&h)).await);
        assert!(!verify("correct horse battery", None).await);
        assert!(!verify("x", Some("not a phc string")).await);
        assert_ne!(hash("same").await, hash("same").await, "salted");
    }
}
