//! The catalogue administration's JSON types (generated into the web client by ts-rs).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::booking::model::Comune;

/// `PUT /v1/catalogue/services/{code}` body.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ServiceSave {
    /// Name shown to people, 2-100 characters.
    pub name: String,
}

/// `PUT /v1/catalogue/comuni/{istat}` body.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ComuneSave {
    /// Name.
    pub name: String,
    /// Province sigla, 2 letters.
    pub province: String,
    /// Region.
    pub region: String,
    /// Resident population, 0 or more.
    pub population: i64,
    /// Belfiore code, a letter and 3 digits, unique.
    pub belfiore: String,
}

/// `PUT /v1/catalogue/sedi/{sede_id}` body.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SedeSave {
    /// "sede" or "polo".
    pub kind: String,
    /// Name.
    pub name: String,
    /// The comune (city) where it is.
    pub comune_istat: String,
    /// "MM-DD" of the city's patron saint, or none.
    #[serde(default)]
    pub patron_day: Option<String>,
}

/// `PUT /v1/catalogue/sedi/{sede_id}/comuni` body: the comuni a Sede is territorially competent
/// for (the whole list).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SedeComuni {
    /// ISTAT codes.
    pub comuni: Vec<String>,
}

/// `PUT /v1/catalogue/sedi/{sede_id}/services` body: the services a Polo nazionale is
/// competent for nationwide (the whole list).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PoloServices {
    /// Service codes.
    pub services: Vec<String>,
}

/// `PUT /v1/catalogue/sportelli/{sportello_id}` body.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SportelloSave {
    /// Its Sede or Polo (fixed once created).
    pub sede_id: String,
    /// Name.
    pub name: String,
    /// Length of an appointment, 5-240 minutes.
    pub slot_minutes: i64,
    /// The services it handles.
    pub services: Vec<String>,
}

/// One weekly opening interval.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HoursInterval {
    /// ISO weekday, Monday = 1.
    pub weekday: i64,
    /// "HH:MM", Italian time.
    pub opens: String,
    /// "HH:MM", after `opens`.
    pub closes: String,
}

/// `PUT /v1/catalogue/sportelli/{sportello_id}/hours` body: the whole week.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// Several intervals a day are allowed; none may overlap.
    pub hours: Vec<HoursInterval>,
}

/// `PUT /v1/catalogue/conventions/{istat}/{sede_id}` body.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ConventionSave {
    /// First valid day, "YYYY-MM-DD" (none: since ever).
    #[serde(default)]
    pub valid_from: Option<String>,
    /// Last valid day, inclusive (none: no end).
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// A PUE convention: a comune may book a Sede or Polo.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Convention {
    /// The comune.
    pub comune_istat: String,
    /// Its name.
    pub comune_name: String,
    /// Its province.
    pub province: String,
    /// The Sede or Polo.
    pub sede_id: String,
    /// Its name.
    pub sede_name: String,
    /// First valid day, or none.
    pub valid_from: Option<String>,
    /// Last valid day, or none.
    pub valid_until: Option<String>,
}

/// What a save did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Saved {
    /// The id or code saved.
    pub id: String,
    /// Created (else updated).
    pub created: bool,
}

/// One page of the comuni, by name.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ComuniPage {
    /// The comuni of the page.
    pub comuni: Vec<Comune>,
    /// Page number, from 1.
    pub page: i64,
    /// Whether a next page exists.
    pub has_more: bool,
}

/// One bad line of an import.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportLineError {
    /// Line number in the file (the header is line 1).
    pub line: i64,
    /// The code of the broken rule.
    pub code: crate::api::ApiCode,
    /// What is wrong.
    pub reason: String,
}

/// The outcome of a CSV import (or of its dry run).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportReport {
    /// "comuni", "sedi" or "conventions".
    pub kind: String,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// Whether the changes were written (no bad line and not a dry run).
    pub applied: bool,
    /// Data lines read.
    pub lines: i64,
    /// Rows that are (or would be) new.
    pub created: i64,
    /// Rows that are (or would be) changed.
    pub updated: i64,
    /// Rows already as in the file.
    pub unchanged: i64,
    /// Every bad line; with any, nothing is changed.
    pub errors: Vec<ImportLineError>,
}
