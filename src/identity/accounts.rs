//! Stand-in for the account layer, replaced at merge by the `staff_accounts` implementation:
//! the OIDC login and the link API get an account's principal and admission only through
//! [`admit`] and [`find`]. Here they read the demo accounts and `staff_revocations`;
//! [`AdmitError::NotYetValid`] and [`AdmitError::Expired`] are never returned by this shim.

use super::{Principal, demo, operators};
use crate::booking::{BookingError, Db};
use crate::http::AppState;

/// Why an account may not open a session.
#[derive(Debug)]
pub enum AdmitError {
    /// No such account.
    Unknown,
    /// The account is revoked.
    Revoked,
    /// The account's validity has not started yet.
    NotYetValid,
    /// The account's validity has ended.
    Expired,
    /// The database failed.
    Db(BookingError),
}

/// The principal of `account` if it may open a session now.
pub async fn admit(state: &AppState, account: &str) -> Result<Principal, AdmitError> {
    let Some(principal) = demo::principal(account) else {
        return Err(AdmitError::Unknown);
    };
    match operators::is_revoked(state.booking.db(), &principal.subject).await {
        Ok(true) => Err(AdmitError::Revoked),
        Ok(false) => Ok(principal),
        Err(e) => Err(AdmitError::Db(e)),
    }
}

/// The principal of `account`, if it exists (whether or not it may log in now).
pub async fn find(_db: &Db, account: &str) -> Result<Option<Principal>, BookingError> {
    Ok(demo::principal(account))
}
