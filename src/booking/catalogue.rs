//! The read-only catalogue of Sedi and Poli: competence, conventions, sportelli, calendars and
//! closures (for the INPS administrators' pages and the officials).

use std::collections::BTreeMap;

use sqlx::Row as _;

use super::error::BookingError;
use super::model::{Closure, ComuneRef, OpeningHours, SedeDetail, SportelloDetail};
use crate::store::Db;

/// Rows of a two-column query as (key, value) pairs.
async fn pairs(db: &Db, sql: &'static str) -> Result<Vec<(String, String)>, BookingError> {
    let rows = sqlx::query(sql).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

fn group(pairs: Vec<(String, String)>) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}

impl Db {
    /// Every Sede and Polo with its details.
    pub async fn catalogue(&self) -> Result<Vec<SedeDetail>, BookingError> {
        let mut comuni = group(
            pairs(
                self,
                "SELECT sede_id, comune_istat FROM sede_comuni ORDER BY comune_istat",
            )
            .await?,
        );
        let mut services = group(
            pairs(
                self,
                "SELECT sede_id, service_code FROM polo_services ORDER BY service_code",
            )
            .await?,
        );
        let mut conventions = group(
            pairs(
                self,
                "SELECT sede_id, comune_istat FROM pue_conventions ORDER BY comune_istat",
            )
            .await?,
        );
        let mut sportello_services = group(
            pairs(
                self,
                "SELECT sportello_id, service_code FROM sportello_services ORDER BY service_code",
            )
            .await?,
        );
        let mut hours: BTreeMap<String, Vec<OpeningHours>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT sportello_id, weekday, opens, closes FROM opening_hours \
             ORDER BY weekday, opens",
        )
        .fetch_all(self.pool())
        .await?
        {
            hours
                .entry(r.try_get("sportello_id")?)
                .or_default()
                .push(OpeningHours {
                    weekday: r.try_get("weekday")?,
                    opens: r.try_get("opens")?,
                    closes: r.try_get("closes")?,
                });
        }
        let mut sportelli: BTreeMap<String, Vec<SportelloDetail>> = BTreeMap::new();
        for r in sqlx::query("SELECT id, sede_id, name, slot_minutes FROM sportelli ORDER BY id")
            .fetch_all(self.pool())
            .await?
        {
            let id: String = r.try_get("id")?;
            sportelli
                .entry(r.try_get("sede_id")?)
                .or_default()
                .push(SportelloDetail {
                    services: sportello_services.remove(&id).unwrap_or_default(),
                    opening_hours: hours.remove(&id).unwrap_or_default(),
                    name: r.try_get("name")?,
                    slot_minutes: r.try_get("slot_minutes")?,
                    id,
                });
        }
        let mut closures: BTreeMap<String, Vec<Closure>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT id, sede_id, first_day, last_day, reason FROM closures ORDER BY first_day",
        )
        .fetch_all(self.pool())
        .await?
        {
            closures
                .entry(r.try_get("sede_id")?)
                .or_default()
                .push(Closure {
                    id: r.try_get("id")?,
                    first_day: r.try_get("first_day")?,
                    last_day: r.try_get("last_day")?,
                    reason: r.try_get("reason")?,
                });
        }
        let mut names: BTreeMap<String, ComuneRef> = BTreeMap::new();
        for r in sqlx::query("SELECT istat, name, province FROM comuni")
            .fetch_all(self.pool())
            .await?
        {
            let istat: String = r.try_get("istat")?;
            names.insert(
                istat.clone(),
                ComuneRef {
                    istat,
                    name: r.try_get("name")?,
                    province: r.try_get("province")?,
                },
            );
        }
        let named = |istat: &String| {
            names.get(istat).cloned().unwrap_or_else(|| ComuneRef {
                istat: istat.clone(),
                name: istat.clone(),
                province: String::new(),
            })
        };
        let mut out = Vec::new();
        for r in
            sqlx::query("SELECT id, kind, name, comune_istat, patron_day FROM sedi ORDER BY id")
                .fetch_all(self.pool())
                .await?
        {
            let id: String = r.try_get("id")?;
            let comune_istat: String = r.try_get("comune_istat")?;
            let competent = comuni.remove(&id).unwrap_or_default();
            out.push(SedeDetail {
                kind: r.try_get("kind")?,
                name: r.try_get("name")?,
                comune_name: named(&comune_istat).name,
                comune_istat,
                patron_day: r.try_get("patron_day")?,
                competent_comuni: competent.iter().map(named).collect(),
                competent_for_comuni: competent,
                competent_for_services: services.remove(&id).unwrap_or_default(),
                conventions: conventions.remove(&id).unwrap_or_default(),
                sportelli: sportelli.remove(&id).unwrap_or_default(),
                closures: closures.remove(&id).unwrap_or_default(),
                id,
            });
        }
        Ok(out)
    }
}
