//! Request bodies over the limit: 413 `payload_too_large` on every JSON route (an anonymous
//! one, the login, and a staff one) as soon as the `Content-Length` says so (the test sends the
//! head only and reads the answer, so no body is cut off by the server's close); a body just
//! under the limit is read and judged as usual. (A body over the limit without a `Content-Length` is
//! refused as it is read: the unit test of `api::extract`.)

use serde_json::json;

use crate::support::from_address::{loopback, send_from};
use crate::support::internals::{MAX_BODY_BYTES, csrf_token_for};
use crate::support::{Client, Response, TestServer};

/// A JSON object of exactly `len` bytes: `{"account":"x","password":"aaa…"}`.
fn login_body(len: usize) -> String {
    let head = r#"{"account":"x","password":""#;
    let tail = r#""}"#;
    let fill = len - head.len() - tail.len();
    format!("{head}{}{tail}", "a".repeat(fill))
}

/// A JSON object of exactly `len` bytes with one unknown field: `{"pad":"aaa…"}`.
fn padded_body(len: usize) -> String {
    let head = r#"{"pad":""#;
    let tail = r#""}"#;
    format!("{head}{}{tail}", "a".repeat(len - head.len() - tail.len()))
}

/// Announces a JSON body of `len` bytes for `path` and reads the answer before sending any.
async fn announce(client: &Client, path: &str, len: usize) -> Response {
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {len}\r\n"
    );
    if let Some(cookie) = &client.cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
        if let Some(token) = cookie.strip_prefix("sportello_session=") {
            head.push_str(&format!("x-csrf-token: {}\r\n", csrf_token_for(token)));
        }
    }
    head.push_str("\r\n");
    send_from(loopback(1), client.addr, &head).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_413() {
    let env = TestServer::start(None).await;
    let anonymous = env.anonymous();
    let operator = env.operator().await;
    let json = [("Content-Type", "application/json")];

    // The login: 10 MB, and one byte over the limit.
    for len in [10 * 1024 * 1024, MAX_BODY_BYTES + 1] {
        let r = announce(&anonymous, "/v1/login", len).await;
        r.expect_error(413, "payload_too_large");
    }
    // Just under the limit: read, parsed, and refused for what it says.
    let r = anonymous
        .send("POST", "/v1/login", &json, &login_body(MAX_BODY_BYTES))
        .await;
    r.expect_error(400, "password_too_long");

    // A staff JSON route and an anonymous one (the dev token of demo mode).
    for (client, path) in [
        (&operator, "/v1/booking/holds"),
        (&anonymous, "/v1/dev/token"),
    ] {
        let r = announce(client, path, 10 * 1024 * 1024).await;
        r.expect_error(413, "payload_too_large");
        let r = client
            .send("POST", path, &json, &padded_body(MAX_BODY_BYTES))
            .await;
        assert_eq!(r.status, 422, "{path}: {}", r.text);
    }
    // The server is still fine.
    let r = operator.get("/v1/session").await;
    assert_eq!(r.status, 200);
    let r = anonymous
        .post("/v1/login", &json!({"account": "x", "password": "y"}))
        .await;
    r.expect_error(401, "bad_credentials");
    env.stop().await;
}
