//! The booking API's JSON types. Instants are RFC 3339 with the Italian offset.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::codice_fiscale::Sex;

/// A comune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Comune {
    /// ISTAT code.
    pub istat: String,
    /// Name.
    pub name: String,
    /// Province (sigla).
    pub province: String,
    /// Region.
    pub region: String,
    /// Resident population.
    pub population: i64,
    /// Cadastral (Belfiore) code.
    pub belfiore: String,
}

/// A service of the catalogue.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Service {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// A sportello as proposed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SportelloInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slot length in minutes.
    pub slot_minutes: i64,
}

/// One Sede or Polo the comune may book for the service.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Proposal {
    /// Sede or Polo id.
    pub sede_id: String,
    /// Its name.
    pub sede_name: String,
    /// "sede" or "polo".
    pub kind: String,
    /// "territorial" (competent for the comune) or "national" (competent for the service).
    pub reason: String,
    /// Its sportelli handling the service.
    pub sportelli: Vec<SportelloInfo>,
}

/// `GET …/proposals` answer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Proposals {
    /// The comune.
    pub comune: Comune,
    /// The service.
    pub service: Service,
    /// Options, territorial Sede first.
    pub options: Vec<Proposal>,
}

/// A free slot.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Slot {
    /// Start.
    #[ts(type = "string")]
    pub starts_at: DateTime<FixedOffset>,
    /// End.
    #[ts(type = "string")]
    pub ends_at: DateTime<FixedOffset>,
}

/// `GET …/slots` answer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Slots {
    /// Sportello.
    pub sportello_id: String,
    /// First day.
    #[ts(type = "string")]
    pub from: NaiveDate,
    /// Last day (inclusive).
    #[ts(type = "string")]
    pub to: NaiveDate,
    /// Free slots in time order.
    pub slots: Vec<Slot>,
}

/// `POST /v1/booking/holds` body.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    /// Sportello.
    pub sportello_id: String,
    /// Slot start.
    #[ts(type = "string")]
    pub starts_at: DateTime<FixedOffset>,
    /// Service.
    pub service_code: String,
}

/// A hold.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Hold {
    /// Id.
    pub id: String,
    /// Status: held, expired, released, booked.
    pub status: String,
    /// Sportello.
    pub sportello_id: String,
    /// Service.
    pub service_code: String,
    /// Slot start.
    #[ts(type = "string")]
    pub starts_at: DateTime<FixedOffset>,
    /// Slot end.
    #[ts(type = "string")]
    pub ends_at: DateTime<FixedOffset>,
    /// When the hold lapses unless confirmed.
    #[ts(type = "string")]
    pub expires_at: DateTime<FixedOffset>,
    /// The server's booking clock when it answered (the demo clock with `--demo-clock`): the
    /// client counts down `expires_at - server_now`, never against its own clock.
    #[ts(type = "string")]
    pub server_now: DateTime<FixedOffset>,
}

/// The applicant (anagrafica).
#[derive(Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Codice fiscale, checked against the fields below.
    pub codice_fiscale: String,
    /// Birth date.
    #[ts(type = "string")]
    pub birth_date: NaiveDate,
    /// Birthplace, Belfiore code (a comune or a foreign country "Z…").
    pub birth_place: String,
    /// Sex.
    pub sex: Sex,
    /// Comune of residence (ISTAT code).
    pub residence_istat: String,
    /// Optional e-mail.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub email: Option<String>,
    /// Optional phone.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub phone: Option<String>,
}

/// A delegate acting for the applicant.
#[derive(Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Delegate {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Codice fiscale.
    pub codice_fiscale: String,
    /// Reference of the paper delegation act, if any.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub delegation_act: Option<String>,
    /// Whether the copy of the delegator's ID was acquired (with a paper act).
    #[serde(default)]
    pub delegator_id_copy: bool,
    /// Whether a digital-identity delegation already exists.
    #[serde(default)]
    pub digital_delegation: bool,
    /// Whether the copy of the delegate's own ID document was acquired (always required).
    #[serde(default)]
    pub delegate_id_copy: bool,
}

/// The citizen's request, sent with "Prenota".
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CitizenRequest {
    /// The applicant.
    pub applicant: Applicant,
    /// Services requested (the hold's service is always included).
    pub services: Vec<String>,
    /// Optional delegate.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub delegate: Option<Delegate>,
    /// The request form with the GDPR notice (art. 13 Reg. UE 2016/679) was signed.
    pub gdpr_notice_signed: bool,
    /// The signed form carries the applicant's authorisation to process their personal data.
    #[serde(default)]
    pub data_processing_authorised: bool,
    /// The applicant's ID copy was acquired.
    pub id_copy_acquired: bool,
    /// Free notes.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub notes: Option<String>,
}

/// `POST …/reschedule` body.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    /// New sportello (default: the same).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub sportello_id: Option<String>,
    /// New slot start (without `hold_id`).
    #[serde(default)]
    #[ts(type = "string | null", optional)]
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// A live hold of the operator's comune on the new slot, for the same service: the
    /// appointment moves into it and the hold is used up (the wizard's 5-minute hold flow).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub hold_id: Option<String>,
}

/// `POST …/closures` body.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ClosureRequest {
    /// First closed day.
    #[ts(type = "string")]
    pub first_day: NaiveDate,
    /// Last closed day (inclusive).
    #[ts(type = "string")]
    pub last_day: NaiveDate,
    /// Why.
    pub reason: String,
}

