//! Staff accounts (table `staff_accounts`): lookup, admission and changes.
//!
//! An account is an id, a role and its place (comune, or Sede and sportelli), an optional
//! argon2id password hash and optional validity dates. Admission, asked at every login and every
//! session lookup, refuses an unknown, revoked (`staff_revocations`), not yet valid or expired
//! account. Validity dates are Italian calendar days, both inclusive.

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;

use crate::api::{ApiCode, AppError};
use crate::audit::role_code;
use crate::booking::{BookingError, rome};
use crate::identity::{Identity, Principal, StaffRole, demo, password};
use crate::store::Db;

/// One row of `staff_accounts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The principal it acts as.
    pub principal: Principal,
    /// Argon2id PHC string; `None` = no password login (OIDC only).
    pub password_hash: Option<String>,
    /// First valid day.
    pub valid_from: Option<NaiveDate>,
    /// Last valid day (inclusive).
    pub valid_until: Option<NaiveDate>,
    /// Whether it is revoked (a row in `staff_revocations`), as read with the account.
    pub revoked: bool,
    /// The person's name, if recorded.
    pub full_name: Option<String>,
    /// When INPS enabled the account for the PUE (an operator named by the comune's user
    /// administrator logs in only after it); `None` = waiting.
    pub pue_enabled_at: Option<i64>,
    /// The act that authorises the operator to process personal data, as the comune recorded it.
    pub data_authorisation: Option<DataAuthorisation>,
}

/// The act that authorises a comune's operator to process personal data on behalf of INPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataAuthorisation {
    /// Its date.
    pub date: NaiveDate,
    /// Which act (e.g. "Decreto sindacale n. 12/2026"), 2-200 characters.
    pub act: String,
}

/// The longest act reference.
pub const MAX_ACT: usize = 200;

/// A data-processing authorisation as given (both fields or none): a past or present day and a
/// printable reference of 2-200 characters.
pub fn data_authorisation(
    date: Option<&str>,
    act: Option<&str>,
    today: NaiveDate,
) -> Result<Option<DataAuthorisation>, AppError> {
    let bad = |m: &str| AppError::bad_request(ApiCode::BadAuthorisation, m.to_owned());
    match (date, act.map(str::trim)) {
        (None, None) => Ok(None),
        (Some(d), Some(a)) => {
            let date = NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .ok()
                .filter(|_| d.len() == 10)
                .ok_or_else(|| bad("the authorisation date is YYYY-MM-DD"))?;
            if date > today {
                return Err(bad("the authorisation date is in the future"));
            }
            let n = a.chars().count();
            if !(2..=MAX_ACT).contains(&n) || a.chars().any(char::is_control) {
                return Err(bad("the act is 2-200 printable characters"));
            }
            Ok(Some(DataAuthorisation {
                date,
                act: a.to_owned(),
            }))
        }
        _ => Err(bad("the authorisation needs both its date and its act")),
    }
}

/// Where an account stands on a given day, revocation aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Within its dates (or it has none).
    Valid,
    /// Before its first valid day.
    NotYetValid,
    /// After its last valid day.
    Expired,
}

impl Account {
    /// The account's validity on `today`.
    pub fn validity(&self, today: NaiveDate) -> Validity {
        if self.valid_from.is_some_and(|d| today < d) {
            Validity::NotYetValid
        } else if self.valid_until.is_some_and(|d| today > d) {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }
}

/// Why an account may not act now.
#[derive(Debug)]
pub enum AdmitError {
    /// No such account.
    Unknown,
    /// Revoked by an administrator.
    Revoked,
    /// Before its first valid day.
    NotYetValid,
    /// After its last valid day.
    Expired,
    /// The database failed.
    /// An operator INPS has not enabled for the PUE yet.
    NotEnabled,
    /// An operator's password login while operators log in with SPID/CIE only.
    PasswordLoginDisabled,
    Db(BookingError),
}

impl From<BookingError> for AdmitError {
    fn from(e: BookingError) -> Self {
        Self::Db(e)
    }
}

impl AdmitError {
    /// The error answered to a login with correct credentials (or a known identity).
    pub fn into_app_error(self) -> AppError {
        match self {
            Self::Unknown => AppError::new(
                StatusCode::UNAUTHORIZED,
                ApiCode::BadCredentials,
                "unknown account or wrong password",
            ),
            Self::Revoked => AppError::new(
                StatusCode::FORBIDDEN,
                ApiCode::AccountRevoked,
                "this account has been revoked",
            ),
            Self::NotYetValid => AppError::new(
                StatusCode::FORBIDDEN,
                ApiCode::AccountNotYetValid,
                "this account is not valid yet",
            ),
            Self::Expired => AppError::new(
                StatusCode::FORBIDDEN,
                ApiCode::AccountExpired,
                "this account's validity has ended",
            ),
            Self::NotEnabled => AppError::new(
                StatusCode::FORBIDDEN,
                ApiCode::AccountNotEnabled,
                "INPS has not enabled this operator for the PUE yet",
            ),
            Self::PasswordLoginDisabled => AppError::new(
                StatusCode::FORBIDDEN,
                ApiCode::PasswordLoginDisabled,
                "operators log in with SPID or CIE only",
            ),
            Self::Db(e) => e.into(),
        }
    }

