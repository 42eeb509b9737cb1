-- vulndesk schema, SQLite dialect. Forward-only: never edit a migration that
-- has shipped; add the next number. Keep postgres/ in step.

-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

CREATE TABLE assets (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL,
    owner               TEXT NOT NULL DEFAULT '',
    criticality         INTEGER NOT NULL DEFAULT 3 CHECK (criticality BETWEEN 1 AND 4),
    exposure            TEXT NOT NULL DEFAULT 'internal',
    environment         TEXT NOT NULL DEFAULT '',
    lifecycle           TEXT NOT NULL DEFAULT 'active',
    tags                TEXT NOT NULL DEFAULT '[]',
    cpes                TEXT NOT NULL DEFAULT '[]',
    current_snapshot_id INTEGER,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);

CREATE TABLE snapshots (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    format      TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    sha256      TEXT NOT NULL,
    components  INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    matched_at  TIMESTAMP
);
CREATE INDEX snapshots_asset ON snapshots (asset_id, id);

CREATE TABLE components (
    id          INTEGER PRIMARY KEY,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    pkey        TEXT NOT NULL DEFAULT '',
    ref         TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    version     TEXT NOT NULL DEFAULT '',
    purl        TEXT NOT NULL DEFAULT '',
    ecosystem   TEXT NOT NULL DEFAULT '',
    package     TEXT NOT NULL DEFAULT '',
    scope       TEXT NOT NULL DEFAULT '',
    unmatchable TEXT NOT NULL DEFAULT '',
    extra       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX components_snapshot ON components (snapshot_id, id);
CREATE INDEX components_by_key ON components (pkey, snapshot_id);

CREATE TABLE feeds (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    url              TEXT NOT NULL,
    interval_seconds INTEGER NOT NULL DEFAULT 3600,
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMP NOT NULL,
    last_attempt_at  TIMESTAMP,
    last_success_at  TIMESTAMP,
    last_error       TEXT NOT NULL DEFAULT '',
    content_hash     TEXT NOT NULL DEFAULT '',
    etag             TEXT NOT NULL DEFAULT '',
    items            INTEGER NOT NULL DEFAULT 0,
    changed          INTEGER NOT NULL DEFAULT 0,
    syncs            INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE advisories (
    id           TEXT PRIMARY KEY,
    feed_id      INTEGER REFERENCES feeds (id) ON DELETE SET NULL,
    summary      TEXT NOT NULL DEFAULT '',
    severity     TEXT NOT NULL DEFAULT 'unknown',
    score        REAL NOT NULL DEFAULT 0,
    aliases      TEXT NOT NULL DEFAULT '[]',
    info         TEXT NOT NULL,
    withdrawn    BOOLEAN NOT NULL DEFAULT FALSE,
    published    TIMESTAMP,
    modified     TIMESTAMP,
    content_hash TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE advisory_records (
    advisory_id TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    pkey        TEXT NOT NULL,
    record      TEXT NOT NULL,
    PRIMARY KEY (advisory_id, seq)
);
CREATE INDEX advisory_records_by_key ON advisory_records (pkey);

CREATE TABLE kev (
    cve         TEXT PRIMARY KEY,
    vendor      TEXT NOT NULL DEFAULT '',
    product     TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    date_added  TIMESTAMP,
    due_date    TIMESTAMP,
    ransomware  BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE epss (
    cve        TEXT PRIMARY KEY,
    score      REAL NOT NULL,
    percentile REAL NOT NULL,
    score_date TIMESTAMP
);

CREATE TABLE findings (
    id                   INTEGER PRIMARY KEY,
    asset_id             INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    pkey                 TEXT NOT NULL,
    ecosystem            TEXT NOT NULL,
    package              TEXT NOT NULL,
    version              TEXT NOT NULL,
    purl                 TEXT NOT NULL DEFAULT '',
    vuln_id              TEXT NOT NULL,
    aliases              TEXT NOT NULL DEFAULT '[]',
    summary              TEXT NOT NULL DEFAULT '',
    severity             TEXT NOT NULL,
    severity_rank        INTEGER NOT NULL,
    score                REAL NOT NULL DEFAULT 0,
    fix                  TEXT NOT NULL DEFAULT '',
    evidence             TEXT NOT NULL DEFAULT '[]',
    kev                  BOOLEAN NOT NULL DEFAULT FALSE,
    epss                 REAL,
    status               TEXT NOT NULL,
    snapshot_id          INTEGER NOT NULL,
    first_seen           TIMESTAMP NOT NULL,
    last_seen            TIMESTAMP NOT NULL,
    resolved_at          TIMESTAMP,
    resolution           TEXT NOT NULL DEFAULT '',
    resolved_by_snapshot INTEGER,
    UNIQUE (asset_id, pkey, version, vuln_id)
);
CREATE INDEX findings_list ON findings (status, severity_rank, id);
CREATE INDEX findings_asset ON findings (asset_id, status, pkey);
CREATE INDEX findings_kev ON findings (kev, status, severity_rank, id);

CREATE TABLE finding_aliases (
    alias      TEXT NOT NULL,
    finding_id INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    PRIMARY KEY (alias, finding_id)
);
CREATE INDEX finding_aliases_finding ON finding_aliases (finding_id);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    dedupe_key   TEXT,
    payload      TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_at       TIMESTAMP NOT NULL,
    locked_by    TEXT,
    locked_until TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    started_at   TIMESTAMP,
    finished_at  TIMESTAMP,
    error        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX jobs_active ON jobs (dedupe_key) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_queue ON jobs (state, run_at, id);

-- A counter bumped with every committed advisory change, so each replica's
-- record cache knows when to drop what it holds.
CREATE TABLE generations (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO generations (name, value) VALUES ('advisories', 0);
