//! The role matrix: every HTTP endpoint (the whole route list the OpenAPI document is kept equal
//! to) × every kind of caller → the expected answer, and every signalling action × every meeting
//! role.
//!
//! Callers: nobody, a citizen session, the operator of the appointment's comune, an operator of
//! another comune, the comune's user administrator, the official of the appointment's sportello,
//! an official of another Sede, the INPS administrator. Each case logs in afresh (a handover or
//! a logout ends the session it used) and runs its refused callers before the allowed ones, so an
//! allowed call that changes something (cancel, close, revoke) comes last.
//! Expected answers: 2xx for an allowed caller; 401 for a caller without a staff session on a
//! staff route (the citizen's session is not one); 403 for a staff role that may not; 404 where
//! the rules hide another comune's or Sede's records (not revealing that they exist).

use std::collections::BTreeSet;
use std::time::Duration as StdDuration;

use crate::support::internals::ROUTES;
use crate::support::ws::{self, Ws};
use crate::support::{Client, TestServer, at};
use serde_json::{Value, json};
use sportello_signalling::protocol::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Nobody,
    Citizen,
    Operator,
    OtherOperator,
    UserAdmin,
    Official,
    OtherOfficial,
    InpsAdmin,
}

use Who::*;

const EVERYONE: [Who; 8] = [
    Nobody,
    Citizen,
    Operator,
    OtherOperator,
    UserAdmin,
    Official,
    OtherOfficial,
    InpsAdmin,
];
const STAFF: [Who; 6] = [
    Operator,
    OtherOperator,
    UserAdmin,
    Official,
    OtherOfficial,
    InpsAdmin,
];

impl Who {
    fn account(self) -> Option<&'static str> {
        match self {
            Nobody | Citizen => None,
            Operator => Some("operatore.villanova"),
            OtherOperator => Some("operatore.alghero"),
            UserAdmin => Some("utenze.villanova"),
            Official => Some("funzionario.sassari"),
            OtherOfficial => Some("funzionario.laquila"),
            InpsAdmin => Some("admin.inps"),
        }
    }
}

/// One endpoint: how to call it, who may, and from whom the record is hidden.
struct Case {
    method: &'static str,
    route: &'static str,
    path: String,
    body: Box<dyn Fn(Who) -> Option<Value>>,
    headers: Vec<(&'static str, String)>,
    allowed: Vec<Who>,
    hidden: Vec<Who>,
    /// A citizen route: only the citizen session counts, staff sessions are nobody.
    citizen_route: bool,
    /// What an allowed caller gets, when not a 2xx (the OIDC routes answer 303 redirects).
    allowed_status: Option<u16>,
}

fn case(method: &'static str, route: &'static str, path: impl Into<String>) -> Case {
    Case {
        method,
        route,
        path: path.into(),
        body: Box::new(|_| None),
        headers: Vec::new(),
        allowed: Vec::new(),
        hidden: Vec::new(),
        citizen_route: false,
        allowed_status: None,
    }
}

impl Case {
    fn allow(mut self, who: &[Who]) -> Self {
        self.allowed = who.to_vec();
        self
    }
    fn hide(mut self, who: &[Who]) -> Self {
        self.hidden = who.to_vec();
        self
    }
    fn body(mut self, f: impl Fn(Who) -> Value + 'static) -> Self {
        self.body = Box::new(move |w| Some(f(w)));
        self
    }
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    fn citizen(mut self) -> Self {
        self.citizen_route = true;
        self
    }
    fn redirects(mut self) -> Self {
        self.allowed_status = Some(303);
        self
    }

