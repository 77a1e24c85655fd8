-- Booking: territory, offices, calendars, holds and appointments.
-- One portable dialect for SQLite and PostgreSQL: TEXT keys, BIGINT numbers (instants are Unix
-- seconds, UTC), dates as 'YYYY-MM-DD' text, flags as 0/1.

CREATE TABLE comuni (
    istat TEXT PRIMARY KEY,                 -- ISTAT code, 6 digits
    name TEXT NOT NULL,
    province TEXT NOT NULL,                 -- sigla, e.g. 'SS'
    region TEXT NOT NULL,
    population BIGINT NOT NULL CHECK (population >= 0),
    belfiore TEXT NOT NULL UNIQUE           -- cadastral code, as in the codice fiscale
);

CREATE TABLE services (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- Sedi (territorial offices) and Poli nazionali (national hubs) alike.
CREATE TABLE sedi (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sede', 'polo')),
    name TEXT NOT NULL,
    comune_istat TEXT NOT NULL REFERENCES comuni (istat),
    patron_day TEXT NULL                    -- 'MM-DD', the city's patron saint (a holiday)
);

-- Territorial competence: each comune has one competent Sede.
CREATE TABLE sede_comuni (
    sede_id TEXT NOT NULL REFERENCES sedi (id),
    comune_istat TEXT NOT NULL REFERENCES comuni (istat) UNIQUE,
    PRIMARY KEY (sede_id, comune_istat)
);

-- Services a Polo nazionale is competent for, nationwide.
CREATE TABLE polo_services (
    sede_id TEXT NOT NULL REFERENCES sedi (id),
    service_code TEXT NOT NULL REFERENCES services (code),
    PRIMARY KEY (sede_id, service_code)
);

-- PUE conventions: which comune may book which Sede or Polo.
CREATE TABLE pue_conventions (
    comune_istat TEXT NOT NULL REFERENCES comuni (istat),
    sede_id TEXT NOT NULL REFERENCES sedi (id),
    PRIMARY KEY (comune_istat, sede_id)
);

CREATE TABLE sportelli (
    id TEXT PRIMARY KEY,
    sede_id TEXT NOT NULL REFERENCES sedi (id),
    name TEXT NOT NULL,
    slot_minutes BIGINT NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240)
);

CREATE TABLE sportello_services (
    sportello_id TEXT NOT NULL REFERENCES sportelli (id),
    service_code TEXT NOT NULL REFERENCES services (code),
    PRIMARY KEY (sportello_id, service_code)
);

-- Weekly opening hours, local Italian time; several intervals a day are allowed.
CREATE TABLE opening_hours (
    sportello_id TEXT NOT NULL REFERENCES sportelli (id),
    weekday BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- ISO: Monday = 1
    opens TEXT NOT NULL,                                        -- 'HH:MM'
    closes TEXT NOT NULL,                                       -- 'HH:MM', after opens
    PRIMARY KEY (sportello_id, weekday, opens)
);

-- Extraordinary closures of a whole Sede (inclusive date range).
CREATE TABLE closures (
    id TEXT PRIMARY KEY,
    sede_id TEXT NOT NULL REFERENCES sedi (id),
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX closures_sede ON closures (sede_id, first_day);

-- A claim on one slot of one sportello: first a hold, then (after "Prenota") an appointment.
CREATE TABLE reservations (
    id TEXT PRIMARY KEY,
    sportello_id TEXT NOT NULL REFERENCES sportelli (id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    service_code TEXT NOT NULL REFERENCES services (code),
    comune_istat TEXT NOT NULL REFERENCES comuni (istat),
    status TEXT NOT NULL CHECK (status IN ('held', 'expired', 'released', 'booked', 'cancelled')),
    hold_expires_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT NULL,
    idempotency_key TEXT NULL,
    cancelled_at BIGINT NULL
);
-- The rule "a slot is never booked twice", in the database: at most one live claim per slot.
-- Expired holds are turned to 'expired' (in the same transaction as the new claim) and so leave
-- the index.
CREATE UNIQUE INDEX reservations_one_live_claim_per_slot
    ON reservations (sportello_id, starts_at) WHERE status IN ('held', 'booked');
CREATE UNIQUE INDEX reservations_idempotency_key
    ON reservations (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX reservations_comune_day ON reservations (comune_istat, starts_at);
CREATE INDEX reservations_sportello_day ON reservations (sportello_id, starts_at);
CREATE INDEX reservations_live_holds ON reservations (created_by) WHERE status = 'held';

-- The citizen's request attached to an appointment (personal data).
CREATE TABLE citizen_requests (
    reservation_id TEXT PRIMARY KEY REFERENCES reservations (id),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    codice_fiscale TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    birth_place TEXT NOT NULL,              -- Belfiore code
    sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    residence_istat TEXT NOT NULL REFERENCES comuni (istat),
    email TEXT NULL,
    phone TEXT NULL,
    delegate_given_name TEXT NULL,
    delegate_family_name TEXT NULL,
    delegate_codice_fiscale TEXT NULL,
    delegation_act TEXT NULL,               -- reference of the delegation act
    delegator_id_copy BIGINT NULL,          -- 0/1: copy of the delegator's ID acquired
    digital_delegation BIGINT NULL,         -- 0/1: a digital-identity delegation already exists
    gdpr_notice_signed BIGINT NOT NULL CHECK (gdpr_notice_signed IN (0, 1)),
    id_copy_acquired BIGINT NOT NULL CHECK (id_copy_acquired IN (0, 1)),
    notes TEXT NULL
);

CREATE TABLE request_services (
    reservation_id TEXT NOT NULL REFERENCES reservations (id),
    service_code TEXT NOT NULL REFERENCES services (code),
    PRIMARY KEY (reservation_id, service_code)
);
