//! Error answers never echo the request: a 2 KB garbage value in a JSON body or a query
//! string comes back as a code with a short, fixed message that holds none of it.

use serde_json::json;

use crate::support::{Request, TestServer};

/// 2 KB of a pattern no message contains by chance.
fn garbage() -> String {
    "Zq<x>".repeat(410)
}

/// The longest message an error answer may carry.
const MAX_MESSAGE: usize = 160;

#[tokio::test]
async fn error_messages_do_not_echo_input() {
    let s = TestServer::start(None).await;
    let operator = s.operator().await;
    let admin = s.inps_admin().await;
    let g = garbage();
    let json_post = |path: &str, body: serde_json::Value| {
        Request::raw("POST", path, body.to_string()).header("Content-Type", "application/json")
    };
    let cases = [
        (
            "unknown JSON field",
            &operator,
            json_post("/v1/demo/login", json!({"account": "x", g.as_str(): 1})),
            "bad_request_body",
        ),
        (
            "string for a number",
            &operator,
            json_post(
                "/v1/booking/holds",
                json!({"sportello_id": 1, "starts_at": g, "service_code": {"x": g}}),
            ),
            "bad_request_body",
        ),
        (
            "JSON syntax",
            &operator,
            Request::raw("POST", "/v1/demo/login", format!("{{\"account\": {g}}}"))
                .header("Content-Type", "application/json"),
            "bad_json",
        ),
        (
            "unknown query field",
            &operator,
            Request::get(format!(
                "/v1/booking/sportelli/sassari-1/slots?from=2026-11-23&to=2026-11-23&{g}=1"
            )),
            "bad_query",
        ),
        (
            "bad query value",
            &admin,
            Request::get(format!("/v1/audit?limit={g}")),
            "bad_query",
        ),
        (
            "bad query date",
            &operator,
            Request::get(format!(
                "/v1/booking/sportelli/sassari-1/slots?from={g}&to=2026-11-23"
            )),
            "bad_query",
        ),
    ];
    for (label, client, request, code) in cases {
        let r = client.request(&request).await;
        let v = r.json();
        assert_eq!(v["code"], code, "{label}: {}", r.text);
        let message = v["message"].as_str().expect("a message");
        eprintln!("{label}: {} {message:?}", r.status);
        assert!(
            !message.is_empty() && message.chars().count() <= MAX_MESSAGE,
            "{label}: a short message, got {} characters",
            message.chars().count()
        );
        assert!(
            !message.contains("Zq<x>") && !message.contains("Zq"),
            "{label}: the message echoes the input: {message}"
        );
    }
}