    /// The short code (`account_revoked`, …) used in redirects and logs.
    pub fn code(&self) -> ApiCode {
        match self {
            Self::Unknown => ApiCode::BadCredentials,
            Self::Revoked => ApiCode::AccountRevoked,
            Self::NotYetValid => ApiCode::AccountNotYetValid,
            Self::Expired => ApiCode::AccountExpired,
            Self::NotEnabled => ApiCode::AccountNotEnabled,
            Self::PasswordLoginDisabled => ApiCode::PasswordLoginDisabled,
            Self::Db(_) => ApiCode::Internal,
        }
    }
}

/// The most characters of a person's name.
pub const MAX_FULL_NAME: usize = 100;

/// A person's name as given ("Nome e cognome"), trimmed: 2-100 characters, at least one
/// letter, no control characters.
pub fn full_name(given: &str) -> Result<String, AppError> {
    let name = given.trim();
    let n = name.chars().count();
    if !(2..=MAX_FULL_NAME).contains(&n)
        || name.chars().any(char::is_control)
        || !name.chars().any(char::is_alphabetic)
    {
        return Err(AppError::bad_request(
            ApiCode::InvalidName,
            "the name must be 2-100 printable characters with at least one letter",
        ));
    }
    Ok(name.to_owned())
}

/// An account id: 1-64 characters of a-z, 0-9, '.', '_' and '-'.
pub fn valid_account_id(account: &str) -> bool {
    (1..=64).contains(&account.len())
        && account
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

fn parse_role(code: &str) -> Option<StaffRole> {
    Some(match code {
        "operator" => StaffRole::Operator,
        "user_admin" => StaffRole::UserAdmin,
        "official" => StaffRole::Official,
        "inps_admin" => StaffRole::InpsAdmin,
        "referente_comune" => StaffRole::ReferenteComune,
        "referente_inps" => StaffRole::ReferenteInps,
        "referente_anci" => StaffRole::ReferenteAnci,
        _ => return None,
    })
}

/// A comma-separated list stored in one column, without empty items.
fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

/// The account columns and whether it is revoked, in one read.
const SELECT: &str = "SELECT a.account, a.role, a.comune_istat, a.sede_id, a.sportello_ids, \
     a.regions, a.pue_enabled_at, a.data_authorisation_date, a.data_authorisation_act, \
     a.password_hash, a.valid_from, a.valid_until, a.full_name, \
     CAST(CASE WHEN r.subject IS NULL THEN 0 ELSE 1 END AS BIGINT) AS revoked \
     FROM staff_accounts a LEFT JOIN staff_revocations r ON r.subject = a.account";

fn decode(row: &sqlx::any::AnyRow) -> Result<Option<Account>, BookingError> {
    let role: String = row.try_get("role")?;
    let Some(role) = parse_role(&role) else {
        tracing::error!("staff account with an unknown role: ignored");
        return Ok(None);
    };
    let sportelli: String = row.try_get("sportello_ids")?;
    let regions: Option<String> = row.try_get("regions")?;
    Ok(Some(Account {
        principal: Principal {
            subject: row.try_get("account")?,
            role,
            comune_istat: row.try_get("comune_istat")?,
            sede_id: row.try_get("sede_id")?,
            sportello_ids: sportelli
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            regions: split_list(regions.as_deref().unwrap_or("")),
        },
        password_hash: row.try_get("password_hash")?,
        valid_from: parse_day(row.try_get("valid_from")?),
        valid_until: parse_day(row.try_get("valid_until")?),
        revoked: row.try_get::<i64, _>("revoked")? != 0,
        full_name: row.try_get("full_name")?,
        pue_enabled_at: row.try_get("pue_enabled_at")?,
        data_authorisation: match (
            parse_day(row.try_get("data_authorisation_date")?),
            row.try_get::<Option<String>, _>("data_authorisation_act")?,
        ) {
            (Some(date), Some(act)) => Some(DataAuthorisation { date, act }),
            _ => None,
        },
    }))
}

/// The account `account`, if it exists.
pub async fn get(db: &Db, account: &str) -> Result<Option<Account>, BookingError> {
    if !valid_account_id(account) {
        return Ok(None);
    }
    let sql = format!("{SELECT} WHERE a.account = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(row) => decode(&row),
        None => Ok(None),
    }
}

/// The accounts of `role` in comune `comune` (every comune when `None`), by id.
pub async fn list(
    db: &Db,
    role: StaffRole,
    comune: Option<&str>,
) -> Result<Vec<Account>, BookingError> {
    let sql = format!(
        "{SELECT} WHERE a.role = $1 AND ($2 = '' OR a.comune_istat = $2) ORDER BY a.account"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(role_code(role))
        .bind(comune.unwrap_or(""))
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.extend(decode(row)?);
    }
    Ok(out)
}

/// The principal of account `account`, if it exists (revoked or not).
pub async fn find(db: &Db, account: &str) -> Result<Option<Principal>, BookingError> {
    Ok(get(db, account).await?.map(|a| a.principal))
}

/// Whether `account` may act at `now`: not revoked, within its dates.
pub fn check(account: &Account, now: DateTime<Utc>) -> Result<(), AdmitError> {
    if account.revoked {
        return Err(AdmitError::Revoked);
    }
    if account.principal.role == StaffRole::Operator && account.pue_enabled_at.is_none() {
        return Err(AdmitError::NotEnabled);
    }
    match account.validity(rome::local_date(now)) {
        Validity::Valid => Ok(()),
        Validity::NotYetValid => Err(AdmitError::NotYetValid),
        Validity::Expired => Err(AdmitError::Expired),
    }
}

/// The principal of `account` if it may act now (the check of every login path).
pub async fn admit(state: &Identity, account: &str) -> Result<Principal, AdmitError> {
    let db = state.store.db();
    let found = get(db, account).await?.ok_or(AdmitError::Unknown)?;
    check(&found, state.store.now())?;
    Ok(found.principal)
}

/// Inserts `account`; `false` if the id is taken.
pub async fn insert(
    db: &Db,
    account: &Account,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<bool, BookingError> {
    let p = &account.principal;
    let done = sqlx::query(
        "INSERT INTO staff_accounts (account, role, comune_istat, sede_id, sportello_ids, \
         password_hash, valid_from, valid_until, created_at, created_by, full_name, regions, \
         pue_enabled_at, pue_enabled_by, data_authorisation_date, data_authorisation_act) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (account) DO NOTHING",
    )
    .bind(&p.subject)
    .bind(role_code(p.role))
    .bind(p.comune_istat.as_deref())
    .bind(p.sede_id.as_deref())
    .bind(p.sportello_ids.join(","))
    .bind(account.password_hash.as_deref())
    .bind(account.valid_from.map(|d| d.to_string()))
    .bind(account.valid_until.map(|d| d.to_string()))
    .bind(now.timestamp())
    .bind(created_by)
    .bind(account.full_name.as_deref())
    .bind((!p.regions.is_empty()).then(|| p.regions.join(",")))
    .bind(account.pue_enabled_at)
    .bind(account.pue_enabled_at.map(|_| created_by))
    .bind(
        account
            .data_authorisation
            .as_ref()
            .map(|a| a.date.to_string()),
    )
    .bind(account.data_authorisation.as_ref().map(|a| a.act.clone()))
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores the validity dates, password hash and name of `account` as they are in it.
pub async fn update(db: &Db, account: &Account) -> Result<(), BookingError> {
    sqlx::query(
        "UPDATE staff_accounts SET password_hash = $1, valid_from = $2, valid_until = $3, \
         full_name = $4, data_authorisation_date = $6, data_authorisation_act = $7 \
         WHERE account = $5",
    )
    .bind(account.password_hash.as_deref())
    .bind(account.valid_from.map(|d| d.to_string()))
    .bind(account.valid_until.map(|d| d.to_string()))
    .bind(account.full_name.as_deref())
    .bind(&account.principal.subject)
    .bind(
        account
            .data_authorisation
            .as_ref()
            .map(|a| a.date.to_string()),
    )
    .bind(account.data_authorisation.as_ref().map(|a| a.act.clone()))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Records that `by` enabled operator `account` for the PUE at `at` (idempotent: the first
/// enabling stays).
pub async fn mark_pue_enabled(
    db: &Db,
    account: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(), BookingError> {
    sqlx::query(
        "UPDATE staff_accounts SET pue_enabled_at = $1, pue_enabled_by = $2 \
         WHERE account = $3 AND pue_enabled_at IS NULL",
    )
    .bind(at.timestamp())
    .bind(by)
    .bind(account)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Demo mode: makes sure every demo account exists, with the demo password. Accounts already
/// there (perhaps changed through the API) are left as they are.
pub async fn seed_demo(db: &Db, now: DateTime<Utc>) -> Result<(), BookingError> {
    let hash = password::demo_hash().await;
    for &(subject, ..) in demo::ACCOUNTS {
        if let Some(principal) = demo::principal(subject) {
            let account = Account {
                principal,
                password_hash: Some(hash.to_owned()),
                valid_from: None,
                valid_until: None,
                revoked: false,
                full_name: demo::full_name(subject).map(str::to_owned),
                pue_enabled_at: Some(now.timestamp()),
                data_authorisation: None,
            };
            insert(db, &account, "system", now).await?;
        }
    }
    Ok(())
}

/// Production bootstrap: creates the INPS administrator `account` with `password` unless an
/// account of that id exists. Returns whether it was created.
pub async fn bootstrap_admin(
    db: &Db,
    account: &str,
    password: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    anyhow::ensure!(
        valid_account_id(account),
        "the admin account id must be 1-64 characters of a-z, 0-9, '.', '_' and '-'"
    );
    anyhow::ensure!(
        password.chars().count() >= password::MIN_LEN,
        "the admin password must have at least {} characters",
        password::MIN_LEN
    );
    let admin = Account {
        principal: Principal {
            subject: account.to_owned(),
            role: StaffRole::InpsAdmin,
            comune_istat: None,
            sede_id: None,
            sportello_ids: vec![],
            regions: vec![],
        },
        password_hash: Some(password::hash(password).await),
        valid_from: None,
        valid_until: None,
        revoked: false,
        full_name: None,
        pue_enabled_at: Some(now.timestamp()),
        data_authorisation: None,
    };
    Ok(insert(db, &admin, "system", now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(from: Option<&str>, until: Option<&str>) -> Account {
        Account {
            principal: demo::principal("operatore.villanova").unwrap(),
            password_hash: None,
            valid_from: from.map(|d| d.parse().unwrap()),
            valid_until: until.map(|d| d.parse().unwrap()),
            revoked: false,
            full_name: None,
            pue_enabled_at: Some(0),
            data_authorisation: None,
        }
    }

    #[test]
    fn validity_days_are_inclusive() {
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        let a = account(Some("2026-12-01"), Some("2026-12-31"));
        assert_eq!(a.validity(day("2026-11-30")), Validity::NotYetValid);
        assert_eq!(a.validity(day("2026-12-01")), Validity::Valid);
        assert_eq!(a.validity(day("2026-12-31")), Validity::Valid);
        assert_eq!(a.validity(day("2027-01-01")), Validity::Expired);
        assert_eq!(
            account(None, None).validity(day("2000-01-01")),
            Validity::Valid
        );
    }

    #[test]
    fn full_names() {
        assert_eq!(full_name("  Giulia Serra ").unwrap(), "Giulia Serra");
        assert_eq!(
            full_name("D'Annunzio Gabriele").unwrap(),
            "D'Annunzio Gabriele"
        );
        for bad in ["", " ", "A", "12", "Giulia\nSerra", &"a".repeat(101)] {
            assert_eq!(
                full_name(bad).unwrap_err().code,
                ApiCode::InvalidName,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn account_ids() {
        assert!(valid_account_id("operatore.villanova"));
        assert!(!valid_account_id(""));
        assert!(!valid_account_id("Operatore"));
        assert!(!valid_account_id(&"a".repeat(65)));
        assert!(!valid_account_id("a b"));
    }
}
