-- Which person may act as which staff account through an OIDC provider (SPID/CIE are reached
-- through such a provider). The person is identified by a keyed digest: HMAC-SHA256 (hex),
-- under the server's token secret, of the provider name and the value of the provider's
-- subject claim, so that a codice fiscale cannot be recovered by guessing without the secret.
-- The raw subject is never stored. Portable for SQLite and PostgreSQL.

CREATE TABLE staff_oidc_links (
    provider TEXT NOT NULL,                 -- the provider's name in the OIDC configuration
    subject_hash TEXT NOT NULL,             -- HMAC-SHA256 hex (token secret) of provider + subject
    account TEXT NOT NULL,                  -- the staff account id
    created_at BIGINT NOT NULL,             -- Unix seconds, UTC
    created_by TEXT NOT NULL,               -- the account id of whoever created the link
    PRIMARY KEY (provider, subject_hash)
);

CREATE INDEX staff_oidc_links_account ON staff_oidc_links (account, provider);
