-- VEX import: each imported VEX document (OpenVEX or CycloneDX) with who
-- imported it and what became of its statements; the raw document is kept
-- by its sha256 in documents (00015) unless it is over the size kept
-- (document_kept). A decision a VEX statement made
-- names its document, the statement's author and time (vex_at: a later
-- statement of the same author supersedes it, an older one does not), the
-- format's own values (vex_native, JSON: an export to the same format
-- writes them again) and the impact or action statement. A person's
-- decision clears them. Keep postgres/ in step.

-- +goose Up
CREATE TABLE vex_documents (
    id              INTEGER PRIMARY KEY,
    document_sha256 TEXT NOT NULL,
    document_kept   BOOLEAN NOT NULL DEFAULT FALSE,
    format          TEXT NOT NULL,
    spec_version    TEXT NOT NULL DEFAULT '',
    doc_id          TEXT NOT NULL DEFAULT '',
    author          TEXT NOT NULL DEFAULT '',
    issued_at       TIMESTAMP,
    imported_at     TIMESTAMP NOT NULL,
    imported_by     TEXT NOT NULL,
    statements      INTEGER NOT NULL,
    applied         INTEGER NOT NULL,
    unchanged       INTEGER NOT NULL,
    kept            INTEGER NOT NULL,
    unmatched       INTEGER NOT NULL
);
CREATE INDEX vex_documents_sha ON vex_documents (document_sha256);

ALTER TABLE decisions ADD COLUMN vex_document_id INTEGER;
ALTER TABLE decisions ADD COLUMN vex_author TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN vex_at TIMESTAMP;
ALTER TABLE decisions ADD COLUMN vex_native TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN statement TEXT NOT NULL DEFAULT '';
