//! Personal data (codice fiscale, names) never reaches the logs or the metrics: a whole booking,
//! with bad input and errors along the way, logged at TRACE level, then searched.

use crate::support::{TestServer, at, citizen};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_in_logs_or_metrics() {
    let capture = crate::support::logs::capture();

    let env = TestServer::start(None).await;
    let op = env.operator().await;
    let hold = op
        .hold("sassari-1", &at("2026-11-24T07:30:00Z"), "pensioni")
        .await
        .json();
    let hold_id = hold["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/booking/holds/{hold_id}/confirm");
    // A mismatching birth date and a broken delegate code, then the real thing.
    let mut bad = citizen();
    bad["applicant"]["birth_date"] = json!("1992-09-16");
    op.post_with(&path, &[("Idempotency-Key", "k1")], &bad)
        .await
        .expect_error(422, "codice_fiscale_mismatch");
    let mut bad = citizen();
    bad["delegate"] = json!({"given_name": "Mario", "family_name": "Rossi",
        "codice_fiscale": "RSSMRA80A01H501X", "digital_delegation": true});
    op.post_with(&path, &[("Idempotency-Key", "k1")], &bad)
        .await
        .expect_error(422, "invalid_delegate_codice_fiscale");
    assert_eq!(op.confirm(&hold_id, "k1").await.status, 201);
    let official = env.official().await;
    assert_eq!(
        official
            .get("/v1/booking/sportelli/sassari-1/agenda?from=2026-11-24")
            .await
            .status,
        200
    );
    // The official reads the case (names and codice fiscale in the answer, never in the logs).
    let case = official
        .get(&format!("/v1/booking/appointments/{hold_id}/case"))
        .await;
    assert_eq!(case.status, 200, "{}", case.text);
    assert!(case.text.contains("BNCLRA92P55I452E"));
    let metrics = env.anonymous().get("/metrics").await.text;
    env.stop().await;

    let logs = capture.text();
    assert!(logs.len() > 1000, "the capture works: {logs}");
    for secret in [
        "BNCLRA92P55I452E",
        "BNCLRA",
        "RSSMRA80A01H501X",
        "Bianchi",
        "Laura",
        "laura@example.org",
        "Rossi",
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs");
        assert!(!metrics.contains(secret), "{secret} in the metrics");
    }
}
