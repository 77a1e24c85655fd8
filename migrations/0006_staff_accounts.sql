-- Staff accounts, their server-side sessions and the login failure counter.
-- Accounts hold only account ids, roles, places and an argon2id password hash (PHC string):
-- no names, e-mail addresses or codici fiscali. Sessions store a SHA-256 hash of the cookie
-- token, never the token. Portable for SQLite and PostgreSQL.

CREATE TABLE staff_accounts (
    account TEXT PRIMARY KEY,               -- 1-64 of a-z 0-9 . _ -
    role TEXT NOT NULL,                     -- operator | user_admin | official | inps_admin
    comune_istat TEXT NULL,                 -- operator, user_admin
    sede_id TEXT NULL,                      -- official
    sportello_ids TEXT NOT NULL DEFAULT '', -- official: comma-separated sportello ids
    password_hash TEXT NULL,                -- argon2id PHC string; NULL = no password login
    valid_from TEXT NULL,                   -- first valid day, YYYY-MM-DD (Italian calendar)
    valid_until TEXT NULL,                  -- last valid day, YYYY-MM-DD (inclusive)
    created_at BIGINT NOT NULL,             -- Unix seconds, UTC
    created_by TEXT NOT NULL                -- account id of the creator, or 'system'
);
CREATE INDEX staff_accounts_comune ON staff_accounts (comune_istat);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,            -- SHA-256 (hex) of the cookie token
    account TEXT NOT NULL,
    created_at BIGINT NOT NULL,             -- Unix seconds, UTC (booking clock)
    last_used BIGINT NOT NULL               -- refreshed at most once a minute
);
CREATE INDEX staff_sessions_account ON staff_sessions (account);

CREATE TABLE login_failures (
    account TEXT PRIMARY KEY,               -- the account name as typed (well-formed ids only)
    failures BIGINT NOT NULL,
    first_failure BIGINT NOT NULL           -- Unix seconds, UTC: start of the counting window
);
