//! Property test over the date inputs of every route that takes dates: any date chrono can
//! hold, dates near today, the extremes and arbitrary text, in the query or the body of each
//! route, never get a 500 or kill the connection (a panic): always 200/201 or a 4xx with a JSON
//! `code`. A bounded number of cases per route, drawn deterministically.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::support::{Client, Request, TestServer, account};

/// Cases per route.
const CASES: usize = 64;

/// The test clock's day (see `support::START`).
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// A date as a client might send it.
fn date_text() -> BoxedStrategy<String> {
    let (min, max) = (
        NaiveDate::MIN.num_days_from_ce(),
        NaiveDate::MAX.num_days_from_ce(),
    );
    let near = today().num_days_from_ce();
    prop_oneof![
        // Any date chrono holds, as chrono prints it (`+262142-12-31` beyond year 9999).
        (min..=max).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap().to_string()),
        // Around today, where the window's edges are.
        (near - 1200..=near + 1200)
            .prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap().to_string()),
        prop::sample::select(vec![
            "+262142-12-31",
            "-262143-01-01",
            "+262143-12-31",
            "-262144-01-01",
            "0000-01-01",
            "9999-12-31",
            "2026-02-30",
            "2026-13-01",
            "",
        ])
        .prop_map(str::to_owned),
        "[0-9+-]{1,14}",
        "\\PC{0,24}",
    ]
    .boxed()
}

/// An instant as a client might send it (the audit log's `from`/`to`).
fn instant_text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => (
            date_text(),
            prop::sample::select(vec!["Z", "+14:00", "-23:59", "+00:00", ""]),
        )
            .prop_map(|(d, z)| format!("{d}T00:00:00{z}")),
        1 => date_text(),
    ]
    .boxed()
}

/// A year as a client might send it.
fn year_text() -> BoxedStrategy<String> {
    prop_oneof![
        any::<i64>().prop_map(|y| y.to_string()),
        (1900i64..2300).prop_map(|y| y.to_string()),
        "\\PC{0,12}",
    ]
    .boxed()
}

fn q(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A JSON value for a date: the text, or now and then a number.
fn body_date(s: &str) -> Value {
    s.parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| json!(s))
}

/// Draws `CASES` pairs from `strategy` and sends each request `make` builds as `client`.
async fn check(
    label: &str,
    client: &Client,
    strategy: BoxedStrategy<String>,
    make: impl Fn(&str, &str) -> Request,
) {
    let mut runner = TestRunner::deterministic();
    let pairs = (strategy.clone(), strategy);
    for _ in 0..CASES {
        let (a, b) = pairs.new_tree(&mut runner).unwrap().current();
        let r = client.request(&make(&a, &b)).await;
        let ok = matches!(r.status, 200 | 201 | 204)
            || ((400..500).contains(&r.status)
                && serde_json::from_str::<Value>(&r.text)
                    .is_ok_and(|v| v["code"].as_str().is_some_and(|c| !c.is_empty())));
        assert!(ok, "{label} with {a:?}, {b:?}: {} {}", r.status, r.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_date_input_gets_a_500_or_a_panic() {
    let s = TestServer::start(None).await;
    let operator = s.operator().await;
    let official = s.official().await;
    let admin = s.inps_admin().await;
    let user_admin = s.user_admin().await;

    // Query routes: `{a}` and `{b}` stand for the drawn values (URL-encoded).
    let queries = [
        (
            "slots",
            &operator,
            date_text(),
            "/v1/booking/sportelli/sassari-1/slots?from={a}&to={b}",
        ),
        (
            "agenda",
            &official,
            date_text(),
            "/v1/booking/sportelli/sassari-1/agenda?from={a}&to={b}",
        ),
        (
            "agenda from",
            &official,
            date_text(),
            "/v1/booking/sportelli/sassari-1/agenda?from={a}",
        ),
        (
            "comune day",
            &operator,
            date_text(),
            "/v1/booking/comuni/090078/appointments?date={a}",
        ),
        (
            "comune range",
            &operator,
            date_text(),
            "/v1/booking/comuni/090078/appointments?from={a}&to={b}",
        ),
        (
            "holidays",
            &operator,
            year_text(),
            "/v1/booking/holidays?year={a}",
        ),
        ("audit", &admin, instant_text(), "/v1/audit?from={a}&to={b}"),
        (
            "audit.csv",
            &admin,
            instant_text(),
            "/v1/audit.csv?from={a}&to={b}",
        ),
    ];
    for (label, client, strategy, template) in queries {
        check(label, client, strategy, |a, b| {
            Request::get(template.replace("{a}", &q(a)).replace("{b}", &q(b)))
        })
        .await;
    }
    check("hold", &operator, instant_text(), |a, _| {
        Request::post(
            "/v1/booking/holds",
            &json!({"sportello_id": "sassari-1", "starts_at": body_date(a),
                    "service_code": "pensioni"}),
        )
    })
    .await;
    check("closure", &admin, date_text(), |a, b| {
        Request::post(
            "/v1/booking/sedi/sede-sassari/closures",
            &json!({"first_day": body_date(a), "last_day": body_date(b), "reason": "Prova"}),
        )
    })
    .await;
    // Last: it may end the operator's validity.
    check("operator validity", &user_admin, date_text(), |a, b| {
        Request::patch(
            format!("/v1/identity/operators/{}", account::OPERATOR),
            &json!({"valid_from": body_date(a), "valid_until": body_date(b)}),
        )
    })
    .await;
    assert_eq!(s.anonymous().get("/healthz").await.status, 200);
}

#[tokio::test]
async fn dates_beyond_the_window_get_bad_date_range() {
    let s = TestServer::start(None).await;
    let operator = s.operator().await;
    let official = s.official().await;
    let admin = s.inps_admin().await;
    for (client, path) in [
        (
            &operator,
            "/v1/booking/sportelli/sassari-1/slots?from=%2B262142-12-31&to=%2B262142-12-31",
        ),
        (
            &operator,
            "/v1/booking/sportelli/sassari-1/slots?from=2028-11-24&to=2028-11-24",
        ),
        (
            &official,
            "/v1/booking/sportelli/sassari-1/agenda?from=-262143-01-01",
        ),
        (
            &operator,
            "/v1/booking/comuni/090078/appointments?date=-262143-01-01",
        ),
        (
            &operator,
            "/v1/booking/comuni/090078/appointments?from=2024-11-01&to=2024-11-02",
        ),
        (&admin, "/v1/audit?from=1990-01-01T00:00:00Z"),
    ] {
        client.get(path).await.expect_error(422, "bad_date_range");
    }
    let r = admin
        .post(
            "/v1/booking/sedi/sede-sassari/closures",
            &json!({"first_day": "2029-01-01", "last_day": "2029-01-02", "reason": "Prova"}),
        )
        .await;
    r.expect_error(422, "bad_date_range");
    // Inside the window the same routes answer.
    let r = operator
        .get("/v1/booking/sportelli/sassari-1/slots?from=2028-11-20&to=2028-11-22")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}
