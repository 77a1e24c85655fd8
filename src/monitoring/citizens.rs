//! Distinct citizens served, counted without keeping who: when a meeting is held, a keyed hash
//! of the citizen's codice fiscale (HMAC-SHA-256 under a random key of that calendar year) is
//! stored with the month, place and service. The same citizen served twice in a year gives the
//! same hash, so distinct counts are exact within a year; the retention purge deletes the key
//! once the year is over, after which no row can be linked to a person.

use chrono::{DateTime, Datelike as _, Utc};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use sqlx::Row as _;

use super::facts::month_of;
use crate::booking::{BookingError, rome};
use crate::store::Db;

/// The key of `year`, created on first use.
async fn key_of(db: &Db, year: &str) -> Result<Vec<u8>, BookingError> {
    let fresh: [u8; 32] = rand::random();
    let fresh: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query(
        "INSERT INTO monitoring_keys (year, secret) VALUES ($1, $2) ON CONFLICT (year) DO NOTHING",
    )
    .bind(year)
    .bind(&fresh)
    .execute(db.pool())
    .await?;
    let (secret,): (String,) = sqlx::query_as("SELECT secret FROM monitoring_keys WHERE year = $1")
        .bind(year)
        .fetch_one(db.pool())
        .await?;
    Ok(secret.into_bytes())
}

/// The keyed hash of `codice_fiscale` under `key` (hex).
pub fn citizen_key(key: &[u8], codice_fiscale: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("any key length"));
    mac.update(codice_fiscale.trim().to_uppercase().as_bytes());
    format!("{:x}", mac.finalize().into_bytes())
}

/// Records that the citizen of appointment `id` was served (its meeting was held). Nothing is
/// recorded for an appointment without a request (none in practice).
pub async fn record_served(db: &Db, id: &str) -> Result<(), BookingError> {
    let row = sqlx::query(
        "SELECT r.starts_at, r.comune_istat, s.sede_id, r.service_code, c.codice_fiscale \
         FROM reservations r JOIN sportelli s ON s.id = r.sportello_id \
         JOIN citizen_requests c ON c.reservation_id = r.id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let starts: i64 = row.try_get("starts_at")?;
    let day = rome::local_date(DateTime::<Utc>::from_timestamp(starts, 0).unwrap_or_default());
    let year = day.year().to_string();
    let key = key_of(db, &year).await?;
    let cf: String = row.try_get("codice_fiscale")?;
    sqlx::query(
        "INSERT INTO served_citizens (year, month, comune_istat, sede_id, service_code, \
         citizen_key) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&year)
    .bind(month_of(day))
    .bind(row.try_get::<String, _>("comune_istat")?)
    .bind(row.try_get::<String, _>("sede_id")?)
    .bind(row.try_get::<String, _>("service_code")?)
    .bind(citizen_key(&key, &cf))
    .execute(db.pool())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_citizen_same_key_other_key_other_hash() {
        let a = citizen_key(b"k1", "RSSMRA80A01H501U");
        assert_eq!(a, citizen_key(b"k1", " rssmra80a01h501u "));
        assert_ne!(a, citizen_key(b"k2", "RSSMRA80A01H501U"));
        assert_eq!(a.len(), 64);
    }
}
