//! Reads of the catalogue for the administration pages: the comuni a page at a time, the
//! conventions with their names and dates.

use sqlx::Row as _;

use super::model::{ComuniPage, Convention};
use crate::booking::store::{comune_from, like_prefix};
use crate::store::Db;

/// Comuni on one page of the list.
pub const PAGE_SIZE: i64 = 20;

/// Page `page` (from 1) of the comuni whose name starts with `prefix` (all without), by name.
pub async fn comuni_page(
    db: &Db,
    prefix: Option<&str>,
    page: i64,
) -> Result<ComuniPage, sqlx::Error> {
    let pattern = like_prefix(prefix.unwrap_or(""));
    let rows = sqlx::query(
        "SELECT istat, name, province, region, population, belfiore FROM comuni \
         WHERE LOWER(name) LIKE $1 ESCAPE '\\' ORDER BY name, istat LIMIT $2 OFFSET $3",
    )
    .bind(pattern)
    .bind(PAGE_SIZE + 1)
    .bind((page - 1) * PAGE_SIZE)
    .fetch_all(db.pool())
    .await?;
    let mut comuni = rows
        .iter()
        .map(comune_from)
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = comuni.len() as i64 > PAGE_SIZE;
    comuni.truncate(PAGE_SIZE as usize);
    Ok(ComuniPage {
        comuni,
        page,
        has_more,
    })
}

/// Every convention, by Sede then comune name.
pub async fn conventions(db: &Db) -> Result<Vec<Convention>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT pc.comune_istat, c.name AS comune_name, c.province, pc.sede_id, \
         s.name AS sede_name, pc.valid_from, pc.valid_until FROM pue_conventions pc \
         JOIN comuni c ON c.istat = pc.comune_istat JOIN sedi s ON s.id = pc.sede_id \
         ORDER BY s.name, c.name",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Convention {
                comune_istat: r.try_get("comune_istat")?,
                comune_name: r.try_get("comune_name")?,
                province: r.try_get("province")?,
                sede_id: r.try_get("sede_id")?,
                sede_name: r.try_get("sede_name")?,
                valid_from: r.try_get("valid_from")?,
                valid_until: r.try_get("valid_until")?,
            })
        })
        .collect()
}
