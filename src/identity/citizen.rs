//! Citizen sessions: what "Passa al cittadino" hands to the citizen at the comune workstation.
//!
//! A citizen session is bound to ONE meeting (appointment and room) and can do nothing else:
//! fetch a fresh meeting token for that room (for reconnects), tell who it is, and end. It is a
//! different cookie (`sportello_citizen`) from the staff session, so no staff route accepts it.
//! The server keeps a SHA-256 hash of the cookie token, a random subject and the CSRF token; it
//! ends at the end of the meeting window, on "esci", or [`FEEDBACK_GRACE`] after the official
//! closes the meeting: in that grace it may only give the citizen's feedback (or end), and every
//! other citizen route answers as if it were gone ([`CitizenSession`] refuses it; the feedback
//! route takes an [`EndingSession`]). Nothing in it identifies the citizen.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use chrono::{DateTime, Utc};
use sqlx::Row as _;

use super::session::{constant_time_eq, cookie_value, random_token, token_hash as hash};
use crate::api::{ApiCode, AppError};
use crate::booking::{BookingError, from_unix};
use crate::store::{Db, Store};

/// Name of the citizen session cookie.
pub const CITIZEN_COOKIE: &str = "sportello_citizen";
/// Header carrying the CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A live citizen session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenSession {
    /// Random subject of the citizen's meeting tokens (`citizen-…`).
    pub subject: String,
    /// The one appointment (meeting) it is bound to.
    pub appointment_id: String,
    /// The room of that meeting.
    pub room: String,
    /// The CSRF token its state-changing requests must carry.
    pub csrf_token: String,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// Whether the official has closed its meeting (the session lives on for the feedback only).
    pub meeting_closed: bool,
    /// Whether the citizen has given their feedback with it (once per session).
    pub feedback_given: bool,
}

/// How long a citizen session outlives the close of its meeting, for the feedback only.
pub const FEEDBACK_GRACE: chrono::Duration = chrono::Duration::minutes(15);

/// A citizen session whose meeting may be closed: what the feedback and "esci" take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndingSession(pub CitizenSession);

/// A new citizen session and the subjects of the earlier ones it ended.
#[derive(Debug)]
pub struct Opened {
    /// The cookie token.
    pub token: String,
    /// The session.
    pub session: CitizenSession,
    /// The subjects of the sessions of the same meeting that ended (to cut their connections).
    pub ended: Vec<String>,
}

/// Opens the citizen session of a meeting, ending any earlier one of the same meeting (one
/// workstation, one citizen).
pub async fn create(
    db: &Db,
    now: DateTime<Utc>,
    appointment_id: &str,
    room: &str,
    expires_at: DateTime<Utc>,
) -> Result<Opened, BookingError> {
    let ended = end_for_appointment(db, appointment_id).await?;
    let token = random_token();
    let session = CitizenSession {
        subject: format!("citizen-{}", crate::booking::store::new_id()),
        appointment_id: appointment_id.to_owned(),
        room: room.to_owned(),
        csrf_token: random_token(),
        expires_at,
        meeting_closed: false,
        feedback_given: false,
    };
    sqlx::query(
        "INSERT INTO citizen_sessions (token_hash, subject, appointment_id, room, csrf_token, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hash(&token))
    .bind(&session.subject)
    .bind(&session.appointment_id)
    .bind(&session.room)
    .bind(&session.csrf_token)
    .bind(now.timestamp())
    .bind(expires_at.timestamp())
    .execute(db.pool())
    .await?;
    Ok(Opened {
        token,
        session,
        ended,
    })
}

/// The subjects of the live citizen sessions of a meeting at `now` (at most one in practice).
pub async fn live_subjects(
    db: &Db,
    now: DateTime<Utc>,
    appointment_id: &str,
) -> Result<Vec<String>, BookingError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT subject FROM citizen_sessions WHERE appointment_id = $1 AND expires_at > $2",
    )
    .bind(appointment_id)
    .bind(now.timestamp())
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// The live session of `token` at `now` (an expired one is deleted).
pub async fn lookup(
    db: &Db,
    now: DateTime<Utc>,
    token: &str,
) -> Result<Option<CitizenSession>, BookingError> {
    let key = hash(token);
    let row = sqlx::query(
        "SELECT c.subject, c.appointment_id, c.room, c.csrf_token, c.expires_at, \
         c.feedback_given, r.meeting_closed_at FROM citizen_sessions c \
         LEFT JOIN reservations r ON r.id = c.appointment_id WHERE c.token_hash = $1",
    )
    .bind(&key)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let session = CitizenSession {
        subject: row.try_get("subject")?,
        appointment_id: row.try_get("appointment_id")?,
        room: row.try_get("room")?,
        csrf_token: row.try_get("csrf_token")?,
        expires_at: from_unix(row.try_get("expires_at")?),
        meeting_closed: row
            .try_get::<Option<i64>, _>("meeting_closed_at")?
            .is_some(),
        feedback_given: row.try_get::<i64, _>("feedback_given")? != 0,
    };
    if session.expires_at <= now {
        end(db, token).await?;
        return Ok(None);
    }
    Ok(Some(session))
}

