//! Documents the citizen sends to INPS during the meeting ("citizen → INPS"): the comune operator
//! of the appointment uploads PDF or CAdES `.p7m` files (judged by content with
//! [`sportello_documents::inspect`], at most [`MAX_DOCUMENT_BYTES`] = 4,000,000 bytes each, cut while
//! streaming), attests a copy as conforming to the original, and the officials of the
//! appointment's sportello list and download them. The bytes are kept content-addressed in the
//! data dir ([`files`]), what is known of each upload in table `documents` ([`store`]); every
//! upload, refusal, attestation and download is audited.
//!
//! Routes ([`api`]):
//! - `POST /v1/booking/appointments/{id}/documents?name=…` (the operator, while the meeting can
//!   be entered; the raw file as the body);
//! - `GET /v1/booking/appointments/{id}/documents` (the operator, the officials);
//! - `GET /v1/booking/appointments/{id}/documents/{document_id}` (the officials);
//! - `POST /v1/booking/appointments/{id}/documents/{document_id}/attest` (the operator).

pub mod api;
pub mod files;
mod print_api;
pub mod prints;
mod store;
mod upload;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
pub use sportello_documents::MAX_DOCUMENT_BYTES;
use sportello_documents::TrustList;

use crate::identity::SessionStore;
use crate::store::Store;

/// Uploads (for INPS or to print) read at the same time at most, all clients together: each
/// may buffer up to [`MAX_DOCUMENT_BYTES`], so at most 8 × 4 MB = 32 MB. One more is answered 503
/// `uploads_busy` with a `Retry-After`.
pub const MAX_UPLOADS_AT_ONCE: usize = 8;

/// Seconds a client refused with `uploads_busy` is told to wait.
const UPLOADS_BUSY_RETRY_SECS: u32 = 5;

/// Documents one meeting may hold at most.
pub const MAX_DOCUMENTS_PER_MEETING: i64 = 20;

/// The most characters of a document's name.
pub const MAX_NAME_CHARS: usize = 200;

/// What the document handlers work with.
#[derive(Debug, Clone)]
pub struct Documents {
    /// The shared database and clock.
    pub store: Store,
    /// Where the bytes are kept (`<data dir>/documents`).
    pub dir: Arc<PathBuf>,
    /// The certification authorities trusted for signed documents, if configured.
    pub trust: Option<Arc<TrustList>>,
    /// The signalling layer: the meeting's pages are told when its documents change.
    pub signalling: Arc<sportello_signalling::Signalling>,
    /// The documents waiting to be printed (memory only).
    pub prints: Arc<prints::Prints>,
    /// Places for uploads being read ([`MAX_UPLOADS_AT_ONCE`]).
    pub uploads: Arc<tokio::sync::Semaphore>,
}

impl Documents {
    /// Tells everyone in `room` that the meeting's documents changed.
    pub(crate) async fn changed(&self, room: &str) {
        let n = self
            .signalling
            .rooms()
            .notify_room(
                room,
                sportello_signalling::protocol::ServerMessage::DocumentsChanged,
            )
            .await;
        tracing::debug!(told = n, "documents changed");
    }
}

/// A document as the meeting's staff see it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DocumentEntry {
    /// The document's id.
    pub id: String,
    /// The file name as uploaded.
    pub name: String,
    /// `pdf` or `p7m` (by content).
    pub kind: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the bytes (hex).
    pub sha256: String,
    /// Pages of the PDF (inside the `.p7m`).
    pub pages: u32,
    /// The signer's name (`.p7m`).
    pub signer_name: Option<String>,
    /// The signer's codice fiscale, from a qualified certificate (`.p7m`).
    pub signer_codice_fiscale: Option<String>,
    /// `none` (a PDF), `not_checked` (valid signature, no trust list configured), `trusted`
    /// (valid signature, certificate verified) or `untrusted` (valid signature, certificate not
    /// verified against the trust list).
    pub signature: String,
    /// The operator who uploaded it.
    pub uploaded_by: String,
    /// That operator's name, if recorded.
    pub uploaded_by_name: Option<String>,
    /// When (Italian offset).
    #[ts(type = "string")]
    pub uploaded_at: DateTime<FixedOffset>,
    /// The operator who attested it conforms to the original, if any.
    pub attested_by: Option<String>,
    /// When (Italian offset).
    #[ts(type = "string | null")]
    pub attested_at: Option<DateTime<FixedOffset>>,
}

