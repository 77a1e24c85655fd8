//! The application's route table ([`ROUTES`]) and its OpenAPI document (served at
//! `/v1/openapi.json`).

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

/// The OpenAPI document of the whole HTTP API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Every documented route of the application, as (method, path): the OpenAPI document lists
/// the same.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/v1/booking/services"),
    ("get", "/v1/booking/comuni"),
    ("get", "/v1/booking/holidays"),
    ("get", "/v1/booking/privacy-notice"),
    ("get", "/v1/booking/comuni/{istat}/proposals"),
    ("get", "/v1/booking/comuni/{istat}/appointments"),
    ("get", "/v1/booking/comuni/{istat}/follow-ups"),
    ("get", "/v1/booking/sportelli/{sportello_id}/slots"),
    ("get", "/v1/booking/sportelli/{sportello_id}/agenda"),
    ("post", "/v1/booking/holds"),
    ("get", "/v1/booking/holds/{hold_id}"),
    ("delete", "/v1/booking/holds/{hold_id}"),
    ("post", "/v1/booking/holds/{hold_id}/confirm"),
    ("get", "/v1/booking/appointments/{appointment_id}"),
    ("post", "/v1/booking/appointments/{appointment_id}/cancel"),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/reschedule",
    ),
    ("get", "/v1/booking/appointments/{appointment_id}/ics"),
    ("get", "/v1/booking/appointments/{appointment_id}/request"),
    ("get", "/v1/booking/appointments/{appointment_id}/case"),
    ("get", "/v1/booking/appointments/{appointment_id}/documents"),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/documents",
    ),
    (
        "get",
        "/v1/booking/appointments/{appointment_id}/documents/{document_id}",
    ),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/documents/{document_id}/attest",
    ),
    ("get", "/v1/booking/appointments/{appointment_id}/prints"),
    ("post", "/v1/booking/appointments/{appointment_id}/prints"),
    ("get", "/v1/citizen/prints"),
    ("get", "/v1/citizen/prints/{print_id}"),
    ("post", "/v1/citizen/prints/{print_id}/done"),
    ("post", "/v1/booking/appointments/{appointment_id}/meeting"),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/meeting/join",
    ),
    (
        "get",
        "/v1/booking/appointments/{appointment_id}/meeting/opening",
    ),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/meeting/handover",
    ),
    (
        "post",
        "/v1/booking/appointments/{appointment_id}/meeting/close",
    ),
    ("get", "/v1/citizen/session"),
    ("delete", "/v1/citizen/session"),
    ("post", "/v1/citizen/meeting/token"),
    ("post", "/v1/citizen/feedback"),
    ("post", "/v1/booking/appointments/{appointment_id}/reports"),
    ("get", "/v1/monitoring/reports"),
    ("get", "/v1/booking/sedi"),
    ("post", "/v1/booking/sedi/{sede_id}/closures"),
    ("get", "/v1/session"),
    ("delete", "/v1/session"),
    ("post", "/v1/login"),
    ("post", "/v1/session/password"),
    ("get", "/v1/identity/operators"),
    ("post", "/v1/identity/operators"),
    ("patch", "/v1/identity/operators/{account}"),
    ("post", "/v1/identity/operators/{account}/revoke"),
    ("post", "/v1/identity/operators/{account}/enable"),
    ("post", "/v1/identity/operators/{account}/pue-enable"),
    ("get", "/v1/oidc/providers"),
    ("get", "/v1/oidc/{name}/start"),
    ("get", "/v1/oidc/{name}/callback"),
    ("post", "/v1/identity/oidc-links"),
    ("delete", "/v1/identity/oidc-links/{provider}/{account}"),
    ("post", "/v1/demo/login"),
    ("get", "/v1/demo/accounts"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/audit"),
    ("get", "/v1/audit.csv"),
    ("get", "/v1/monitoring/summary"),
    ("get", "/v1/monitoring/summary.csv"),
    ("get", "/v1/monitoring/chart.svg"),
    ("get", "/v1/monitoring/activity"),
    ("get", "/v1/open-data/pue.csv"),
    ("get", "/v1/catalogue/services"),
    ("put", "/v1/catalogue/services/{code}"),
    ("get", "/v1/catalogue/comuni"),
    ("put", "/v1/catalogue/comuni/{istat}"),
    ("put", "/v1/catalogue/sedi/{sede_id}"),
    ("put", "/v1/catalogue/sedi/{sede_id}/comuni"),
    ("put", "/v1/catalogue/sedi/{sede_id}/services"),
    ("put", "/v1/catalogue/sportelli/{sportello_id}"),
    ("put", "/v1/catalogue/sportelli/{sportello_id}/hours"),
    ("get", "/v1/catalogue/conventions"),
    ("put", "/v1/catalogue/conventions/{istat}/{sede_id}"),
    ("delete", "/v1/catalogue/conventions/{istat}/{sede_id}"),
    ("post", "/v1/catalogue/import/{kind}"),
];

/// `GET /v1/openapi.json`.
pub async fn openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_lists_exactly_the_routes() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("valid JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        let mut documented = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                if ["get", "post", "delete", "put", "patch"].contains(&method.as_str()) {
                    documented.push((method.clone(), path.clone()));
                }
            }
        }
        documented.sort();
        let mut expected: Vec<_> = ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        expected.sort();
        assert_eq!(documented, expected);
    }
}
