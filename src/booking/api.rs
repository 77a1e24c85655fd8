//! The booking HTTP API under `/v1/booking`, described by `openapi.json` (served at
//! `/v1/openapi.json`).

use super::model::{
    Appointment, CitizenRequest, ClosureRequest, Comune, Hold, HoldRequest, Holiday, Holidays,
    PrivacyNotice, Proposals, RescheduleRequest, SedeDetail, Service, Slots,
};
use super::{BookingError, MAX_COMUNI_RESULTS, holidays, ics};
use crate::audit::{self, Event, RequestId, Scope, audited};
use crate::http::AppState;
use crate::http::error::AppError;
use crate::identity::{Principal, StaffRole};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;

/// The OpenAPI document of the booking and session API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Every route this module serves, as (method, path): the OpenAPI document must list the same.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/v1/booking/services"),
    ("get", "/v1/booking/comuni"),
    ("get", "/v1/booking/holidays"),
    ("get", "/v1/booking/privacy-notice"),
    ("get", "/v1/booking/comuni/{istat}/proposals"),
    ("get", "/v1/booking/comuni/{istat}/appointments"),
    ("get", "/v1/booking/sportelli/{sportello_id}/slots"),
    ("get", "/v1/booking/sportelli/{sportello_id}/agenda"),
    ("post", "/v1/booking/holds"),
    ("get", "/v1/booking/holds/{hold_id}"),
    ("delete", "/v1/booking/holds/{hold_id}"),
    ("post", "/v1/booking/holds/{hold_id}/confirm"),
    ("get", "/v1/booking/appointments/{appointment_id}"),
    ("post", "/v1/booking/appointments/{appointment_id}/cancel"),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/reschedule",
    ),
    ("get", "/v1/booking/appointments/{appointment_id}/ics"),
    ("post", "/v1/booking/appointments/{appointment_id}/meeting"),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/meeting/join",
    ),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/meeting/handover",
    ),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/meeting/close",
    ),
    ("get", "/v1/citizen/session"),
    ("delete", "/v1/citizen/session"),
    ("post", "/v1/citizen/meeting/token"),
    ("get", "/v1/booking/sedi"),
    ("post", "/v1/booking/sedi/{sede_id}/closures"),
    ("get", "/v1/session"),
    ("delete", "/v1/session"),
    ("post", "/v1/login"),
    ("get", "/v1/identity/operators"),
    ("post", "/v1/identity/operators"),
    ("patch", "/v1/identity/operators/{account}"),
    ("post", "/v1/identity/operators/{account}/revoke"),
    ("post", "/v1/identity/operators/{account}/enable"),
    ("get", "/v1/oidc/providers"),
    ("get", "/v1/oidc/{name}/start"),
    ("get", "/v1/oidc/{name}/callback"),
    ("post", "/v1/identity/oidc-links"),
    ("delete", "/v1/identity/oidc-links/{provider}/{account}"),
    ("post", "/v1/demo/login"),
    ("get", "/v1/demo/accounts"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/audit"),
    ("get", "/v1/audit.csv"),
];

/// The booking routes (the session and demo routes are added by `http::app`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/booking/services", get(services))
        .route("/v1/booking/comuni", get(comuni))
        .route("/v1/booking/holidays", get(holidays_of_year))
        .route("/v1/booking/privacy-notice", get(privacy_notice))
        .route("/v1/booking/comuni/{istat}/proposals", get(proposals))
        .route("/v1/booking/comuni/{istat}/appointments", get(comune_day))
        .route("/v1/booking/sportelli/{sportello_id}/slots", get(slots))
        .route("/v1/booking/sportelli/{sportello_id}/agenda", get(agenda))
        .route("/v1/booking/holds", post(hold))
        .route("/v1/booking/holds/{hold_id}", get(get_hold).delete(release))
        .route("/v1/booking/holds/{hold_id}/confirm", post(confirm))
        .route(
            "/v1/booking/appointments/{appointment_id}",
            get(appointment),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/cancel",
            post(cancel),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/reschedule",
            post(reschedule),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/ics",
            get(ics_file),
        )
        .route("/v1/booking/sedi", get(sedi))
        .route("/v1/booking/sedi/{sede_id}/closures", post(add_closure))
        .route("/v1/openapi.json", get(openapi))
}

