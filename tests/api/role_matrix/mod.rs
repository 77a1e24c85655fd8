//! The role matrix: every HTTP endpoint (the whole route list the OpenAPI document is kept equal
//! to) × every kind of caller → the expected answer, and every signalling action × every meeting
//! role.
//!
//! Callers: nobody, a citizen session, the operator of the appointment's comune, an operator of
//! another comune, the comune's user administrator, the official of the appointment's sportello,
//! an official of another Sede, the INPS administrator, and the three referenti (of the comune,
//! of INPS for Sardegna, of ANCI). Each case logs in afresh (a handover or
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

mod http;
mod signalling;

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
    /// The referente of the appointment's comune.
    RefComune,
    /// An INPS referente of the appointment's region (Sardegna).
    RefInps,
    /// ANCI's referente.
    RefAnci,
}

use Who::*;

const EVERYONE: [Who; 11] = [
    Nobody,
    Citizen,
    Operator,
    OtherOperator,
    UserAdmin,
    Official,
    OtherOfficial,
    InpsAdmin,
    RefComune,
    RefInps,
    RefAnci,
];
const STAFF: [Who; 9] = [
    Operator,
    OtherOperator,
    UserAdmin,
    Official,
    OtherOfficial,
    InpsAdmin,
    RefComune,
    RefInps,
    RefAnci,
];
/// Who reads the monitoring figures.
const MONITORS: [Who; 5] = [UserAdmin, InpsAdmin, RefComune, RefInps, RefAnci];

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
            RefComune => Some("referente.villanova"),
            RefInps => Some("referente.sardegna"),
            RefAnci => Some("referente.anci"),
        }
    }
}

/// One endpoint: how to call it, who may, and from whom the record is hidden.
struct Case {
    method: &'static str,
    route: &'static str,
    path: String,
    body: Box<dyn Fn(Who) -> Option<Value>>,
    /// A body sent as it is (a document upload), instead of JSON.
    raw: Option<Vec<u8>>,
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
        raw: None,
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
    fn raw(mut self, bytes: Vec<u8>) -> Self {
        self.raw = Some(bytes);
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
    /// An allowed caller passes the access checks and is answered `status` by the rules (e.g.
    /// 409 for a state the matrix's records are not in).
    fn answers(mut self, status: u16) -> Self {
        self.allowed_status = Some(status);
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
    let text = match &case.raw {
        Some(bytes) => String::from_utf8(bytes.clone()).expect("a text body"),
        None => body.map(|b| b.to_string()).unwrap_or_default(),
    };
    c.send(case.method, &case.path, &headers, &text).await
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
