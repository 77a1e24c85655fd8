//! Bad input to the booking API: every case gets its status and code, and changes nothing.

use serde_json::{Value, json};

use super::{TUE_0830, TUE_0900, id};
use crate::support::{Request, TestServer, at, citizen, citizen_with, expect_errors};

const HOLDS: &str = "/v1/booking/holds";

/// A hold request body.
fn hold(sportello: &str, start: &str, service: &str) -> Value {
    json!({"sportello_id": sportello, "starts_at": start, "service_code": service})
}

/// A hold request of sassari-1 for "pensioni" at `start` (an instant, sent as RFC 3339).
fn hold_at(start: &str) -> Request {
    Request::post(HOLDS, &hold("sassari-1", &at(start), "pensioni"))
}

pub(super) async fn bad_input_changes_nothing(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let admin = env.inps_admin().await;
    let r = admin
        .post(
            "/v1/booking/sedi/sede-sassari/closures",
            &json!({"first_day": "2026-11-26", "last_day": "2026-11-26", "reason": "Inventario"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let live = id(&op.hold("sassari-1", &at(TUE_0830), "pensioni").await.json());
    let confirm_path = format!("/v1/booking/holds/{live}/confirm");
    let before = env.row_counts().await;

    // Holds.
    let other_comune = env.login("operatore.ostana").await;
    let official = env.official().await;
    let anonymous = env.anonymous();
    let forged = env
        .anonymous()
        .with_cookie(Some("sportello_session=forged".into()));
    let tue_0900 = || hold_at(TUE_0900);
    expect_errors(
        "holds",
        &[
            (
                &op,
                Request::post_text(HOLDS, "{\"sportello_id\": "),
                400,
                "bad_json",
            ),
            (
                &op,
                Request::post(
                    HOLDS,
                    &json!({"sportello_id": "sassari-1", "starts_at": at(TUE_0900)}),
                ),
                422,
                "bad_request_body",
            ),
            (
                &op,
                Request::post(HOLDS, &hold("sassari-1", "tuesday morning", "pensioni")),
                422,
                "bad_request_body",
            ),
            (
                &op,
                Request::raw(
                    "POST",
                    HOLDS,
                    hold("sassari-1", &at(TUE_0900), "pensioni").to_string(),
                )
                .header("Content-Type", "text/plain"),
                415,
                "bad_content_type",
            ),
            (
                &op,
                Request::post(HOLDS, &hold("nowhere-9", &at(TUE_0900), "pensioni")),
                404,
                "unknown_sportello",
            ),
            (
                &op,
                Request::post(HOLDS, &hold("sassari-1", &at(TUE_0900), "tarocchi")),
                404,
                "unknown_service",
            ),
            (
                &op,
                hold_at("2026-11-24T07:45:00Z"),
                422,
                "outside_opening_hours",
            ),
            (
                &op,
                hold_at("2026-11-24T11:30:00Z"),
                422,
                "outside_opening_hours",
            ),
            (
                &op,
                hold_at("2026-11-29T08:30:00Z"),
                422,
                "outside_opening_hours",
            ),
            (&op, hold_at("2026-12-08T07:30:00Z"), 422, "holiday"),
            (&op, hold_at("2026-11-26T07:30:00Z"), 422, "sede_closed"),
            (&op, hold_at("2026-11-20T07:30:00Z"), 422, "slot_in_past"),
            (&op, hold_at("2028-11-21T07:30:00Z"), 422, "too_far_ahead"),
            (
                &op,
                Request::post(HOLDS, &hold("sassari-1", &at(TUE_0900), "assegno-unico")),
                422,
                "service_not_handled",
            ),
            (&other_comune, tue_0900(), 403, "forbidden"),
            (&official, tue_0900(), 403, "forbidden"),
            (&anonymous, tue_0900(), 401, "unauthenticated"),
            (&forged, tue_0900(), 401, "unauthenticated"),
        ],
    )
    .await;

    // Confirmations of a live hold with a bad request.
    let confirm =
        |body: Value| Request::post(confirm_path.clone(), &body).header("Idempotency-Key", "k-bad");
    let bad = |path: &str, value: Value, status: u16, code: &'static str| {
        (&op, confirm(citizen_with(path, value)), status, code)
    };
    expect_errors(
        "confirmations",
        &[
            bad(
                "applicant.codice_fiscale",
                json!("BNCLRA92P55I452A"),
                422,
                "invalid_codice_fiscale",
            ),
            bad(
                "applicant.codice_fiscale",
                json!("BNCLRA92P55I45"),
                422,
                "invalid_codice_fiscale",
            ),
            bad(
                "applicant.codice_fiscale",
                json!("BNCLRÀ92P55I452E"),
                422,
                "invalid_codice_fiscale",
            ),
            bad(
                "applicant.birth_date",
                json!("1992-09-16"),
                422,
                "codice_fiscale_mismatch",
            ),
            bad("applicant.sex", json!("M"), 422, "codice_fiscale_mismatch"),
            bad(
                "applicant.birth_place",
                json!("H501"),
                422,
                "codice_fiscale_mismatch",
            ),
            bad("applicant.sex", json!("X"), 422, "bad_request_body"),
            bad("applicant.given_name", json!(""), 422, "invalid_name"),
            bad(
                "applicant.email",
                json!("not-an-address"),
                422,
                "invalid_email",
            ),
            bad(
                "applicant.residence_istat",
                json!("999999"),
                422,
                "unknown_residence",
            ),
            bad("services", json!(["tarocchi"]), 422, "unknown_service"),
            bad(
                "gdpr_notice_signed",
                json!(false),
                422,
                "gdpr_notice_not_signed",
            ),
            bad(
                "delegate",
                json!({"given_name": "Mario", "family_name": "Rossi",
                       "codice_fiscale": "RSSMRA80A01H501U"}),
                422,
                "delegation_missing",
            ),
            // The operator's confirmations, enforced by the server.
            bad(
                "data_processing_authorised",
                json!(false),
                422,
                "data_processing_not_authorised",
            ),
            bad("id_copy_acquired", json!(false), 422, "id_copy_missing"),
            bad(
                "delegate",
                json!({"given_name": "Mario", "family_name": "Rossi",
                       "codice_fiscale": "RSSMRA80A01H501U", "delegation_act": "prot. 12",
                       "delegate_id_copy": true}),
                422,
                "delegator_id_copy_missing",
            ),
            bad(
                "delegate",
                json!({"given_name": "Mario", "family_name": "Rossi",
                       "codice_fiscale": "RSSMRA80A01H501U", "delegation_act": "prot. 12",
                       "delegator_id_copy": true}),
                422,
                "delegate_id_copy_missing",
            ),
            bad(
                "delegate",
                json!({"given_name": "Mario", "family_name": "Rossi",
                       "codice_fiscale": "RSSMRA80A01H501U", "digital_delegation": true}),
                422,
                "delegate_id_copy_missing",
            ),
            bad(
                "delegate",
                json!({"given_name": "Mario", "family_name": "Rossi",
                       "codice_fiscale": "RSSMRA80A01H501X", "digital_delegation": true}),
                422,
                "invalid_delegate_codice_fiscale",
            ),
            bad("unexpected", json!(1), 422, "bad_request_body"),
            (
                &op,
                confirm(json!({"services": []})),
                422,
                "bad_request_body",
            ),
            (
                &op,
                Request::post(confirm_path.clone(), &citizen()),
                400,
                "missing_idempotency_key",
            ),
            (
                &op,
                Request::post(confirm_path.clone(), &citizen()).header("Idempotency-Key", "a b"),
                400,
                "bad_idempotency_key",
            ),
            (
                &op,
                Request::post_text(confirm_path.clone(), "{\"applicant\": {")
                    .header("Idempotency-Key", "k"),
                400,
                "bad_json",
            ),
            (
                &op,
                Request::post("/v1/booking/holds/nope/confirm", &citizen())
                    .header("Idempotency-Key", "k-bad"),
                404,
                "unknown_hold",
            ),
            (
                &op,
                Request::post("/v1/booking/holds/%FF%FE/confirm", &citizen())
                    .header("Idempotency-Key", "k-bad"),
                400,
                "bad_path",
            ),
        ],
    )
    .await;

    // Queries, and closures.
    let slots = "/v1/booking/sportelli/sassari-1/slots";
    let closures = "/v1/booking/sedi/sede-sassari/closures";
    expect_errors(
        "queries",
        &[
            (
                &op,
                Request::get(format!("{slots}?from=2026-11-24&to=2027-01-24")),
                422,
                "date_range_too_long",
            ),
            (
                &op,
                Request::get(format!("{slots}?from=2026-11-25&to=2026-11-24")),
                422,
                "bad_date_range",
            ),
            (
                &op,
                Request::get(format!("{slots}?to=2026-11-24")),
                400,
                "bad_query",
            ),
            (
                &op,
                Request::get(format!("{slots}?from=24/11/2026&to=2026-11-24")),
                400,
                "bad_query",
            ),
            (
                &op,
                Request::get("/v1/booking/sportelli/%C3%28/slots?from=2026-11-24&to=2026-11-24"),
                400,
                "bad_path",
            ),
            (
                &op,
                Request::get("/v1/booking/sportelli/nowhere/slots?from=2026-11-24&to=2026-11-24"),
                404,
                "unknown_sportello",
            ),
            (
                &op,
                Request::get("/v1/booking/comuni/090078/proposals"),
                400,
                "bad_query",
            ),
            (
                &op,
                Request::get("/v1/booking/comuni/090078/proposals?service=tarocchi"),
                404,
                "unknown_service",
            ),
            (
                &op,
                Request::get("/v1/booking/comuni/090003/proposals?service=pensioni"),
                403,
                "forbidden",
            ),
            (
                &admin,
                Request::post(
                    closures,
                    &json!({"first_day": "2026-11-27", "last_day": "2026-11-26", "reason": "x"}),
                ),
                422,
                "bad_date_range",
            ),
            (
                &op,
                Request::post(
                    closures,
                    &json!({"first_day": "2026-11-27", "last_day": "2026-11-27", "reason": "x"}),
                ),
                403,
                "forbidden",
            ),
        ],
    )
    .await;

    assert_eq!(env.row_counts().await, before, "bad input changed rows");
    assert_eq!(
        op.get(&format!("/v1/booking/holds/{live}")).await.json()["status"],
        "held"
    );
    // And the hold still confirms.
    assert_eq!(op.confirm(&live, "k-good").await.status, 201);
    env.stop().await;
}