pub(crate) type ApiResult<T> = Result<T, AppError>;

fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(t)| t)
        .map_err(|e| AppError::bad_request("bad_query", e.body_text()))
}

/// The scope of an appointment.
fn appointment_scope(a: &Appointment) -> Scope {
    Scope {
        target: Some(a.id.clone()),
        comune_istat: Some(a.comune_istat.clone()),
        sede_id: Some(a.sede_id.clone()),
    }
}

pub(crate) fn body<T>(b: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    Ok(b?.0)
}

async fn openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn services(State(s): State<AppState>, _who: Principal) -> ApiResult<Json<Vec<Service>>> {
    Ok(Json(s.booking.db().services().await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceQuery {
    service: String,
}

async fn proposals(
    State(s): State<AppState>,
    who: Principal,
    Path(istat): Path<String>,
    q: Result<Query<ServiceQuery>, QueryRejection>,
) -> ApiResult<Json<Proposals>> {
    let q = query(q)?;
    Ok(Json(s.booking.proposals(&who, &istat, &q.service).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

async fn slots(
    State(s): State<AppState>,
    _who: Principal,
    Path(sportello_id): Path<String>,
    q: Result<Query<RangeQuery>, QueryRejection>,
) -> ApiResult<Json<Slots>> {
    let q = query(q)?;
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(AppError::bad_request(
            "bad_query",
            "'from' and 'to' (YYYY-MM-DD) are required",
        ));
    };
    Ok(Json(s.booking.free_slots(&sportello_id, from, to).await?))
}

async fn agenda(
    State(s): State<AppState>,
    who: Principal,
    Path(sportello_id): Path<String>,
    q: Result<Query<RangeQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<Appointment>>> {
    let q = query(q)?;
    Ok(Json(
        s.booking.agenda(&who, &sportello_id, q.from, q.to).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DayQuery {
    date: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

async fn comune_day(
    State(s): State<AppState>,
    who: Principal,
    Path(istat): Path<String>,
    q: Result<Query<DayQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<Appointment>>> {
    let q = query(q)?;
    let list = match (q.date, q.from, q.to) {
        (date, None, None) => s.booking.day_of_comune(&who, &istat, date).await?,
        (None, Some(from), Some(to)) => s.booking.comune_range(&who, &istat, from, to).await?,
        _ => {
            return Err(AppError::bad_request(
                "bad_query",
                "give either 'date' or both 'from' and 'to' (YYYY-MM-DD)",
            ));
        }
    };
    Ok(Json(list))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComuniQuery {
    q: Option<String>,
    limit: Option<i64>,
}

/// The longest name prefix a comuni search accepts, in characters.
const MAX_PREFIX_CHARS: usize = 60;

async fn comuni(
    State(s): State<AppState>,
    _who: Principal,
    q: Result<Query<ComuniQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<Comune>>> {
    let q = query(q)?;
    let Some(prefix) = q.q else {
        return Err(AppError::bad_request(
            "bad_query",
            "'q' (the start of the comune's name) is required",
        ));
    };
    let prefix = prefix.trim();
    if prefix.is_empty()
        || prefix.chars().count() > MAX_PREFIX_CHARS
        || prefix.chars().any(char::is_control)
    {
        return Err(BookingError::invalid(
            "bad_search",
            format!("'q' must be 1-{MAX_PREFIX_CHARS} printable characters"),
        )
        .into());
    }
    let limit = q.limit.unwrap_or(MAX_COMUNI_RESULTS);
    if !(1..=MAX_COMUNI_RESULTS).contains(&limit) {
        return Err(BookingError::invalid(
            "bad_limit",
            format!("'limit' must be between 1 and {MAX_COMUNI_RESULTS}"),
        )
        .into());
    }
    Ok(Json(s.booking.db().search_comuni(prefix, limit).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidaysQuery {
    year: Option<i32>,
    sede: Option<String>,
}

/// The years a holidays query accepts.
const HOLIDAY_YEARS: std::ops::RangeInclusive<i32> = 1950..=2200;

async fn holidays_of_year(
    State(s): State<AppState>,
    _who: Principal,
    q: Result<Query<HolidaysQuery>, QueryRejection>,
) -> ApiResult<Json<Holidays>> {
    let q = query(q)?;
    let Some(year) = q.year else {
        return Err(AppError::bad_request("bad_query", "'year' is required"));
    };
    if !HOLIDAY_YEARS.contains(&year) {
        return Err(BookingError::invalid(
            "bad_year",
            format!(
                "'year' must be between {} and {}",
                HOLIDAY_YEARS.start(),
                HOLIDAY_YEARS.end()
            ),
        )
        .into());
    }
    let patron = match &q.sede {
        Some(id) => s
            .booking
            .db()
            .sede_patron_day(id)
            .await?
            .ok_or_else(|| BookingError::not_found("unknown_sede", "no such Sede"))?,
        None => None,
    };
    let list = holidays::holidays_of_year(year, patron.as_deref())
        .into_iter()
        .map(|(date, name, kind)| Holiday {
            date,
            name: name.to_owned(),
            kind: kind.to_owned(),
        })
        .collect();
    Ok(Json(Holidays {
        year,
        sede_id: q.sede,
        holidays: list,
    }))
}

async fn privacy_notice(State(s): State<AppState>, _who: Principal) -> Json<PrivacyNotice> {
    Json((*s.privacy_notice).clone())
}

async fn hold(
    State(s): State<AppState>,
    who: Principal,
    rid: RequestId,
    b: Result<Json<HoldRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Hold>)> {
    let req = body(b)?;
    let r = s.booking.hold(&who, &req).await.map_err(AppError::from);
    let hold = audited(
        &s.booking,
        &who,
        &rid,
        "hold.place",
        r,
        |h| Scope::target(h.id.clone()),
        Scope::default(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

async fn get_hold(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<Hold>> {
    Ok(Json(s.booking.get_hold(&who, &id).await?))
}

async fn release(
    State(s): State<AppState>,
    who: Principal,
    rid: RequestId,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let r = s.booking.release(&who, &id).await.map_err(AppError::from);
    let target = Scope::target(id.clone());
    audited(
        &s.booking,
        &who,
        &rid,
        "hold.release",
        r,
        |()| target.clone(),
        Scope::target(id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `Idempotency-Key` header: 1-128 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
    let value = headers.get("idempotency-key").ok_or_else(|| {
        AppError::bad_request(
            "missing_idempotency_key",
            "\"Prenota\" needs an Idempotency-Key header",
        )
    })?;
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::bad_request(
            "bad_idempotency_key",
            "the Idempotency-Key must be 1-128 visible ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

async fn confirm(
    State(s): State<AppState>,
    who: Principal,
    rid: RequestId,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Result<Json<CitizenRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Appointment>)> {
    let key = idempotency_key(&headers)?;
    let req = body(b)?;
    let r = s
        .booking
        .confirm(&who, &id, &key, &req)
        .await
        .map_err(AppError::from);
    let (appointment, created) = audited(
        &s.booking,
        &who,
        &rid,
        "hold.confirm",
        r,
        |(a, _)| appointment_scope(a),
        Scope::target(id),
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(appointment)))
}

async fn appointment(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<Appointment>> {
    Ok(Json(s.booking.appointment(&who, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelRequest {
    #[serde(default)]
    #[allow(dead_code)]
    reason: Option<String>,
}

async fn cancel(
    State(s): State<AppState>,
    who: Principal,
    rid: RequestId,
    Path(id): Path<String>,
    b: Result<Json<CancelRequest>, JsonRejection>,
) -> ApiResult<Json<Appointment>> {
    // A JSON body is required (even `{}`): cross-site forms cannot send one.
    let _ = body(b)?;
    let r = s.booking.cancel(&who, &id).await.map_err(AppError::from);
    let a = audited(
        &s.booking,
        &who,
        &rid,
        "appointment.cancel",
        r,
        appointment_scope,
        Scope::target(id),
    )
    .await?;
    Ok(Json(a))
}

async fn reschedule(
    State(s): State<AppState>,
    who: Principal,
    rid: RequestId,
    Path(id): Path<String>,
    b: Result<Json<RescheduleRequest>, JsonRejection>,
) -> ApiResult<Json<Appointment>> {
    let req = body(b)?;
    let r = s
        .booking
        .reschedule(&who, &id, &req)
        .await
        .map_err(AppError::from);
    let a = audited(
        &s.booking,
        &who,
        &rid,
        "appointment.reschedule",
        r,
        appointment_scope,
        Scope::target(id),
    )
    .await?;
    Ok(Json(a))
}

async fn ics_file(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let a = s.booking.appointment(&who, &id).await?;
    let text = ics::render(&a, s.booking.now());
    Ok((
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"appuntamento-{}.ics\"", a.id),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        text,
    )
        .into_response())
}

/// Appointment ids are 32 lowercase hex digits (`store::new_id`): anything else is 400.
pub(crate) fn appointment_id(id: &str) -> ApiResult<()> {
    if id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(AppError::bad_request(
            "bad_appointment_id",
            "the appointment id must be 32 lowercase hexadecimal digits",
        ))
    }
}

/// The body of the meeting requests: `{}` (a JSON body, which cross-site forms cannot send).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyBody {}

async fn sedi(State(s): State<AppState>, who: Principal) -> ApiResult<Json<Vec<SedeDetail>>> {
    if !matches!(who.role, StaffRole::InpsAdmin | StaffRole::Official) {
        return Err(
            BookingError::Forbidden("only INPS staff may read the catalogue".into()).into(),
        );
    }
    Ok(Json(s.booking.db().catalogue().await?))
}

async fn add_closure(
    State(s): State<AppState>,
    who: Principal,
    rid: RequestId,
    Path(sede_id): Path<String>,
    b: Result<Json<ClosureRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    if who.role != StaffRole::InpsAdmin {
        let r: ApiResult<()> =
            Err(BookingError::Forbidden("only an INPS administrator may do this".into()).into());
        audited(
            &s.booking,
            &who,
            &rid,
            "closure.add",
            r,
            |()| Scope::default(),
            Scope::default(),
        )
        .await?;
    }
    let req = body(b)?;
    if req.last_day < req.first_day {
        return Err(
            BookingError::invalid("bad_date_range", "'last_day' is before 'first_day'").into(),
        );
    }
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(
            BookingError::invalid("invalid_reason", "the reason must be 1-200 characters").into(),
        );
    }
    if !s.booking.db().sede_exists(&sede_id).await? {
        return Err(BookingError::not_found("unknown_sede", "no such Sede").into());
    }
    let id = s
        .booking
        .db()
        .add_closure(&sede_id, req.first_day, req.last_day, reason)
        .await?;
    let scope = Scope {
        target: Some(id.clone()),
        comune_istat: None,
        sede_id: Some(sede_id),
    };
    audit::record(
        &s.booking,
        Event::staff(&who, &rid, "closure.add").scope(scope),
    )
    .await;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_lists_exactly_the_routes() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("valid JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        let mut documented = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                if ["get", "post", "delete", "put", "patch"].contains(&method.as_str()) {
                    documented.push((method.clone(), path.clone()));
                }
            }
        }
        documented.sort();
        let mut expected: Vec<_> = ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        expected.sort();
        assert_eq!(documented, expected);
    }
}
