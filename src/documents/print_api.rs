//! The routes of print documents ([`super::prints`]):
//! - `POST /v1/booking/appointments/{id}/prints?name=…` — an official of the appointment's
//!   sportello sends a PDF (the raw body, at most 4,000,000 bytes) while the meeting can be
//!   entered; the meeting's pages are told (`prints_changed`);
//! - `GET /v1/booking/appointments/{id}/prints` — the officials see what waits to be printed;
//! - `GET /v1/citizen/prints`, `GET /v1/citizen/prints/{print_id}` and
//!   `POST /v1/citizen/prints/{print_id}/done` — the kiosk's citizen session lists its meeting's
//!   documents, shows one (`Cache-Control: no-store`, framable by this site only), and says it
//!   was printed or dismissed (the document is dropped).
//!
//! The audit records who sent or printed which document and when, with its size and SHA-256
//! (`print.send`, `print.done`) — never the content.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};
use sportello_documents::{Kind, inspect};
use sportello_signalling::protocol::ServerMessage;

use super::prints::{PrintEntry, PrintsFull};
use super::upload::{UploadQuery, document_name, refused, too_large};
use super::{Documents, MAX_DOCUMENT_BYTES, internal, staff_of, upload_place, uploads_busy};
use crate::api::raw_body::read_limited;
use crate::api::{ApiCode, ApiResult, AppError, EmptyBody, JsonBody, PathParams, QueryParams};
use crate::audit::{self, AuditAction, Event, RequestId, Scope};
use crate::booking::api::appointment_id;
use crate::identity::Principal;
use crate::identity::citizen::CitizenSession;
use crate::meeting::MeetingPlace;
use crate::meeting::day;
use crate::meeting::tickets::meeting_scope;

fn unknown_print() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        ApiCode::UnknownDocument,
        "no such document to print in this meeting",
    )
}

async fn tell(d: &Documents, room: &str) {
    d.signalling
        .rooms()
        .notify_room(room, ServerMessage::PrintsChanged)
        .await;
}

/// `POST /v1/booking/appointments/{id}/prints?name=…`.
pub async fn send(
    State(d): State<Documents>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    QueryParams(q): QueryParams<UploadQuery>,
    req: Request,
) -> ApiResult<Response> {
    appointment_id(&id)?;
    let name = document_name(&q.name)?;
    let place = staff_of(&d, &who, &rid, (AuditAction::PrintSend, true), (&id, &id)).await?;
    // Held until the document is judged and taken.
    let Some(_place) = upload_place(&d) else {
        return Ok(uploads_busy());
    };
    let bytes = read_limited(req, MAX_DOCUMENT_BYTES, too_large).await?;
    let (bytes, judged) = tokio::task::spawn_blocking(move || {
        let judged = inspect(&bytes, None, std::time::SystemTime::now());
        (bytes, judged)
    })
    .await
    .map_err(|_| internal())?;
    match judged {
        Ok(i) if i.kind == Kind::Pdf => {}
        Ok(_) => {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiCode::PrintNotPdf,
                "only a PDF can be sent to print",
            ));
        }
        Err(r) => return Err(refused(r)),
    }
    let (size, digest) = (bytes.len(), format!("{:x}", Sha256::digest(&bytes)));
    let print_id = d.prints.add(&id, &name, bytes).map_err(|full| match full {
        PrintsFull::Meeting => AppError::new(
            StatusCode::CONFLICT,
            ApiCode::TooManyPrints,
            "this meeting already has 3 documents waiting to be printed",
        ),
        PrintsFull::Server => AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ApiCode::PrintsFull,
            "too many documents are waiting to be printed: try again in a few minutes",
        ),
    })?;
    tracing::info!(size, sha256 = %digest, "document sent to print");
    let event = Event::staff(&who, &rid, AuditAction::PrintSend)
        .scope(Scope {
            target: Some(print_id.clone()),
            ..meeting_scope(&place)
        })
        .detail(format!("size={size} sha256={digest}"));
    audit::record(&d.store, event).await;
    tell(&d, &place.room).await;
    let entry = PrintEntry {
        id: print_id,
        name,
        size: size as u64,
    };
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

/// `GET /v1/booking/appointments/{id}/prints`: what waits to be printed (the officials).
pub async fn pending(
    State(d): State<Documents>,
    who: Principal,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<Vec<PrintEntry>>> {
    appointment_id(&id)?;
    day::official_may_read(d.store.db(), &who, &id).await?;
    Ok(Json(d.prints.list(&id)))
}

/// The meeting of a citizen session, if it can still be entered; otherwise its prints are
/// dropped and the session is refused.
async fn citizen_meeting(d: &Documents, session: &CitizenSession) -> ApiResult<MeetingPlace> {
    match day::citizen_may_enter(d.store.db(), d.store.now(), &session.appointment_id).await {
        Ok(place) if place.room == session.room => Ok(place),
        Ok(_) => Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            ApiCode::Unauthenticated,
            "this citizen session is not for the current meeting",
        )),
        Err(e) => {
            d.prints.remove_meeting(&session.appointment_id);
            Err(e.into())
        }
    }
}

fn print_id(id: &str) -> ApiResult<()> {
    super::api::document_id(id)
}

/// `GET /v1/citizen/prints`.
pub async fn citizen_list(
    State(d): State<Documents>,
    session: CitizenSession,
) -> ApiResult<Response> {
    let place = citizen_meeting(&d, &session).await?;
    let mut resp = Json(d.prints.list(&place.appointment_id)).into_response();
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// `GET /v1/citizen/prints/{print_id}`: the PDF, shown in the kiosk's page.
pub async fn citizen_get(
    State(d): State<Documents>,
    session: CitizenSession,
    PathParams(id): PathParams<String>,
) -> ApiResult<Response> {
    print_id(&id)?;
    let place = citizen_meeting(&d, &session).await?;
    let (_, bytes) = d
        .prints
        .get(&place.appointment_id, &id)
        .ok_or_else(unknown_print)?;
    let mut resp = bytes.as_ref().clone().into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    h.insert(CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Shown in a frame of the kiosk's own page, and nowhere else.
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'self'"),
    );
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    Ok(resp)
}

/// `POST /v1/citizen/prints/{print_id}/done`: printed or dismissed; the document is dropped.
pub async fn citizen_done(
    State(d): State<Documents>,
    session: CitizenSession,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    body: Result<JsonBody<EmptyBody>, AppError>,
) -> ApiResult<StatusCode> {
    print_id(&id)?;
    let JsonBody(_) = body?;
    let place = citizen_meeting(&d, &session).await?;
    let r = d
        .prints
        .remove(&place.appointment_id, &id)
        .ok_or_else(unknown_print);
    let actor = Event::actor(
        session.subject.clone(),
        "citizen",
        &rid,
        AuditAction::PrintDone,
    );
    if let Ok(size) = r {
        let event = actor
            .place(
                Some(place.comune_istat.clone()),
                Some(place.sede_id.clone()),
            )
            .target(id.clone())
            .detail(format!("size={size}"));
        audit::record(&d.store, event).await;
        tell(&d, &place.room).await;
    }
    r.map(|_| StatusCode::NO_CONTENT)
}
