-- Scan records (REQUIREMENTS R14): every SBOM upload, SARIF import and
-- recorded external scan, with the raw document it came from, so that an
-- auditor can open the exact report behind a finding. Keep postgres/ in
-- step.
--
-- documents holds raw documents by the SHA-256 of their bytes, so that a
-- document sent twice is kept once; content is gzip-compressed. A
-- document over the size limit is not kept: its record still has the
-- hash (scan_records.kept is false).
--
-- assets.last_scan_at is the newest scanned_at of the asset's records,
-- kept by the service in the same transaction, so that the overdue list
-- (cadence by exposure) reads one row per asset.

-- +goose Up
CREATE TABLE documents (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    content    BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE scan_records (
    id              INTEGER PRIMARY KEY,
    asset_id        INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    tool            TEXT NOT NULL DEFAULT '',
    branch          TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT '',
    document_sha256 TEXT NOT NULL DEFAULT '',
    document_size   INTEGER NOT NULL DEFAULT 0,
    media_type      TEXT NOT NULL DEFAULT '',
    kept            BOOLEAN NOT NULL DEFAULT FALSE,
    snapshot_id     INTEGER,
    scanned_at      TIMESTAMP NOT NULL,
    recorded_at     TIMESTAMP NOT NULL,
    recorded_by     TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scan_records_asset ON scan_records (asset_id, scanned_at, id);
CREATE INDEX scan_records_document ON scan_records (document_sha256);

ALTER TABLE assets ADD COLUMN last_scan_at TIMESTAMP;

-- Assets scanned before this migration: their newest snapshot.
UPDATE assets SET last_scan_at = (SELECT MAX(created_at) FROM snapshots WHERE snapshots.asset_id = assets.id);

