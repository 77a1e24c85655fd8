-- Meeting day, second piece: the official closes the meeting with an outcome, and the citizen
-- session that the handover ("Passa al cittadino") creates, bound to one meeting only.
-- Portable for SQLite and PostgreSQL. The citizen session stores only a hash of its cookie token
-- and random ids: nothing that identifies the citizen.

ALTER TABLE reservations ADD COLUMN meeting_closed_at BIGINT NULL;
ALTER TABLE reservations ADD COLUMN meeting_outcome TEXT NULL;
ALTER TABLE reservations ADD COLUMN meeting_notes TEXT NULL;

CREATE TABLE citizen_sessions (
    token_hash TEXT PRIMARY KEY,            -- SHA-256 (hex) of the cookie token
    subject TEXT NOT NULL,                  -- random id, the meeting-token subject
    appointment_id TEXT NOT NULL,
    room TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,             -- Unix seconds, UTC (booking clock)
    expires_at BIGINT NOT NULL              -- the end of the meeting window
);
CREATE INDEX citizen_sessions_appointment ON citizen_sessions (appointment_id);
