//! Listing, downloading and attesting the documents of a meeting (the upload is in `upload`).

use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::store;
use super::{DocumentEntry, Documents, files, internal, staff_of};
use crate::api::{ApiCode, ApiResult, AppError, EmptyBody, JsonBody, PathParams};
use crate::audit::{self, AuditAction, Event, RequestId, audited};
use crate::booking::api::appointment_id;
use crate::identity::{Principal, StaffRole};
use crate::meeting::MeetingPlace;
use crate::meeting::day;
use crate::meeting::tickets::meeting_scope;

/// A document id: 32 lowercase hexadecimal digits.
pub(super) fn document_id(id: &str) -> ApiResult<()> {
    if crate::booking::store::is_id(id) {
        Ok(())
    } else {
        Err(AppError::bad_request(
            ApiCode::BadDocumentId,
            "the document id must be 32 lowercase hexadecimal digits",
        ))
    }
}

fn unknown_document() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        ApiCode::UnknownDocument,
        "no such document in this meeting",
    )
}

/// The meeting whose documents `who` may see: its officials at any time, its operator while it
/// can be entered.
async fn viewer(d: &Documents, who: &Principal, id: &str) -> ApiResult<MeetingPlace> {
    let db = d.store.db();
    let r = if who.role == StaffRole::Official {
        day::official_may_read(db, who, id).await
    } else {
        day::staff_may_enter(db, d.store.now(), who, id, false).await
    };
    Ok(r?)
}

/// `GET /v1/booking/appointments/{id}/documents`.
pub async fn list(
    State(d): State<Documents>,
    who: Principal,
    PathParams(id): PathParams<String>,
) -> ApiResult<Response> {
    appointment_id(&id)?;
    viewer(&d, &who, &id).await?;
    let list: Vec<DocumentEntry> = store::list(d.store.db(), &id).await?;
    let mut resp = Json(list).into_response();
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// `filename` for a Content-Disposition: ASCII letters, digits and `.-_` kept, the rest `_`; the
/// full name travels as RFC 5987 `filename*`.
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// `GET /v1/booking/appointments/{id}/documents/{document_id}`: the file, for the officials of
/// the appointment's sportello.
pub async fn download(
    State(d): State<Documents>,
    who: Principal,
    rid: RequestId,
    PathParams((id, doc)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    appointment_id(&id)?;
    document_id(&doc)?;
    let db = d.store.db();
    let r = day::official_may_read(db, &who, &id)
        .await
        .map_err(AppError::from);
    let scope = audit::Scope::target(&doc);
    let place = audited(
        &d.store,
        &who,
        &rid,
        AuditAction::DocumentDownload,
        r,
        |p| audit::Scope {
            target: Some(doc.clone()),
            ..meeting_scope(p)
        },
        scope,
    )
    .await?;
    let _ = place;
    let entry = store::get(db, &id, &doc)
        .await?
        .ok_or_else(unknown_document)?;
    if entry.sha256.len() != 64 || !entry.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(internal());
    }
    let dir = d.dir.clone();
    let digest = entry.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || files::read(&dir, &digest))
        .await
        .map_err(|_| internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "reading a stored document");
            internal()
        })?;
    let content_type = if entry.kind == "pdf" {
        "application/pdf"
    } else {
        "application/pkcs7-mime"
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CONTENT_DISPOSITION, disposition(&entry.name));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// `POST /v1/booking/appointments/{id}/documents/{document_id}/attest`: the operator attests
/// the copy conforms to the original ("conforme all'originale"); the first attestation stands.
pub async fn attest(
    State(d): State<Documents>,
    who: Principal,
    rid: RequestId,
    PathParams((id, doc)): PathParams<(String, String)>,
    body: Result<JsonBody<EmptyBody>, AppError>,
) -> ApiResult<Json<DocumentEntry>> {
    appointment_id(&id)?;
    document_id(&doc)?;
    let JsonBody(_) = body?;
    let db = d.store.db();
    let place = staff_of(
        &d,
        &who,
        &rid,
        (AuditAction::DocumentAttest, false),
        (&id, &doc),
    )
    .await?;
    let entry = store::get(db, &id, &doc)
        .await?
        .ok_or_else(unknown_document)?;
    if entry.attested_by.is_none() {
        store::attest(db, &doc, &who.subject, d.store.now()).await?;
        d.changed(&place.room).await;
        let event = Event::staff(&who, &rid, AuditAction::DocumentAttest).scope(audit::Scope {
            target: Some(doc.clone()),
            ..meeting_scope(&place)
        });
        audit::record(&d.store, event).await;
    }
    let entry = store::get(db, &id, &doc)
        .await?
        .ok_or_else(unknown_document)?;
    Ok(Json(entry))
}
