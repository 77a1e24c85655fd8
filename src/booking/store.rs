//! Reference data: comuni, services, Sedi and Poli, sportelli, conventions and calendars.

use std::collections::HashSet;

use chrono::NaiveDate;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::error::BookingError;
use super::model::{Comune, Proposal, Service, SportelloInfo};
use super::slots::{Calendar, Opening, parse_time};
use crate::store::Db;

/// A sportello with its Sede.
#[derive(Debug, Clone)]
pub struct Sportello {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slot length.
    pub slot_minutes: i64,
    /// Sede or Polo id.
    pub sede_id: String,
    /// Its name.
    pub sede_name: String,
    /// The Sede city's patron day.
    pub patron_day: Option<String>,
}

/// A `LIKE … ESCAPE '\\'` pattern for names starting with `prefix`, lower-cased.
pub fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A comune from its row.
pub fn comune_from(row: &AnyRow) -> Result<Comune, sqlx::Error> {
    Ok(Comune {
        istat: row.try_get("istat")?,
        name: row.try_get("name")?,
        province: row.try_get("province")?,
        region: row.try_get("region")?,
        population: row.try_get("population")?,
        belfiore: row.try_get("belfiore")?,
    })
}

impl Db {
    /// A comune by ISTAT code.
    pub async fn comune(&self, istat: &str) -> Result<Option<Comune>, BookingError> {
        let row = sqlx::query(
            "SELECT istat, name, province, region, population, belfiore FROM comuni \
             WHERE istat = $1",
        )
        .bind(istat)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(comune_from).transpose()?)
    }

    /// Comuni whose name starts with `prefix` (case-insensitive), by name, at most `limit`.
    pub async fn search_comuni(
        &self,
        prefix: &str,
        limit: i64,
    ) -> Result<Vec<Comune>, BookingError> {
        let rows = sqlx::query(
            "SELECT istat, name, province, region, population, belfiore FROM comuni \
             WHERE LOWER(name) LIKE $1 ESCAPE '\\' ORDER BY name, istat LIMIT $2",
        )
        .bind(like_prefix(prefix))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(comune_from).collect::<Result<_, _>>()?)
    }

    /// The name of a Sede or Polo.
    pub async fn sede_name(&self, sede_id: &str) -> Result<Option<String>, BookingError> {
        let row = sqlx::query("SELECT name FROM sedi WHERE id = $1")
            .bind(sede_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("name")).transpose()?)
    }

    /// The patron day of a Sede or Polo's city: `None` if there is no such Sede,
    /// `Some(None)` if it has no patron day on record.
    pub async fn sede_patron_day(
        &self,
        sede_id: &str,
    ) -> Result<Option<Option<String>>, BookingError> {
        let row = sqlx::query("SELECT patron_day FROM sedi WHERE id = $1")
            .bind(sede_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("patron_day")).transpose()?)
    }

    /// Whether a Belfiore code belongs to a known comune.
    pub async fn belfiore_known(&self, code: &str) -> Result<bool, BookingError> {
        let row = sqlx::query("SELECT istat FROM comuni WHERE belfiore = $1")
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// The services catalogue.
    pub async fn services(&self) -> Result<Vec<Service>, BookingError> {
        let rows = sqlx::query("SELECT code, name FROM services ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Service {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// A service by code.
    pub async fn service(&self, code: &str) -> Result<Option<Service>, BookingError> {
        let row = sqlx::query("SELECT code, name FROM services WHERE code = $1")
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(r) => Some(Service {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
            }),
            None => None,
        })
    }

    /// A sportello with its Sede.
    pub async fn sportello(&self, id: &str) -> Result<Option<Sportello>, BookingError> {
        let row = sqlx::query(
            "SELECT p.id, p.name, p.slot_minutes, s.id AS sede_id, s.name AS sede_name, \
             s.patron_day FROM sportelli p JOIN sedi s ON s.id = p.sede_id WHERE p.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Sportello {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            slot_minutes: r.try_get("slot_minutes")?,
            sede_id: r.try_get("sede_id")?,
            sede_name: r.try_get("sede_name")?,
            patron_day: r.try_get("patron_day")?,
        }))
    }

    /// Whether the sportello handles the service.
    pub async fn handles(&self, sportello_id: &str, service: &str) -> Result<bool, BookingError> {
        let row = sqlx::query(
            "SELECT sportello_id FROM sportello_services \
             WHERE sportello_id = $1 AND service_code = $2",
        )
        .bind(sportello_id)
        .bind(service)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Whether the comune has a PUE convention with the Sede or Polo valid on `day`.
    pub async fn has_convention(
        &self,
        comune: &str,
        sede_id: &str,
        day: NaiveDate,
    ) -> Result<bool, BookingError> {
        let row = sqlx::query(
            "SELECT sede_id FROM pue_conventions WHERE comune_istat = $1 AND sede_id = $2 \
             AND (valid_from IS NULL OR valid_from <= $3) \
             AND (valid_until IS NULL OR valid_until >= $3)",
        )
        .bind(comune)
        .bind(sede_id)
        .bind(day.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Whether a Sede or Polo exists.
    pub async fn sede_exists(&self, sede_id: &str) -> Result<bool, BookingError> {
        let row = sqlx::query("SELECT id FROM sedi WHERE id = $1")
            .bind(sede_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// The calendar of a sportello, with the closures that touch `from..=to`.
    pub async fn calendar(
        &self,
        sportello: &Sportello,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Calendar, BookingError> {
        let rows = sqlx::query(
            "SELECT weekday, opens, closes FROM opening_hours WHERE sportello_id = $1 \
             ORDER BY weekday, opens",
        )
        .bind(&sportello.id)
        .fetch_all(self.pool())
        .await?;
        let mut openings = Vec::with_capacity(rows.len());
        for r in &rows {
            let weekday: i64 = r.try_get("weekday")?;
            let opens: String = r.try_get("opens")?;
            let closes: String = r.try_get("closes")?;
            if let (Ok(weekday), Some(opens), Some(closes)) = (
                u32::try_from(weekday),
                parse_time(&opens),
                parse_time(&closes),
            ) {
                openings.push(Opening {
                    weekday,
                    opens,
                    closes,
                });
            }
        }
        let rows = sqlx::query(
            "SELECT first_day, last_day FROM closures \
             WHERE sede_id = $1 AND first_day <= $2 AND last_day >= $3",
        )
        .bind(&sportello.sede_id)
        .bind(to.to_string())
        .bind(from.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut closures = Vec::with_capacity(rows.len());
        for r in &rows {
            let a: String = r.try_get("first_day")?;
            let b: String = r.try_get("last_day")?;
            if let (Ok(a), Ok(b)) = (a.parse(), b.parse()) {
                closures.push((a, b));
            }
        }
        Ok(Calendar {
            slot_minutes: sportello.slot_minutes,
            openings,
            patron_day: sportello.patron_day.clone(),
            closures,
        })
    }

    /// Slot starts (Unix seconds) of a sportello in `[from, to)` held or booked at `now`.
    pub async fn taken(
        &self,
        sportello_id: &str,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<HashSet<i64>, BookingError> {
        let rows = sqlx::query(
            "SELECT starts_at FROM reservations WHERE sportello_id = $1 \
             AND starts_at >= $2 AND starts_at < $3 \
             AND (status = 'booked' OR (status = 'held' AND hold_expires_at > $4))",
        )
        .bind(sportello_id)
        .bind(from)
        .bind(to)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| r.try_get::<i64, _>("starts_at").map_err(Into::into))
            .collect()
    }

    /// The Sedi and Poli the comune may book for the service on `day` (their conventions valid
    /// that day), with their sportelli.
    pub async fn proposals(
        &self,
        comune: &str,
        service: &str,
        day: NaiveDate,
    ) -> Result<Vec<Proposal>, BookingError> {
        let rows = sqlx::query(
            "SELECT s.id, s.name, s.kind, 'territorial' AS reason FROM sedi s \
             JOIN sede_comuni sc ON sc.sede_id = s.id \
             JOIN pue_conventions pc ON pc.sede_id = s.id AND pc.comune_istat = sc.comune_istat \
             WHERE sc.comune_istat = $1 \
             AND (pc.valid_from IS NULL OR pc.valid_from <= $3) \
             AND (pc.valid_until IS NULL OR pc.valid_until >= $3) \
             UNION ALL \
             SELECT s.id, s.name, s.kind, 'national' AS reason FROM sedi s \
             JOIN polo_services ps ON ps.sede_id = s.id \
             JOIN pue_conventions pc ON pc.sede_id = s.id AND pc.comune_istat = $1 \
             WHERE s.kind = 'polo' AND ps.service_code = $2 \
             AND (pc.valid_from IS NULL OR pc.valid_from <= $3) \
             AND (pc.valid_until IS NULL OR pc.valid_until >= $3)",
        )
        .bind(comune)
        .bind(service)
        .bind(day.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<Proposal> = Vec::with_capacity(rows.len());
        for r in &rows {
            let sede_id: String = r.try_get("id")?;
            if out.iter().any(|p| p.sede_id == sede_id) {
                continue;
            }
            let sportelli = sqlx::query(
                "SELECT p.id, p.name, p.slot_minutes FROM sportelli p \
                 JOIN sportello_services ss ON ss.sportello_id = p.id \
                 WHERE p.sede_id = $1 AND ss.service_code = $2 ORDER BY p.id",
            )
            .bind(&sede_id)
            .bind(service)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|p| {
                Ok(SportelloInfo {
                    id: p.try_get("id")?,
                    name: p.try_get("name")?,
                    slot_minutes: p.try_get("slot_minutes")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            if sportelli.is_empty() {
                continue;
            }
            out.push(Proposal {
                sede_id,
                sede_name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                reason: r.try_get("reason")?,
                sportelli,
            });
        }
        Ok(out)
    }

    /// Records an extraordinary closure of a Sede.
    pub async fn add_closure(
        &self,
        sede_id: &str,
        first_day: NaiveDate,
        last_day: NaiveDate,
        reason: &str,
    ) -> Result<String, BookingError> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO closures (id, sede_id, first_day, last_day, reason) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(sede_id)
        .bind(first_day.to_string())
        .bind(last_day.to_string())
        .bind(reason)
        .execute(self.pool())
        .await?;
        Ok(id)
    }
}

/// A new random identifier (128 bits, hex).
pub fn new_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Whether `id` has the form of [`new_id`]'s: 32 lowercase hexadecimal digits.
pub fn is_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
