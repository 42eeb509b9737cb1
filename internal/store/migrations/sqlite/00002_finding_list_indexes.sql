-- Findings lists filtered by asset or by ecosystem, in list order (severity
-- rank, then id, both descending), read as one index range instead of
-- walking findings_list and filtering (or, without planner statistics,
-- sorting every open finding). SQLite dialect; keep postgres/ in step.

-- +goose Up
CREATE INDEX findings_asset_list ON findings (asset_id, status, severity_rank, id);
CREATE INDEX findings_ecosystem_list ON findings (ecosystem, status, severity_rank, id);
