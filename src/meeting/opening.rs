//! The official waits for the meeting to open. "Entra nella videochiamata" before the comune
//! operator has opened the meeting answers 409 `meeting_not_open`; instead of retrying, the
//! official's page listens to `GET /v1/booking/appointments/{id}/meeting/opening`, an event
//! stream (Server-Sent Events) that says `opened` the moment the operator opens the meeting, and
//! the page then asks for its ticket as before.
//!
//! Events, each with a JSON `data` line:
//! - `waiting` `{"state":"waiting"}`: first, while the meeting is not open;
//! - `opened` `{"state":"opened"}`: the meeting can be entered now (last event);
//! - `refused` `{"code","message"}`: it can no longer be entered (closed, cancelled, the window
//!   passed; the same codes as the join); last event.
//!
//! Opening a meeting on this node wakes its waiters at once ([`Openings::opened`]); each waiter
//! also re-reads the appointment every [`RECHECK`], so a meeting opened on another node sharing the
//! database is seen within that time. A stream lasts at most [`STREAM_LIFETIME`] (the browser's
//! `EventSource` reconnects by itself, and every reconnection checks the session again), ends at
//! shutdown, and a comment line every [`KEEP_ALIVE`] keeps proxies from cutting it. The
//! waiters are bounded: [`MAX_WAITERS`] in all, [`MAX_WAITERS_PER_SUBJECT`] per staff member; beyond
//! that the answer is 503 `too_many_waiting` with a `Retry-After`.
//!
//! Whether the meeting can be entered is decided by the same rules as the join
//! ([`day::staff_may_enter`]): the events carry no personal data.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast;
use tokio::time::{Instant, MissedTickBehavior};

use super::Meetings;
use super::day;
use crate::api::{ApiCode, ApiResult, AppError, PathParams};
use crate::booking::api::appointment_id;
use crate::identity::Principal;

/// How often a waiter re-reads the appointment even without a local wake-up.
pub const RECHECK: Duration = Duration::from_secs(5);
/// A comment line this often keeps the stream alive through proxies.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// A stream ends after this long; the browser reconnects (and is authenticated again).
pub const STREAM_LIFETIME: Duration = Duration::from_secs(300);
/// Waiting streams open at most, all staff together.
pub const MAX_WAITERS: usize = 1024;
/// Waiting streams open at most for one staff member (a few tabs).
pub const MAX_WAITERS_PER_SUBJECT: usize = 4;
/// What the browser is told to wait before reconnecting, in milliseconds.
const RECONNECT_MS: u64 = 3000;
/// Seconds a refused waiter is told to wait.
const BUSY_RETRY_SECS: u32 = 10;

/// The meetings opened on this node, told to those waiting for them, and the count of waiters.
#[derive(Debug)]
pub struct Openings {
    opened: broadcast::Sender<Arc<str>>,
    waiters: Mutex<Waiters>,
}

#[derive(Debug, Default)]
struct Waiters {
    total: usize,
    by_subject: HashMap<String, usize>,
}

impl Default for Openings {
    fn default() -> Self {
        // Lagging behind only makes a waiter re-read the database (see `next_event`).
        let (opened, _) = broadcast::channel(64);
        Self {
            opened,
            waiters: Mutex::new(Waiters::default()),
        }
    }
}

impl Openings {
    /// Tells the waiters of appointment `id` that its meeting was opened.
    pub fn opened(&self, id: &str) {
        // No receiver is not an error: nobody waits.
        let _ = self.opened.send(Arc::from(id));
    }

    /// A place for one more waiter of `subject`, if the bounds allow it.
    fn take_place(self: &Arc<Self>, subject: &str) -> Option<Place> {
        let mut w = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        let mine = w.by_subject.get(subject).copied().unwrap_or(0);
        if w.total >= MAX_WAITERS || mine >= MAX_WAITERS_PER_SUBJECT {
            return None;
        }
        w.total += 1;
        w.by_subject.insert(subject.to_owned(), mine + 1);
        Some(Place {
            openings: self.clone(),
            subject: subject.to_owned(),
        })
    }

    /// Waiting streams open now.
    pub fn waiting(&self) -> usize {
        self.waiters.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}

/// One waiter's place, given back when its stream ends (however it ends).
#[derive(Debug)]
struct Place {
    openings: Arc<Openings>,
    subject: String,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut w = self
            .openings
            .waiters
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        w.total = w.total.saturating_sub(1);
        if let Some(n) = w.by_subject.get_mut(&self.subject) {
            *n -= 1;
            if *n == 0 {
                w.by_subject.remove(&self.subject);
            }
        }
    }
}

/// Where the meeting stands for the waiting official.
enum Standing {
    Waiting,
    Open,
    Refused(AppError),
}

