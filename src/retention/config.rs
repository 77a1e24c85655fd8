//! How long each kind of data is kept ([`RetentionConfig`]), in days, with the defaults and the
//! reasons for them. Every period counts from the appointment's date (`starts_at`) except the
//! audit log's (from each entry's time) and the feedback's (from the day it was given).
//! Aggregated counts (`monitoring_facts`, `feedback_counts`, `served_citizens`) are kept forever:
//! they name nobody.

/// Default for the citizen's request data (name, codice fiscale, contacts, delegate, the
/// official's closing note, problem-report texts): one year after the appointment, long enough
/// for follow-ups ("da richiamare"), complaints and the official's handling of the case.
pub const DEFAULT_REQUESTS_DAYS: u32 = 365;

/// Default for the documents sent to INPS during the meeting: 90 days after the appointment.
/// By then INPS has taken them into its own procedure; the copy here only served the handover.
pub const DEFAULT_DOCUMENTS_DAYS: u32 = 90;

/// Default for the appointment rows themselves (already anonymised after the request period:
/// place, service, times, outcome): two years, so the dashboards compare a year with the one
/// before from live rows; then they are rolled up into `monitoring_facts` and deleted.
pub const DEFAULT_APPOINTMENTS_DAYS: u32 = 730;

/// Default for the audit log: two years, to answer questions about who did what (an access
/// contested by a citizen, a revoked operator's actions) well after the request data is gone.
pub const DEFAULT_AUDIT_DAYS: u32 = 730;

/// Default for the citizen's feedback (rating and optional comment): two years, then the ratings
/// are rolled up into `feedback_counts` and the comments deleted.
pub const DEFAULT_FEEDBACK_DAYS: u32 = 730;

/// The retention periods, in days (each at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionConfig {
    /// The citizen's request data, after the appointment.
    pub requests_days: u32,
    /// Uploaded documents, after the appointment.
    pub documents_days: u32,
    /// Appointment rows (anonymised), after the appointment; then rolled up into counts.
    pub appointments_days: u32,
    /// Audit log entries, after they were written.
    pub audit_days: u32,
    /// Feedback rows, after the day they were given; then rolled up into counts.
    pub feedback_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            requests_days: DEFAULT_REQUESTS_DAYS,
            documents_days: DEFAULT_DOCUMENTS_DAYS,
            appointments_days: DEFAULT_APPOINTMENTS_DAYS,
            audit_days: DEFAULT_AUDIT_DAYS,
            feedback_days: DEFAULT_FEEDBACK_DAYS,
        }
    }
}

impl RetentionConfig {
    /// Checks the periods: each at least one day, documents no longer than the request data
    /// and the request data no longer than the appointment (whose deletion takes its request
    /// data along). The error names the flags to fix.
    pub fn validate(&self) -> anyhow::Result<()> {
        for (flag, days) in [
            ("--retention-requests-days", self.requests_days),
            ("--retention-documents-days", self.documents_days),
            ("--retention-appointments-days", self.appointments_days),
            ("--retention-audit-days", self.audit_days),
            ("--retention-feedback-days", self.feedback_days),
        ] {
            anyhow::ensure!(days >= 1, "{flag} must be at least 1 day");
        }
        anyhow::ensure!(
            self.documents_days <= self.requests_days,
            "--retention-documents-days ({}) must not exceed --retention-requests-days ({}): \
             documents are part of the request",
            self.documents_days,
            self.requests_days
        );
        anyhow::ensure!(
            self.requests_days <= self.appointments_days,
            "--retention-requests-days ({}) must not exceed --retention-appointments-days ({}): \
             the request data goes with its appointment",
            self.requests_days,
            self.appointments_days
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        RetentionConfig::default().validate().unwrap();
    }

    #[test]
    fn bad_periods_are_refused_with_the_flag_named() {
        let d = RetentionConfig::default();
        let cases = [
            (
                RetentionConfig { audit_days: 0, ..d },
                "--retention-audit-days",
            ),
            (
                RetentionConfig {
                    feedback_days: 0,
                    ..d
                },
                "--retention-feedback-days",
            ),
            (
                RetentionConfig {
                    documents_days: 0,
                    ..d
                },
                "--retention-documents-days",
            ),
            (
                RetentionConfig {
                    documents_days: 400,
                    ..d
                },
                "--retention-documents-days (400)",
            ),
            (
                RetentionConfig {
                    requests_days: 800,
                    ..d
                },
                "--retention-requests-days (800)",
            ),
            (
                RetentionConfig {
                    appointments_days: 300,
                    ..d
                },
                "--retention-appointments-days (300)",
            ),
        ];
        for (config, flag) in cases {
            let e = config.validate().unwrap_err().to_string();
            assert!(e.contains(flag), "{e}");
        }
        // Equal periods are fine.
        RetentionConfig {
            requests_days: 30,
            documents_days: 30,
            appointments_days: 30,
            audit_days: 1,
            feedback_days: 1,
        }
        .validate()
        .unwrap();
    }
}
