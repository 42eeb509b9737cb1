-- Code findings: results of SARIF logs (SAST, secret, container scanners)
-- as findings of kind 'code', so that triage, clocks, priorities, history
-- and exceptions work on them as on dependency findings. Keep the other
-- engine's file in step.
--
-- findings.kind is 'dependency' (a matched advisory; the matcher's) or
-- 'code' (a SARIF result; the SARIF import's). The matcher never reads or
-- resolves code findings. A code finding's pkey is
-- "sarif/<tool>/<branch>/<fingerprint>", its vuln_id the rule ID, its
-- package the file, its version '' and its snapshot_id 0 (no inventory
-- snapshot found it).
--
-- code_findings holds what a code finding has beyond the findings row,
-- keyed by (asset, tool, branch, fingerprint): an import of a tool's log
-- for a branch resolves only that tool's open findings on that branch of
-- that asset. scan_record_id is the scan record of the import that last
-- saw it (00015's scan_records); NULL before scan records existed.

-- +goose Up
ALTER TABLE findings ADD COLUMN kind TEXT NOT NULL DEFAULT 'dependency';
CREATE INDEX findings_kind_list ON findings (kind, status, severity_rank, id) WHERE kind <> 'dependency';

CREATE TABLE code_findings (
    finding_id       BIGINT PRIMARY KEY REFERENCES findings (id) ON DELETE CASCADE,
    asset_id         BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    tool             TEXT NOT NULL,
    tool_version     TEXT NOT NULL DEFAULT '',
    branch           TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    fingerprint_from TEXT NOT NULL DEFAULT '',
    rule             TEXT NOT NULL,
    rule_name        TEXT NOT NULL DEFAULT '',
    uri              TEXT NOT NULL DEFAULT '',
    uri_base_id      TEXT NOT NULL DEFAULT '',
    start_line       INTEGER NOT NULL DEFAULT 0,
    end_line         INTEGER NOT NULL DEFAULT 0,
    logical          TEXT NOT NULL DEFAULT '',
    snippet          TEXT NOT NULL DEFAULT '',
    level            TEXT NOT NULL DEFAULT '',
    message          TEXT NOT NULL DEFAULT '',
    suppressed       BOOLEAN NOT NULL DEFAULT FALSE,
    scan_record_id   BIGINT,
    UNIQUE (asset_id, tool, branch, fingerprint)
);

