-- Documents the citizen sends to INPS, uploaded by the comune operator during the meeting: PDF
-- or CAdES .p7m, judged by content, at most 4,000,000 bytes each. The bytes live in the data dir
-- (documents/<sha256>, content-addressed, mode 0600); this table holds what is known of each
-- upload. The original file name is the citizen's document's name and is shown only to the
-- meeting's staff. Portable for SQLite and PostgreSQL.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,                    -- random, 128 bits hex
    appointment_id TEXT NOT NULL REFERENCES reservations (id),
    sha256 TEXT NOT NULL,                   -- of the bytes as uploaded (hex)
    size BIGINT NOT NULL,                   -- bytes
    kind TEXT NOT NULL CHECK (kind IN ('pdf', 'p7m')),
    name TEXT NOT NULL,                     -- file name as given (1-200 characters)
    pages BIGINT NOT NULL,
    signer_name TEXT NULL,                  -- .p7m: the (first) signer's name
    signer_codice_fiscale TEXT NULL,        -- .p7m: from a qualified certificate, if any
    signature TEXT NOT NULL CHECK (signature IN ('none', 'not_checked', 'trusted', 'untrusted')),
    uploaded_by TEXT NOT NULL,              -- the operator's account
    uploaded_at BIGINT NOT NULL,            -- Unix seconds, UTC
    attested_by TEXT NULL,                  -- the operator who attested "conforme all'originale"
    attested_at BIGINT NULL
);
CREATE INDEX documents_appointment ON documents (appointment_id, uploaded_at);
