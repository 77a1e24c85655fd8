//! A deadline for receiving a request body: the body of each request is wrapped
//! ([`with_body_deadline`]) so that reading it fails with [`BodyTimedOut`] once the time is
//! up, and the extractors answer 408 `request_timeout` (see [`super::AppError`]). A request
//! whose body is never read (a WebSocket upgrade, a GET) is not affected.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use http_body::{Frame, SizeHint};

/// The error of a body read past its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the request body was not received in time")]
pub struct BodyTimedOut;

/// `req` with a body that must be received within `limit` from now.
pub fn with_body_deadline(req: Request, limit: Duration) -> Request {
    req.map(|inner| {
        Body::new(DeadlineBody {
            inner,
            limit,
            deadline: None,
        })
    })
}

/// Whether `error`, or an error it comes from, is [`BodyTimedOut`].
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if e.is::<BodyTimedOut>() {
            return true;
        }
        next = e.source();
    }
    false
}

struct DeadlineBody {
    inner: Body,
    limit: Duration,
    /// Started at the first read, so a body nobody reads costs no timer.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        let limit = this.limit;
        let deadline = this
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
