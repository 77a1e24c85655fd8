//! Booking errors and their HTTP mapping (status + stable code; messages carry no personal data).

use axum::http::StatusCode;

use super::slots::NotBookable;
use crate::api::{ApiCode, AppError};

/// What can go wrong in a booking operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BookingError {
    /// Input that fails validation: (code, message).
    #[error("{1}")]
    Invalid(ApiCode, String),
    /// Something named in the request does not exist: (code, message).
    #[error("{1}")]
    NotFound(ApiCode, String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The state changed under the request: (code, message).
    #[error("{1}")]
    Conflict(ApiCode, String),
    /// The slot is not bookable.
    #[error("slot not bookable: {0:?}")]
    NotBookable(NotBookable),
    /// The database failed.
    #[error("database error")]
    Database(#[from] sqlx::Error),
}

impl BookingError {
    /// Shorthand for [`BookingError::Invalid`].
    pub fn invalid(code: ApiCode, message: impl Into<String>) -> Self {
        Self::Invalid(code, message.into())
    }

    /// Shorthand for [`BookingError::NotFound`].
    pub fn not_found(code: ApiCode, message: impl Into<String>) -> Self {
        Self::NotFound(code, message.into())
    }

    /// Shorthand for [`BookingError::Conflict`].
    pub fn conflict(code: ApiCode, message: impl Into<String>) -> Self {
        Self::Conflict(code, message.into())
    }

    /// Whether this is a unique-constraint violation reported by the database.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

impl From<BookingError> for AppError {
    fn from(e: BookingError) -> Self {
        match e {
            BookingError::Invalid(code, m) => {
                AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, m)
            }
            BookingError::NotFound(code, m) => AppError::new(StatusCode::NOT_FOUND, code, m),
            BookingError::Forbidden(m) => {
                AppError::new(StatusCode::FORBIDDEN, ApiCode::Forbidden, m)
            }
            BookingError::Conflict(code, m) => AppError::new(StatusCode::CONFLICT, code, m),
            BookingError::NotBookable(why) => {
                let (code, message) = match why {
                    NotBookable::Past => (ApiCode::SlotInPast, "the slot has already begun"),
                    NotBookable::Holiday => (ApiCode::Holiday, "the Sede is closed for a holiday"),
                    NotBookable::Closed => (ApiCode::SedeClosed, "the Sede is closed on that day"),
                    NotBookable::OutsideOpeningHours => (
                        ApiCode::OutsideOpeningHours,
                        "not the start of a slot within the opening hours",
                    ),
                };
                AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            BookingError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                AppError::new(
                    StatusCode::CONFLICT,
                    ApiCode::Conflict,
                    "the request conflicts with existing data",
                )
            }
            BookingError::Database(e) => {
                // The error text may quote values; log only its kind.
                tracing::error!(kind = db_error_kind(&e), "booking database error");
                AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ApiCode::Internal,
                    "internal error",
                )
            }
        }
    }
}

fn db_error_kind(e: &sqlx::Error) -> &'static str {
    match e {
        sqlx::Error::Database(_) => "database",
        sqlx::Error::PoolTimedOut => "pool_timed_out",
        sqlx::Error::PoolClosed => "pool_closed",
        sqlx::Error::Io(_) => "io",
        sqlx::Error::RowNotFound => "row_not_found",
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => "decode",
        _ => "other",
    }
}
