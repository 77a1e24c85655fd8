//! Managing operators: who may (the comune's user administrator, for operators of their own
//! comune; the INPS administrator), the rules of their validity dates and passwords, the SQL of
//! revocation, and the audit of every change (`ok`, or `denied` on a 403).

use std::collections::HashMap;

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};

use super::accounts::{self, Account, Validity};
use crate::api::ApiCode;
use crate::api::AppError;
use crate::audit::AuditAction;
use crate::audit::{self, Event, RequestId, Scope};
use crate::booking::{BookingError, rome};
use crate::identity::revocation::Revocation;
use crate::identity::{Identity, Principal, StaffRole, password};
use crate::store::Db;

/// 403 `forbidden`: not allowed to manage this operator.
pub(crate) fn forbidden() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        ApiCode::Forbidden,
        "not allowed to manage this operator",
    )
}

/// 400 `bad_account_id`.
pub(crate) fn bad_account_id() -> AppError {
    AppError::bad_request(
        ApiCode::BadAccountId,
        "the account id must be 1-64 characters of a-z, 0-9, '.', '_' and '-'",
    )
}

/// 404 `unknown_account`.
pub(crate) fn unknown_account() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        ApiCode::UnknownAccount,
        "no such account",
    )
}

fn bad_dates(message: &str) -> AppError {
    AppError::bad_request(ApiCode::BadDates, message.to_owned())
}

/// A validity day as given (`YYYY-MM-DD`), if any.
pub(crate) fn day(value: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match value {
        None => Ok(None),
        Some(s) if s.len() == 10 => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad_dates("dates are YYYY-MM-DD")),
        Some(_) => Err(bad_dates("dates are YYYY-MM-DD")),
    }
}

