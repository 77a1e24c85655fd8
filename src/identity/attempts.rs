//! The login attempt limits, counted in the database (table `login_failures`, so every node on
//! one database counts together) and reserved *before* the password is hashed: a count goes up
//! atomically first, and only an attempt that finds its counts within the limits is verified.
//! Parallel attempts therefore cannot pass a limit, and a locked request costs no hashing.
//!
//! Within a window of [`FAILURE_WINDOW_SECS`], counted from the first attempt:
//! - one account name from one client address: [`MAX_FAILURES`] attempts, then that pair is
//!   locked until the window ends (a stranger elsewhere cannot lock an operator out by name);
//! - one client address, whatever the account names: [`ADDRESS_MAX_FAILURES`] attempts;
//! - one account name from every address together: [`ACCOUNT_MAX_FAILURES`] attempts, then the
//!   account is slowed down, not locked: one attempt per [`ACCOUNT_SLOW_SECS`] goes through.
//!
//! A successful login gives back its attempt: the counts of the account (with this address, and
//! in all) start again, and the address's count goes down by one. An attempt refused because the
//! hashing workers are busy is given back whole.
//!
//! The rows' keys (column `account`): `name|address`, `|address`, `name` and `name|slow`
//! (account ids never contain `|`).

use chrono::{DateTime, Utc};

use crate::api::ClientAddr;
use crate::booking::BookingError;
use crate::store::Db;

/// Attempts of one account name from one client address within [`FAILURE_WINDOW_SECS`].
pub const MAX_FAILURES: i64 = 5;
/// Attempts from one client address (any account names) within [`FAILURE_WINDOW_SECS`].
pub const ADDRESS_MAX_FAILURES: i64 = 20;
/// Attempts of one account name (any addresses) within [`FAILURE_WINDOW_SECS`] before it is
/// slowed down.
pub const ACCOUNT_MAX_FAILURES: i64 = 50;
/// Past [`ACCOUNT_MAX_FAILURES`], one attempt of that account per this many seconds.
pub const ACCOUNT_SLOW_SECS: i64 = 10;
/// The counting window, which is also how long a locked pair or address stays locked.
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

/// The counts an attempt went up in, to give back.
#[derive(Debug)]
pub struct Reservation {
    address: String,
    /// The account's keys (with this address, in all, slowed), when it is a well-formed name.
    account: Vec<String>,
}

/// What [`reserve`] found.
#[derive(Debug)]
pub enum Reserved {
    /// Within the limits: verify the password.
    Go(Reservation),
    /// Over a limit: refuse for this many more seconds.
    Locked(i64),
}

/// Counts one attempt at `key` in a window of `window` seconds; returns the attempts in the
/// window (this one included) and the seconds the window has left.
async fn count(
    db: &Db,
    key: &str,
    window: i64,
    now: DateTime<Utc>,
) -> Result<(i64, i64), BookingError> {
    let now = now.timestamp();
    let (attempts, first): (i64, i64) = sqlx::query_as(
        "INSERT INTO login_failures (account, failures, first_failure) VALUES ($1, 1, $2) \
         ON CONFLICT (account) DO UPDATE SET \
         failures = CASE WHEN login_failures.first_failure <= $3 THEN 1 \
                         ELSE login_failures.failures + 1 END, \
         first_failure = CASE WHEN login_failures.first_failure <= $3 THEN $2 \
                              ELSE login_failures.first_failure END \
         RETURNING failures, first_failure",
    )
    .bind(key)
    .bind(now)
    .bind(now - window)
    .fetch_one(db.pool())
    .await?;
    Ok((attempts, (first + window - now).max(1)))
}

/// Reserves one login attempt from `client` for account name `account` (`None`: not a
/// well-formed account id, only the address counts).
pub async fn reserve(
    db: &Db,
    client: ClientAddr,
    account: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reserved, BookingError> {
    // Windows over for everyone go, so the table stays small.
    sqlx::query("DELETE FROM login_failures WHERE first_failure <= $1")
        .bind(now.timestamp() - FAILURE_WINDOW_SECS)
        .execute(db.pool())
        .await?;
    let address = format!("|{}", client.0);
    let (n, left) = count(db, &address, FAILURE_WINDOW_SECS, now).await?;
    if n > ADDRESS_MAX_FAILURES {
        return Ok(Reserved::Locked(left));
    }
    let mut reservation = Reservation {
        address,
        account: Vec::new(),
    };
    let Some(name) = account else {
        return Ok(Reserved::Go(reservation));
    };
    let pair = format!("{name}{}", reservation.address);
    let (n, left) = count(db, &pair, FAILURE_WINDOW_SECS, now).await?;
    if n > MAX_FAILURES {
        return Ok(Reserved::Locked(left));
    }
    let (n, _) = count(db, name, FAILURE_WINDOW_SECS, now).await?;
    reservation.account = vec![pair, name.to_owned()];
    if n > ACCOUNT_MAX_FAILURES {
        let slow = format!("{name}|slow");
        let (n, left) = count(db, &slow, ACCOUNT_SLOW_SECS, now).await?;
        if n > 1 {
            return Ok(Reserved::Locked(left));
        }
        reservation.account.push(slow);
    }
    Ok(Reserved::Go(reservation))
}

/// Takes one attempt off the count at `key`.
async fn give_back(db: &Db, key: &str) -> Result<(), BookingError> {
    sqlx::query(
        "UPDATE login_failures SET failures = failures - 1 WHERE account = $1 AND failures > 0",
    )
    .bind(key)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The attempt was not made (the hashing workers were busy): every count goes back down.
pub async fn release(db: &Db, reservation: Reservation) -> Result<(), BookingError> {
    give_back(db, &reservation.address).await?;
    for key in &reservation.account {
        give_back(db, key).await?;
    }
    Ok(())
}

/// The password was right: the account's counts start again, the address's goes down by one.
pub async fn succeeded(db: &Db, reservation: Reservation) -> Result<(), BookingError> {
    give_back(db, &reservation.address).await?;
    for key in &reservation.account {
        sqlx::query("DELETE FROM login_failures WHERE account = $1")
            .bind(key)
            .execute(db.pool())
            .await?;
    }
    Ok(())
}
