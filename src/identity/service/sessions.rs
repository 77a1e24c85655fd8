//! Staff sessions: the logins (password, demo, OIDC) that open them, with their admission
//! checks, and the logout that ends them; every outcome audited as `session.login` or
//! `session.logout`; and the names a session shows (comune, Sede, sportelli, a label).
//!
//! Unknown account and wrong password give the same 401 `bad_credentials` (and take the same
//! time). Attempts are limited per account name and client address, per client address and
//! per account name ([`attempts`]). Only with the right password does the answer say that the
//! account is revoked, not yet valid or expired.

use axum::http::StatusCode;

use super::accounts;
use crate::api::ApiCode;
use crate::api::{AppError, ClientAddr};
use crate::audit::AuditAction;
use crate::audit::{self, Event, RequestId, Scope};
use crate::booking::BookingError;
use crate::identity::attempts::{self, Reserved};
use crate::identity::{Identity, Principal, StaffRole, demo, password};
use crate::store::Db;

/// 401 `bad_credentials`.
fn bad_credentials() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        ApiCode::BadCredentials,
        "unknown account or wrong password",
    )
}

/// Opens a session for an admitted `principal` and audits the login; returns the cookie token.
/// Every login path (password, demo, OIDC) goes through it.
pub async fn start(
    state: &Identity,
    rid: &RequestId,
    principal: &Principal,
) -> Result<String, AppError> {
    let token = state.sessions.create(principal).await?;
    let scope = Scope::target(principal.subject.clone());
    let event = Event::staff(principal, rid, AuditAction::SessionLogin).scope(scope);
    audit::record(&state.store, event).await;
    Ok(token)
}

/// Audits a refused login of a known account.
pub async fn refused(state: &Identity, rid: &RequestId, principal: &Principal) {
    let scope = Scope::target(principal.subject.clone());
    let event = Event::staff(principal, rid, AuditAction::SessionLogin)
        .scope(scope)
        .denied();
    audit::record(&state.store, event).await;
}

/// Audits a refused login of no known account (what was typed is request content: not
/// recorded).
pub async fn refused_anonymous(state: &Identity, rid: &RequestId) {
    let event = Event::anonymous(rid, AuditAction::SessionLogin).denied();
    audit::record(&state.store, event).await;
}

/// Audits a refused login of `account` (an id from a trusted source, e.g. an OIDC link), or
/// an anonymous one when it is not a known account.
pub async fn refused_account(state: &Identity, rid: &RequestId, account: Option<&str>) {
    let who = match account {
        Some(a) => accounts::find(state.store.db(), a).await.ok().flatten(),
        None => None,
    };
    match who {
        Some(who) => refused(state, rid, &who).await,
        None => refused_anonymous(state, rid).await,
    }
}

/// What a password login came to (refusals other than a lock or a busy server are errors).
#[derive(Debug)]
pub enum PasswordLogin {
    /// A session was opened: its cookie token and who it is for.
    Session(String, Principal),
    /// Too many attempts (see [`attempts`]): refused for this many more seconds.
    Locked(i64),
    /// The hashing workers are busy: nothing was checked or counted; try again shortly.
    Busy,
}

/// `POST /v1/login`: checks `password` for account `account` (as typed) from `client` and
/// opens a session. The attempt is reserved (see [`attempts`]) before the password is hashed.
pub async fn password_login(
    state: &Identity,
    rid: &RequestId,
    client: ClientAddr,
    account: &str,
    typed_password: &str,
) -> Result<PasswordLogin, AppError> {
    // Any length may be tried (a wrong one is just wrong), up to the hashing bound.
    password::check_length(typed_password, 0)?;
    let db = state.store.db();
    let now = state.store.now();
    // What was typed as the account is request content (it may be a person's name): it is
    // recorded only once it is known to be an account id.
    let name = account.trim().to_ascii_lowercase();
    let well_formed = accounts::valid_account_id(&name);
    let reservation =
        match attempts::reserve(db, client, well_formed.then_some(name.as_str()), now).await? {
            Reserved::Go(reservation) => reservation,
            Reserved::Locked(wait) => {
                refused_anonymous(state, rid).await;
                return Ok(PasswordLogin::Locked(wait));
            }
        };
    let account = if well_formed {
        accounts::get(db, &name).await?
    } else {
        None
    };
    let hash = account.as_ref().and_then(|a| a.password_hash.as_deref());
    let Ok(right) = password::verify(typed_password, hash).await else {
        attempts::release(db, reservation).await?;
        return Ok(PasswordLogin::Busy);
    };
    let account = match account {
        Some(account) if right => account,
        other => {
            match &other {
                Some(a) => refused(state, rid, &a.principal).await,
                None => refused_anonymous(state, rid).await,
            }
            return Err(bad_credentials());
        }
    };
    attempts::succeeded(db, reservation).await?;
    let password_refused =
        account.principal.role == StaffRole::Operator && !state.operator_password_login;
    if let Err(e) = accounts::check(&account, now).and_then(|()| {
        if password_refused {
            Err(accounts::AdmitError::PasswordLoginDisabled)
        } else {
            Ok(())
        }
    }) {
        refused(state, rid, &account.principal).await;
        return Err(e.into_app_error());
    }
    let token = start(state, rid, &account.principal).await?;
    Ok(PasswordLogin::Session(token, account.principal))
}

