//! The shared HTTP vocabulary: what every domain's handlers answer and extract with. The error
//! type ([`AppError`], `{code, message}` with an [`ApiCode`]), [`ApiResult`], the typed request extractors
//! ([`JsonBody`], [`QueryParams`]) whose rejections are [`AppError`]s, and [`EmptyBody`].
//!
//! Domains import this module, never the application edge (`crate::app`).

pub mod body_deadline;
pub mod code;
pub mod csv;
pub mod dates;
pub mod error;
pub mod extract;
pub mod raw_body;
pub mod rejection;

pub use code::ApiCode;
pub use error::{ApiResult, AppError};
pub use extract::{
    ClientAddr, EmptyBody, JsonBody, MAX_BODY_BYTES, PathParams, QueryParams, refuse_large_bodies,
};
