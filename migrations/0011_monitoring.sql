-- Monitoring, feedback, problem reports and retention (issue 18). Portable for SQLite and
-- PostgreSQL. Nothing here names a citizen: the tables below hold counts, months, places,
-- services and keyed hashes whose key is destroyed when its year is over.

-- A referente_inps reads the regions listed here (comma-separated region names, '*' = all).
ALTER TABLE staff_accounts ADD COLUMN regions TEXT NULL;

-- Appointments past their retention period, rolled up before they are deleted: one row per
-- distinct combination, with how many appointments had it. The dashboards read these together
-- with the live appointments (projected to the same shape), so the figures of past years stay.
CREATE TABLE monitoring_facts (
    month TEXT NOT NULL,                    -- 'YYYY-MM' of the appointment, Italian time
    comune_istat TEXT NOT NULL,
    sede_id TEXT NOT NULL,
    service_code TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'cancelled', 'resolved', 'call_back', 'no_show')),
    waiting_days BIGINT NOT NULL,           -- from booking to the appointment, whole days
    duration_minutes BIGINT NULL,           -- meeting opened -> closed, whole minutes
    n BIGINT NOT NULL CHECK (n > 0)
);
CREATE INDEX monitoring_facts_month ON monitoring_facts (month);

-- Distinct citizens served: one row per held meeting, with a keyed hash of the codice fiscale
-- under the key of that year (monitoring_keys). The key is deleted when the year is over (plus
-- a short grace), after which nobody can link a row to a person; counts stay.
CREATE TABLE served_citizens (
    year TEXT NOT NULL,                     -- 'YYYY'
    month TEXT NOT NULL,                    -- 'YYYY-MM'
    comune_istat TEXT NOT NULL,
    sede_id TEXT NOT NULL,
    service_code TEXT NOT NULL,
    citizen_key TEXT NOT NULL               -- HMAC-SHA-256(key of the year, codice fiscale), hex
);
CREATE INDEX served_citizens_year ON served_citizens (year, citizen_key);

CREATE TABLE monitoring_keys (
    year TEXT PRIMARY KEY,                  -- 'YYYY'
    secret TEXT NOT NULL                    -- 32 random bytes, hex
);

-- The citizen's feedback at the end of a meeting: not linked to the appointment or the citizen
-- (no ids, the day only). The citizen session records that it was given (once per session).
CREATE TABLE feedback (
    id TEXT PRIMARY KEY,                    -- random, 128 bits hex
    day TEXT NOT NULL,                      -- 'YYYY-MM-DD', Italian time
    comune_istat TEXT NOT NULL,
    sede_id TEXT NOT NULL,
    rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT NULL                       -- at most 500 characters
);
CREATE INDEX feedback_day ON feedback (day);
ALTER TABLE citizen_sessions ADD COLUMN feedback_given BIGINT NOT NULL DEFAULT 0;

-- Feedback past its retention period, rolled up: ratings kept as counts, comments deleted.
CREATE TABLE feedback_counts (
    month TEXT NOT NULL,
    comune_istat TEXT NOT NULL,
    sede_id TEXT NOT NULL,
    rating BIGINT NOT NULL,
    n BIGINT NOT NULL
);

-- A problem with a meeting reported by its operator or official, for the referenti.
CREATE TABLE meeting_reports (
    id TEXT PRIMARY KEY,                    -- random, 128 bits hex
    appointment_id TEXT NOT NULL REFERENCES reservations (id),
    comune_istat TEXT NOT NULL,
    sede_id TEXT NOT NULL,
    reporter TEXT NOT NULL,                 -- staff account
    reporter_role TEXT NOT NULL,            -- operator | official
    kind TEXT NOT NULL CHECK (kind IN ('audio', 'video', 'connection', 'other')),
    text TEXT NOT NULL,                     -- at most 1,000 characters, may be empty
    created_at BIGINT NOT NULL              -- Unix seconds, UTC
);
CREATE INDEX meeting_reports_comune ON meeting_reports (comune_istat, created_at);
CREATE INDEX meeting_reports_appointment ON meeting_reports (appointment_id);