    fn expected(&self, who: Who) -> u16 {
        if self.allowed.contains(&who) {
            return 200;
        }
        if self.hidden.contains(&who) {
            return 404;
        }
        match who {
            Nobody | Citizen => 401,
            _ if self.citizen_route => 401,
            _ => 403,
        }
    }
}

/// The citizen session of the matrix: its cookie and CSRF token.
struct CitizenKey {
    cookie: String,
    csrf: String,
}

async fn caller(env: &TestServer, who: Who, citizen: &CitizenKey) -> Client {
    match who.account() {
        Some(account) => env.login(account).await,
        None => {
            let mut c = env.anonymous();
            if who == Citizen {
                c.cookie = Some(citizen.cookie.clone());
            }
            c
        }
    }
}

async fn run(
    env: &TestServer,
    case: &Case,
    who: Who,
    citizen: &CitizenKey,
) -> crate::support::Response {
    let c = caller(env, who, citizen).await;
    let mut headers: Vec<(&str, &str)> =
        case.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    if who == Citizen && case.method != "GET" {
        headers.push(("x-csrf-token", &citizen.csrf));
    }
    let body = (case.body)(who);
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let text = body.map(|b| b.to_string()).unwrap_or_default();
    c.send(case.method, &case.path, &headers, &text).await
}

/// Free slot starts of `sportello` on 23–24 November 2026, as RFC 3339.
async fn free_slots(op: &Client, sportello: &str) -> Vec<String> {
    let r = op
        .get(&format!(
            "/v1/booking/sportelli/{sportello}/slots?from=2026-11-23&to=2026-11-24"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap().to_owned())
        .collect()
}

fn hold_body(slot: String, other: String) -> impl Fn(Who) -> Value {
    move |w| {
        json!({
            "sportello_id": "sassari-1",
            "starts_at": if w == OtherOperator { &other } else { &slot },
            "service_code": "pensioni",
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_by_every_caller() {
    // OIDC providers: `spid` at the in-process test provider, `rotto` configured but unavailable.
    let idp = crate::support::oidc::TestProvider::start().await;
    let oidc_config = crate::support::oidc::write_config(&idp.issuer());
    let env = TestServer::start_with(None, |c| c.oidc_config = Some(oidc_config)).await;
    let op = env.login("operatore.villanova").await;
    let mut slots = free_slots(&op, "sassari-1").await.into_iter();
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
    let op_c = env.login("operatore.villanova").await;
    let r = op_c
        .post(&format!("/v1/booking/appointments/{c}/meeting"), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = op_c
        .post(
            &format!("/v1/booking/appointments/{c}/meeting/handover"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let cookie = r
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.split(';').next().unwrap().to_owned())
        .find(|v| v.starts_with("sportello_citizen="))
        .expect("a citizen cookie");
    let citizen = CitizenKey {
        cookie,
        csrf: r.json()["csrf_token"].as_str().unwrap().to_owned(),
    };

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
        .hide(&[OtherOperator, UserAdmin, OtherOfficial]),
        case(
            "GET",
            "/v1/booking/appointments/{appointment_id}/ics",
            appt(&a, "/ics"),
        )
        .allow(&[Operator, Official, InpsAdmin])
        .hide(&[OtherOperator, UserAdmin, OtherOfficial]),
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
        // The citizen leaves.
        case("DELETE", "/v1/citizen/session", "/v1/citizen/session")
            .citizen()
            .allow(&[Citizen]),
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

/// A token for `room` in `role` from the demo token endpoint.
async fn dev_token(env: &TestServer, room: &str, role: Role) -> String {
    let r = env
        .anonymous()
        .post(
            "/v1/dev/token",
            &json!({"room": room, "display_name": "Prova", "role": role}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["token"].as_str().unwrap().to_owned()
}

async fn expect(ws: &mut Ws, kind: &str) -> Value {
    ws::next_of(ws, kind, StdDuration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("a {kind} message"))
}

/// Signalling: every action of the protocol by every meeting role. No action is reserved to a
/// role: what a connection may reach is decided by the room its token is bound to. Each role
/// joins, and every action is answered as the protocol says (not refused), while the same
/// actions before a join, and a token of another meeting, are refused with their codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_signalling_action_by_every_role() {
    let env = TestServer::start(None).await;
    let roles = [
        Role::Citizen,
        Role::Operator,
        Role::Official,
        Role::LoadTester,
    ];
    for role in roles {
        let room = format!("matrix-{role:?}").to_lowercase();
        let token = dev_token(&env, &room, role).await;
        let watcher_token = dev_token(&env, &room, Role::Official).await;
        let (mut watcher, joined) = ws::join(&env.server, &watcher_token).await;
        assert_eq!(joined["type"], "joined", "{joined}");

        // Before join, every action is refused with not_joined.
        for msg in [
            json!({"type": "offer", "sdp": "v=0"}),
            json!({"type": "ping", "nonce": 1}),
            json!({"type": "reauthenticate", "token": token}),
        ] {
            let (mut ws, _) = tokio_tungstenite::connect_async(env.server.ws_url())
                .await
                .unwrap();
            ws::send(&mut ws, msg.clone()).await;
            let v = expect(&mut ws, "error").await;
            assert_eq!(v["code"], "not_joined", "{role:?} {msg}: {v}");
        }

        let (mut ws, joined) = ws::join(&env.server, &token).await;
        assert_eq!(joined["type"], "joined", "{role:?}: {joined}");
        assert_eq!(joined["role"], json!(role));
        let me = joined["participant_id"].as_str().unwrap().to_owned();
        let seen = expect(&mut watcher, "participant_joined").await;
        assert_eq!(seen["participant"]["role"], json!(role));

        ws::send(
            &mut ws,
            json!({"type": "join", "version": 1, "token": token}),
        )
        .await;
        assert_eq!(expect(&mut ws, "error").await["code"], "already_joined");
        ws::send(&mut ws, json!({"type": "offer", "sdp": "not sdp"})).await;
        assert_eq!(expect(&mut ws, "error").await["code"], "bad_sdp");
        ws::send(&mut ws, json!({"type": "answer", "sdp": "not sdp"})).await;
        let v = expect(&mut ws, "error").await;
        assert!(
            v["code"] == "no_pending_offer" || v["code"] == "bad_sdp",
            "{v}"
        );
        ws::send(
            &mut ws,
            json!({"type": "candidate", "candidate": {"candidate": "garbage", "sdp_mid": "0", "sdp_m_line_index": 0}}),
        )
        .await;
        let v = expect(&mut ws, "error").await;
        assert!(
            ["bad_candidate", "bad_message"].contains(&v["code"].as_str().unwrap()),
            "{v}"
        );
        ws::send(
            &mut ws,
            json!({"type": "track_state", "kind": "audio", "muted": true}),
        )
        .await;
        let v = expect(&mut watcher, "track_state").await;
        assert_eq!(v["participant_id"], me.as_str());
        ws::send(&mut ws, json!({"type": "ping", "nonce": 42})).await;
        assert_eq!(expect(&mut ws, "pong").await["nonce"], 42);
        ws::send(&mut ws, json!({"type": "pong", "nonce": 1})).await;
        // Reauthenticate: a token of another meeting is refused, one of this meeting taken.
        let elsewhere = dev_token(&env, "matrix-elsewhere", role).await;
        ws::send(
            &mut ws,
            json!({"type": "reauthenticate", "token": elsewhere}),
        )
        .await;
        assert_eq!(expect(&mut ws, "error").await["code"], "wrong_room");
        let again = dev_token(&env, &room, Role::Citizen).await;
        ws::send(&mut ws, json!({"type": "reauthenticate", "token": again})).await;
        let v = expect(&mut ws, "reauthenticated").await;
        assert_eq!(v["participant"]["role"], "citizen");
        let v = expect(&mut watcher, "participant_updated").await;
        assert_eq!(v["participant"]["id"], me.as_str());
        ws::send(&mut ws, json!({"type": "leave"})).await;
        expect(&mut ws, "left").await;
        let v = expect(&mut watcher, "participant_left").await;
        assert_eq!(v["participant_id"], me.as_str());
        let _ = watcher.close(None).await;
    }
    env.stop().await;
}