async fn standing(s: &Meetings, who: &Principal, id: &str) -> Standing {
    match day::staff_may_enter(s.store.db(), s.store.now(), who, id, true).await {
        Ok(_) => Standing::Open,
        Err(e) => {
            let e = AppError::from(e);
            if e.code == ApiCode::MeetingNotOpen {
                Standing::Waiting
            } else {
                Standing::Refused(e)
            }
        }
    }
}

fn state_event(name: &'static str) -> Event {
    Event::default()
        .event(name)
        .data(format!(r#"{{"state":"{name}"}}"#))
        .retry(Duration::from_millis(RECONNECT_MS))
}

fn refused_event(e: &AppError) -> Event {
    let body = serde_json::json!({ "code": e.code, "message": e.message });
    Event::default().event("refused").data(body.to_string())
}

fn event_of(standing: &Standing) -> Option<Event> {
    match standing {
        Standing::Waiting => None,
        Standing::Open => Some(state_event("opened")),
        Standing::Refused(e) => Some(refused_event(e)),
    }
}

/// One waiting official: the appointment, the wake-ups and the end of the stream.
struct Wait {
    s: Meetings,
    who: Principal,
    id: String,
    opened: broadcast::Receiver<Arc<str>>,
    recheck: tokio::time::Interval,
    ends: Instant,
    done: bool,
    _place: Place,
}

/// The next event of `w` once the meeting opens or can no longer be entered; `None` ends the
/// stream (done, lifetime over, shutdown).
async fn next_event(w: &mut Wait) -> Option<Event> {
    if w.done {
        return None;
    }
    loop {
        tokio::select! {
            () = w.s.shutdown.cancelled() => return None,
            () = tokio::time::sleep_until(w.ends) => return None,
            _ = w.recheck.tick() => {}
            r = w.opened.recv() => match r {
                Ok(id) if *id != *w.id => continue,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            },
        }
        let now = standing(&w.s, &w.who, &w.id).await;
        if let Some(event) = event_of(&now) {
            w.done = true;
            return Some(event);
        }
    }
}

fn busy() -> Response {
    let mut resp = AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ApiCode::TooManyWaiting,
        format!("too many waiting pages: try again in {BUSY_RETRY_SECS} seconds"),
    )
    .into_response();
    resp.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(BUSY_RETRY_SECS));
    resp
}

/// `GET /v1/booking/appointments/{id}/meeting/opening`: the official's wait for the meeting to
/// open, as an event stream. Refusals that do not depend on the operator (not an official of the
/// sportello, unknown appointment, closed, outside the window) are answered at once as JSON
/// errors, like the join.
pub async fn opening(
    State(s): State<Meetings>,
    who: Principal,
    PathParams(id): PathParams<String>,
) -> ApiResult<Response> {
    appointment_id(&id)?;
    let first = standing(&s, &who, &id).await;
    if let Standing::Refused(e) = first {
        return Err(e);
    }
    let Some(place) = s.openings.take_place(&who.subject) else {
        return Ok(busy());
    };
    // Subscribe before the first answer is sent: an opening after the check above is not missed
    // (the first tick of `recheck` reads the database again anyway).
    let opened = s.openings.opened.subscribe();
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let ends = Instant::now() + STREAM_LIFETIME;
    let head = match event_of(&first) {
        Some(open) => vec![open],
        None => vec![state_event("waiting")],
    };
    let wait = Wait {
        s,
        who,
        id,
        opened,
        recheck,
        ends,
        done: matches!(first, Standing::Open),
        _place: place,
    };
    let rest = stream::unfold(wait, |mut w| async move {
        next_event(&mut w).await.map(|e| (e, w))
    });
    let events = stream::iter(head).chain(rest).map(Ok::<_, Infallible>);
    Ok(sse(events))
}

fn sse(events: impl Stream<Item = Result<Event, Infallible>> + Send + 'static) -> Response {
    let mut resp = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // No proxy may buffer or store the stream.
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    resp.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_bounded_per_subject_and_given_back() {
        let o = Arc::new(Openings::default());
        let mine: Vec<Place> = (0..MAX_WAITERS_PER_SUBJECT)
            .map(|_| o.take_place("anna").expect("a place"))
            .collect();
        assert!(
            o.take_place("anna").is_none(),
            "a fifth tab of the same person"
        );
        let other = o.take_place("bruno").expect("another person still waits");
        assert_eq!(o.waiting(), MAX_WAITERS_PER_SUBJECT + 1);
        drop(mine);
        drop(other);
        assert_eq!(o.waiting(), 0);
        assert!(o.take_place("anna").is_some());
    }

    #[test]
    fn places_are_bounded_in_all() {
        let o = Arc::new(Openings::default());
        let all: Vec<Place> = (0..MAX_WAITERS)
            .map(|i| o.take_place(&format!("s{i}")).expect("a place"))
            .collect();
        assert!(o.take_place("late").is_none());
        drop(all);
        assert!(o.take_place("late").is_some());
    }
}
