//! The official's wait for the operator to open the meeting (`GET .../meeting/opening`, an event
//! stream): `waiting` first, `opened` pushed when the operator opens it, `refused` when it can no
//! longer be entered; JSON refusals for everyone else; the waiters bounded per person; the stream
//! ends at shutdown.

use std::time::Duration;

use serde_json::json;

use crate::support::http::Client;
use crate::support::slots::{MON_0930, TUE_0830};
use crate::support::{TestServer, at};

/// How long a test waits for an event it expects (the server pushes it at once, or re-reads the
/// appointment every 5 s).
const EVENT_WAIT: Duration = Duration::from_secs(30);

/// An open event stream, read event by event.
struct Events {
    resp: reqwest::Response,
    buf: String,
}

/// One event: its name and data line.
#[derive(Debug, PartialEq, Eq)]
struct Ev {
    name: String,
    data: String,
}

fn path(id: &str) -> String {
    format!("/v1/booking/appointments/{id}/meeting/opening")
}

/// Opens the stream of `id` as `c`; the answer whatever its status.
async fn open(c: &Client, id: &str) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .get(format!("http://{}{}", c.addr, path(id)))
        .header("Host", "localhost")
        .header("Accept", "text/event-stream");
    if let Some(cookie) = &c.cookie {
        req = req.header("Cookie", cookie);
    }
    req.send().await.expect("an answer")
}

impl Events {
    async fn start(c: &Client, id: &str) -> Self {
        let resp = open(c, id).await;
        assert_eq!(resp.status(), 200);
        let header = |n: &str| resp.headers()[n].to_str().unwrap().to_owned();
        assert!(header("content-type").starts_with("text/event-stream"));
        assert_eq!(header("cache-control"), "no-store");
        Self {
            resp,
            buf: String::new(),
        }
    }

    /// The next event (comments skipped), or `None` when the server ended the stream.
    async fn next(&mut self) -> Option<Ev> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut ev = Ev {
                    name: String::new(),
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        ev.name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        ev.data = v.trim().to_owned();
                    }
                }
                if ev.name.is_empty() && ev.data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some(ev);
            }
            let chunk = tokio::time::timeout(EVENT_WAIT, self.resp.chunk())
                .await
                .expect("an event or the end of the stream in time")
                .expect("a readable stream")?;
            self.buf
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }

    async fn expect(&mut self, name: &str, data: &str) {
        let ev = self.next().await.expect("one more event");
        assert_eq!(
            ev,
            Ev {
                name: name.into(),
                data: data.into()
            }
        );
    }

    async fn expect_end(&mut self) {
        assert_eq!(self.next().await, None, "the stream ends");
    }
}

#[tokio::test]
async fn the_official_is_told_when_the_operator_opens() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let official = env.official().await;
    let a = op.book(&at(MON_0930), "a").await;

    let mut events = Events::start(&official, &a).await;
    events.expect("waiting", r#"{"state":"waiting"}"#).await;
    // A second tab of the same official waits too.
    let mut other_tab = Events::start(&official, &a).await;
    other_tab.expect("waiting", r#"{"state":"waiting"}"#).await;

    let r = op.meeting(&a, "", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    events.expect("opened", r#"{"state":"opened"}"#).await;
    events.expect_end().await;
    other_tab.expect("opened", r#"{"state":"opened"}"#).await;
    other_tab.expect_end().await;
    // The ticket is then taken as before.
    let r = official.meeting(&a, "join", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Already open: the stream says so at once.
    let mut late = Events::start(&official, &a).await;
    late.expect("opened", r#"{"state":"opened"}"#).await;
    late.expect_end().await;

    // Closed by the official: no stream, the join's refusal.
    let r = official
        .meeting(&a, "close", json!({"outcome": "resolved"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    official
        .get(&path(&a))
        .await
        .expect_error(409, "meeting_closed");
    env.stop().await;
}

#[tokio::test]
async fn a_cancelled_appointment_ends_the_wait() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let official = env.official().await;
    let a = op.book(&at(MON_0930), "a").await;
    let mut events = Events::start(&official, &a).await;
    events.expect("waiting", r#"{"state":"waiting"}"#).await;
    let r = op
        .post(&format!("/v1/booking/appointments/{a}/cancel"), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ev = events.next().await.expect("the refusal");
    assert_eq!(ev.name, "refused");
    let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
    assert_eq!(data["code"], "appointment_cancelled");
    assert!(data["message"].as_str().is_some_and(|m| !m.is_empty()));
    events.expect_end().await;
    env.stop().await;
}

#[tokio::test]
async fn only_the_officials_of_the_sportello_may_wait() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    let tomorrow = op.book(&at(TUE_0830), "t").await;
    let official = env.official().await;

    env.anonymous()
        .get(&path(&a))
        .await
        .expect_error(401, "unauthenticated");
    for account in [
        "operatore.villanova",
        "operatore.alghero",
        "funzionario.laquila",
        "utenze.villanova",
        "admin.inps",
    ] {
        env.login(account)
            .await
            .get(&path(&a))
            .await
            .expect_error(403, "forbidden");
    }
    official
        .get(&path("not-an-id"))
        .await
        .expect_error(400, "bad_appointment_id");
    official
        .get(&path(&"0".repeat(32)))
        .await
        .expect_error(404, "unknown_appointment");
    official
        .get(&path(&tomorrow))
        .await
        .expect_error(409, "outside_meeting_window");
    // The events carry no personal data (and no room id).
    let mut events = Events::start(&official, &a).await;
    let ev = events.next().await.unwrap();
    for secret in ["Laura", "Bianchi", "BNCLRA92P55I452E", "mtg-"] {
        assert!(!ev.data.contains(secret));
    }
    env.stop().await;
}

#[tokio::test]
async fn waiters_are_bounded_per_person_and_end_at_shutdown() {
    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    let official = env.official().await;

    let mut streams = Vec::new();
    for _ in 0..4 {
        let mut s = Events::start(&official, &a).await;
        s.expect("waiting", r#"{"state":"waiting"}"#).await;
        streams.push(s);
    }
    let refused = crate::support::http::read(open(&official, &a).await).await;
    refused.expect_error(503, "too_many_waiting");
    assert_eq!(refused.header("retry-after"), Some("10"));
    // (Another person is not affected: see the unit test of `meeting::opening`.)

    // A closed tab gives its place back (the server notices at the latest on its next
    // keep-alive write).
    drop(streams.pop());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    loop {
        let r = open(&official, &a).await;
        if r.status() == 200 {
            break;
        }
        assert_eq!(r.status(), 503);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place comes back"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Shutdown ends every stream (and is not held up by them).
    let stop = tokio::spawn(env.stop());
    for mut s in streams {
        s.expect_end().await;
    }
    tokio::time::timeout(Duration::from_secs(30), stop)
        .await
        .expect("shutdown in time")
        .unwrap();
}
