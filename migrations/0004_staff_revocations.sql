-- Revoked staff accounts: a revoked account cannot log in until re-enabled (the row deleted).
-- Revoking also ends the account's sessions and meeting connections at once (see
-- src/identity/revocation.rs); this table is what keeps it out afterwards, across restarts.
-- Only account ids are stored, never personal data. Portable for SQLite and PostgreSQL.

CREATE TABLE staff_revocations (
    subject TEXT PRIMARY KEY,               -- the staff account id
    revoked_at BIGINT NOT NULL,             -- Unix seconds, UTC
    revoked_by TEXT NOT NULL                -- the account id of whoever revoked it
);
