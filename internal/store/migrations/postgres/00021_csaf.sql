-- CSAF advisories (issue 14, part csaf): the organisation's own security
-- advisories and the server's OpenPGP signing key. Keep sqlite/ in step.
--
-- openpgp_keys holds the signing key generated on first need when no key
-- file is configured (--openpgp-key): one row (id 1), so that every
-- replica signs with the same key. The armored private key is stored
-- unencrypted: a key file is preferred in production.
--
-- security_advisories is an advisory's editable content (content: JSON of
-- title, summary, products and vulnerabilities) and its state: draft,
-- review, published. case_id names the disclosure case it came from
-- without a foreign key (the cases table is another part's). version is
-- the newest published revision (0: never published).
--
-- security_advisory_revisions are the published revisions, each with the
-- exact CSAF and OSV bytes served for it, their hashes, and the detached
-- signature with the fingerprint of the key that made it.

-- +goose Up
CREATE TABLE openpgp_keys (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint     TEXT NOT NULL,
    armored_private TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE security_advisories (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracking_id        TEXT NOT NULL UNIQUE,
    state              TEXT NOT NULL,
    profile            TEXT NOT NULL,
    tlp                TEXT NOT NULL DEFAULT 'WHITE',
    case_id            BIGINT,
    content            TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 0,
    initial_release_at TIMESTAMPTZ,
    current_release_at TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    created_by         TEXT NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    updated_by         TEXT NOT NULL
);
CREATE INDEX security_advisories_case ON security_advisories (case_id);

CREATE TABLE security_advisory_revisions (
    advisory_id     BIGINT NOT NULL REFERENCES security_advisories (id),
    number          INTEGER NOT NULL,
    summary         TEXT NOT NULL,
    published_at    TIMESTAMPTZ NOT NULL,
    published_by    TEXT NOT NULL,
    path            TEXT NOT NULL,
    csaf            BYTEA NOT NULL,
    osv             BYTEA NOT NULL,
    sha256          TEXT NOT NULL,
    sha512          TEXT NOT NULL,
    signature       TEXT NOT NULL,
    key_fingerprint TEXT NOT NULL,
    PRIMARY KEY (advisory_id, number)
);
CREATE INDEX security_advisory_revisions_path ON security_advisory_revisions (path);
