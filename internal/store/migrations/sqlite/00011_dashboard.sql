-- The dashboard's history of open and resolved findings counts findings by
-- the day they were first seen and by the day they were resolved, in the
-- last 90 days, from these two indexes alone; the first also gives the
-- newest findings. The second is partial: open findings, most of them,
-- cost it nothing to write. Keep the other dialect in step.

-- +goose Up
CREATE INDEX findings_first_seen ON findings (first_seen, id);
CREATE INDEX findings_resolved_at ON findings (resolved_at) WHERE resolved_at IS NOT NULL;
