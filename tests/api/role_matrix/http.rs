//! Every HTTP endpoint by every caller.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_by_every_caller() {
    // OIDC providers: `spid` at the in-process test provider, `rotto` configured but unavailable.
    let idp = crate::support::oidc::TestProvider::start().await;
    let oidc_config = crate::support::oidc::write_config(&idp.issuer());
    let env = TestServer::start_with(None, |c| c.oidc_config = Some(oidc_config)).await;
    let op = env.operator().await;
    let mut slots = op.free_slots("sassari-1").await.into_iter();
    // The clock is at 09:00 on Monday: book the 09:30 (A: the meeting) and the 10:00 (C: the
    // citizen session's meeting), then move to 09:31 so that both meeting windows are open.
    let a = op.book(&at("2026-11-23T08:30:00Z"), "a").await;
    let c = op.book(&at("2026-11-23T09:00:00Z"), "c").await;
    let mut slots_after = |after: &str| -> String {
        let after: chrono::DateTime<chrono::FixedOffset> = after.parse().unwrap();
        slots
            .by_ref()
            .find(|s| s.parse::<chrono::DateTime<chrono::FixedOffset>>().unwrap() > after)
            .expect("a free slot")
    };
    let later = "2026-11-23T12:00:00+01:00";
    let b = op.book(&slots_after(later), "b").await;
    let (new_hold, new_hold_other) = (slots_after(later), slots_after(later));
    let reschedule_to = slots_after(later);
    env.clock.advance(chrono::Duration::minutes(31));
    // Holds live 5 minutes: placed after the clock moved.
    let h1 = op.hold_sassari(&slots_after(later)).await;
    let h2 = op.hold_sassari(&slots_after(later)).await;

    // The citizen session: C opened and handed over by its operator.
    let op_c = env.operator().await;
    let r = op_c.meeting(&c, "", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = op_c.meeting(&c, "handover", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let cookie = r.cookie("sportello_citizen").expect("a citizen cookie");
    let citizen = CitizenKey {
        cookie,
        csrf: r.json()["csrf_token"].as_str().unwrap().to_owned(),
    };

    // A document in A's meeting (opened here; its "Apri la videochiamata" below opens it again).
    assert_eq!(op.meeting(&a, "", json!({})).await.status, 200);
    let doc = crate::documents::upload(&op, &a, "domanda.pdf", crate::documents::pdf()).await;
    assert_eq!(doc.status, 201, "{}", doc.text);
    let doc = doc.json()["id"].as_str().unwrap().to_owned();

    // A document to print at C's kiosk (the citizen session's meeting).
    let official = env.official().await;
    let print = crate::documents::post_file(
        &official,
        &format!("/v1/booking/appointments/{c}/prints?name=cud.pdf"),
        "application/pdf",
        &crate::documents::pdf(),
    )
    .await;
    assert_eq!(print.status, 201, "{}", print.text);
    let print = print.json()["id"].as_str().unwrap().to_owned();

    let appt = |id: &str, tail: &str| format!("/v1/booking/appointments/{id}{tail}");
    let meeting_route = "/v1/booking/appointments/{appointment_id}/meeting";
    let cases = vec![
        case("GET", "/v1/booking/services", "/v1/booking/services").allow(&STAFF),
        case("GET", "/v1/booking/comuni", "/v1/booking/comuni?q=villa").allow(&STAFF),
        case(
            "GET",
            "/v1/booking/holidays",
            "/v1/booking/holidays?year=2026",
        )
        .allow(&STAFF),
        case(
            "GET",
            "/v1/booking/privacy-notice",
            "/v1/booking/privacy-notice",
        )
        .allow(&STAFF),
        case(
            "GET",
            "/v1/booking/comuni/{istat}/proposals",
            "/v1/booking/comuni/090078/proposals?service=pensioni",
        )
        .allow(&[Operator]),
        case(
            "GET",
            "/v1/booking/comuni/{istat}/appointments",
            "/v1/booking/comuni/090078/appointments?date=2026-11-23",
        )
        .allow(&[Operator]),
        case(
            "GET",
            "/v1/booking/comuni/{istat}/follow-ups",
            "/v1/booking/comuni/090078/follow-ups",
        )
        .allow(&[Operator]),
        case(
            "POST",
            "/v1/booking/appointments/{appointment_id}/reports",
            appt(&a, "/reports"),
        )
        .body(|_| json!({"kind": "audio", "text": "Eco."}))
        .allow(&[Operator, Official])
        .hide(&[OtherOperator, OtherOfficial]),
        case("GET", "/v1/monitoring/reports", "/v1/monitoring/reports").allow(&[
            InpsAdmin,
            RefComune,
            RefInps,
        ]),
        case(
            "GET",
            "/v1/booking/sportelli/{sportello_id}/slots",
            "/v1/booking/sportelli/sassari-1/slots?from=2026-11-24&to=2026-11-24",
        )
        .allow(&STAFF),
        case(
            "GET",
            "/v1/booking/sportelli/{sportello_id}/agenda",
            "/v1/booking/sportelli/sassari-1/agenda?from=2026-11-23&to=2026-11-24",
        )
        .allow(&[Official, InpsAdmin]),
        case("POST", "/v1/booking/holds", "/v1/booking/holds")
            .body(hold_body(new_hold, new_hold_other))
            .allow(&[Operator, OtherOperator]),
        case(
            "GET",
            "/v1/booking/holds/{hold_id}",
            format!("/v1/booking/holds/{h1}"),
        )
        .allow(&[Operator])
        .hide(&[OtherOperator]),
        case(
            "POST",
            "/v1/booking/holds/{hold_id}/confirm",
            format!("/v1/booking/holds/{h1}/confirm"),
        )
        .body(|_| crate::support::citizen())
        .header("Idempotency-Key", "matrix-h1")
        .allow(&[Operator])
        .hide(&[OtherOperator]),
        case(
            "DELETE",
            "/v1/booking/holds/{hold_id}",
            format!("/v1/booking/holds/{h2}"),
        )
        .allow(&[Operator])
        .hide(&[OtherOperator]),
        case(
            "GET",
            "/v1/booking/appointments/{appointment_id}",
            appt(&a, ""),
        )
        .allow(&[Operator, Official, InpsAdmin])
        .hide(&[
            OtherOperator,
            UserAdmin,
            OtherOfficial,
            RefComune,
            RefInps,
            RefAnci,
        ]),
        case(
            "GET",
            "/v1/booking/appointments/{appointment_id}/request",
            appt(&a, "/request"),
        )
        .allow(&[Operator])
        .hide(&[OtherOperator]),
        case(
            "GET",
            "/v1/booking/appointments/{appointment_id}/ics",
            appt(&a, "/ics"),
        )
        .allow(&[Operator, Official, InpsAdmin])
        .hide(&[
            OtherOperator,
            UserAdmin,
            OtherOfficial,
            RefComune,
            RefInps,
            RefAnci,
        ]),
        case("POST", meeting_route, appt(&a, "/meeting"))
            .body(|_| json!({}))
            .allow(&[Operator]),
        case(
            "POST",
            "/v1/booking/appointments/{appointment_id}/meeting/join",
            appt(&a, "/meeting/join"),
        )
        .body(|_| json!({}))
        .allow(&[Official]),
        // After the operator opened the meeting (above): the official's stream says `opened` at
        // once and ends.
        case(
            "GET",
            "/v1/booking/appointments/{appointment_id}/meeting/opening",
            appt(&a, "/meeting/opening"),
        )
        .allow(&[Official]),
        case(
            "GET",
            "/v1/booking/appointments/{appointment_id}/case",
            appt(&a, "/case"),
        )
        .allow(&[Official]),
        case(
            "GET",
            "/v1/booking/appointments/{appointment_id}/documents",
            appt(&a, "/documents"),
        )
        .allow(&[Operator, Official]),
        case(
            "POST",
            "/v1/booking/appointments/{appointment_id}/documents",
            appt(&a, "/documents?name=altro.pdf"),
        )
        .raw(crate::documents::pdf())
        .header("Content-Type", "application/octet-stream")
        .allow(&[Operator]),
        case(
            "GET",
            "/v1/booking/appointments/{appointment_id}/documents/{document_id}",
            appt(&a, &format!("/documents/{doc}")),
        )
        .allow(&[Official]),
        case(
            "POST",
            "/v1/booking/appointments/{appointment_id}/documents/{document_id}/attest",
            appt(&a, &format!("/documents/{doc}/attest")),
        )
        .body(|_| json!({}))
        .allow(&[Operator]),
        case(
            "POST",
            "/v1/booking/appointments/{appointment_id}/meeting/handover",
            appt(&a, "/meeting/handover"),
        )
        .body(|_| json!({}))
        .allow(&[Operator]),
        case(
            "POST",
            "/v1/booking/appointments/{appointment_id}/meeting/close",
            appt(&a, "/meeting/close"),
        )
        .body(|_| json!({"outcome": "resolved"}))
        .allow(&[Official]),
        case(
            "POST",
            "/v1/booking/appointments/{appointment_id}/reschedule",
            appt(&b, "/reschedule"),
        )
        .body(move |_| json!({"starts_at": reschedule_to}))
        .allow(&[Operator])
        .hide(&[OtherOperator]),
        case(
            "POST",
            "/v1/booking/appointments/{appointment_id}/cancel",
            appt(&b, "/cancel"),
        )
        .body(|_| json!({}))
        .allow(&[Operator])
        .hide(&[OtherOperator]),
        case("GET", "/v1/citizen/session", "/v1/citizen/session")
            .citizen()
            .allow(&[Citizen]),
        case(
            "POST",
            "/v1/citizen/meeting/token",
            "/v1/citizen/meeting/token",
        )
        .citizen()
        .body(|_| json!({}))
        .allow(&[Citizen]),
        // The citizen's meeting is going on: the feedback waits for the close.
        case("POST", "/v1/citizen/feedback", "/v1/citizen/feedback")
            .citizen()
            .body(|_| json!({"rating": 5}))
            .answers(409)
            .allow(&[Citizen]),
        case("GET", "/v1/citizen/prints", "/v1/citizen/prints")
            .citizen()
            .allow(&[Citizen]),
        case(
            "GET",
            "/v1/citizen/prints/{print_id}",
            format!("/v1/citizen/prints/{print}"),
        )
        .citizen()
        .allow(&[Citizen]),
        case(
            "POST",
            "/v1/citizen/prints/{print_id}/done",
            format!("/v1/citizen/prints/{print}/done"),
        )
        .citizen()
        .body(|_| json!({}))
        .allow(&[Citizen]),
        case(
            "GET",
            "/v1/booking/appointments/{appointment_id}/prints",
            appt(&c, "/prints"),
        )
        .allow(&[Official]),
        case(
            "POST",
            "/v1/booking/appointments/{appointment_id}/prints",
            appt(&c, "/prints?name=cud.pdf"),
        )
        .raw(crate::documents::pdf())
        .header("Content-Type", "application/pdf")
        .allow(&[Official]),
        case("GET", "/v1/booking/sedi", "/v1/booking/sedi").allow(&[
            Official,
            OtherOfficial,
            InpsAdmin,
        ]),
        case(
            "POST",
            "/v1/booking/sedi/{sede_id}/closures",
            "/v1/booking/sedi/sede-sassari/closures",
        )
        .body(|_| {
            json!({"first_day": "2026-12-28", "last_day": "2026-12-28", "reason": "Inventario"})
        })
        .allow(&[InpsAdmin]),
        case("GET", "/v1/audit", "/v1/audit").allow(&[UserAdmin, InpsAdmin]),
        case("GET", "/v1/audit.csv", "/v1/audit.csv").allow(&[UserAdmin, InpsAdmin]),
        case("GET", "/v1/monitoring/summary", "/v1/monitoring/summary?by=region")
            .allow(&MONITORS),
        case(
            "GET",
            "/v1/monitoring/summary.csv",
            "/v1/monitoring/summary.csv?from=2026-01&to=2026-12",
        )
        .allow(&MONITORS),
        case(
            "GET",
            "/v1/monitoring/chart.svg",
            "/v1/monitoring/chart.svg?metric=held",
        )
        .allow(&MONITORS),
        case(
            "GET",
            "/v1/monitoring/activity",
            "/v1/monitoring/activity?comune=090078",
        )
        .allow(&[UserAdmin, InpsAdmin]),
        case("GET", "/v1/open-data/pue.csv", "/v1/open-data/pue.csv").allow(&EVERYONE),
        case("GET", "/v1/session", "/v1/session").allow(&STAFF),
        case("POST", "/v1/demo/login", "/v1/demo/login")
            .body(|_| json!({"account": "funzionario.cuneo"}))
            .allow(&EVERYONE),
        case("GET", "/v1/demo/accounts", "/v1/demo/accounts").allow(&EVERYONE),
        case("POST", "/v1/login", "/v1/login")
            .body(|_| json!({"account": "funzionario.cuneo", "password": "demo-sportello"}))
            .allow(&EVERYONE),
        case("GET", "/v1/identity/operators", "/v1/identity/operators")
            .allow(&[UserAdmin, InpsAdmin]),
        case("POST", "/v1/identity/operators", "/v1/identity/operators")
            .body(|who| {
                json!({
                    "account": format!("operatore.matrice-{}", format!("{who:?}").to_lowercase()),
                    "password": "una password lunga",
                    "full_name": "Operatore di prova",
                    "comune_istat": "090078",
                })
            })
            .allow(&[UserAdmin, InpsAdmin]),
        case(
            "PATCH",
            "/v1/identity/operators/{account}",
            "/v1/identity/operators/operatore.villanova",
        )
        .body(|_| json!({"valid_until": "2027-12-31"}))
        .allow(&[UserAdmin, InpsAdmin]),
        case("GET", "/v1/openapi.json", "/v1/openapi.json").allow(&EVERYONE),
        case("DELETE", "/v1/session", "/v1/session").allow(&EVERYONE),
        case("GET", "/v1/oidc/providers", "/v1/oidc/providers").allow(&EVERYONE),
        case(
            "GET",
            "/v1/oidc/{name}/start",
            "/v1/oidc/spid/start?torna=/operatore",
        )
        .redirects()
        .allow(&EVERYONE),
        // Without a state: 303 to the login page with `oidc_state`.
        case(
            "GET",
            "/v1/oidc/{name}/callback",
            "/v1/oidc/spid/callback?code=x",
        )
        .redirects()
        .allow(&EVERYONE),
        case(
            "POST",
            "/v1/identity/oidc-links",
            "/v1/identity/oidc-links",
        )
        .body(|_| {
            json!({"account": "operatore.villanova", "provider": "spid", "subject": "matrice-1"})
        })
        .allow(&[UserAdmin, InpsAdmin]),
        case(
            "DELETE",
            "/v1/identity/oidc-links/{provider}/{account}",
            "/v1/identity/oidc-links/spid/operatore.villanova",
        )
        .allow(&[UserAdmin, InpsAdmin]),
        case(
            "POST",
            "/v1/identity/operators/{account}/enable",
            "/v1/identity/operators/operatore.villanova/enable",
        )
        .body(|_| json!({}))
        .allow(&[UserAdmin, InpsAdmin]),
        // INPS enabling for the PUE: the demo operator has no authorisation act recorded (409).
        case(
            "POST",
            "/v1/identity/operators/{account}/pue-enable",
            "/v1/identity/operators/operatore.villanova/pue-enable",
        )
        .body(|_| json!({}))
        .allow(&[Official, InpsAdmin])
        .answers(409),
        // The catalogue administration: INPS administrators only. New records, in an order
        // where each exists when the next needs it.
        case("GET", "/v1/catalogue/services", "/v1/catalogue/services").allow(&[InpsAdmin]),
        case(
            "PUT",
            "/v1/catalogue/services/{code}",
            "/v1/catalogue/services/nuovo-servizio",
        )
        .body(|_| json!({"name": "Servizio nuovo"}))
        .allow(&[InpsAdmin]),
        case("GET", "/v1/catalogue/comuni", "/v1/catalogue/comuni?q=villa").allow(&[InpsAdmin]),
        case(
            "PUT",
            "/v1/catalogue/comuni/{istat}",
            "/v1/catalogue/comuni/099999",
        )
        .body(|_| {
            json!({"name": "Nuovo Comune", "province": "SS", "region": "Sardegna",
                "population": 100, "belfiore": "Z999"})
        })
        .allow(&[InpsAdmin]),
        case("PUT", "/v1/catalogue/sedi/{sede_id}", "/v1/catalogue/sedi/sede-nuova")
            .body(|_| {
                json!({"kind": "sede", "name": "Sede nuova", "comune_istat": "099999",
                    "patron_day": "12-06"})
            })
            .allow(&[InpsAdmin]),
        case(
            "PUT",
            "/v1/catalogue/sedi/{sede_id}/comuni",
            "/v1/catalogue/sedi/sede-nuova/comuni",
        )
        .body(|_| json!({"comuni": ["099999"]}))
        .allow(&[InpsAdmin]),
        case(
            "PUT",
            "/v1/catalogue/sedi/{sede_id}/services",
            "/v1/catalogue/sedi/polo-famiglia/services",
        )
        .body(|_| json!({"services": ["assegno-unico"]}))
        .allow(&[InpsAdmin]),
        case(
            "PUT",
            "/v1/catalogue/sportelli/{sportello_id}",
            "/v1/catalogue/sportelli/nuova-1",
        )
        .body(|_| {
            json!({"sede_id": "sede-nuova", "name": "Sportello 1", "slot_minutes": 30,
                "services": ["nuovo-servizio"]})
        })
        .allow(&[InpsAdmin]),
        case(
            "PUT",
            "/v1/catalogue/sportelli/{sportello_id}/hours",
            "/v1/catalogue/sportelli/nuova-1/hours",
        )
        .body(|_| json!({"hours": [{"weekday": 1, "opens": "09:00", "closes": "12:00"}]}))
        .allow(&[InpsAdmin]),
        case("GET", "/v1/catalogue/conventions", "/v1/catalogue/conventions").allow(&[InpsAdmin]),
        case(
            "PUT",
            "/v1/catalogue/conventions/{istat}/{sede_id}",
            "/v1/catalogue/conventions/099999/sede-nuova",
        )
        .body(|_| json!({"valid_from": "2026-01-01", "valid_until": null}))
        .allow(&[InpsAdmin]),
        case(
            "DELETE",
            "/v1/catalogue/conventions/{istat}/{sede_id}",
            "/v1/catalogue/conventions/099999/sede-nuova",
        )
        .allow(&[InpsAdmin]),
        case(
            "POST",
            "/v1/catalogue/import/{kind}",
            "/v1/catalogue/import/comuni?dry_run=true",
        )
        .raw(b"istat,name,province,region,population,belfiore\n099998,Altro Comune,SS,Sardegna,5,Z998\n".to_vec())
        .header("Content-Type", "text/csv")
        .allow(&[InpsAdmin]),
        // The citizen leaves.
        case("DELETE", "/v1/citizen/session", "/v1/citizen/session")
            .citizen()
            .allow(&[Citizen]),
        // A wrong current password is refused (400) for every staff role; the right one is in
        // tests/api/identity (it ends the caller's sessions).
        case("POST", "/v1/session/password", "/v1/session/password")
            .body(|_| json!({"current_password": "non-e-questa-123", "new_password": "nuova-password-123"}))
            .allow(&STAFF)
            .answers(400),
        // Last: revoking the operator (later logins of the operator would be refused).
        case(
            "POST",
            "/v1/identity/operators/{account}/revoke",
            "/v1/identity/operators/operatore.villanova/revoke",
        )
        .body(|_| json!({}))
        .allow(&[UserAdmin, InpsAdmin]),
    ];

    // Every route of the API is in the matrix, once.
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_uppercase(), (*p).to_owned()))
        .collect();
    let covered: BTreeSet<(String, String)> = cases
        .iter()
        .map(|c| (c.method.to_owned(), c.route.to_owned()))
        .collect();
    assert_eq!(covered.len(), cases.len(), "a route twice in the matrix");
    assert_eq!(
        listed, covered,
        "the matrix must cover exactly the API's routes"
    );

    let mut failures = Vec::new();
    for case in &cases {
        // Refused callers first, then the allowed ones (whose calls may change things).
        let mut order: Vec<Who> = EVERYONE
            .iter()
            .copied()
            .filter(|w| !case.allowed.contains(w))
            .collect();
        order.extend(case.allowed.iter().copied());
        for who in order {
            let r = run(&env, case, who, &citizen).await;
            let want = case.expected(who);
            let ok = if want == 200 && case.allowed_status.is_some() {
                Some(r.status) == case.allowed_status
            } else if want == 200 {
                (200..300).contains(&r.status)
            } else {
                r.status == want && r.json()["code"].as_str().is_some_and(|c| !c.is_empty())
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {who:?}: want {want}, got {} {}",
                    case.method, case.path, r.status, r.text
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    env.stop().await;
}