/// `POST /v1/demo/login` (demo mode): opens a session for demo account `account`.
pub async fn demo_login(
    state: &Identity,
    rid: &RequestId,
    account: &str,
) -> Result<(String, Principal), AppError> {
    if demo::principal(account).is_none() {
        // The account name given is request content: not recorded.
        refused_anonymous(state, rid).await;
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            ApiCode::UnknownAccount,
            "no such demo account",
        ));
    }
    match accounts::admit(state, account).await {
        Ok(principal) => {
            let token = start(state, rid, &principal).await?;
            Ok((token, principal))
        }
        Err(e) => {
            if let Some(known) = accounts::find(state.store.db(), account).await? {
                refused(state, rid, &known).await;
            }
            Err(e.into_app_error())
        }
    }
}

/// Logout: ends the session of cookie `token` (audited when it was a live session).
pub async fn logout(state: &Identity, rid: &RequestId, token: &str) {
    if let Some(who) = state.sessions.lookup(token).await {
        let scope = Scope::target(who.subject.clone());
        let event = Event::staff(&who, rid, AuditAction::SessionLogout).scope(scope);
        audit::record(&state.store, event).await;
    }
    state.sessions.revoke(token).await;
}

/// The comune name, the Sede name and a display label of a staff member, e.g.
/// "Operatore del Comune di Villanova Monteleone".
pub async fn display_names(
    db: &Db,
    role: StaffRole,
    comune_istat: Option<&str>,
    sede_id: Option<&str>,
    regions: &[String],
) -> Result<(Option<String>, Option<String>, String), BookingError> {
    let comune_name = match comune_istat {
        Some(istat) => db.comune(istat).await?.map(|c| c.name),
        None => None,
    };
    let sede_name = match sede_id {
        Some(id) => db.sede_name(id).await?,
        None => None,
    };
    let comune = comune_name
        .clone()
        .or_else(|| comune_istat.map(|c| format!("codice ISTAT {c}")))
        .unwrap_or_default();
    let sede = sede_name
        .clone()
        .or_else(|| sede_id.map(str::to_owned))
        .unwrap_or_default();
    let label = match role {
        StaffRole::Operator => format!("Operatore del Comune di {comune}"),
        StaffRole::UserAdmin => format!("Amministratore utenze del Comune di {comune}"),
        StaffRole::Official if sede.is_empty() => "Funzionario INPS".to_owned(),
        StaffRole::Official => format!("Funzionario INPS – {sede}"),
        StaffRole::InpsAdmin => "Amministratore INPS".to_owned(),
        StaffRole::ReferenteComune => format!("Referente del Comune di {comune}"),
        StaffRole::ReferenteInps if regions.iter().any(|r| r == "*") => {
            "Referente INPS – tutta Italia".to_owned()
        }
        StaffRole::ReferenteInps => format!("Referente INPS – {}", regions.join(", ")),
        StaffRole::ReferenteAnci => "Referente ANCI".to_owned(),
    };
    Ok((comune_name, sede_name, label))
}

/// The sportelli `ids` with their names (the id where a sportello has none), as (id, name).
pub async fn sportello_names(
    db: &Db,
    ids: &[String],
) -> Result<Vec<(String, String)>, BookingError> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let name = db
            .sportello(id)
            .await?
            .map_or_else(|| id.clone(), |s| s.name);
        out.push((id.clone(), name));
    }
    Ok(out)
}
