//! Codes as types: [`ApiCode`], the `code` of every HTTP error answer. Each code's string is
//! written once, in the declaration: serde, ts-rs and [`ApiCode::as_str`] all take it from there.

sportello_signalling::string_enum! {
    /// The machine-readable `code` of an HTTP error answer (`{code, message}`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, ts_rs::TS)]
    pub enum ApiCode {
        AccountExists = "account_exists",
        AccountExpired = "account_expired",
        AccountNotYetValid = "account_not_yet_valid",
        AccountRevoked = "account_revoked",
        AlreadyConfirmed = "already_confirmed",
        AlreadyLinked = "already_linked",
        AppointmentCancelled = "appointment_cancelled",
        AppointmentStarted = "appointment_started",
        BadAccountId = "bad_account_id",
        BadAction = "bad_action",
        BadAppointmentId = "bad_appointment_id",
        BadContentType = "bad_content_type",
        BadCredentials = "bad_credentials",
        BadDateRange = "bad_date_range",
        BadDates = "bad_dates",
        BadDisplayName = "bad_display_name",
        BadHost = "bad_host",
        BadIdempotencyKey = "bad_idempotency_key",
        BadJson = "bad_json",
        BadLimit = "bad_limit",
        BadNotes = "bad_notes",
        BadOrigin = "bad_origin",
        BadOutcome = "bad_outcome",
        BadPath = "bad_path",
        BadQuery = "bad_query",
        BadRequestBody = "bad_request_body",
        BadRoom = "bad_room",
        BadSearch = "bad_search",
        BadSubject = "bad_subject",
        BadYear = "bad_year",
        CodiceFiscaleMismatch = "codice_fiscale_mismatch",
        Conflict = "conflict",
        CsrfFailed = "csrf_failed",
        DateRangeTooLong = "date_range_too_long",
        DelegationMissing = "delegation_missing",
        Forbidden = "forbidden",
        GdprNoticeNotSigned = "gdpr_notice_not_signed",
        HoldExpired = "hold_expired",
        HoldNotActive = "hold_not_active",
        HoldReleased = "hold_released",
        Holiday = "holiday",
        IdempotencyKeyReused = "idempotency_key_reused",
        Internal = "internal",
        InvalidBirthDate = "invalid_birth_date",
        InvalidCodiceFiscale = "invalid_codice_fiscale",
        InvalidDelegate = "invalid_delegate",
        InvalidDelegateCodiceFiscale = "invalid_delegate_codice_fiscale",
        InvalidDelegationAct = "invalid_delegation_act",
        InvalidEmail = "invalid_email",
        InvalidName = "invalid_name",
        InvalidNotes = "invalid_notes",
        InvalidPhone = "invalid_phone",
        InvalidReason = "invalid_reason",
        InvalidServices = "invalid_services",
        LoginBusy = "login_busy",
        MeetingClosed = "meeting_closed",
        MeetingNotOpen = "meeting_not_open",
        MissingComune = "missing_comune",
        MissingIdempotencyKey = "missing_idempotency_key",
        NotFound = "not_found",
        NotesTooLong = "notes_too_long",
        OidcFailed = "oidc_failed",
        OutsideMeetingWindow = "outside_meeting_window",
        OutsideOpeningHours = "outside_opening_hours",
        PasswordTooLong = "password_too_long",
        PayloadTooLarge = "payload_too_large",
        ProviderUnavailable = "provider_unavailable",
        Replay = "replay",
        RequestTimeout = "request_timeout",
        SedeClosed = "sede_closed",
        ServiceNotHandled = "service_not_handled",
        ShuttingDown = "shutting_down",
        SlotInPast = "slot_in_past",
        SlotTaken = "slot_taken",
        TooFarAhead = "too_far_ahead",
        TooManyAttempts = "too_many_attempts",
        TooManyHolds = "too_many_holds",
        TooManyWaiting = "too_many_waiting",
        // Documents (citizen → INPS uploads): refusals of the content checks.
        EmptyDocument = "empty_document",
        DocumentTooLarge = "document_too_large",
        NotADocument = "not_a_document",
        CorruptDocument = "corrupt_document",
        EncryptedPdf = "encrypted_pdf",
        PdfWithoutPages = "pdf_without_pages",
        UnsupportedP7m = "unsupported_p7m",
        P7mWithoutContent = "p7m_without_content",
        P7mContentNotPdf = "p7m_content_not_pdf",
        P7mNestingTooDeep = "p7m_nesting_too_deep",
        P7mUnsigned = "p7m_unsigned",
        P7mTooComplex = "p7m_too_complex",
        SignerCertificateMissing = "signer_certificate_missing",
        SignatureInvalid = "signature_invalid",
        UnsupportedSignature = "unsupported_signature",
        // Documents: around the content.
        BadDocumentName = "bad_document_name",
        BadDocumentId = "bad_document_id",
        UnknownDocument = "unknown_document",
        TooManyDocuments = "too_many_documents",
        UploadsBusy = "uploads_busy",
        // Documents to print (INPS → PUE).
        PrintNotPdf = "print_not_pdf",
        TooManyPrints = "too_many_prints",
        PrintsFull = "prints_full",
        Unauthenticated = "unauthenticated",
        UnknownAccount = "unknown_account",
        UnknownAppointment = "unknown_appointment",
        UnknownComune = "unknown_comune",
        UnknownHold = "unknown_hold",
        UnknownProvider = "unknown_provider",
        UnknownResidence = "unknown_residence",
        UnknownSede = "unknown_sede",
        UnknownService = "unknown_service",
        UnknownSportello = "unknown_sportello",
        WeakPassword = "weak_password",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_strings_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ApiCode::ALL {
            let json = serde_json::to_string(code).expect("serializes");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
    }
}
