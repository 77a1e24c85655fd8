-- A short technical detail of an audit entry where the action needs one (a document's size and
-- SHA-256, a refusal's code): never personal data, never a document's content.
ALTER TABLE audit_log ADD COLUMN detail TEXT NULL;
