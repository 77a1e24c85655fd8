//! The audit log, on SQLite and on PostgreSQL: logins, holds, "Prenota", release, cancel,
//! reschedule, closures and meetings leave entries with the right actor, role, comune, action,
//! target, request id and outcome (refusals as `denied`); `GET /v1/audit` and `/v1/audit.csv`
//! are read by the INPS administrator (everything) and by a comune's user administrator (only
//! their comune), by no one else; no citizen's personal data ever reaches the log.

use crate::support::slots::{MON_0930, TUE_0830, TUE_0930};
use crate::support::{Client, Request, TestServer, at, citizen, expect_statuses};
use serde_json::{Value, json};

on_both_databases!(
    all_audit_rules_on_postgres;
    actions_leave_entries,
    user_admin_sees_only_their_comune,
    only_admins_read_and_filters_are_checked,
    csv_has_header_and_quoted_fields,
    no_personal_data_in_the_log,
);

fn rid(h: &str) -> [(&str, &str); 1] {
    [("x-request-id", h)]
}

/// The entries `admin.inps` reads with `query`.
async fn entries(c: &Client, query: &str) -> Vec<Value> {
    let r = c.get(&format!("/v1/audit{query}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json().as_array().expect("an array").clone()
}

/// The only entry with `request_id`.
fn by_request<'a>(list: &'a [Value], request_id: &str) -> &'a Value {
    let found: Vec<_> = list
        .iter()
        .filter(|e| e["request_id"] == request_id)
        .collect();
    assert_eq!(found.len(), 1, "one entry for {request_id}: {list:?}");
    found[0]
}

fn check(e: &Value, actor: &str, role: &str, comune: Value, action: &str, outcome: &str) {
    assert_eq!(e["actor_subject"], actor, "{e}");
    assert_eq!(e["actor_role"], role, "{e}");
    assert_eq!(e["comune_istat"], comune, "{e}");
    assert_eq!(e["action"], action, "{e}");
    assert_eq!(e["outcome"], outcome, "{e}");
}

/// Actor and role of the entries of the Villanova operator, the Sassari official and the
/// Villanova user administrator.
const OP: (&str, &str) = ("operatore.villanova", "operator");
const OFFICIAL: (&str, &str) = ("funzionario.sassari", "official");
const USER_ADMIN: (&str, &str) = ("utenze.villanova", "user_admin");

/// An expected audit entry, found by its request id.
struct Entry {
    request_id: String,
    actor: (&'static str, &'static str),
    comune: Value,
    action: &'static str,
    outcome: &'static str,
    /// Checked when given.
    target: Option<Value>,
    /// Checked when given.
    sede: Option<&'static str>,
}

impl Entry {
    fn new(
        request_id: &str,
        actor: (&'static str, &'static str),
        comune: Value,
        action: &'static str,
        outcome: &'static str,
    ) -> Self {
        Self {
            request_id: request_id.to_owned(),
            actor,
            comune,
            action,
            outcome,
            target: None,
            sede: None,
        }
    }

    fn target(mut self, target: &str) -> Self {
        self.target = Some(json!(target));
        self
    }

    fn sede(mut self, sede: &'static str) -> Self {
        self.sede = Some(sede);
        self
    }

    fn check(&self, e: &Value) {
        let (actor, role) = self.actor;
        check(
            e,
            actor,
            role,
            self.comune.clone(),
            self.action,
            self.outcome,
        );
        if let Some(target) = &self.target {
            assert_eq!(&e["target"], target, "{e}");
        }
        if let Some(sede) = self.sede {
            assert_eq!(e["sede_id"], sede, "{e}");
        }
    }
}