/// Ends the session of `token` (idempotent).
pub async fn end(db: &Db, token: &str) -> Result<(), BookingError> {
    sqlx::query("DELETE FROM citizen_sessions WHERE token_hash = $1")
        .bind(hash(token))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends every citizen session of a meeting; returns their subjects (to cut their connections).
pub async fn end_for_appointment(
    db: &Db,
    appointment_id: &str,
) -> Result<Vec<String>, BookingError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT subject FROM citizen_sessions WHERE appointment_id = $1")
            .bind(appointment_id)
            .fetch_all(db.pool())
            .await?;
    sqlx::query("DELETE FROM citizen_sessions WHERE appointment_id = $1")
        .bind(appointment_id)
        .execute(db.pool())
        .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// The official closed the meeting: its citizen sessions may still give the feedback until
/// `until`, and nothing else. Returns their subjects.
pub async fn keep_for_feedback(
    db: &Db,
    appointment_id: &str,
    until: DateTime<Utc>,
) -> Result<Vec<String>, BookingError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT subject FROM citizen_sessions WHERE appointment_id = $1")
            .bind(appointment_id)
            .fetch_all(db.pool())
            .await?;
    sqlx::query("UPDATE citizen_sessions SET expires_at = $2 WHERE appointment_id = $1")
        .bind(appointment_id)
        .bind(until.timestamp())
        .execute(db.pool())
        .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// Marks that the session of `token` gave its feedback, unless it had: `false` if it had.
pub async fn mark_feedback_given(
    conn: &mut sqlx::AnyConnection,
    token: &str,
) -> Result<bool, BookingError> {
    let done = sqlx::query(
        "UPDATE citizen_sessions SET feedback_given = 1 \
         WHERE token_hash = $1 AND feedback_given = 0",
    )
    .bind(hash(token))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The `Set-Cookie` value that stores the citizen session `token`.
pub fn set_cookie(token: &str) -> String {
    format!("{CITIZEN_COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict")
}

/// The `Set-Cookie` value that clears the citizen session cookie.
pub fn clear_cookie() -> String {
    format!("{CITIZEN_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

/// The citizen session token of a request, if any.
pub fn token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, CITIZEN_COOKIE)
}

fn no_session() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        ApiCode::Unauthenticated,
        "no citizen session: the meeting was closed or has not been handed over",
    )
}

/// A live citizen session of the request (its meeting may be closed), with on state-changing
/// methods a matching `x-csrf-token` header (403 `csrf_failed` otherwise).
async fn from_parts(parts: &Parts, store: &Store) -> Result<CitizenSession, AppError> {
    let token = token(&parts.headers).ok_or_else(no_session)?;
    let session = lookup(store.db(), store.now(), &token)
        .await?
        .ok_or_else(no_session)?;
    if parts.method != Method::GET && parts.method != Method::HEAD {
        let given = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !constant_time_eq(given.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                ApiCode::CsrfFailed,
                "the x-csrf-token header is missing or does not match the session",
            ));
        }
    }
    Ok(session)
}

/// The extractor of citizen routes: a live citizen session of a meeting that is not closed
/// (after the close it is no session for them: 401), and on state-changing methods a matching
/// `x-csrf-token` header (403 `csrf_failed` otherwise).
impl<S> FromRequestParts<S> for CitizenSession
where
    S: Send + Sync,
    Store: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = from_parts(parts, &Store::from_ref(state)).await?;
        if session.meeting_closed {
            return Err(no_session());
        }
        Ok(session)
    }
}

/// The extractor of the routes a session may still use after the close of its meeting (the
/// feedback, "esci"): like [`CitizenSession`]'s, its meeting closed or not.
impl<S> FromRequestParts<S> for EndingSession
where
    S: Send + Sync,
    Store: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(from_parts(parts, &Store::from_ref(state)).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_sha256() {
        let h = hash("t");
        assert_eq!(h.len(), 64);
        assert_ne!(h, hash("u"));
    }
}
