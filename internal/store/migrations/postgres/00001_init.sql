-- vulndesk schema, PostgreSQL dialect. Forward-only: never edit a migration that
-- has shipped; add the next number. Keep sqlite/ in step.

-- +goose Up
CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

CREATE TABLE assets (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL,
    owner               TEXT NOT NULL DEFAULT '',
    criticality         BIGINT NOT NULL DEFAULT 3 CHECK (criticality BETWEEN 1 AND 4),
    exposure            TEXT NOT NULL DEFAULT 'internal',
    environment         TEXT NOT NULL DEFAULT '',
    lifecycle           TEXT NOT NULL DEFAULT 'active',
    tags                TEXT NOT NULL DEFAULT '[]',
    cpes                TEXT NOT NULL DEFAULT '[]',
    current_snapshot_id BIGINT,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE snapshots (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id    BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    format      TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    sha256      TEXT NOT NULL,
    components  BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    matched_at  TIMESTAMPTZ
);
CREATE INDEX snapshots_asset ON snapshots (asset_id, id);

CREATE TABLE components (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    snapshot_id BIGINT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
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
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    url              TEXT NOT NULL,
    interval_seconds BIGINT NOT NULL DEFAULT 3600,
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMPTZ NOT NULL,
    last_attempt_at  TIMESTAMPTZ,
    last_success_at  TIMESTAMPTZ,
    last_error       TEXT NOT NULL DEFAULT '',
    content_hash     TEXT NOT NULL DEFAULT '',
    etag             TEXT NOT NULL DEFAULT '',
    items            BIGINT NOT NULL DEFAULT 0,
    changed          BIGINT NOT NULL DEFAULT 0,
    syncs            BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE advisories (
    id           TEXT PRIMARY KEY,
    feed_id      BIGINT REFERENCES feeds (id) ON DELETE SET NULL,
    summary      TEXT NOT NULL DEFAULT '',
    severity     TEXT NOT NULL DEFAULT 'unknown',
    score        DOUBLE PRECISION NOT NULL DEFAULT 0,
    aliases      TEXT NOT NULL DEFAULT '[]',
    info         TEXT NOT NULL,
    withdrawn    BOOLEAN NOT NULL DEFAULT FALSE,
    published    TIMESTAMPTZ,
    modified     TIMESTAMPTZ,
    content_hash TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE advisory_records (
    advisory_id TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
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
    date_added  TIMESTAMPTZ,
    due_date    TIMESTAMPTZ,
    ransomware  BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE epss (
    cve        TEXT PRIMARY KEY,
    score      DOUBLE PRECISION NOT NULL,
    percentile DOUBLE PRECISION NOT NULL,
    score_date TIMESTAMPTZ
);

CREATE TABLE findings (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id             BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    pkey                 TEXT NOT NULL,
    ecosystem            TEXT NOT NULL,
    package              TEXT NOT NULL,
    version              TEXT NOT NULL,
    purl                 TEXT NOT NULL DEFAULT '',
    vuln_id              TEXT NOT NULL,
    aliases              TEXT NOT NULL DEFAULT '[]',
    summary              TEXT NOT NULL DEFAULT '',
    severity             TEXT NOT NULL,
    severity_rank        BIGINT NOT NULL,
    score                DOUBLE PRECISION NOT NULL DEFAULT 0,
    fix                  TEXT NOT NULL DEFAULT '',
    evidence             TEXT NOT NULL DEFAULT '[]',
    kev                  BOOLEAN NOT NULL DEFAULT FALSE,
    epss                 DOUBLE PRECISION,
    status               TEXT NOT NULL,
    snapshot_id          BIGINT NOT NULL,
    first_seen           TIMESTAMPTZ NOT NULL,
    last_seen            TIMESTAMPTZ NOT NULL,
    resolved_at          TIMESTAMPTZ,
    resolution           TEXT NOT NULL DEFAULT '',
    resolved_by_snapshot BIGINT,
    UNIQUE (asset_id, pkey, version, vuln_id)
);
CREATE INDEX findings_list ON findings (status, severity_rank, id);
CREATE INDEX findings_asset ON findings (asset_id, status, pkey);
CREATE INDEX findings_kev ON findings (kev, status, severity_rank, id);

CREATE TABLE finding_aliases (
    alias      TEXT NOT NULL,
    finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    PRIMARY KEY (alias, finding_id)
);
CREATE INDEX finding_aliases_finding ON finding_aliases (finding_id);

CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL,
    dedupe_key   TEXT,
    payload      TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    run_at       TIMESTAMPTZ NOT NULL,
    locked_by    TEXT,
    locked_until TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    started_at   TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ,
    error        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX jobs_active ON jobs (dedupe_key) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_queue ON jobs (state, run_at, id);

-- A counter bumped with every committed advisory change, so each replica's
-- record cache knows when to drop what it holds.
CREATE TABLE generations (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO generations (name, value) VALUES ('advisories', 0);
