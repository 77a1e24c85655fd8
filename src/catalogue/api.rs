//! The catalogue administration's HTTP handlers (INPS administrators only): services, comuni,
//! Sedi and Poli with their competence, sportelli with their weekly hours, conventions. Every
//! change is one transaction and one audit entry (ids only); a refusal by role is audited as
//! `denied`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sqlx::AnyConnection;

use super::model::{
    ComuneSave, ComuniPage, Convention, ConventionSave, PoloServices, Saved, SedeComuni, SedeSave,
    ServiceSave, SportelloSave, WeeklyHours,
};
use super::store::{self as write, Change, SedeRow, SportelloRow};
use super::{admin, read, validate};
use crate::api::{ApiCode, ApiResult, AppError, JsonBody, PathParams, QueryParams};
use crate::audit::{AuditAction, RequestId, Scope, audited};
use crate::booking::BookingError;
use crate::booking::model::Comune;
use crate::booking::model::Service;
use crate::identity::Principal;
use crate::store::Store;

/// The most items of one list in a body (comuni of a Sede, services).
const MAX_LIST: usize = 5_000;

fn db(e: sqlx::Error) -> AppError {
    BookingError::Database(e).into()
}

/// Runs `f` in one write transaction, committed when it succeeds.
macro_rules! in_tx {
    ($store:expr, |$conn:ident| $body:expr) => {{
        let mut tx = $store.db().begin_write().await.map_err(db)?;
        let out = {
            let $conn: &mut AnyConnection = &mut *tx;
            $body.await?
        };
        tx.commit().await.map_err(db)?;
        out
    }};
}

fn saved(id: String, change: Change) -> (StatusCode, Json<Saved>) {
    let created = change == Change::Created;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(Saved { id, created }))
}

/// Records the outcome of `action` on `scope` and answers it.
async fn audit<T>(
    store: &Store,
    who: &Principal,
    rid: &RequestId,
    action: AuditAction,
    scope: Scope,
    r: ApiResult<T>,
) -> ApiResult<T> {
    let ok = scope.clone();
    audited(store, who, rid, action, r, |_| ok, scope).await
}

/// `id` when it passes `check`: the audit log keeps well-formed ids only, never free text from
/// a refused path.
fn clean(id: &str, check: fn(&str) -> validate::Checked<String>) -> Option<String> {
    check(id).ok()
}

fn sede_scope(id: &str) -> Scope {
    let id = clean(id, validate::sede_id);
    Scope {
        target: id.clone(),
        comune_istat: None,
        sede_id: id,
    }
}

fn comune_scope(istat: &str) -> Scope {
    let istat = clean(istat, validate::istat);
    Scope {
        target: istat.clone(),
        comune_istat: istat,
        sede_id: None,
    }
}

/// `GET /v1/catalogue/services`.
pub async fn services(State(store): State<Store>, who: Principal) -> ApiResult<Json<Vec<Service>>> {
    admin(&who)?;
    Ok(Json(store.db().services().await?))
}

