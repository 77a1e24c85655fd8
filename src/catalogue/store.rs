//! Writes to the catalogue, on a connection (inside the caller's transaction): the HTTP
//! handlers commit one change, the CSV import many or none. Each save reads the row first, so
//! it can tell created, updated and unchanged apart and check the references with clear codes.

use axum::http::StatusCode;
use chrono::NaiveDate;
use sqlx::AnyConnection;
use sqlx::Row as _;

use super::validate::Bad;
use crate::api::{ApiCode, AppError};
use crate::booking::BookingError;
use crate::booking::model::Comune;

/// Why a write was not done: a broken rule (answered as it is) or the database.
#[derive(Debug)]
pub enum Refusal {
    /// A rule: status, code and message for the client.
    Rule(AppError),
    /// The database failed.
    Db(sqlx::Error),
}

impl From<sqlx::Error> for Refusal {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

impl From<Bad> for Refusal {
    fn from(b: Bad) -> Self {
        Self::Rule(b.into())
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Rule(e) => e,
            Refusal::Db(e) => BookingError::Database(e).into(),
        }
    }
}

fn not_found(code: ApiCode, message: impl Into<String>) -> Refusal {
    Refusal::Rule(AppError::new(StatusCode::NOT_FOUND, code, message))
}

fn conflict(code: ApiCode, message: impl Into<String>) -> Refusal {
    Refusal::Rule(AppError::new(StatusCode::CONFLICT, code, message))
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new row.
    Created,
    /// An existing row changed.
    Updated,
    /// The row was already so.
    Unchanged,
}

/// The result of a write.
pub type Written<T> = Result<T, Refusal>;

