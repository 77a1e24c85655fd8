-- Audit log: who did what, when, from which request, with which outcome. Append-only: the code
-- offers only insert and read (src/audit/store.rs). Only ids and codes are stored, never a
-- citizen's name, codice fiscale or any request body content.
-- Portable for SQLite and PostgreSQL: TEXT keys, BIGINT instants (Unix seconds, UTC).
-- (No UPDATE/DELETE-refusing trigger: the trigger syntax of the two databases has no common
-- form, and every migration here is one file for both.)

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,                    -- random, 128 bits hex
    at BIGINT NOT NULL,                     -- Unix seconds, UTC
    actor_subject TEXT NOT NULL,            -- the staff account's subject, or 'anonymous'
    actor_role TEXT NOT NULL,               -- operator, user_admin, official, inps_admin, anonymous
    comune_istat TEXT NULL,                 -- the comune concerned, if any
    sede_id TEXT NULL,                      -- the Sede concerned, if any
    action TEXT NOT NULL,                   -- e.g. 'hold.place', 'meeting.open'
    target TEXT NULL,                       -- appointment / hold / closure / room / account id
    request_id TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied'))
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_comune_at ON audit_log (comune_istat, at);
