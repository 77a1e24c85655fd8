//! The booking rules, through the HTTP API and the session interface, on SQLite and on
//! PostgreSQL (a throwaway cluster started by the test): proposals, free slots, holds with an
//! injectable clock, "Prenota" with an idempotency key, release, cancel, reschedule, 200
//! concurrent holds on one slot, permissions, and bad input that changes nothing.

use serde_json::Value;

use crate::support::slots::{TUE_0830, TUE_0900, TUE_0930, TUE_1000};

mod bad_input;
mod concurrency;
mod config;
mod holds;
mod ops;
mod reading;

use bad_input::bad_input_changes_nothing;
use concurrency::{
    concurrent_holds_on_one_slot, prenota_is_idempotent_under_concurrent_retries,
    release_racing_prenota_never_loses_an_appointment,
    the_database_itself_refuses_a_second_live_claim,
};
use holds::{
    book_a_slot_end_to_end, hold_expires_by_the_clock, release_cancel_and_reschedule_free_slots,
};
use ops::{
    booking_codes_are_readable_and_unique, cancel_with_a_reason_not_audited,
    earlier_appointments_get_a_code_at_start, reschedule_into_a_hold, search_by_code_name_or_date,
    the_request_is_read_back_for_reprinting,
};
use reading::{
    admin_reads_sedi_calendars_and_holidays, callers_see_only_what_is_theirs,
    comuni_search_and_session_names, operator_home_reads_a_range_of_days,
    slots_skip_holidays_closures_and_the_past,
};

on_both_databases!(
    all_rules_on_postgres;
    book_a_slot_end_to_end,
    concurrent_holds_on_one_slot,
    hold_expires_by_the_clock,
    release_cancel_and_reschedule_free_slots,
    bad_input_changes_nothing,
    slots_skip_holidays_closures_and_the_past,
    callers_see_only_what_is_theirs,
    prenota_is_idempotent_under_concurrent_retries,
    release_racing_prenota_never_loses_an_appointment,
    the_database_itself_refuses_a_second_live_claim,
    admin_reads_sedi_calendars_and_holidays,
    comuni_search_and_session_names,
    operator_home_reads_a_range_of_days,
    booking_codes_are_readable_and_unique,
    the_request_is_read_back_for_reprinting,
    cancel_with_a_reason_not_audited,
    search_by_code_name_or_date,
    reschedule_into_a_hold,
    earlier_appointments_get_a_code_at_start,
);

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}