async fn exists(conn: &mut AnyConnection, sql: &'static str, key: &str) -> Written<bool> {
    Ok(sqlx::query(sql)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// 404 `unknown_comune` unless the comune exists.
pub async fn comune_exists(conn: &mut AnyConnection, istat: &str) -> Written<()> {
    if exists(conn, "SELECT istat FROM comuni WHERE istat = $1", istat).await? {
        Ok(())
    } else {
        Err(not_found(
            ApiCode::UnknownComune,
            format!("no comune with ISTAT code {istat}"),
        ))
    }
}

/// The kind of a Sede or Polo, or 404 `unknown_sede`.
pub async fn sede_kind(conn: &mut AnyConnection, id: &str) -> Written<String> {
    let row = sqlx::query("SELECT kind FROM sedi WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(r.try_get("kind")?),
        None => Err(not_found(ApiCode::UnknownSede, format!("no Sede '{id}'"))),
    }
}

async fn services_exist(conn: &mut AnyConnection, codes: &[String]) -> Written<()> {
    for code in codes {
        if !exists(conn, "SELECT code FROM services WHERE code = $1", code).await? {
            return Err(not_found(
                ApiCode::UnknownService,
                format!("no service '{code}'"),
            ));
        }
    }
    Ok(())
}

/// Creates or renames a service.
pub async fn save_service(conn: &mut AnyConnection, code: &str, name: &str) -> Written<Change> {
    let old = sqlx::query("SELECT name FROM services WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    let change = match old {
        None => {
            sqlx::query("INSERT INTO services (code, name) VALUES ($1, $2)")
                .bind(code)
                .bind(name)
                .execute(&mut *conn)
                .await?;
            Change::Created
        }
        Some(r) if r.try_get::<String, _>("name")? == name => Change::Unchanged,
        Some(_) => {
            sqlx::query("UPDATE services SET name = $2 WHERE code = $1")
                .bind(code)
                .bind(name)
                .execute(&mut *conn)
                .await?;
            Change::Updated
        }
    };
    Ok(change)
}

/// Creates or edits a comune; its Belfiore code must be no other comune's (409
/// `belfiore_taken`).
pub async fn save_comune(conn: &mut AnyConnection, c: &Comune) -> Written<Change> {
    let holder = sqlx::query("SELECT istat FROM comuni WHERE belfiore = $1")
        .bind(&c.belfiore)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = holder {
        let other: String = r.try_get("istat")?;
        if other != c.istat {
            return Err(conflict(
                ApiCode::BelfioreTaken,
                format!(
                    "the Belfiore code {} belongs to the comune {other}",
                    c.belfiore
                ),
            ));
        }
    }
    let old = sqlx::query(
        "SELECT istat, name, province, region, population, belfiore FROM comuni WHERE istat = $1",
    )
    .bind(&c.istat)
    .fetch_optional(&mut *conn)
    .await?;
    let change = match old {
        None => {
            sqlx::query(
                "INSERT INTO comuni (istat, name, province, region, population, belfiore) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&c.istat)
            .bind(&c.name)
            .bind(&c.province)
            .bind(&c.region)
            .bind(c.population)
            .bind(&c.belfiore)
            .execute(&mut *conn)
            .await?;
            Change::Created
        }
        Some(r) => {
            let same = Comune {
                istat: r.try_get("istat")?,
                name: r.try_get("name")?,
                province: r.try_get("province")?,
                region: r.try_get("region")?,
                population: r.try_get("population")?,
                belfiore: r.try_get("belfiore")?,
            } == *c;
            if same {
                Change::Unchanged
            } else {
                sqlx::query(
                    "UPDATE comuni SET name = $2, province = $3, region = $4, population = $5, \
                     belfiore = $6 WHERE istat = $1",
                )
                .bind(&c.istat)
                .bind(&c.name)
                .bind(&c.province)
                .bind(&c.region)
                .bind(c.population)
                .bind(&c.belfiore)
                .execute(&mut *conn)
                .await?;
                Change::Updated
            }
        }
    };
    Ok(change)
}

/// A Sede's or Polo's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SedeRow {
    /// Id.
    pub id: String,
    /// "sede" or "polo".
    pub kind: String,
    /// Name.
    pub name: String,
    /// Its city.
    pub comune_istat: String,
    /// "MM-DD" or none.
    pub patron_day: Option<String>,
}

/// Creates or edits a Sede or Polo. Its kind changes only while it has no competence of the
/// other kind (409 `wrong_sede_kind`).
pub async fn save_sede(conn: &mut AnyConnection, s: &SedeRow) -> Written<Change> {
    comune_exists(conn, &s.comune_istat).await?;
    let old =
        sqlx::query("SELECT id, kind, name, comune_istat, patron_day FROM sedi WHERE id = $1")
            .bind(&s.id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(r) = old else {
        sqlx::query(
            "INSERT INTO sedi (id, kind, name, comune_istat, patron_day) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id)
        .bind(&s.kind)
        .bind(&s.name)
        .bind(&s.comune_istat)
        .bind(s.patron_day.clone())
        .execute(&mut *conn)
        .await?;
        return Ok(Change::Created);
    };
    let old = SedeRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        comune_istat: r.try_get("comune_istat")?,
        patron_day: r.try_get("patron_day")?,
    };
    if old == *s {
        return Ok(Change::Unchanged);
    }
    if old.kind != s.kind {
        let in_use = if old.kind == "sede" {
            exists(
                conn,
                "SELECT sede_id FROM sede_comuni WHERE sede_id = $1",
                &s.id,
            )
            .await?
        } else {
            exists(
                conn,
                "SELECT sede_id FROM polo_services WHERE sede_id = $1",
                &s.id,
            )
            .await?
        };
        if in_use {
            return Err(conflict(
                ApiCode::WrongSedeKind,
                "the kind cannot change while the Sede has comuni (or the Polo services) of its \
                 competence",
            ));
        }
    }
    sqlx::query(
        "UPDATE sedi SET kind = $2, name = $3, comune_istat = $4, patron_day = $5 WHERE id = $1",
    )
    .bind(&s.id)
    .bind(&s.kind)
    .bind(&s.name)
    .bind(&s.comune_istat)
    .bind(s.patron_day.clone())
    .execute(&mut *conn)
    .await?;
    Ok(Change::Updated)
}

/// Sets the comuni a Sede (not a Polo) is territorially competent for. A comune has one
/// competent Sede: one of another Sede is 409 `comune_has_sede`.
pub async fn set_sede_comuni(conn: &mut AnyConnection, id: &str, comuni: &[String]) -> Written<()> {
    if sede_kind(conn, id).await? != "sede" {
        return Err(Bad(
            ApiCode::WrongSedeKind,
            "a Polo nazionale has no territorial competence: give it services".into(),
        )
        .into());
    }
    for istat in comuni {
        comune_exists(conn, istat).await?;
        let row = sqlx::query("SELECT sede_id FROM sede_comuni WHERE comune_istat = $1")
            .bind(istat)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(r) = row {
            let other: String = r.try_get("sede_id")?;
            if other != id {
                return Err(conflict(
                    ApiCode::ComuneHasSede,
                    format!("the comune {istat} is already in the competence of '{other}'"),
                ));
            }
        }
    }
    sqlx::query("DELETE FROM sede_comuni WHERE sede_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for istat in comuni {
        sqlx::query("INSERT INTO sede_comuni (sede_id, comune_istat) VALUES ($1, $2)")
            .bind(id)
            .bind(istat)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Sets the services a Polo nazionale is competent for.
pub async fn set_polo_services(
    conn: &mut AnyConnection,
    id: &str,
    services: &[String],
) -> Written<()> {
    if sede_kind(conn, id).await? != "polo" {
        return Err(Bad(
            ApiCode::WrongSedeKind,
            "a Sede is competent for comuni, not for services nationwide".into(),
        )
        .into());
    }
    services_exist(conn, services).await?;
    sqlx::query("DELETE FROM polo_services WHERE sede_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for code in services {
        sqlx::query("INSERT INTO polo_services (sede_id, service_code) VALUES ($1, $2)")
            .bind(id)
            .bind(code)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A sportello's fields, checked.
#[derive(Debug, Clone)]
pub struct SportelloRow {
    /// Id.
    pub id: String,
    /// Its Sede or Polo.
    pub sede_id: String,
    /// Name.
    pub name: String,
    /// Slot length.
    pub slot_minutes: i64,
    /// Services handled (sorted, distinct).
    pub services: Vec<String>,
}

/// Creates or edits a sportello with its services. Its Sede is fixed once created (409
/// `sportello_sede_fixed`): bookings and officials hang on it.
pub async fn save_sportello(conn: &mut AnyConnection, s: &SportelloRow) -> Written<Change> {
    sede_kind(conn, &s.sede_id).await?;
    services_exist(conn, &s.services).await?;
    let old = sqlx::query("SELECT sede_id, name, slot_minutes FROM sportelli WHERE id = $1")
        .bind(&s.id)
        .fetch_optional(&mut *conn)
        .await?;
    let change = match old {
        None => {
            sqlx::query(
                "INSERT INTO sportelli (id, sede_id, name, slot_minutes) VALUES ($1, $2, $3, $4)",
            )
            .bind(&s.id)
            .bind(&s.sede_id)
            .bind(&s.name)
            .bind(s.slot_minutes)
            .execute(&mut *conn)
            .await?;
            Change::Created
        }
        Some(r) => {
            let sede: String = r.try_get("sede_id")?;
            if sede != s.sede_id {
                return Err(conflict(
                    ApiCode::SportelloSedeFixed,
                    format!("the sportello belongs to '{sede}' and cannot move"),
                ));
            }
            let name: String = r.try_get("name")?;
            let slot: i64 = r.try_get("slot_minutes")?;
            let services: Vec<String> = sqlx::query(
                "SELECT service_code FROM sportello_services WHERE sportello_id = $1 \
                 ORDER BY service_code",
            )
            .bind(&s.id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("service_code"))
            .collect::<Result<_, _>>()?;
            if name == s.name && slot == s.slot_minutes && services == s.services {
                return Ok(Change::Unchanged);
            }
            sqlx::query("UPDATE sportelli SET name = $2, slot_minutes = $3 WHERE id = $1")
                .bind(&s.id)
                .bind(&s.name)
                .bind(s.slot_minutes)
                .execute(&mut *conn)
                .await?;
            Change::Updated
        }
    };
    sqlx::query("DELETE FROM sportello_services WHERE sportello_id = $1")
        .bind(&s.id)
        .execute(&mut *conn)
        .await?;
    for code in &s.services {
        sqlx::query("INSERT INTO sportello_services (sportello_id, service_code) VALUES ($1, $2)")
            .bind(&s.id)
            .bind(code)
            .execute(&mut *conn)
            .await?;
    }
    Ok(change)
}

/// Sets the weekly opening hours of a sportello (checked intervals).
pub async fn set_hours(
    conn: &mut AnyConnection,
    sportello_id: &str,
    hours: &[super::validate::Interval],
) -> Written<()> {
    if !exists(conn, "SELECT id FROM sportelli WHERE id = $1", sportello_id).await? {
        return Err(not_found(
            ApiCode::UnknownSportello,
            format!("no sportello '{sportello_id}'"),
        ));
    }
    sqlx::query("DELETE FROM opening_hours WHERE sportello_id = $1")
        .bind(sportello_id)
        .execute(&mut *conn)
        .await?;
    for (weekday, opens, closes) in hours {
        sqlx::query(
            "INSERT INTO opening_hours (sportello_id, weekday, opens, closes) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(sportello_id)
        .bind(*weekday)
        .bind(opens)
        .bind(closes)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Creates or changes the convention of a comune with a Sede or Polo.
pub async fn save_convention(
    conn: &mut AnyConnection,
    istat: &str,
    sede_id: &str,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Written<Change> {
    comune_exists(conn, istat).await?;
    sede_kind(conn, sede_id).await?;
    let (from, until) = (from.map(|d| d.to_string()), until.map(|d| d.to_string()));
    let old = sqlx::query(
        "SELECT valid_from, valid_until FROM pue_conventions \
         WHERE comune_istat = $1 AND sede_id = $2",
    )
    .bind(istat)
    .bind(sede_id)
    .fetch_optional(&mut *conn)
    .await?;
    let change = match old {
        None => {
            sqlx::query(
                "INSERT INTO pue_conventions (comune_istat, sede_id, valid_from, valid_until) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(istat)
            .bind(sede_id)
            .bind(from)
            .bind(until)
            .execute(&mut *conn)
            .await?;
            Change::Created
        }
        Some(r)
            if r.try_get::<Option<String>, _>("valid_from")? == from
                && r.try_get::<Option<String>, _>("valid_until")? == until =>
        {
            Change::Unchanged
        }
        Some(_) => {
            sqlx::query(
                "UPDATE pue_conventions SET valid_from = $3, valid_until = $4 \
                 WHERE comune_istat = $1 AND sede_id = $2",
            )
            .bind(istat)
            .bind(sede_id)
            .bind(from)
            .bind(until)
            .execute(&mut *conn)
            .await?;
            Change::Updated
        }
    };
    Ok(change)
}

/// Ends a convention (deletes it): 404 `unknown_convention` when there is none.
pub async fn delete_convention(
    conn: &mut AnyConnection,
    istat: &str,
    sede_id: &str,
) -> Written<()> {
    let done = sqlx::query("DELETE FROM pue_conventions WHERE comune_istat = $1 AND sede_id = $2")
        .bind(istat)
        .bind(sede_id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(not_found(
            ApiCode::UnknownConvention,
            "the comune has no convention with this Sede",
        ));
    }
    Ok(())
}
