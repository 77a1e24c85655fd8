//! The booking HTTP API under `/v1/booking` (described in the application's OpenAPI document,
//! `app/openapi.json`).

use super::Booking;
use super::model::{
    Appointment, AppointmentRequest, CancelRequest, CitizenRequest, ClosureRequest, Comune, Hold,
    HoldRequest, Holiday, Holidays, PrivacyNotice, Proposals, RescheduleRequest, SedeDetail,
    Service, Slots,
};
use super::{BookingError, MAX_COMUNI_RESULTS, holidays, ics};
use crate::api::PathParams;
use crate::api::{ApiCode, ApiResult, AppError, JsonBody, QueryParams};
use crate::audit::audited;
use crate::audit::{self, AuditAction, Event, RequestId, Scope};
use crate::identity::{Principal, SessionStore, StaffRole};
use axum::extract::{FromRef, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use std::sync::Arc;

/// The booking routes.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Booking: FromRef<S>,
    Arc<PrivacyNotice>: FromRef<S>,
    Arc<dyn SessionStore>: FromRef<S>,
{
    Router::new()
        .route("/v1/booking/services", get(services))
        .route("/v1/booking/comuni", get(comuni))
        .route("/v1/booking/holidays", get(holidays_of_year))
        .route("/v1/booking/privacy-notice", get(privacy_notice))
        .route("/v1/booking/comuni/{istat}/proposals", get(proposals))
        .route("/v1/booking/comuni/{istat}/appointments", get(comune_day))
        .route("/v1/booking/comuni/{istat}/follow-ups", get(follow_ups))
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
        .route(
            "/v1/booking/appointments/{appointment_id}/request",
            get(appointment_request),
        )
        .route("/v1/booking/sedi", get(sedi))
        .route("/v1/booking/sedi/{sede_id}/closures", post(add_closure))
}

/// The scope of an appointment.
fn appointment_scope(a: &Appointment) -> Scope {
    Scope {
        target: Some(a.id.clone()),
        comune_istat: Some(a.comune_istat.clone()),
        sede_id: Some(a.sede_id.clone()),
    }
}

async fn services(
    State(booking): State<Booking>,
    _who: Principal,
) -> ApiResult<Json<Vec<Service>>> {
    Ok(Json(booking.db().services().await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceQuery {
    service: String,
}

async fn proposals(
    State(booking): State<Booking>,
    who: Principal,
    PathParams(istat): PathParams<String>,
    QueryParams(q): QueryParams<ServiceQuery>,
) -> ApiResult<Json<Proposals>> {
    Ok(Json(booking.proposals(&who, &istat, &q.service).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

async fn slots(
    State(booking): State<Booking>,
    _who: Principal,
    PathParams(sportello_id): PathParams<String>,
    QueryParams(q): QueryParams<RangeQuery>,
) -> ApiResult<Json<Slots>> {
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(AppError::bad_request(
            ApiCode::BadQuery,
            "'from' and 'to' (YYYY-MM-DD) are required",
        ));
    };
    Ok(Json(booking.free_slots(&sportello_id, from, to).await?))
}

async fn agenda(
    State(booking): State<Booking>,
    who: Principal,
    PathParams(sportello_id): PathParams<String>,
    QueryParams(q): QueryParams<RangeQuery>,
) -> ApiResult<Json<Vec<Appointment>>> {
    Ok(Json(
        booking.agenda(&who, &sportello_id, q.from, q.to).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DayQuery {
    date: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// A booking code or the start of a family name.
    q: Option<String>,
}

async fn comune_day(
    State(booking): State<Booking>,
    who: Principal,
    PathParams(istat): PathParams<String>,
    QueryParams(q): QueryParams<DayQuery>,
) -> ApiResult<Response> {
    let list = match (q.date, q.from, q.to, q.q) {
        (None, None, None, Some(text)) => booking.search_comune(&who, &istat, &text).await?,
        (date, None, None, None) => booking.day_of_comune(&who, &istat, date).await?,
        (None, Some(from), Some(to), None) => booking.comune_range(&who, &istat, from, to).await?,
        _ => {
            return Err(AppError::bad_request(
                ApiCode::BadQuery,
                "give either 'q', 'date' or both 'from' and 'to' (YYYY-MM-DD)",
            ));
        }
    };
    // Personal data: never cached.
    let mut resp = Json(list).into_response();
    resp.headers_mut().insert(
        CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// `GET /v1/booking/comuni/{istat}/follow-ups`: personal data, never cached.
async fn follow_ups(
    State(booking): State<Booking>,
    who: Principal,
    PathParams(istat): PathParams<String>,
) -> ApiResult<Response> {
    let list = booking.follow_ups(&who, &istat).await?;
    let mut resp = Json(list).into_response();
    resp.headers_mut().insert(
        CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
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
    State(booking): State<Booking>,
    _who: Principal,
    QueryParams(q): QueryParams<ComuniQuery>,
) -> ApiResult<Json<Vec<Comune>>> {
    let Some(prefix) = q.q else {
        return Err(AppError::bad_request(
            ApiCode::BadQuery,
            "'q' (the start of the comune's name) is required",
        ));
    };
    let prefix = prefix.trim();
    if prefix.is_empty()
        || prefix.chars().count() > MAX_PREFIX_CHARS
        || prefix.chars().any(char::is_control)
    {
        return Err(BookingError::invalid(
            ApiCode::BadSearch,
            format!("'q' must be 1-{MAX_PREFIX_CHARS} printable characters"),
        )
        .into());
    }
    let limit = q.limit.unwrap_or(MAX_COMUNI_RESULTS);
    if !(1..=MAX_COMUNI_RESULTS).contains(&limit) {
        return Err(BookingError::invalid(
            ApiCode::BadLimit,
            format!("'limit' must be between 1 and {MAX_COMUNI_RESULTS}"),
        )
        .into());
    }
    Ok(Json(booking.db().search_comuni(prefix, limit).await?))
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
    State(booking): State<Booking>,
    _who: Principal,
    QueryParams(q): QueryParams<HolidaysQuery>,
) -> ApiResult<Json<Holidays>> {
    let Some(year) = q.year else {
        return Err(AppError::bad_request(
            ApiCode::BadQuery,
            "'year' is required",
        ));
    };
    if !HOLIDAY_YEARS.contains(&year) {
        return Err(BookingError::invalid(
            ApiCode::BadYear,
            format!(
                "'year' must be between {} and {}",
                HOLIDAY_YEARS.start(),
                HOLIDAY_YEARS.end()
            ),
        )
        .into());
    }
    let patron = match &q.sede {
        Some(id) => booking
            .db()
            .sede_patron_day(id)
            .await?
            .ok_or_else(|| BookingError::not_found(ApiCode::UnknownSede, "no such Sede"))?,
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

async fn privacy_notice(
    State(notice): State<Arc<PrivacyNotice>>,
    _who: Principal,
) -> Json<PrivacyNotice> {
    Json((*notice).clone())
}

async fn hold(
    State(booking): State<Booking>,
    who: Principal,
    rid: RequestId,
    JsonBody(req): JsonBody<HoldRequest>,
) -> ApiResult<(StatusCode, Json<Hold>)> {
    let r = booking.hold(&who, &req).await.map_err(AppError::from);
    let hold = audited(
        booking.store(),
        &who,
        &rid,
        AuditAction::HoldPlace,
        r,
        |h| Scope::target(h.id.clone()),
        Scope::default(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

async fn get_hold(
    State(booking): State<Booking>,
    who: Principal,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<Hold>> {
    Ok(Json(booking.get_hold(&who, &id).await?))
}

async fn release(
    State(booking): State<Booking>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
) -> ApiResult<StatusCode> {
    let r = booking.release(&who, &id).await.map_err(AppError::from);
    let target = Scope::target(id.clone());
    audited(
        booking.store(),
        &who,
        &rid,
        AuditAction::HoldRelease,
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
            ApiCode::MissingIdempotencyKey,
            "\"Prenota\" needs an Idempotency-Key header",
        )
    })?;
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::bad_request(
            ApiCode::BadIdempotencyKey,
            "the Idempotency-Key must be 1-128 visible ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

async fn confirm(
    State(booking): State<Booking>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    body: Result<JsonBody<CitizenRequest>, AppError>,
) -> ApiResult<(StatusCode, Json<Appointment>)> {
    let key = idempotency_key(&headers)?;
    let JsonBody(req) = body?;
    let r = booking
        .confirm(&who, &id, &key, &req)
        .await
        .map_err(AppError::from);
    let (appointment, created) = audited(
        booking.store(),
        &who,
        &rid,
        AuditAction::HoldConfirm,
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
    State(booking): State<Booking>,
    who: Principal,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<Appointment>> {
    Ok(Json(booking.appointment(&who, &id).await?))
}

/// `GET …/request`: the appointment with the citizen's request (personal data, never cached).
async fn appointment_request(
    State(booking): State<Booking>,
    who: Principal,
    PathParams(id): PathParams<String>,
) -> ApiResult<Response> {
    let r: AppointmentRequest = booking.appointment_request(&who, &id).await?;
    let mut resp = Json(r).into_response();
    resp.headers_mut().insert(
        CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// The longest cancellation reason, in characters.
const MAX_REASON_CHARS: usize = 200;

async fn cancel(
    State(booking): State<Booking>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    // A JSON body is required (even `{}`): cross-site forms cannot send one.
    JsonBody(req): JsonBody<CancelRequest>,
) -> ApiResult<Json<Appointment>> {
    let reason = req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(reason) = reason
        && (reason.chars().count() > MAX_REASON_CHARS
            || reason.chars().any(|c| c.is_control() && c != '\n'))
    {
        return Err(BookingError::invalid(
            ApiCode::InvalidReason,
            format!("the reason must be at most {MAX_REASON_CHARS} printable characters"),
        )
        .into());
    }
    // The reason is free text: stored with the appointment, never in the audit log.
    let r = booking
        .cancel(&who, &id, reason)
        .await
        .map_err(AppError::from);
    let a = audited(
        booking.store(),
        &who,
        &rid,
        AuditAction::AppointmentCancel,
        r,
        appointment_scope,
        Scope::target(id),
    )
    .await?;
    Ok(Json(a))
}

async fn reschedule(
    State(booking): State<Booking>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    JsonBody(req): JsonBody<RescheduleRequest>,
) -> ApiResult<Json<Appointment>> {
    let r = booking
        .reschedule(&who, &id, &req)
        .await
        .map_err(AppError::from);
    let a = audited(
        booking.store(),
        &who,
        &rid,
        AuditAction::AppointmentReschedule,
        r,
        appointment_scope,
        Scope::target(id),
    )
    .await?;
    Ok(Json(a))
}

async fn ics_file(
    State(booking): State<Booking>,
    who: Principal,
    PathParams(id): PathParams<String>,
) -> ApiResult<Response> {
    let a = booking.appointment(&who, &id).await?;
    let text = ics::render(&a, booking.now());
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
    if super::store::is_id(id) {
        Ok(())
    } else {
        Err(AppError::bad_request(
            ApiCode::BadAppointmentId,
            "the appointment id must be 32 lowercase hexadecimal digits",
        ))
    }
}

async fn sedi(State(booking): State<Booking>, who: Principal) -> ApiResult<Json<Vec<SedeDetail>>> {
    if !matches!(who.role, StaffRole::InpsAdmin | StaffRole::Official) {
        return Err(
            BookingError::Forbidden("only INPS staff may read the catalogue".into()).into(),
        );
    }
    Ok(Json(booking.db().catalogue().await?))
}

async fn add_closure(
    State(booking): State<Booking>,
    who: Principal,
    rid: RequestId,
    PathParams(sede_id): PathParams<String>,
    body: Result<JsonBody<ClosureRequest>, AppError>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    if who.role != StaffRole::InpsAdmin {
        let r: ApiResult<()> =
            Err(BookingError::Forbidden("only an INPS administrator may do this".into()).into());
        audited(
            booking.store(),
            &who,
            &rid,
            AuditAction::ClosureAdd,
            r,
            |()| Scope::default(),
            Scope::default(),
        )
        .await?;
    }
    let JsonBody(req) = body?;
    booking.check_days(&[req.first_day, req.last_day])?;
    if req.last_day < req.first_day {
        return Err(BookingError::invalid(
            ApiCode::BadDateRange,
            "'last_day' is before 'first_day'",
        )
        .into());
    }
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(BookingError::invalid(
            ApiCode::InvalidReason,
            "the reason must be 1-200 characters",
        )
        .into());
    }
    if !booking.db().sede_exists(&sede_id).await? {
        return Err(BookingError::not_found(ApiCode::UnknownSede, "no such Sede").into());
    }
    let id = booking
        .db()
        .add_closure(&sede_id, req.first_day, req.last_day, reason)
        .await?;
    let scope = Scope {
        target: Some(id.clone()),
        comune_istat: None,
        sede_id: Some(sede_id),
    };
    audit::record(
        booking.store(),
        Event::staff(&who, &rid, AuditAction::ClosureAdd).scope(scope),
    )
    .await;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}
