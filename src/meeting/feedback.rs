//! The citizen's feedback at the end of the meeting: `POST /v1/citizen/feedback`, from the
//! kiosk's citizen session in the grace after the official closed the meeting
//! ([`citizen::FEEDBACK_GRACE`]), once per session.
//!
//! The feedback is stored with the day (Italian time), the appointment's comune and Sede, the
//! rating and the comment only: no appointment, session, subject or time of day, so that it
//! cannot be linked back to the meeting or the citizen. For the same reason it is not in the
//! audit log (an entry would carry the appointment and the time).

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Meetings;
use super::store;
use crate::api::{ApiCode, ApiResult, AppError, JsonBody};
use crate::booking::store::new_id;
use crate::booking::{BookingError, rome};
use crate::identity::citizen::{self, EndingSession};

/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 500;

/// The body of `POST /v1/citizen/feedback`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// 1 (molto male) to 5 (molto bene).
    pub rating: i64,
    /// A short comment (at most 500 characters; line breaks allowed, no other control
    /// characters).
    #[serde(default)]
    #[ts(optional)]
    pub comment: Option<String>,
}

/// The rating and the comment (trimmed, `None` when empty), or the refusal.
fn parse(req: &FeedbackRequest) -> ApiResult<(i64, Option<String>)> {
    if !(1..=5).contains(&req.rating) {
        return Err(AppError::bad_request(
            ApiCode::BadRating,
            "rating must be a whole number from 1 to 5",
        ));
    }
    let comment = req
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = comment {
        if c.chars().count() > MAX_COMMENT {
            return Err(AppError::bad_request(
                ApiCode::CommentTooLong,
                format!("the comment may hold at most {MAX_COMMENT} characters"),
            ));
        }
        if c.chars().any(|ch| ch.is_control() && ch != '\n') {
            return Err(AppError::bad_request(
                ApiCode::BadComment,
                "the comment may not contain control characters",
            ));
        }
    }
    Ok((req.rating, comment.map(str::to_owned)))
}

/// `POST /v1/citizen/feedback`: 204, the citizen cookie cleared; the session can do nothing
/// more.
pub async fn give(
    State(s): State<Meetings>,
    EndingSession(session): EndingSession,
    headers: HeaderMap,
    b: Result<JsonBody<FeedbackRequest>, AppError>,
) -> ApiResult<Response> {
    let JsonBody(req) = b?;
    let (rating, comment) = parse(&req)?;
    if !session.meeting_closed {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            ApiCode::MeetingNotClosed,
            "the feedback is given after the official has closed the meeting",
        ));
    }
    if session.feedback_given {
        return Err(already_given());
    }
    let token = citizen::token(&headers).unwrap_or_default();
    let (db, now) = (s.store.db(), s.store.now());
    let row = store::row(db, &session.appointment_id).await?;
    let mut tx = db.begin_write().await.map_err(BookingError::from)?;
    if !citizen::mark_feedback_given(&mut tx, &token).await? {
        return Err(already_given());
    }
    sqlx::query(
        "INSERT INTO feedback (id, day, comune_istat, sede_id, rating, comment) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(rome::local_date(now).format("%Y-%m-%d").to_string())
    .bind(&row.comune)
    .bind(&row.sede)
    .bind(rating)
    .bind(comment.as_deref())
    .execute(&mut *tx)
    .await
    .map_err(BookingError::from)?;
    tx.commit().await.map_err(BookingError::from)?;
    tracing::info!(rating, "citizen feedback given");
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, citizen::clear_cookie())],
    )
        .into_response())
}

fn already_given() -> AppError {
    AppError::new(
        StatusCode::CONFLICT,
        ApiCode::FeedbackAlreadyGiven,
        "the feedback of this meeting has already been given",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(rating: i64, comment: Option<&str>) -> FeedbackRequest {
        FeedbackRequest {
            rating,
            comment: comment.map(str::to_owned),
        }
    }

    #[test]
    fn ratings_and_comments() {
        assert_eq!(parse(&req(1, None)).unwrap(), (1, None));
        assert_eq!(parse(&req(5, Some("  "))).unwrap(), (5, None));
        assert_eq!(
            parse(&req(3, Some(" a\nb "))).unwrap(),
            (3, Some("a\nb".into()))
        );
        let long = "è".repeat(MAX_COMMENT);
        assert!(parse(&req(4, Some(&long))).is_ok());
        for (r, code) in [
            (req(0, None), ApiCode::BadRating),
            (req(6, None), ApiCode::BadRating),
            (req(-1, None), ApiCode::BadRating),
            (
                req(3, Some(&"x".repeat(MAX_COMMENT + 1))),
                ApiCode::CommentTooLong,
            ),
            (req(3, Some("a\u{7}b")), ApiCode::BadComment),
            (req(3, Some("a\tb")), ApiCode::BadComment),
        ] {
            assert_eq!(parse(&r).unwrap_err().code, code);
        }
    }
}
