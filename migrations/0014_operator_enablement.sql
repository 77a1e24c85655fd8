-- The seeds' two steps for an operator: the comune's Amministratore utenze names them (with the
-- act that authorises them to process personal data), INPS (the administrator, or an official of
-- the Sede competent for the comune) enables them for the PUE; until then they cannot log in.
-- Accounts that existed before this step are taken as enabled. Portable for SQLite and PostgreSQL.
ALTER TABLE staff_accounts ADD COLUMN pue_enabled_at BIGINT NULL;      -- Unix seconds, UTC
ALTER TABLE staff_accounts ADD COLUMN pue_enabled_by TEXT NULL;        -- account id
ALTER TABLE staff_accounts ADD COLUMN data_authorisation_date TEXT NULL; -- YYYY-MM-DD
ALTER TABLE staff_accounts ADD COLUMN data_authorisation_act TEXT NULL; -- e.g. "Decreto sindacale n. 12/2026"
UPDATE staff_accounts SET pue_enabled_at = created_at, pue_enabled_by = created_by;
