-- The person's name on a staff account ("Nome e cognome"), shown to the administrators who
-- enable operators. NULL for accounts created before it was asked for (and for the demo's
-- non-operator accounts). It never appears in logs, metrics or audit details.
ALTER TABLE staff_accounts ADD COLUMN full_name TEXT NULL;
