//! Property-based fuzzing of the booking request validator: arbitrary field values (valid,
//! nearly valid and random) give `Ok` or a typed validation error, never a panic.
//!
//! Cases: proptest's default (256); `PROPTEST_CASES` changes it.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::check_request;
use crate::booking::error::BookingError;
use crate::booking::model::{Applicant, CitizenRequest, Delegate};
use crate::codice_fiscale::Sex;

/// Text that is sometimes valid, sometimes nearly, sometimes anything.
fn text(valid: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(valid).prop_map(str::to_owned),
        "[A-Z0-9]{0,20}",
        "\\PC{0,120}",
        ".{0,300}",
        Just(String::new()),
        Just("\u{0}\u{7}\n\t".to_owned()),
    ]
}

/// Any date chrono can hold, or one near today.
fn date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        any::<i32>().prop_filter_map("a date", NaiveDate::from_num_days_from_ce_opt),
        (1890i32..2030, 1u32..=12, 1u32..=31)
            .prop_filter_map("a date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
        Just(NaiveDate::MIN),
        Just(NaiveDate::MAX),
    ]
}

const CODES: &[&str] = &[
    "RSSMRA80A01H501U",
    "BNCLRA92P55I452E",
    "RSSMRA80A01H50MM",
    "rssmra80a01h501u ",
];
const NAMES: &[&str] = &["Mario", "Rossi", "D'Angelo", "Maria Chiara"];
const PLACES: &[&str] = &["H501", "I452", "Z404"];

fn applicant() -> impl Strategy<Value = Applicant> {
    (
        (text(NAMES), text(NAMES), text(CODES), date(), text(PLACES)),
        (
            any::<bool>(),
            text(&["058091"]),
            prop::option::of(text(&["a@b.it"])),
            prop::option::of(text(&["+39 06 1234"])),
        ),
    )
        .prop_map(
            |(
                (given_name, family_name, codice_fiscale, birth_date, birth_place),
                (male, residence_istat, email, phone),
            )| {
                Applicant {
                    given_name,
                    family_name,
                    codice_fiscale,
                    birth_date,
                    birth_place,
                    sex: if male { Sex::Male } else { Sex::Female },
                    residence_istat,
                    email,
                    phone,
                }
            },
        )
}

fn delegate() -> impl Strategy<Value = Delegate> {
    (
        text(NAMES),
        text(NAMES),
        text(CODES),
        prop::option::of(text(&["atto 12/2026"])),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                given_name,
                family_name,
                codice_fiscale,
                delegation_act,
                delegator_id_copy,
                digital_delegation,
            )| {
                Delegate {
                    given_name,
                    family_name,
                    codice_fiscale,
                    delegation_act,
                    delegator_id_copy,
                    digital_delegation,
                    delegate_id_copy: delegator_id_copy || digital_delegation,
                }
            },
        )
}

fn request() -> impl Strategy<Value = CitizenRequest> {
    (
        applicant(),
        prop::collection::vec(text(&["pensione"]), 0..14),
        prop::option::of(delegate()),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(text(&["note"])),
    )
        .prop_map(
            |(applicant, services, delegate, gdpr_notice_signed, id_copy_acquired, notes)| {
                CitizenRequest {
                    applicant,
                    services,
                    delegate,
                    gdpr_notice_signed,
                    data_processing_authorised: gdpr_notice_signed || id_copy_acquired,
                    id_copy_acquired,
                    notes,
                }
            },
        )
}

proptest! {
    #[test]
    fn any_request_is_accepted_or_refused_with_a_code(req in request(), today in date()) {
        match check_request(&req, today) {
            Ok(_) => {}
            Err(BookingError::Invalid(code, message)) => {
                prop_assert!(!message.is_empty(), "{code:?}");
            }
            Err(other) => {
                return Err(TestCaseError::fail(format!("not a validation error: {other:?}")));
            }
        }
    }
}
