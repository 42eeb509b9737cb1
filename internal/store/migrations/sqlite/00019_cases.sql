-- Coordinated vulnerability disclosure cases (issue 14, part "cases"):
-- a report a stranger sends through the public form, what the team does
-- with it and the messages both ways. Keep postgres/ in step.
--
-- cases.public_id (VD-YYYY-NNNN) is what people quote; it opens nothing:
-- the reporter's access is the tracking token, of which only the SHA-256
-- is kept (token_sha256). The *_at columns record when the case first
-- entered each state; the *_due columns are the timers' deadlines, set
-- from the disclosure policy in force when they started.
--
-- case_attachments' bytes are in documents (content-addressed by
-- SHA-256, compressed), never on disk under the web root.
-- case_extensions record each extension of the disclosure date.
-- case_links tie a case to assets, findings and advisories by ID.

-- +goose Up
CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    public_id          TEXT NOT NULL DEFAULT '',
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    product            TEXT NOT NULL DEFAULT '',
    severity_guess     TEXT NOT NULL DEFAULT '',
    severity           TEXT NOT NULL DEFAULT '',
    proof_of_concept   TEXT NOT NULL DEFAULT '',
    contact            TEXT NOT NULL DEFAULT '',
    credit_name        TEXT NOT NULL DEFAULT '',
    credit_opt_in      BOOLEAN NOT NULL DEFAULT FALSE,
    state              TEXT NOT NULL,
    token_sha256       TEXT NOT NULL UNIQUE,
    cve_id             TEXT NOT NULL DEFAULT '',
    euvd_id            TEXT NOT NULL DEFAULT '',
    duplicate_of       INTEGER REFERENCES cases (id),
    actively_exploited BOOLEAN NOT NULL DEFAULT FALSE,
    assignee           TEXT NOT NULL DEFAULT '',
    received_at        TIMESTAMP NOT NULL,
    acknowledged_at    TIMESTAMP,
    triaging_at        TIMESTAMP,
    decided_at         TIMESTAMP,
    fixing_at          TIMESTAMP,
    fixed_at           TIMESTAMP,
    disclosed_at       TIMESTAMP,
    closed_at          TIMESTAMP,
    updated_at         TIMESTAMP NOT NULL,
    acknowledge_due    TIMESTAMP NOT NULL,
    triage_due         TIMESTAMP NOT NULL,
    fix_due            TIMESTAMP,
    disclosure_due     TIMESTAMP NOT NULL,
    extension_days     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX cases_public_id ON cases (public_id) WHERE public_id <> '';
CREATE INDEX cases_state ON cases (state, id);

CREATE TABLE case_messages (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author_kind TEXT NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    internal    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_messages_case ON case_messages (case_id, id);

CREATE TABLE case_attachments (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    message_id    INTEGER REFERENCES case_messages (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    declared_type TEXT NOT NULL DEFAULT '',
    sniffed_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL REFERENCES documents (sha256),
    uploaded_by   TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id, id);

CREATE TABLE case_extensions (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    days       INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_extensions_case ON case_extensions (case_id, id);

CREATE TABLE case_links (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    target     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, kind, target)
);
