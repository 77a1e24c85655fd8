-- The operator's side of booking: a short booking code people can read aloud, the reason of a
-- cancellation, and the confirmations the operator gives with "Prenota".

-- 'PUE-XXXX-XC' (see src/booking/code.rs), set by "Prenota". Appointments booked before this
-- migration get theirs when the server starts (Booking::backfill_codes), not here: the codes are
-- random with a check character, which portable SQL cannot make.
ALTER TABLE reservations ADD COLUMN booking_code TEXT NULL;
CREATE UNIQUE INDEX reservations_booking_code
    ON reservations (booking_code) WHERE booking_code IS NOT NULL;

-- Why the operator cancelled (free text, personal data: never in the audit log).
ALTER TABLE reservations ADD COLUMN cancel_reason TEXT NULL;

-- The signed request form carries the authorisation to process the personal data (0/1; NULL for
-- requests recorded before this migration).
ALTER TABLE citizen_requests ADD COLUMN data_processing_authorised BIGINT NULL;
-- With a delegate: the copy of the delegate's own ID document was acquired (0/1).
ALTER TABLE citizen_requests ADD COLUMN delegate_id_copy BIGINT NULL;
