//! Validation of the citizen's request. Error messages never quote the input (personal data).

use chrono::{Datelike, NaiveDate};

use super::error::BookingError;
use super::model::CitizenRequest;
use crate::api::ApiCode;
use crate::codice_fiscale::CodiceFiscale;

#[cfg(test)]
#[path = "validate_props.rs"]
mod props;

fn name_ok(s: &str) -> bool {
    let n = s.trim().chars().count();
    (1..=100).contains(&n) && !s.chars().any(char::is_control)
}

fn text_ok(s: &str, max: usize) -> bool {
    s.chars().count() <= max && !s.chars().any(|c| c.is_control() && c != '\n')
}

/// Checks the request; returns the normalized codici fiscali (applicant, delegate).
pub fn check_request(
    req: &CitizenRequest,
    today: NaiveDate,
) -> Result<(CodiceFiscale, Option<CodiceFiscale>), BookingError> {
    let a = &req.applicant;
    if !name_ok(&a.given_name) || !name_ok(&a.family_name) {
        return Err(BookingError::invalid(
            ApiCode::InvalidName,
            "names must be 1-100 printable characters",
        ));
    }
    let cf = CodiceFiscale::parse(&a.codice_fiscale).map_err(|e| {
        BookingError::invalid(
            ApiCode::InvalidCodiceFiscale,
            format!("the applicant's codice fiscale is not valid: {e}"),
        )
    })?;
    if a.birth_date > today || a.birth_date.year() < 1900 {
        return Err(BookingError::invalid(
            ApiCode::InvalidBirthDate,
            "the birth date is not plausible",
        ));
    }
    cf.check_consistency(Some(a.birth_date), Some(a.sex), Some(&a.birth_place))
        .map_err(|e| BookingError::invalid(ApiCode::CodiceFiscaleMismatch, e.to_string()))?;
    if let Some(email) = &a.email
        && (email.len() > 254 || !email.contains('@') || email.chars().any(char::is_whitespace))
    {
        return Err(BookingError::invalid(
            ApiCode::InvalidEmail,
            "the e-mail address is not valid",
        ));
    }
    if let Some(phone) = &a.phone
        && (phone.len() > 20
            || phone.trim().is_empty()
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '/')))
    {
        return Err(BookingError::invalid(
            ApiCode::InvalidPhone,
            "the phone number is not valid",
        ));
    }
    if req.services.len() > 10 || req.services.iter().any(|s| s.len() > 64) {
        return Err(BookingError::invalid(
            ApiCode::InvalidServices,
            "at most 10 services",
        ));
    }
    let delegate = match &req.delegate {
        None => None,
        Some(d) => {
            if !name_ok(&d.given_name) || !name_ok(&d.family_name) {
                return Err(BookingError::invalid(
                    ApiCode::InvalidName,
                    "the delegate's names must be 1-100 printable characters",
                ));
            }
            let dcf = CodiceFiscale::parse(&d.codice_fiscale).map_err(|e| {
                BookingError::invalid(
                    ApiCode::InvalidDelegateCodiceFiscale,
                    format!("the delegate's codice fiscale is not valid: {e}"),
                )
            })?;
            if dcf == cf {
                return Err(BookingError::invalid(
                    ApiCode::InvalidDelegate,
                    "the delegate cannot be the applicant",
                ));
            }
            let act = d
                .delegation_act
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty());
            if let Some(act) = act
                && !text_ok(act, 200)
            {
                return Err(BookingError::invalid(
                    ApiCode::InvalidDelegationAct,
                    "the delegation act reference is too long",
                ));
            }
            if act.is_none() && !d.digital_delegation {
                return Err(BookingError::invalid(
                    ApiCode::DelegationMissing,
                    "a delegate needs a delegation act or an existing digital delegation",
                ));
            }
            if !d.digital_delegation && !d.delegator_id_copy {
                return Err(BookingError::invalid(
                    ApiCode::DelegatorIdCopyMissing,
                    "with a paper delegation act the copy of the delegator's ID is required",
                ));
            }
            if !d.delegate_id_copy {
                return Err(BookingError::invalid(
                    ApiCode::DelegateIdCopyMissing,
                    "the copy of the delegate's ID is required",
                ));
            }
            Some(dcf)
        }
    };
    if !req.gdpr_notice_signed {
        return Err(BookingError::invalid(
            ApiCode::GdprNoticeNotSigned,
            "the privacy notice (art. 13 Reg. UE 2016/679) must be signed before booking",
        ));
    }
    if !req.data_processing_authorised {
        return Err(BookingError::invalid(
            ApiCode::DataProcessingNotAuthorised,
            "the signed form must carry the authorisation to process the personal data",
        ));
    }
    if !req.id_copy_acquired {
        return Err(BookingError::invalid(
            ApiCode::IdCopyMissing,
            "the copy of the applicant's ID must be acquired before booking",
        ));
    }
    if let Some(notes) = &req.notes
        && !text_ok(notes, 1000)
    {
        return Err(BookingError::invalid(
            ApiCode::InvalidNotes,
            "notes are at most 1000 characters",
        ));
    }
    Ok((cf, delegate))
}
