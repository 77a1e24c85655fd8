//! The meeting day: the official's view of the case ([`case`]); its rules (who may, when: [`rules`]), its SQL ([`store`]) and operations
//! ([`day`]); over HTTP, "Apri meeting" and "Entra nel meeting" with the one ticket-issuing path
//! ([`tickets`]), the official's wait for the operator to open ([`opening`]), the handover to the citizen ([`handover`]), the citizen's meeting-scoped
//! session ([`citizen_api`]), the official closing the meeting with an outcome ([`close`]), the
//! check of who may be in the call at each join ([`admission`]), the audit record of who
//! joins, changes identity and leaves the call ([`audit_observer`]), the citizen's feedback after
//! the close ([`feedback`]) and the problem reports of the staff for the referenti
//! ([`reports`]).
//!
//! The citizen session store lives in `identity::citizen`; the connection-level handover
//! (`reauthenticate`) in the signalling crate.

pub mod admission;
pub mod audit_observer;
pub mod case;
pub mod citizen_api;
pub mod close;
pub mod day;
pub mod feedback;
pub mod handover;
pub mod opening;
pub mod reports;
pub mod rules;
mod store;
pub mod tickets;

use axum::Router;
use axum::routing::{get, post};

use std::sync::Arc;

use axum::extract::FromRef;
use sportello_signalling::Signalling;
use tokio_util::sync::CancellationToken;

use crate::identity::SessionStore;
use crate::store::Store;

pub use day::MeetingPlace;
pub use rules::{MeetingOutcome, meeting_window};
pub use tickets::{ExpectedParticipant, MeetingTicket};

/// The name the others see for the citizen (never the citizen's real name: it would travel to
/// logs of the signalling layer and of the browsers).
pub const CITIZEN_DISPLAY_NAME: &str = "Cittadino";

/// What the meeting handlers work with (taken from the application's state with `FromRef`).
#[derive(Debug, Clone)]
pub struct Meetings {
    /// The shared database and clock (appointments and their meeting columns).
    pub store: Store,
    /// The signalling layer (rooms, tokens, connections).
    pub signalling: Arc<Signalling>,
    /// Server-side staff sessions (the handover logs the operator out).
    pub sessions: Arc<dyn SessionStore>,
    /// Cancelled when shutdown begins.
    pub shutdown: CancellationToken,
    /// The meetings opened, told to the officials waiting for them.
    pub openings: Arc<opening::Openings>,
}

/// The meeting routes.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Meetings: FromRef<S>,
    Store: FromRef<S>,
    Arc<dyn SessionStore>: FromRef<S>,
{
    Router::new()
        .route(
            "/v1/booking/appointments/{appointment_id}/meeting",
            post(tickets::open_meeting),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/meeting/join",
            post(tickets::join_meeting),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/case",
            get(case::case_file),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/meeting/opening",
            get(opening::opening),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/meeting/handover",
            post(handover::handover),
        )
        .route(
            "/v1/booking/appointments/{appointment_id}/meeting/close",
            post(close::close),
        )
        .route(
            "/v1/citizen/session",
            get(citizen_api::whoami).delete(citizen_api::leave),
        )
        .route("/v1/citizen/meeting/token", post(citizen_api::token))
        .route("/v1/citizen/feedback", post(feedback::give))
        .route(
            "/v1/booking/appointments/{appointment_id}/reports",
            post(reports::report),
        )
        .route("/v1/monitoring/reports", get(reports::list))
}