async fn actions_leave_entries(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let other = env.login("operatore.alghero").await;
    let official = env.official().await;
    let admin = env.inps_admin().await;

    // Hold, with a client request id, echoed in the answer.
    let r = op
        .post_with(
            "/v1/booking/holds",
            &rid("req-hold-1"),
            &json!({"sportello_id": "sassari-1", "starts_at": at(MON_0930), "service_code": "pensioni"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("x-request-id"), Some("req-hold-1"));
    let hold = r.json()["id"].as_str().unwrap().to_owned();
    // "Prenota".
    let r = op
        .post_with(
            &format!("/v1/booking/holds/{hold}/confirm"),
            &[("Idempotency-Key", "k1"), ("x-request-id", "req-confirm-1")],
            &citizen(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // A request id that is not sane is replaced by a generated one.
    let r = op.hold("sassari-1", &at(TUE_0830), "pensioni").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let generated = r.header("x-request-id").expect("a request id").to_owned();
    assert_eq!(generated.len(), 32, "{generated}");
    let h2 = r.json()["id"].as_str().unwrap().to_owned();
    let r = op
        .send(
            "DELETE",
            &format!("/v1/booking/holds/{h2}"),
            &[("x-request-id", "bad id; with spaces")],
            "",
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let release_rid = r.header("x-request-id").unwrap().to_owned();
    assert_ne!(release_rid, "bad id with spaces");
    // A second appointment, rescheduled then cancelled.
    let r = op.hold("sassari-1", &at(TUE_0830), "pensioni").await;
    let h3 = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(op.confirm(&h3, "k3").await.status, 201);
    let appointment = |id: &str, what: &str, request_id: &str| {
        Request::post(format!("/v1/booking/appointments/{id}/{what}"), &json!({}))
            .header("x-request-id", request_id)
    };
    expect_statuses(
        "appointments and meetings",
        &[
            (
                &op,
                Request::post(
                    format!("/v1/booking/appointments/{h3}/reschedule"),
                    &json!({"starts_at": at(TUE_0930)}),
                )
                .header("x-request-id", "req-resched"),
                200,
            ),
            (&op, appointment(&h3, "cancel", "req-cancel"), 200),
            // An official may not cancel it: denied.
            (
                &official,
                appointment(&hold, "cancel", "req-cancel-denied"),
                403,
            ),
            // Meetings: refused to the other comune, opened by the operator, joined by the
            // official.
            (
                &other,
                appointment(&hold, "meeting", "req-open-denied"),
                403,
            ),
            (&op, appointment(&hold, "meeting", "req-open"), 200),
            (
                &official,
                appointment(&hold, "meeting/join", "req-join"),
                200,
            ),
            (
                &op,
                appointment(&hold, "meeting/join", "req-join-denied"),
                403,
            ),
        ],
    )
    .await;
    // Closures: by the INPS administrator; refused to an operator.
    let closure =
        json!({"first_day": "2026-12-01", "last_day": "2026-12-01", "reason": "Inventario"});
    let r = admin
        .post_with(
            "/v1/booking/sedi/sede-sassari/closures",
            &rid("req-closure"),
            &closure,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let closure_id = r.json()["id"].as_str().unwrap().to_owned();
    let r = op
        .post_with(
            "/v1/booking/sedi/sede-sassari/closures",
            &rid("req-closure-denied"),
            &closure,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // Login and logout; an unknown account is recorded without its name.
    let mut temp = env.anonymous();
    let r = temp
        .send(
            "POST",
            "/v1/demo/login",
            &[
                ("Content-Type", "application/json"),
                ("x-request-id", "req-login"),
            ],
            &json!({"account": "utenze.villanova"}).to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    temp.cookie = Some(r.first_cookie());
    let r = temp
        .send("DELETE", "/v1/session", &rid("req-logout"), "")
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = env
        .anonymous()
        .send(
            "POST",
            "/v1/demo/login",
            &[
                ("Content-Type", "application/json"),
                ("x-request-id", "req-login-denied"),
            ],
            &json!({"account": "nessuno.segreto"}).to_string(),
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);

    let list = entries(&admin, "?limit=1000").await;
    let villanova = json!("090078");
    let alghero = json!("090003");
    // Each entry by its request id: actor, role, comune, action, outcome, and the target and
    // the Sede where the case says.
    let expected = [
        Entry::new("req-hold-1", OP, villanova.clone(), "hold.place", "ok").target(&hold),
        Entry::new("req-confirm-1", OP, villanova.clone(), "hold.confirm", "ok")
            .target(&hold)
            .sede("sede-sassari"),
        Entry::new(&generated, OP, villanova.clone(), "hold.place", "ok").target(&h2),
        Entry::new(&release_rid, OP, villanova.clone(), "hold.release", "ok").target(&h2),
        Entry::new(
            "req-resched",
            OP,
            villanova.clone(),
            "appointment.reschedule",
            "ok",
        )
        .target(&h3),
        Entry::new(
            "req-cancel",
            OP,
            villanova.clone(),
            "appointment.cancel",
            "ok",
        )
        .target(&h3),
        Entry::new(
            "req-cancel-denied",
            OFFICIAL,
            Value::Null,
            "appointment.cancel",
            "denied",
        )
        .sede("sede-sassari")
        .target(&hold),
        Entry::new(
            "req-open-denied",
            ("operatore.alghero", "operator"),
            alghero.clone(),
            "meeting.open",
            "denied",
        ),
        Entry::new("req-open", OP, villanova.clone(), "meeting.open", "ok").target(&hold),
        Entry::new(
            "req-join",
            OFFICIAL,
            villanova.clone(),
            "meeting.join",
            "ok",
        )
        .sede("sede-sassari")
        .target(&hold),
        Entry::new(
            "req-join-denied",
            OP,
            villanova.clone(),
            "meeting.join",
            "denied",
        ),
        Entry::new(
            "req-closure",
            ("admin.inps", "inps_admin"),
            Value::Null,
            "closure.add",
            "ok",
        )
        .sede("sede-sassari")
        .target(&closure_id),
        Entry::new(
            "req-closure-denied",
            OP,
            villanova.clone(),
            "closure.add",
            "denied",
        ),
        Entry::new(
            "req-login",
            USER_ADMIN,
            villanova.clone(),
            "session.login",
            "ok",
        ),
        Entry::new(
            "req-logout",
            USER_ADMIN,
            villanova.clone(),
            "session.logout",
            "ok",
        ),
        Entry {
            target: Some(Value::Null),
            ..Entry::new(
                "req-login-denied",
                ("anonymous", "anonymous"),
                Value::Null,
                "session.login",
                "denied",
            )
        },
    ];
    for want in &expected {
        want.check(by_request(&list, &want.request_id));
    }
    assert!(!list.iter().any(|e| e.to_string().contains("nessuno")));
    // The time is the booking clock's, in UTC.
    assert_eq!(
        by_request(&list, "req-hold-1")["at"],
        "2026-11-23T08:00:00Z"
    );

    // Filters: action, time range, limit.
    let only = entries(&admin, "?action=meeting.open").await;
    assert_eq!(only.len(), 2, "{only:?}");
    assert!(only.iter().all(|e| e["action"] == "meeting.open"));
    assert_eq!(entries(&admin, "?limit=3").await.len(), 3);
    assert!(
        entries(&admin, "?from=2026-11-23T08:00:01Z")
            .await
            .is_empty()
    );
    assert!(entries(&admin, "?to=2026-11-23T07:59:59Z").await.is_empty());
    assert_eq!(
        entries(
            &admin,
            "?from=2026-11-23T08:00:00Z&to=2026-11-23T08:00:00Z&limit=1000"
        )
        .await
        .len(),
        list.len()
    );
    env.stop().await;
}

async fn user_admin_sees_only_their_comune(db: Option<String>) {
    let env = TestServer::start(db).await;
    let a = env.operator().await;
    let b = env.login("operatore.alghero").await;
    assert_eq!(
        a.hold("sassari-1", &at(TUE_0830), "pensioni").await.status,
        201
    );
    assert_eq!(
        b.hold("sassari-1", &at(TUE_0930), "pensioni").await.status,
        201
    );
    let ua = env.user_admin().await;
    let admin = env.inps_admin().await;

    let all = entries(&admin, "").await;
    assert!(all.iter().any(|e| e["comune_istat"] == "090003"));
    let mine = entries(&ua, "").await;
    assert!(!mine.is_empty());
    assert!(
        mine.iter().all(|e| e["comune_istat"] == "090078"),
        "{mine:?}"
    );
    assert!(mine.iter().any(|e| e["action"] == "hold.place"));
    assert!(
        !mine
            .iter()
            .any(|e| e["actor_subject"] == "operatore.alghero")
    );
    let csv = ua.get("/v1/audit.csv").await;
    assert_eq!(csv.status, 200);
    assert!(!csv.text.contains("090003") && !csv.text.contains("operatore.alghero"));
    assert!(csv.text.contains("operatore.villanova"));
    env.stop().await;
}

async fn only_admins_read_and_filters_are_checked(db: Option<String>) {
    let env = TestServer::start(db).await;
    for account in ["operatore.villanova", "funzionario.sassari"] {
        let c = env.login(account).await;
        for path in ["/v1/audit", "/v1/audit.csv", "/v1/audit?limit=5"] {
            c.get(path).await.expect_error(403, "forbidden");
        }
    }
    let r = env.anonymous().get("/v1/audit").await;
    r.expect_error(401, "unauthenticated");
    let admin = env.inps_admin().await;
    admin
        .get("/v1/audit?from=yesterday")
        .await
        .expect_error(400, "bad_query");
    admin
        .get("/v1/audit?limit=ten")
        .await
        .expect_error(400, "bad_query");
    admin
        .get("/v1/audit?who=me")
        .await
        .expect_error(400, "bad_query");
    admin
        .get("/v1/audit.csv?limit=x")
        .await
        .expect_error(400, "bad_query");
    admin
        .get("/v1/audit?limit=0")
        .await
        .expect_error(422, "bad_limit");
    admin
        .get("/v1/audit?limit=1001")
        .await
        .expect_error(422, "bad_limit");
    admin
        .get("/v1/audit?action=DROP%20TABLE")
        .await
        .expect_error(422, "bad_action");
    admin
        .get("/v1/audit?from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z")
        .await
        .expect_error(422, "bad_date_range");
    env.stop().await;
}

async fn csv_has_header_and_quoted_fields(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let r = op
        .post_with(
            "/v1/booking/holds",
            &rid("req-csv"),
            &json!({"sportello_id": "sassari-1", "starts_at": at(TUE_0830), "service_code": "pensioni"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let hold = r.json()["id"].as_str().unwrap().to_owned();
    let admin = env.inps_admin().await;
    let r = admin.get("/v1/audit.csv?action=hold.place").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    let mut lines = r.text.split("\r\n");
    assert_eq!(
        lines.next(),
        Some(
            "id,at,actor_subject,actor_role,comune_istat,sede_id,action,target,request_id,outcome,detail"
        )
    );
    let row = lines.next().expect("one row");
    let fields: Vec<&str> = row.split(',').collect();
    assert_eq!(fields.len(), 11, "{row}");
    assert!(
        fields
            .iter()
            .all(|f| f.starts_with('"') && f.ends_with('"')),
        "{row}"
    );
    assert_eq!(fields[1], "\"2026-11-23T08:00:00Z\"");
    assert_eq!(fields[2], "\"operatore.villanova\"");
    assert_eq!(fields[3], "\"operator\"");
    assert_eq!(fields[4], "\"090078\"");
    assert_eq!(fields[5], "\"\"");
    assert_eq!(fields[6], "\"hold.place\"");
    assert_eq!(fields[7], format!("\"{hold}\""));
    assert_eq!(fields[8], "\"req-csv\"");
    assert_eq!(fields[9], "\"ok\"");
    assert_eq!(lines.next(), Some(""), "CRLF after the last row");
    assert_eq!(lines.next(), None);
    env.stop().await;
}

async fn no_personal_data_in_the_log(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let r = op.hold("sassari-1", &at(MON_0930), "pensioni").await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(op.confirm(&id, "k").await.status, 201);
    let r = op
        .post(
            &format!("/v1/booking/appointments/{id}/meeting"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = op
        .post(
            &format!("/v1/booking/appointments/{id}/cancel"),
            &json!({"reason": "Laura Bianchi BNCLRA92P55I452E"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let pool = env.pool();
    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, actor_subject, actor_role, action, request_id, outcome FROM audit_log",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let opt: Vec<(Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT comune_istat, sede_id, target FROM audit_log")
            .fetch_all(pool)
            .await
            .unwrap();
    assert!(rows.len() >= 4, "{rows:?}");
    let dump = format!("{rows:?} {opt:?}");
    for secret in [
        "BNCLRA92P55I452E",
        "Laura",
        "Bianchi",
        "laura@example.org",
        "1992-09-15",
    ] {
        assert!(
            !dump.to_lowercase().contains(&secret.to_lowercase()),
            "{secret} in {dump}"
        );
    }
    env.stop().await;
}
