//! Who sees which figures: the scope of a principal's monitoring view.

use crate::api::{ApiCode, AppError};
use crate::identity::{Principal, StaffRole};
use axum::http::StatusCode;

/// Counts below this are suppressed in aggregated views (ANCI's, open data).
pub const SMALL_COUNT: i64 = 5;

/// The part of Italy a monitoring view covers, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One comune (its referente or user administrator).
    Comune(String),
    /// Some regions (a regional INPS referente).
    Regions(Vec<String>),
    /// All of Italy; `aggregated` views suppress small counts (ANCI, open data).
    All {
        /// Whether counts below [`SMALL_COUNT`] are suppressed.
        aggregated: bool,
    },
}

impl Scope {
    /// The scope of `who`, or 403 for roles that do not monitor (operators, officials).
    pub fn of(who: &Principal) -> Result<Self, AppError> {
        let forbidden = || {
            AppError::new(
                StatusCode::FORBIDDEN,
                ApiCode::Forbidden,
                "only the referenti and the administrators read the monitoring figures",
            )
        };
        Ok(match who.role {
            StaffRole::ReferenteComune | StaffRole::UserAdmin => {
                Self::Comune(who.comune_istat.clone().ok_or_else(forbidden)?)
            }
            StaffRole::ReferenteInps if who.regions.iter().any(|r| r == "*") => {
                Self::All { aggregated: false }
            }
            StaffRole::ReferenteInps if !who.regions.is_empty() => {
                Self::Regions(who.regions.clone())
            }
            StaffRole::InpsAdmin => Self::All { aggregated: false },
            StaffRole::ReferenteAnci => Self::All { aggregated: true },
            _ => return Err(forbidden()),
        })
    }

    /// Whether a place (comune ISTAT code, region) is inside the scope.
    pub fn covers(&self, comune_istat: &str, region: &str) -> bool {
        match self {
            Self::Comune(c) => c == comune_istat,
            Self::Regions(rs) => rs.iter().any(|r| r == region),
            Self::All { .. } => true,
        }
    }

    /// Whether small counts are suppressed.
    pub fn aggregated(&self) -> bool {
        matches!(self, Self::All { aggregated: true })
    }

    /// A count as shown in this scope: `None` when suppressed (1 to 4 in an aggregated view).
    pub fn shown(&self, n: i64) -> Option<i64> {
        (!self.aggregated() || n == 0 || n >= SMALL_COUNT).then_some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: StaffRole, comune: Option<&str>, regions: &[&str]) -> Principal {
        Principal {
            subject: "x".into(),
            role,
            comune_istat: comune.map(str::to_owned),
            sede_id: None,
            sportello_ids: vec![],
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn scopes_by_role() {
        let c = Scope::of(&who(StaffRole::ReferenteComune, Some("090078"), &[])).unwrap();
        assert!(c.covers("090078", "Sardegna") && !c.covers("090003", "Sardegna"));
        let r = Scope::of(&who(StaffRole::ReferenteInps, None, &["Sardegna"])).unwrap();
        assert!(r.covers("090003", "Sardegna") && !r.covers("066068", "Abruzzo"));
        let all = Scope::of(&who(StaffRole::ReferenteInps, None, &["*"])).unwrap();
        assert_eq!(all, Scope::All { aggregated: false });
        let anci = Scope::of(&who(StaffRole::ReferenteAnci, None, &[])).unwrap();
        assert_eq!(
            (anci.shown(4), anci.shown(5), anci.shown(0)),
            (None, Some(5), Some(0))
        );
        assert_eq!(all.shown(1), Some(1));
        for role in [StaffRole::Operator, StaffRole::Official] {
            assert_eq!(
                Scope::of(&who(role, Some("090078"), &[]))
                    .unwrap_err()
                    .status,
                403
            );
        }
        // An INPS referente without regions sees nothing rather than everything.
        assert!(Scope::of(&who(StaffRole::ReferenteInps, None, &[])).is_err());
        assert!(Scope::of(&who(StaffRole::ReferenteComune, None, &[])).is_err());
    }
}