/// How the official closed a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MeetingOutcome {
    /// The citizen's request was dealt with ("Pratica risolta").
    Resolved,
    /// The office will call the citizen back ("Da richiamare").
    CallBack,
    /// The citizen did not come ("Cittadino non presente").
    NoShow,
}

impl MeetingOutcome {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::CallBack => "call_back",
            Self::NoShow => "no_show",
        }
    }

    /// The outcome of a stored code (`None` for anything else).
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Resolved, Self::CallBack, Self::NoShow]
            .into_iter()
            .find(|o| o.code() == code)
    }
}

/// An appointment.
#[derive(Clone, Serialize, TS)]
pub struct Appointment {
    /// Id.
    pub id: String,
    /// Booking code to read aloud, `PUE-XXXX-XC` (see `booking::code`).
    pub code: String,
    /// booked or cancelled.
    pub status: String,
    /// Comune that booked.
    pub comune_istat: String,
    /// Its name.
    pub comune_name: String,
    /// Sede or Polo.
    pub sede_id: String,
    /// Its name.
    pub sede_name: String,
    /// Sportello.
    pub sportello_id: String,
    /// Its name.
    pub sportello_name: String,
    /// Main service.
    pub service_code: String,
    /// Its name.
    pub service_name: String,
    /// Start.
    #[ts(type = "string")]
    pub starts_at: DateTime<FixedOffset>,
    /// End.
    #[ts(type = "string")]
    pub ends_at: DateTime<FixedOffset>,
    /// Applicant's given name.
    pub given_name: String,
    /// Applicant's family name.
    pub family_name: String,
    /// All services requested.
    pub services: Vec<String>,
    /// Whether a delegate acts for the applicant.
    pub has_delegate: bool,
    /// Whether the official closed its meeting ("Concluso": nothing left to open or join).
    pub meeting_closed: bool,
    /// The outcome the official closed the meeting with.
    pub meeting_outcome: Option<MeetingOutcome>,
    /// The official's closing note, if any.
    pub meeting_notes: Option<String>,
}

/// `GET /v1/booking/appointments/{id}/request` answer: an appointment with the citizen's
/// request, to reprint the request form.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppointmentRequest {
    /// The appointment.
    pub appointment: Appointment,
    /// The request recorded with "Prenota".
    pub request: CitizenRequest,
}

/// `POST …/cancel` body.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why the appointment is cancelled (1-200 characters; stored, never audited).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub reason: Option<String>,
}

/// Weekly opening hours of a sportello.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OpeningHours {
    /// ISO weekday, Monday = 1.
    pub weekday: i64,
    /// "HH:MM", Italian time.
    pub opens: String,
    /// "HH:MM", Italian time.
    pub closes: String,
}

/// A sportello with its services and calendar.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SportelloDetail {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slot length in minutes.
    pub slot_minutes: i64,
    /// Services handled.
    pub services: Vec<String>,
    /// Weekly opening hours.
    pub opening_hours: Vec<OpeningHours>,
}

/// An extraordinary closure of a Sede.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Closure {
    /// Id.
    pub id: String,
    /// First closed day.
    pub first_day: String,
    /// Last closed day (inclusive).
    pub last_day: String,
    /// Why.
    pub reason: String,
}

/// A comune named in a catalogue record.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ComuneRef {
    /// ISTAT code.
    pub istat: String,
    /// Name.
    pub name: String,
    /// Province (sigla).
    pub province: String,
}

/// A Sede or Polo nazionale with its competence, sportelli, calendars and closures.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SedeDetail {
    /// Id.
    pub id: String,
    /// "sede" or "polo".
    pub kind: String,
    /// Name.
    pub name: String,
    /// The city (ISTAT code).
    pub comune_istat: String,
    /// The city's name.
    pub comune_name: String,
    /// Comuni it is territorially competent for, with their names (same order as
    /// `competent_for_comuni`).
    pub competent_comuni: Vec<ComuneRef>,
    /// Patron saint's day of the city ("MM-DD"), a local holiday.
    pub patron_day: Option<String>,
    /// Comuni it is territorially competent for (Sedi).
    pub competent_for_comuni: Vec<String>,
    /// Services it is competent for nationwide (Poli).
    pub competent_for_services: Vec<String>,
    /// Comuni with a PUE convention with it.
    pub conventions: Vec<String>,
    /// Sportelli.
    pub sportelli: Vec<SportelloDetail>,
    /// Extraordinary closures.
    pub closures: Vec<Closure>,
}

/// One public holiday.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Holiday {
    /// Day.
    #[ts(type = "string")]
    pub date: NaiveDate,
    /// Italian name.
    pub name: String,
    /// "national" or "patron" (the patron saint of the Sede's city).
    pub kind: String,
}

/// `GET /v1/booking/holidays` answer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Holidays {
    /// Year.
    pub year: i32,
    /// The Sede whose patron day is included, if one was asked for.
    #[ts(optional = nullable)]
    pub sede_id: Option<String>,
    /// Holidays in date order.
    pub holidays: Vec<Holiday>,
}

/// `GET /v1/booking/privacy-notice` answer: the GDPR notice (art. 13 Reg. UE 2016/679) printed
/// on the request form.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PrivacyNotice {
    /// Title.
    pub title: String,
    /// Text; paragraphs are separated by blank lines.
    pub text: String,
    /// Whether the text comes from the administrator's file (false: the built-in default).
    pub configured: bool,
}

/// Personal data: `Debug` shows no field, so a stray `{:?}` cannot leak it into logs.
macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { .. }"))
            }
        }
    )*};
}

redacted_debug!(Applicant, Delegate, Appointment);