/// `PUT /v1/catalogue/services/{code}`: creates or renames a service.
pub async fn save_service(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams(code): PathParams<String>,
    body: Result<JsonBody<ServiceSave>, AppError>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    let r = async {
        admin(&who)?;
        let JsonBody(req) = body?;
        let code = validate::service_code(&code)?;
        let name = validate::name(&req.name)?;
        let change = in_tx!(store, |c| write::save_service(c, &code, &name));
        Ok(saved(code, change))
    }
    .await;
    let scope = Scope {
        target: clean(&code, validate::service_code),
        ..Scope::default()
    };
    audit(
        &store,
        &who,
        &rid,
        AuditAction::CatalogueServiceSave,
        scope,
        r,
    )
    .await
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComuniQuery {
    q: Option<String>,
    page: Option<i64>,
}

/// `GET /v1/catalogue/comuni?q=&page=`: the comuni by name, a page at a time.
pub async fn comuni(
    State(store): State<Store>,
    who: Principal,
    QueryParams(q): QueryParams<ComuniQuery>,
) -> ApiResult<Json<ComuniPage>> {
    admin(&who)?;
    let page = q.page.unwrap_or(1);
    if !(1..=10_000).contains(&page) {
        return Err(AppError::bad_request(
            ApiCode::BadPage,
            "'page' is a number from 1",
        ));
    }
    let prefix = q.q.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if prefix.is_some_and(|p| p.chars().count() > 60 || p.chars().any(char::is_control)) {
        return Err(AppError::bad_request(
            ApiCode::BadSearch,
            "'q' is at most 60 printable characters",
        ));
    }
    Ok(Json(
        read::comuni_page(store.db(), prefix, page)
            .await
            .map_err(db)?,
    ))
}

/// `PUT /v1/catalogue/comuni/{istat}`: creates or edits a comune.
pub async fn save_comune(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams(istat): PathParams<String>,
    body: Result<JsonBody<ComuneSave>, AppError>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    let r = async {
        admin(&who)?;
        let JsonBody(req) = body?;
        let row = Comune {
            istat: validate::istat(&istat)?,
            name: validate::name(&req.name)?,
            province: validate::province(&req.province)?,
            region: validate::region(&req.region)?,
            population: validate::population(req.population)?,
            belfiore: validate::belfiore(&req.belfiore)?,
        };
        let change = in_tx!(store, |c| write::save_comune(c, &row));
        Ok(saved(row.istat, change))
    }
    .await;
    let scope = comune_scope(&istat);
    audit(
        &store,
        &who,
        &rid,
        AuditAction::CatalogueComuneSave,
        scope,
        r,
    )
    .await
}

/// `PUT /v1/catalogue/sedi/{sede_id}`: creates or edits a Sede or Polo.
pub async fn save_sede(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    body: Result<JsonBody<SedeSave>, AppError>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    let r = async {
        admin(&who)?;
        let JsonBody(req) = body?;
        let row = SedeRow {
            id: validate::sede_id(&id)?,
            kind: validate::kind(&req.kind)?,
            name: validate::name(&req.name)?,
            comune_istat: validate::istat(&req.comune_istat)?,
            patron_day: validate::patron_day(req.patron_day.as_deref())?,
        };
        let change = in_tx!(store, |c| write::save_sede(c, &row));
        Ok(saved(row.id, change))
    }
    .await;
    let scope = sede_scope(&id);
    audit(&store, &who, &rid, AuditAction::CatalogueSedeSave, scope, r).await
}

/// `PUT /v1/catalogue/sedi/{sede_id}/comuni`: the comuni of a Sede's territorial competence.
pub async fn sede_comuni(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    body: Result<JsonBody<SedeComuni>, AppError>,
) -> ApiResult<StatusCode> {
    let r = async {
        admin(&who)?;
        let JsonBody(req) = body?;
        let id = validate::sede_id(&id)?;
        let comuni = validate::codes(&req.comuni, MAX_LIST, validate::istat)?;
        in_tx!(store, |c| write::set_sede_comuni(c, &id, &comuni));
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    let scope = sede_scope(&id);
    audit(
        &store,
        &who,
        &rid,
        AuditAction::CatalogueSedeComuni,
        scope,
        r,
    )
    .await
}

/// `PUT /v1/catalogue/sedi/{sede_id}/services`: the services of a Polo nazionale.
pub async fn polo_services(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    body: Result<JsonBody<PoloServices>, AppError>,
) -> ApiResult<StatusCode> {
    let r = async {
        admin(&who)?;
        let JsonBody(req) = body?;
        let id = validate::sede_id(&id)?;
        let services = validate::codes(&req.services, MAX_LIST, validate::service_code)?;
        in_tx!(store, |c| write::set_polo_services(c, &id, &services));
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    let scope = sede_scope(&id);
    audit(
        &store,
        &who,
        &rid,
        AuditAction::CataloguePoloServices,
        scope,
        r,
    )
    .await
}

/// `PUT /v1/catalogue/sportelli/{sportello_id}`: creates or edits a sportello.
pub async fn save_sportello(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    body: Result<JsonBody<SportelloSave>, AppError>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    let mut sede = None;
    let r = async {
        admin(&who)?;
        let JsonBody(req) = body?;
        sede = Some(req.sede_id.clone());
        let row = SportelloRow {
            id: validate::sportello_id(&id)?,
            sede_id: validate::sede_id(&req.sede_id)?,
            name: validate::name(&req.name)?,
            slot_minutes: validate::slot_minutes(req.slot_minutes)?,
            services: validate::codes(&req.services, MAX_LIST, validate::service_code)?,
        };
        let change = in_tx!(store, |c| write::save_sportello(c, &row));
        Ok(saved(row.id, change))
    }
    .await;
    let scope = Scope {
        target: clean(&id, validate::sportello_id),
        comune_istat: None,
        sede_id: sede.and_then(|s| clean(&s, validate::sede_id)),
    };
    audit(
        &store,
        &who,
        &rid,
        AuditAction::CatalogueSportelloSave,
        scope,
        r,
    )
    .await
}

/// `PUT /v1/catalogue/sportelli/{sportello_id}/hours`: the weekly opening hours.
pub async fn opening_hours(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    body: Result<JsonBody<WeeklyHours>, AppError>,
) -> ApiResult<StatusCode> {
    let r = async {
        admin(&who)?;
        let JsonBody(req) = body?;
        let id = validate::sportello_id(&id)?;
        let list: Vec<validate::Interval> = req
            .hours
            .into_iter()
            .map(|i| (i.weekday, i.opens, i.closes))
            .collect();
        let hours = validate::opening_hours(&list)?;
        in_tx!(store, |c| write::set_hours(c, &id, &hours));
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    let scope = Scope {
        target: clean(&id, validate::sportello_id),
        ..Scope::default()
    };
    audit(
        &store,
        &who,
        &rid,
        AuditAction::CatalogueOpeningHours,
        scope,
        r,
    )
    .await
}

/// `GET /v1/catalogue/conventions`.
pub async fn conventions(
    State(store): State<Store>,
    who: Principal,
) -> ApiResult<Json<Vec<Convention>>> {
    admin(&who)?;
    Ok(Json(read::conventions(store.db()).await.map_err(db)?))
}

fn convention_scope(istat: &str, sede_id: &str) -> Scope {
    let (istat, sede_id) = (
        clean(istat, validate::istat),
        clean(sede_id, validate::sede_id),
    );
    Scope {
        target: istat
            .as_ref()
            .zip(sede_id.as_ref())
            .map(|(c, s)| format!("{c}/{s}")),
        comune_istat: istat,
        sede_id,
    }
}

/// `PUT /v1/catalogue/conventions/{istat}/{sede_id}`: creates or changes a convention.
pub async fn save_convention(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams((istat, sede_id)): PathParams<(String, String)>,
    body: Result<JsonBody<ConventionSave>, AppError>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    let r = async {
        admin(&who)?;
        let JsonBody(req) = body?;
        let istat = validate::istat(&istat)?;
        let sede = validate::sede_id(&sede_id)?;
        let (from, until) =
            validate::validity(req.valid_from.as_deref(), req.valid_until.as_deref())?;
        let change = in_tx!(store, |c| write::save_convention(
            c, &istat, &sede, from, until
        ));
        Ok(saved(format!("{istat}/{sede}"), change))
    }
    .await;
    let scope = convention_scope(&istat, &sede_id);
    audit(
        &store,
        &who,
        &rid,
        AuditAction::CatalogueConventionSave,
        scope,
        r,
    )
    .await
}

/// `DELETE /v1/catalogue/conventions/{istat}/{sede_id}`: ends a convention.
pub async fn delete_convention(
    State(store): State<Store>,
    who: Principal,
    rid: RequestId,
    PathParams((istat, sede_id)): PathParams<(String, String)>,
) -> ApiResult<StatusCode> {
    let r = async {
        admin(&who)?;
        let istat = validate::istat(&istat)?;
        let sede = validate::sede_id(&sede_id)?;
        in_tx!(store, |c| write::delete_convention(c, &istat, &sede));
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    let scope = convention_scope(&istat, &sede_id);
    audit(
        &store,
        &who,
        &rid,
        AuditAction::CatalogueConventionDelete,
        scope,
        r,
    )
    .await
}
