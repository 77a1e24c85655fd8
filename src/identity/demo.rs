//! Demo accounts and `POST /v1/demo/login`: demo mode only. Production mode has no such route;
//! there the identity layer opens sessions.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Identity;
use super::service::sessions;
use super::{Principal, StaffRole};
use crate::api::{AppError, JsonBody};
use crate::audit::RequestId;

/// A demo account: (account name, role, comune, sede, sportelli, or for a `referente_inps` the
/// regions it monitors).
type Account = (
    &'static str,
    StaffRole,
    Option<&'static str>,
    Option<&'static str>,
    &'static [&'static str],
);

/// The demo accounts, matching `seed/demo.sql`.
pub const ACCOUNTS: &[Account] = &[
    (
        "operatore.villanova",
        StaffRole::Operator,
        Some("090078"),
        None,
        &[],
    ),
    (
        "operatore.alghero",
        StaffRole::Operator,
        Some("090003"),
        None,
        &[],
    ),
    (
        "operatore.pescasseroli",
        StaffRole::Operator,
        Some("066068"),
        None,
        &[],
    ),
    (
        "operatore.ostana",
        StaffRole::Operator,
        Some("004156"),
        None,
        &[],
    ),
    (
        "operatore.civita",
        StaffRole::Operator,
        Some("078041"),
        None,
        &[],
    ),
    (
        "utenze.villanova",
        StaffRole::UserAdmin,
        Some("090078"),
        None,
        &[],
    ),
    (
        "funzionario.sassari",
        StaffRole::Official,
        None,
        Some("sede-sassari"),
        &["sassari-1", "sassari-2"],
    ),
    (
        "funzionario.laquila",
        StaffRole::Official,
        None,
        Some("sede-laquila"),
        &["laquila-1"],
    ),
    (
        "funzionario.cuneo",
        StaffRole::Official,
        None,
        Some("sede-cuneo"),
        &["cuneo-1"],
    ),
    (
        "funzionario.cosenza",
        StaffRole::Official,
        None,
        Some("sede-cosenza"),
        &["cosenza-1"],
    ),
    (
        "funzionario.polo",
        StaffRole::Official,
        None,
        Some("polo-famiglia"),
        &["polo-famiglia-1"],
    ),
    ("admin.inps", StaffRole::InpsAdmin, None, None, &[]),
    (
        "referente.villanova",
        StaffRole::ReferenteComune,
        Some("090078"),
        None,
        &[],
    ),
    (
        "referente.sardegna",
        StaffRole::ReferenteInps,
        None,
        None,
        &["Sardegna"],
    ),
    (
        "referente.inps",
        StaffRole::ReferenteInps,
        None,
        None,
        &["*"],
    ),
    ("referente.anci", StaffRole::ReferenteAnci, None, None, &[]),
];

/// The principal of a demo account.
pub fn principal(account: &str) -> Option<Principal> {
    ACCOUNTS
        .iter()
        .find(|a| a.0 == account)
        .map(|&(subject, role, comune, sede, list)| {
            let list: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
            let (sportello_ids, regions) = if role == StaffRole::ReferenteInps {
                (vec![], list)
            } else {
                (list, vec![])
            };
            Principal {
                subject: subject.to_owned(),
                role,
                comune_istat: comune.map(str::to_owned),
                sede_id: sede.map(str::to_owned),
                sportello_ids,
                regions,
            }
        })
}

/// The person behind a demo account (invented names; the demo's staff only).
pub fn full_name(account: &str) -> Option<&'static str> {
    Some(match account {
        "operatore.villanova" => "Giulia Serra",
        "operatore.alghero" => "Antonio Pinna",
        "operatore.pescasseroli" => "Marco Di Cesare",
        "operatore.ostana" => "Elena Bruno",
        "operatore.civita" => "Francesco Greco",
        "utenze.villanova" => "Paola Cossu",
        "funzionario.sassari" => "Roberto Manca",
        "funzionario.laquila" => "Silvia Ferri",
        "funzionario.cuneo" => "Luca Giordano",
        "funzionario.cosenza" => "Teresa Russo",
        "funzionario.polo" => "Davide Conti",
        "admin.inps" => "Chiara Lombardi",
        "referente.villanova" => "Sara Piras",
        "referente.sardegna" => "Giovanni Satta",
        "referente.inps" => "Anna Rinaldi",
        "referente.anci" => "Stefano Moretti",
        _ => return None,
    })
}

/// Login request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    account: String,
}

/// A demo account as listed.
#[derive(Debug, Serialize, TS)]
#[ts(rename = "DemoAccount")]
pub struct AccountInfo {
    account: &'static str,
    role: StaffRole,
    comune_istat: Option<&'static str>,
    sede_id: Option<&'static str>,
    /// Display label, e.g. "Operatore del Comune di Villanova Monteleone".
    label: String,
}

/// `GET /v1/demo/accounts`.
pub async fn accounts(State(state): State<Identity>) -> Result<Json<Vec<AccountInfo>>, AppError> {
    let mut out = Vec::with_capacity(ACCOUNTS.len());
    for &(account, role, comune_istat, sede_id, _) in ACCOUNTS {
        let regions = principal(account).map(|p| p.regions).unwrap_or_default();
        let (_, _, label) = super::service::sessions::display_names(
            state.store.db(),
            role,
            comune_istat,
            sede_id,
            &regions,
        )
        .await?;
        out.push(AccountInfo {
            account,
            role,
            comune_istat,
            sede_id,
            label,
        });
    }
    Ok(Json(out))
}

/// `POST /v1/demo/login`: opens a session for a demo account and sets the cookie.
pub async fn login(
    State(state): State<Identity>,
    rid: RequestId,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, AppError> {
    let (token, principal) = sessions::demo_login(&state, &rid, &req.account).await?;
    Ok(super::login::session_answer(&token, principal))
}
