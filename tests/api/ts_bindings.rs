//! TypeScript types of the booking API, generated from the Rust types (ts-rs), for the web
//! client. Write or refresh them with
//! `SPORTELLO_UPDATE_BINDINGS=1 cargo test -p sportello --test api ts_bindings`
//! (into `web-client/src/generated/`); this test fails when they are out of date.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sportello::api::ApiCode;
use sportello::audit::store::AuditEntry;
use sportello::booking::follow_ups::FollowUp;
use sportello::booking::model::{
    Appointment, AppointmentRequest, CancelRequest, CitizenRequest, ClosureRequest, Comune, Hold,
    HoldRequest, Holidays, PrivacyNotice, Proposals, RescheduleRequest, SedeDetail, Slots,
};
use sportello::catalogue::model::{
    ComuneSave, ComuniPage, Convention, ConventionSave, ImportReport, PoloServices, Saved,
    SedeComuni, SedeSave, ServiceSave, SportelloSave, WeeklyHours,
};
use sportello::documents::DocumentEntry;
use sportello::documents::prints::PrintEntry;
use sportello::identity::Principal;
use sportello::identity::demo::AccountInfo;
use sportello::identity::enablement::{NewOperator, OperatorChange, OperatorEntry};
use sportello::identity::login::{LoginAnswer, LoginRequest};
use sportello::identity::oidc::routes::ProviderInfo;
use sportello::identity::operators::OperatorState;
use sportello::identity::routes::SessionInfo;
use sportello::meeting::MeetingTicket;
use sportello::meeting::case::CaseFile;
use sportello::meeting::citizen_api::CitizenSessionInfo;
use sportello::meeting::close::{CloseRequest, MeetingClosed};
use sportello::meeting::feedback::FeedbackRequest;
use sportello::meeting::handover::HandoverTicket;
use sportello::meeting::reports::{ReportCreated, ReportPage, ReportRequest};
use sportello::monitoring::activity::Activity;
use sportello::monitoring::summary::Summary;
use ts_rs::{Config, TS};

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") {
                files.insert(name, std::fs::read_to_string(entry.path()).unwrap());
            }
        }
    }
    files
}

#[test]
fn booking_typescript_bindings() {
    let committed: PathBuf = [env!("CARGO_MANIFEST_DIR"), "web-client", "src", "generated"]
        .iter()
        .collect();
    let out = std::env::temp_dir().join(format!("sportello-booking-ts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let cfg = Config::new().with_large_int("number").with_out_dir(&out);
    Proposals::export_all(&cfg).unwrap();
    Slots::export_all(&cfg).unwrap();
    HoldRequest::export_all(&cfg).unwrap();
    Hold::export_all(&cfg).unwrap();
    CitizenRequest::export_all(&cfg).unwrap();
    RescheduleRequest::export_all(&cfg).unwrap();
    ClosureRequest::export_all(&cfg).unwrap();
    Appointment::export_all(&cfg).unwrap();
    AppointmentRequest::export_all(&cfg).unwrap();
    CancelRequest::export_all(&cfg).unwrap();
    Principal::export_all(&cfg).unwrap();
    Summary::export_all(&cfg).unwrap();
    Activity::export_all(&cfg).unwrap();
    AuditEntry::export_all(&cfg).unwrap();
    AccountInfo::export_all(&cfg).unwrap();
    SedeDetail::export_all(&cfg).unwrap();
    Holidays::export_all(&cfg).unwrap();
    PrivacyNotice::export_all(&cfg).unwrap();
    Comune::export_all(&cfg).unwrap();
    MeetingTicket::export_all(&cfg).unwrap();
    CaseFile::export_all(&cfg).unwrap();
    DocumentEntry::export_all(&cfg).unwrap();
    PrintEntry::export_all(&cfg).unwrap();
    SessionInfo::export_all(&cfg).unwrap();
    HandoverTicket::export_all(&cfg).unwrap();
    CloseRequest::export_all(&cfg).unwrap();
    MeetingClosed::export_all(&cfg).unwrap();
    CitizenSessionInfo::export_all(&cfg).unwrap();
    LoginRequest::export_all(&cfg).unwrap();
    LoginAnswer::export_all(&cfg).unwrap();
    OperatorEntry::export_all(&cfg).unwrap();
    NewOperator::export_all(&cfg).unwrap();
    OperatorChange::export_all(&cfg).unwrap();
    ProviderInfo::export_all(&cfg).unwrap();
    OperatorState::export_all(&cfg).unwrap();
    ApiCode::export_all(&cfg).unwrap();
    FollowUp::export_all(&cfg).unwrap();
    FeedbackRequest::export_all(&cfg).unwrap();
    ReportRequest::export_all(&cfg).unwrap();
    ReportCreated::export_all(&cfg).unwrap();
    ReportPage::export_all(&cfg).unwrap();
    ServiceSave::export_all(&cfg).unwrap();
    ComuneSave::export_all(&cfg).unwrap();
    SedeSave::export_all(&cfg).unwrap();
    SedeComuni::export_all(&cfg).unwrap();
    PoloServices::export_all(&cfg).unwrap();
    SportelloSave::export_all(&cfg).unwrap();
    WeeklyHours::export_all(&cfg).unwrap();
    ConventionSave::export_all(&cfg).unwrap();
    Convention::export_all(&cfg).unwrap();
    Saved::export_all(&cfg).unwrap();
    ComuniPage::export_all(&cfg).unwrap();
    ImportReport::export_all(&cfg).unwrap();
    let generated = read_dir(&out);
    let _ = std::fs::remove_dir_all(&out);
    assert!(generated["Appointment.ts"].contains("starts_at: string"));
    assert!(generated["Appointment.ts"].contains("comune_name: string"));
    assert!(generated["Holiday.ts"].contains("date: string"));
    assert!(generated["SedeDetail.ts"].contains("competent_comuni: Array<ComuneRef>"));
    assert!(generated["Sex.ts"].contains("\"M\" | \"F\""));
    assert!(generated["Applicant.ts"].contains("email?: string | null"));
    if std::env::var("SPORTELLO_UPDATE_BINDINGS").as_deref() == Ok("1") {
        std::fs::create_dir_all(&committed).unwrap();
        for (name, text) in &generated {
            std::fs::write(committed.join(name), text).unwrap();
        }
    }
    let on_disk = read_dir(&committed);
    for (name, text) in &generated {
        assert_eq!(
            on_disk.get(name),
            Some(text),
            "web-client/src/generated/{name} is out of date: run \
             SPORTELLO_UPDATE_BINDINGS=1 cargo test -p sportello --test api ts_bindings"
        );
    }
}
