//! `POST /v1/booking/appointments/{id}/documents?name=…`: the comune operator of the
//! appointment uploads one document while the meeting can be entered. The body is the file
//! itself (any content type: the content decides). It is read frame by frame and cut at
//! [`MAX_DOCUMENT_BYTES`] + 1: a larger upload is answered 413 `document_too_large` without the
//! rest being read or kept. The content is then judged ([`sportello_documents::inspect`], on a
//! blocking thread) and, if accepted, stored and recorded; a refusal is answered 422 with the
//! check's code, audited (`document.refuse`), and nothing is kept.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use sportello_documents::{ChainStatus, Inspected, Kind, Refusal, inspect};

use super::store::{self, NewDocument};
use super::{
    Documents, MAX_DOCUMENT_BYTES, MAX_DOCUMENTS_PER_MEETING, MAX_NAME_CHARS, files, internal,
    staff_of, upload_place, uploads_busy,
};
use crate::api::raw_body::read_limited;
use crate::api::{ApiCode, ApiResult, AppError, PathParams, QueryParams};
use crate::audit::{self, AuditAction, Event, RequestId};
use crate::booking::api::appointment_id;
use crate::booking::store::new_id;
use crate::identity::Principal;
use crate::meeting::tickets::meeting_scope;

/// The query of an upload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name, shown to the meeting's staff (1-200 characters).
    pub(super) name: String,
}

fn bad_name() -> AppError {
    AppError::bad_request(
        ApiCode::BadDocumentName,
        "the document name must be 1-200 characters, without control characters or slashes",
    )
}

/// The name as it will be shown: trimmed, 1-200 characters, no control characters or path.
pub(super) fn document_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0
        || n > MAX_NAME_CHARS
        || name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err(bad_name());
    }
    Ok(name.to_owned())
}

pub(super) fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ApiCode::DocumentTooLarge,
        "the document is larger than 4 MB (4,000,000 bytes)",
    )
}

/// The HTTP code of a refusal of the content checks: the `ApiCode` of the same string (each
/// refusal has one, see the test); `corrupt_document` for one a newer checker might add.
pub(super) fn refusal_code(r: Refusal) -> ApiCode {
    ApiCode::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == r.code())
        .unwrap_or(ApiCode::CorruptDocument)
}

pub(super) fn refused(r: Refusal) -> AppError {
    let status = if r == Refusal::DocumentTooLarge {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    AppError::new(status, refusal_code(r), r.message())
}

/// The signature column of what was inspected.
fn signature_state(i: &Inspected) -> &'static str {
    match (i.kind, &i.chain) {
        (Kind::Pdf, _) => "none",
        (_, ChainStatus::NotChecked) => "not_checked",
        (_, ChainStatus::Trusted { .. }) => "trusted",
        _ => "untrusted",
    }
}

/// `POST /v1/booking/appointments/{id}/documents?name=…`.
pub async fn upload(
    State(d): State<Documents>,
    who: Principal,
    rid: RequestId,
    PathParams(id): PathParams<String>,
    QueryParams(q): QueryParams<UploadQuery>,
    req: Request,
) -> ApiResult<Response> {
    appointment_id(&id)?;
    let name = document_name(&q.name)?;
    let db = d.store.db();
    let place = staff_of(
        &d,
        &who,
        &rid,
        (AuditAction::DocumentUpload, false),
        (&id, &id),
    )
    .await?;
    if store::count(db, &id).await? >= MAX_DOCUMENTS_PER_MEETING {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            ApiCode::TooManyDocuments,
            format!("a meeting holds at most {MAX_DOCUMENTS_PER_MEETING} documents"),
        ));
    }
    // Held until the document is judged and stored.
    let Some(_place) = upload_place(&d) else {
        return Ok(uploads_busy());
    };
    let bytes = match read_limited(req, MAX_DOCUMENT_BYTES, too_large).await {
        Ok(b) => b,
        Err(e) => {
            if e.code == ApiCode::DocumentTooLarge {
                let event = Event::staff(&who, &rid, AuditAction::DocumentRefuse)
                    .scope(meeting_scope(&place))
                    .detail("code=document_too_large");
                audit::record(&d.store, event).await;
            }
            return Err(e);
        }
    };
    let size = bytes.len();
    let trust = d.trust.clone();
    let (bytes, judged) = tokio::task::spawn_blocking(move || {
        let judged = inspect(&bytes, trust.as_deref(), std::time::SystemTime::now());
        (bytes, judged)
    })
    .await
    .map_err(|_| internal())?;
    let inspected = match judged {
        Ok(i) => i,
        Err(r) => {
            tracing::info!(code = r.code(), "document refused");
            let event = Event::staff(&who, &rid, AuditAction::DocumentRefuse)
                .scope(meeting_scope(&place))
                .detail(format!("code={} size={size}", r.code()));
            audit::record(&d.store, event).await;
            return Err(refused(r));
        }
    };
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let dir = d.dir.clone();
    let digest = sha256.clone();
    tokio::task::spawn_blocking(move || files::store(&dir, &digest, &bytes))
        .await
        .map_err(|_| internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "storing a document");
            internal()
        })?;
    let signer = inspected.signer();
    let doc_id = new_id();
    let row = NewDocument {
        id: &doc_id,
        appointment_id: &id,
        sha256: &sha256,
        size: u64::try_from(size).unwrap_or(u64::MAX),
        kind: match inspected.kind {
            Kind::Pdf => "pdf",
            _ => "p7m",
        },
        name: &name,
        pages: inspected.pages,
        signer_name: signer.and_then(|s| s.name.as_deref()),
        signer_codice_fiscale: signer.and_then(|s| s.codice_fiscale.as_deref()),
        signature: signature_state(&inspected),
        uploaded_by: &who.subject,
    };
    store::insert(db, &row, d.store.now()).await?;
    d.changed(&place.room).await;
    let event = Event::staff(&who, &rid, AuditAction::DocumentUpload)
        .scope(meeting_scope(&place))
        .detail(format!("document={doc_id} size={size} sha256={sha256}"));
    audit::record(&d.store, event).await;
    let entry = store::get(db, &id, &doc_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_own_api_code() {
        for r in Refusal::ALL {
            assert_eq!(refusal_code(r).as_str(), r.code(), "{r:?}");
        }
    }
}