/// The last valid day is not before the first.
pub(crate) fn check_window(
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<(), AppError> {
    match (from, until) {
        (Some(f), Some(u)) if u < f => Err(bad_dates("the last valid day is before the first")),
        _ => Ok(()),
    }
}

/// `who` enables and lists operators: a user administrator or the INPS administrator.
fn may_enable(who: &Principal) -> Result<(), AppError> {
    match who.role {
        StaffRole::UserAdmin | StaffRole::InpsAdmin => Ok(()),
        _ => Err(forbidden()),
    }
}

/// The name of comune `istat`, if any.
pub(crate) async fn comune_name(
    db: &Db,
    istat: Option<&str>,
) -> Result<Option<String>, BookingError> {
    Ok(match istat {
        Some(istat) => db.comune(istat).await?.map(|c| c.name),
        None => None,
    })
}

/// Records `account` as revoked by `by` at `at` (idempotent).
pub async fn mark_revoked(
    db: &Db,
    account: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(), BookingError> {
    sqlx::query(
        "INSERT INTO staff_revocations (subject, revoked_at, revoked_by) VALUES ($1, $2, $3) \
         ON CONFLICT (subject) DO NOTHING",
    )
    .bind(account)
    .bind(at.timestamp())
    .bind(by)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Re-enables `account` (idempotent).
pub async fn mark_enabled(db: &Db, account: &str) -> Result<(), BookingError> {
    sqlx::query("DELETE FROM staff_revocations WHERE subject = $1")
        .bind(account)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Checks that `who` may manage operator `account` (the comune's user administrator, for
/// operators of their comune; the INPS administrator) and returns the account.
pub(crate) async fn target(db: &Db, who: &Principal, account: &str) -> Result<Account, AppError> {
    if !matches!(who.role, StaffRole::UserAdmin | StaffRole::InpsAdmin) {
        return Err(forbidden());
    }
    if !accounts::valid_account_id(account) {
        return Err(bad_account_id());
    }
    let Some(found) = accounts::get(db, account).await? else {
        return Err(unknown_account());
    };
    if !manages(who, &found.principal) || found.principal.subject == who.subject {
        // (Nobody changes or revokes their own account here: an administrator could lock
        // themselves out; a password of one's own is changed with the current one.)
        return Err(forbidden());
    }
    Ok(found)
}

/// Whether `who` manages the accounts of `role`: the comune's user administrator its operators
/// and comune referenti; the INPS administrator every staff account (those of every comune,
/// the user administrators, the officials, the referenti and the other INPS administrators).
pub fn manages_role(who: &Principal, role: StaffRole) -> bool {
    match role {
        StaffRole::Operator | StaffRole::ReferenteComune => {
            matches!(who.role, StaffRole::UserAdmin | StaffRole::InpsAdmin)
        }
        StaffRole::ReferenteInps
        | StaffRole::ReferenteAnci
        | StaffRole::UserAdmin
        | StaffRole::Official
        | StaffRole::InpsAdmin => who.role == StaffRole::InpsAdmin,
    }
}

/// Every role, in the order the lists show them.
const ROLES: [StaffRole; 7] = [
    StaffRole::Operator,
    StaffRole::ReferenteComune,
    StaffRole::UserAdmin,
    StaffRole::Official,
    StaffRole::ReferenteInps,
    StaffRole::ReferenteAnci,
    StaffRole::InpsAdmin,
];

/// Whether `who` manages account `target` (its role, and for a user administrator its comune).
pub fn manages(who: &Principal, target: &Principal) -> bool {
    manages_role(who, target.role)
        && (who.role != StaffRole::UserAdmin
            || (who.comune_istat.is_some() && who.comune_istat == target.comune_istat))
}

/// Audits a refused change of `account` (a 403): with the id only when it is an account's.
pub(crate) async fn audit_denied(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    action: AuditAction,
    account: &str,
    e: &AppError,
) -> Result<(), AppError> {
    if e.status == StatusCode::FORBIDDEN {
        let scope = if accounts::find(state.store.db(), account).await?.is_some() {
            Scope::target(account)
        } else {
            Scope::default()
        };
        let event = Event::staff(who, rid, action).scope(scope).denied();
        audit::record(&state.store, event).await;
    }
    Ok(())
}

/// Operator `account` if `who` may change it (`action`); a refusal is audited.
pub async fn authorize(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    account: &str,
    action: AuditAction,
) -> Result<Account, AppError> {
    match target(state.store.db(), who, account).await {
        Ok(found) => Ok(found),
        Err(e) => {
            audit_denied(state, who, rid, action, account, &e).await?;
            Err(e)
        }
    }
}

/// The operators `who` manages (those of their comune, or all), with their comune's name.
pub async fn list(
    state: &Identity,
    who: &Principal,
) -> Result<Vec<(Account, Option<String>)>, AppError> {
    may_enable(who)?;
    let comune = match who.role {
        StaffRole::UserAdmin => Some(who.comune_istat.as_deref().ok_or_else(forbidden)?),
        _ => None,
    };
    let db = state.store.db();
    // One name lookup per comune, not per operator.
    let mut names: HashMap<Option<String>, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    let mut managed = Vec::new();
    for role in ROLES.into_iter().filter(|r| manages_role(who, *r)) {
        managed.extend(accounts::list(db, role, comune).await?);
    }
    for account in managed {
        let istat = account.principal.comune_istat.clone();
        let name = match names.get(&istat) {
            Some(name) => name.clone(),
            None => {
                let name = comune_name(db, istat.as_deref()).await?;
                names.insert(istat, name.clone());
                name
            }
        };
        out.push((account, name));
    }
    Ok(out)
}

/// Checks that `who` may enable operators; a refusal is audited as `operator.create`.
pub async fn may_create(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
) -> Result<(), AppError> {
    if let Err(e) = may_enable(who) {
        let event = Event::staff(who, rid, AuditAction::OperatorCreate).denied();
        audit::record(&state.store, event).await;
        return Err(e);
    }
    Ok(())
}

/// The comune a new operator of `who` belongs to.
async fn comune_for(db: &Db, who: &Principal, asked: Option<String>) -> Result<String, AppError> {
    match who.role {
        StaffRole::UserAdmin => {
            let own = who.comune_istat.clone().ok_or_else(forbidden)?;
            match asked {
                Some(a) if a != own => Err(forbidden()),
                _ => Ok(own),
            }
        }
        _ => {
            let istat = asked.ok_or_else(|| {
                AppError::bad_request(ApiCode::MissingComune, "comune_istat is required")
            })?;
            if db.comune(&istat).await?.is_none() {
                return Err(AppError::new(
                    StatusCode::NOT_FOUND,
                    ApiCode::UnknownComune,
                    "no such comune",
                ));
            }
            Ok(istat)
        }
    }
}

/// A new operator as asked for (checked by [`create`]).
#[derive(Debug)]
pub struct NewOperatorFields<'a> {
    /// The account id.
    pub account: &'a str,
    /// The initial password.
    pub password: &'a str,
    /// The person's name ("Nome e cognome").
    pub full_name: &'a str,
    /// First valid day, as given.
    pub valid_from: Option<&'a str>,
    /// Last valid day, as given.
    pub valid_until: Option<&'a str>,
    /// The comune asked for.
    pub comune_istat: Option<String>,
    /// The role: an operator or a referente ([`manages`]).
    pub role: StaffRole,
    /// A `referente_inps`'s regions.
    pub regions: Vec<String>,
    /// An official's Sede or Polo.
    pub sede_id: Option<String>,
    /// An official's sportelli (of that Sede; none = all of them).
    pub sportello_ids: Vec<String>,
    /// The act authorising an operator to process personal data: its date, as given.
    pub data_authorisation_date: Option<&'a str>,
    /// The act's reference, as given.
    pub data_authorisation_act: Option<&'a str>,
}

/// Enables a new operator (after [`may_create`]); answers it with its comune's name.
pub async fn create(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    req: NewOperatorFields<'_>,
) -> Result<(Account, Option<String>), AppError> {
    if !accounts::valid_account_id(req.account) {
        return Err(bad_account_id());
    }
    let full_name = accounts::full_name(req.full_name)?;
    password::check_length(req.password, password::MIN_LEN)?;
    let valid_from = day(req.valid_from)?;
    let valid_until = day(req.valid_until)?;
    check_window(valid_from, valid_until)?;
    if !manages_role(who, req.role) {
        return Err(forbidden());
    }
    let db = state.store.db();
    let comune = match req.role {
        StaffRole::Operator | StaffRole::ReferenteComune | StaffRole::UserAdmin => {
            Some(comune_for(db, who, req.comune_istat).await?)
        }
        _ if req.comune_istat.is_some() => {
            return Err(AppError::bad_request(
                ApiCode::BadRegions,
                "only the comune's staff have a comune",
            ));
        }
        _ => None,
    };
    let regions = regions_for(db, req.role, req.regions).await?;
    let (sede_id, sportello_ids) = sede_for(db, req.role, req.sede_id, req.sportello_ids).await?;
    let now = state.store.now();
    let authorisation = accounts::data_authorisation(
        req.data_authorisation_date,
        req.data_authorisation_act,
        rome::local_date(now),
    )?;
    // The seeds' two steps: an operator named by the comune waits for INPS to enable them for
    // the PUE; the INPS administrator does both at once. Other roles need no such step.
    let waits = req.role == StaffRole::Operator && who.role != StaffRole::InpsAdmin;
    let account = Account {
        principal: Principal {
            subject: req.account.to_owned(),
            role: req.role,
            comune_istat: comune.clone(),
            sede_id,
            sportello_ids,
            regions,
        },
        password_hash: Some(password::hash(req.password).await),
        valid_from,
        valid_until,
        revoked: false,
        full_name: Some(full_name),
        pue_enabled_at: (!waits).then_some(now.timestamp()),
        data_authorisation: authorisation,
    };
    if !accounts::insert(db, &account, &who.subject, now).await? {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            ApiCode::AccountExists,
            "an account with this id exists",
        ));
    }
    let scope = Scope::account(&account.principal);
    let event = Event::staff(who, rid, AuditAction::OperatorCreate).scope(scope);
    audit::record(&state.store, event).await;
    let name = comune_name(db, comune.as_deref()).await?;
    Ok((account, name))
}

/// The Sede and sportelli of a new official (the Sede required, the sportelli its own; none =
/// all of them); none for the other roles.
async fn sede_for(
    db: &Db,
    role: StaffRole,
    sede: Option<String>,
    sportelli: Vec<String>,
) -> Result<(Option<String>, Vec<String>), AppError> {
    let bad = |message: &str| AppError::bad_request(ApiCode::BadSede, message.to_owned());
    if role != StaffRole::Official {
        return if sede.is_none() && sportelli.is_empty() {
            Ok((None, sportelli))
        } else {
            Err(bad("only an official has a Sede and sportelli"))
        };
    }
    let sede = sede.ok_or_else(|| bad("an official needs a Sede or Polo (sede_id)"))?;
    let own: Vec<(String,)> = sqlx::query_as("SELECT id FROM sportelli WHERE sede_id = $1")
        .bind(&sede)
        .fetch_all(db.pool())
        .await
        .map_err(BookingError::from)?;
    if db.sede_name(&sede).await?.is_none() {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            ApiCode::UnknownSede,
            "no such Sede or Polo",
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(sportelli.len());
    for s in sportelli {
        if !own.iter().any(|(id,)| *id == s) {
            return Err(bad("a sportello of another Sede (or none)"));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok((Some(sede), out))
}

/// The regions of a new `referente_inps` (required: known region names, or `["*"]`); none for
/// the other roles.
async fn regions_for(
    db: &Db,
    role: StaffRole,
    asked: Vec<String>,
) -> Result<Vec<String>, AppError> {
    let bad = |message: &str| AppError::bad_request(ApiCode::BadRegions, message.to_owned());
    if role != StaffRole::ReferenteInps {
        return if asked.is_empty() {
            Ok(asked)
        } else {
            Err(bad("only an INPS referente has regions"))
        };
    }
    if asked.is_empty() || asked.len() > 20 {
        return Err(bad(
            "an INPS referente needs 1-20 regions, or [\"*\"] for all",
        ));
    }
    if asked == ["*"] {
        return Ok(asked);
    }
    let known: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT region FROM comuni")
        .fetch_all(db.pool())
        .await
        .map_err(BookingError::from)?;
    let mut out: Vec<String> = Vec::with_capacity(asked.len());
    for r in asked {
        if !known.iter().any(|(k,)| *k == r) {
            return Err(bad(
                "unknown region (regions are named as in the comuni list)",
            ));
        }
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// A change of an operator: a date `Some(None)` is cleared, `None` stays.
#[derive(Debug)]
pub struct OperatorFieldsChange<'a> {
    /// First valid day, as given.
    pub valid_from: Option<Option<&'a str>>,
    /// Last valid day, as given.
    pub valid_until: Option<Option<&'a str>>,
    /// A new password.
    pub password: Option<&'a str>,
    /// A new name.
    pub full_name: Option<&'a str>,
    /// A new data-processing authorisation: (date, act), both given.
    pub data_authorisation: Option<(&'a str, &'a str)>,
}

/// Changes the dates, name or password of `found` (from [`authorize`]); a change that puts the
/// operator outside their dates today, or a new password, ends their sessions and connections.
pub async fn update(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    mut found: Account,
    change: OperatorFieldsChange<'_>,
) -> Result<(Account, Option<String>), AppError> {
    if let Some(from) = change.valid_from {
        found.valid_from = day(from)?;
    }
    if let Some(until) = change.valid_until {
        found.valid_until = day(until)?;
    }
    check_window(found.valid_from, found.valid_until)?;
    if let Some(name) = change.full_name {
        found.full_name = Some(accounts::full_name(name)?);
    }
    if let Some((date, act)) = change.data_authorisation {
        let today = rome::local_date(state.store.now());
        found.data_authorisation = accounts::data_authorisation(Some(date), Some(act), today)?;
    }
    if let Some(new_password) = change.password {
        password::check_length(new_password, password::MIN_LEN)?;
        found.password_hash = Some(password::hash(new_password).await);
    }
    let db = state.store.db();
    accounts::update(db, &found).await?;
    let now = state.store.now();
    if found.validity(rome::local_date(now)) != Validity::Valid || change.password.is_some() {
        // Outside the new dates, or a new password: the sessions opened before end now.
        state.revocations.publish(Revocation {
            subject: found.principal.subject.clone(),
            reason: AuditAction::OperatorUpdate.as_str().to_owned(),
            at: now,
        });
    }
    let scope = Scope::account(&found.principal);
    let event = Event::staff(who, rid, AuditAction::OperatorUpdate).scope(scope);
    audit::record(&state.store, event).await;
    let name = comune_name(db, found.principal.comune_istat.as_deref()).await?;
    Ok((found, name))
}

/// INPS enables operator `account` for the PUE (the second of the seeds' two steps): the INPS
/// administrator, or an official of the Sede competent for the operator's comune; the comune
/// must have recorded the act authorising the operator to process personal data (409
/// `authorisation_missing` otherwise). Idempotent. Answers the account as it now is.
pub async fn enable_for_pue(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    account: &str,
) -> Result<(Account, Option<String>), AppError> {
    let db = state.store.db();
    let result: Result<Account, AppError> = async {
        if !accounts::valid_account_id(account) {
            return Err(bad_account_id());
        }
        let found = accounts::get(db, account)
            .await?
            .ok_or_else(unknown_account)?;
        if found.principal.role != StaffRole::Operator {
            return Err(forbidden());
        }
        let allowed = match who.role {
            StaffRole::InpsAdmin => true,
            StaffRole::Official => {
                let competent: Option<(String,)> = sqlx::query_as(
                    "SELECT sede_id FROM sede_comuni WHERE comune_istat = $1 AND sede_id = $2",
                )
                .bind(found.principal.comune_istat.as_deref().unwrap_or(""))
                .bind(who.sede_id.as_deref().unwrap_or(""))
                .fetch_optional(db.pool())
                .await
                .map_err(BookingError::from)?;
                competent.is_some()
            }
            _ => false,
        };
        if !allowed {
            return Err(forbidden());
        }
        if found.data_authorisation.is_none() {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                ApiCode::AuthorisationMissing,
                "the comune has not recorded the act authorising this operator to process \
                 personal data",
            ));
        }
        Ok(found)
    }
    .await;
    let found = match result {
        Ok(found) => found,
        Err(e) => {
            audit_denied(state, who, rid, AuditAction::OperatorPueEnable, account, &e).await?;
            return Err(e);
        }
    };
    let now = state.store.now();
    accounts::mark_pue_enabled(db, account, &who.subject, now).await?;
    let scope = Scope::account(&found.principal);
    let event = Event::staff(who, rid, AuditAction::OperatorPueEnable).scope(scope);
    audit::record(&state.store, event).await;
    let found = accounts::get(db, account)
        .await?
        .ok_or_else(unknown_account)?;
    let name = comune_name(db, found.principal.comune_istat.as_deref()).await?;
    Ok((found, name))
}

/// Revokes (`revoke`) or re-enables operator `account`; answers the account's principal.
/// Revoking ends the account's sessions and connections (a [`Revocation`] event).
pub async fn set_revoked(
    state: &Identity,
    who: &Principal,
    rid: &RequestId,
    account: &str,
    revoke: bool,
) -> Result<Principal, AppError> {
    let action = if revoke {
        AuditAction::OperatorRevoke
    } else {
        AuditAction::OperatorEnable
    };
    let target = authorize(state, who, rid, account, action).await?.principal;
    let db = state.store.db();
    if revoke {
        // Recorded first, so a login racing the event is already refused.
        let at = state.store.now();
        mark_revoked(db, &target.subject, &who.subject, at).await?;
        state.revocations.publish(Revocation {
            subject: target.subject.clone(),
            reason: action.as_str().to_owned(),
            at,
        });
    } else {
        mark_enabled(db, &target.subject).await?;
    }
    let scope = Scope::account(&target);
    audit::record(&state.store, Event::staff(who, rid, action).scope(scope)).await;
    Ok(target)
}
