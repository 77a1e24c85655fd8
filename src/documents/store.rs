//! The SQL of documents (table `documents`).

use chrono::{DateTime, Utc};
use sqlx::Row as _;

use super::DocumentEntry;
use crate::booking::{BookingError, from_unix, rome};
use crate::store::Db;

/// A new row, as the upload learnt it.
pub(super) struct NewDocument<'a> {
    pub id: &'a str,
    pub appointment_id: &'a str,
    pub sha256: &'a str,
    pub size: u64,
    pub kind: &'a str,
    pub name: &'a str,
    pub pages: u32,
    pub signer_name: Option<&'a str>,
    pub signer_codice_fiscale: Option<&'a str>,
    pub signature: &'a str,
    pub uploaded_by: &'a str,
}

const SELECT: &str = "SELECT d.id, d.sha256, d.size, d.kind, d.name, d.pages, d.signer_name, \
     d.signer_codice_fiscale, d.signature, d.uploaded_by, d.uploaded_at, d.attested_by, \
     d.attested_at, a.full_name AS uploaded_by_name \
     FROM documents d LEFT JOIN staff_accounts a ON a.account = d.uploaded_by";

fn decode(row: &sqlx::any::AnyRow) -> Result<DocumentEntry, BookingError> {
    let size: i64 = row.try_get("size")?;
    let pages: i64 = row.try_get("pages")?;
    Ok(DocumentEntry {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        size: u64::try_from(size).unwrap_or(0),
        sha256: row.try_get("sha256")?,
        pages: u32::try_from(pages).unwrap_or(0),
        signer_name: row.try_get("signer_name")?,
        signer_codice_fiscale: row.try_get("signer_codice_fiscale")?,
        signature: row.try_get("signature")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_by_name: row.try_get("uploaded_by_name")?,
        uploaded_at: rome::to_local(from_unix(row.try_get("uploaded_at")?)),
        attested_by: row.try_get("attested_by")?,
        attested_at: row
            .try_get::<Option<i64>, _>("attested_at")?
            .map(|t| rome::to_local(from_unix(t))),
    })
}

/// How many documents appointment `id` holds.
pub(super) async fn count(db: &Db, appointment_id: &str) -> Result<i64, BookingError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM documents WHERE appointment_id = $1")
        .bind(appointment_id)
        .fetch_one(db.pool())
        .await?;
    Ok(n)
}

/// Records a new document.
pub(super) async fn insert(
    db: &Db,
    d: &NewDocument<'_>,
    now: DateTime<Utc>,
) -> Result<(), BookingError> {
    sqlx::query(
        "INSERT INTO documents (id, appointment_id, sha256, size, kind, name, pages, signer_name, \
         signer_codice_fiscale, signature, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(d.id)
    .bind(d.appointment_id)
    .bind(d.sha256)
    .bind(i64::try_from(d.size).unwrap_or(i64::MAX))
    .bind(d.kind)
    .bind(d.name)
    .bind(i64::from(d.pages))
    .bind(d.signer_name)
    .bind(d.signer_codice_fiscale)
    .bind(d.signature)
    .bind(d.uploaded_by)
    .bind(now.timestamp())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The documents of appointment `id`, oldest first.
pub(super) async fn list(
    db: &Db,
    appointment_id: &str,
) -> Result<Vec<DocumentEntry>, BookingError> {
    let sql = format!("{SELECT} WHERE d.appointment_id = $1 ORDER BY d.uploaded_at, d.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(appointment_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(decode).collect()
}

/// Document `document_id` of appointment `appointment_id`, if it is one of its.
pub(super) async fn get(
    db: &Db,
    appointment_id: &str,
    document_id: &str,
) -> Result<Option<DocumentEntry>, BookingError> {
    let sql = format!("{SELECT} WHERE d.appointment_id = $1 AND d.id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(appointment_id)
        .bind(document_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Records that `who` attested the document conforms to the original (the first attestation
/// stands).
pub(super) async fn attest(
    db: &Db,
    document_id: &str,
    who: &str,
    now: DateTime<Utc>,
) -> Result<(), BookingError> {
    sqlx::query(
        "UPDATE documents SET attested_by = $1, attested_at = $2 \
         WHERE id = $3 AND attested_by IS NULL",
    )
    .bind(who)
    .bind(now.timestamp())
    .bind(document_id)
    .execute(db.pool())
    .await?;
    Ok(())
}