/// The document routes.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Documents: FromRef<S>,
    Store: FromRef<S>,
    Arc<dyn SessionStore>: FromRef<S>,
{
    Router::new()
        .route(
            "/v1/booking/appointments/{appointment_id}/documents",
            get(api::list).post(upload::upload),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/documents/{document_id}",
            get(api::download),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/documents/{document_id}/attest",
            post(api::attest),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/prints",
            get(print_api::pending).post(print_api::send),
        )
        .route("/v1/citizen/prints", get(print_api::citizen_list))
        .route("/v1/citizen/prints/{print_id}", get(print_api::citizen_get))
        .route(
            "/v1/citizen/prints/{print_id}/done",
            post(print_api::citizen_done),
        )
}

/// The operator of the appointment's comune (who uploads and attests) or, with `official`, an
/// official of its sportello (who sends to print), while its meeting can be entered. A 403 is
/// audited as `action` denied.
pub(crate) async fn staff_of(
    d: &Documents,
    who: &crate::identity::Principal,
    rid: &crate::audit::RequestId,
    (action, official): (crate::audit::AuditAction, bool),
    (id, target): (&str, &str),
) -> crate::api::ApiResult<crate::meeting::MeetingPlace> {
    let r =
        crate::meeting::day::staff_may_enter(d.store.db(), d.store.now(), who, id, official).await;
    match r {
        Ok(p) => Ok(p),
        Err(e) => {
            let e = crate::api::AppError::from(e);
            if e.status == axum::http::StatusCode::FORBIDDEN {
                let event = crate::audit::Event::staff(who, rid, action)
                    .scope(crate::audit::Scope::target(target))
                    .denied();
                crate::audit::record(&d.store, event).await;
            }
            Err(e)
        }
    }
}

/// A place to read one upload, if fewer than [`MAX_UPLOADS_AT_ONCE`] are being read.
pub(crate) fn upload_place(d: &Documents) -> Option<tokio::sync::OwnedSemaphorePermit> {
    d.uploads.clone().try_acquire_owned().ok()
}

/// How many uploads are being read now (out of [`MAX_UPLOADS_AT_ONCE`]).
pub(crate) fn uploads_in_progress(d: &Documents) -> usize {
    MAX_UPLOADS_AT_ONCE.saturating_sub(d.uploads.available_permits())
}

/// 503 `uploads_busy` with a `Retry-After`: [`MAX_UPLOADS_AT_ONCE`] are being read.
pub(crate) fn uploads_busy() -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let mut resp = crate::api::AppError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        crate::api::ApiCode::UploadsBusy,
        format!("too many uploads at once: try again in {UPLOADS_BUSY_RETRY_SECS} seconds"),
    )
    .into_response();
    resp.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(UPLOADS_BUSY_RETRY_SECS),
    );
    resp
}

/// 500 `internal`, for failures that are ours.
pub(crate) fn internal() -> crate::api::AppError {
    crate::api::AppError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        crate::api::ApiCode::Internal,
        "internal error",
    )
}

/// Whether `method` and `path` are a document upload, for INPS or to print (the edge lets its body be up to
/// [`MAX_DOCUMENT_BYTES`] and gives it longer to arrive).
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST
        && path.starts_with("/v1/booking/appointments/")
        && (path.ends_with("/documents") || path.ends_with("/prints"))
}
