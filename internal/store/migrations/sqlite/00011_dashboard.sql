-- The dashboard's counts, kept as findings change: reading them from the
-- findings took seconds with a million (each is a pass over an index of
-- every finding), reading them from these tables takes milliseconds.
-- Triggers keep them, in the transaction of every change to findings —
-- a match, a re-match, a rating or KEV change, a resolution, a reopening,
-- an asset's deletion (its findings go by cascade, which fires the delete
-- trigger) — so no writer can forget one; tests compare them with a
-- recount after every kind of change.
--   finding_days: by day (UTC, YYYY-MM-DD), the findings first seen that
--     day and the findings resolved that day that are still resolved.
--   finding_open_by_asset: open findings by asset and severity rank.
--   finding_open_by_ecosystem: open findings by ecosystem.
-- Counts may reach 0; rows are not removed. Keep postgres/ in step.

-- +goose Up
CREATE TABLE finding_days (
    day      TEXT PRIMARY KEY,
    opened   INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE finding_open_by_asset (
    asset_id      INTEGER NOT NULL,
    severity_rank INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (asset_id, severity_rank)
);
CREATE TABLE finding_open_by_ecosystem (
    ecosystem TEXT PRIMARY KEY,
    n         INTEGER NOT NULL
);
INSERT INTO finding_days (day, opened, resolved)
    SELECT day, SUM(o), SUM(r) FROM (
        SELECT substr(first_seen, 1, 10) AS day, 1 AS o, 0 AS r FROM findings
        UNION ALL SELECT substr(resolved_at, 1, 10), 0, 1 FROM findings WHERE resolved_at IS NOT NULL) AS d
    GROUP BY day;
INSERT INTO finding_open_by_asset (asset_id, severity_rank, n)
    SELECT asset_id, severity_rank, COUNT(*) FROM findings WHERE status = 'open' GROUP BY asset_id, severity_rank;
INSERT INTO finding_open_by_ecosystem (ecosystem, n)
    SELECT ecosystem, COUNT(*) FROM findings WHERE status = 'open' GROUP BY ecosystem;

-- +goose StatementBegin
CREATE TRIGGER findings_tally_insert AFTER INSERT ON findings BEGIN
    INSERT INTO finding_days (day, opened) VALUES (substr(NEW.first_seen, 1, 10), 1)
        ON CONFLICT (day) DO UPDATE SET opened = opened + 1;
    INSERT INTO finding_days (day, resolved) SELECT substr(NEW.resolved_at, 1, 10), 1 WHERE NEW.resolved_at IS NOT NULL
        ON CONFLICT (day) DO UPDATE SET resolved = resolved + 1;
    INSERT INTO finding_open_by_asset (asset_id, severity_rank, n) SELECT NEW.asset_id, NEW.severity_rank, 1 WHERE NEW.status = 'open'
        ON CONFLICT (asset_id, severity_rank) DO UPDATE SET n = n + 1;
    INSERT INTO finding_open_by_ecosystem (ecosystem, n) SELECT NEW.ecosystem, 1 WHERE NEW.status = 'open'
        ON CONFLICT (ecosystem) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER findings_tally_delete AFTER DELETE ON findings BEGIN
    UPDATE finding_days SET opened = opened - 1 WHERE day = substr(OLD.first_seen, 1, 10);
    UPDATE finding_days SET resolved = resolved - 1 WHERE OLD.resolved_at IS NOT NULL AND day = substr(OLD.resolved_at, 1, 10);
    UPDATE finding_open_by_asset SET n = n - 1 WHERE OLD.status = 'open' AND asset_id = OLD.asset_id AND severity_rank = OLD.severity_rank;
    UPDATE finding_open_by_ecosystem SET n = n - 1 WHERE OLD.status = 'open' AND ecosystem = OLD.ecosystem;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER findings_tally_update AFTER UPDATE OF asset_id, ecosystem, severity_rank, status, first_seen, resolved_at ON findings
WHEN OLD.asset_id IS NOT NEW.asset_id OR OLD.ecosystem IS NOT NEW.ecosystem OR OLD.severity_rank IS NOT NEW.severity_rank
    OR OLD.status IS NOT NEW.status OR OLD.first_seen IS NOT NEW.first_seen OR OLD.resolved_at IS NOT NEW.resolved_at
BEGIN
    UPDATE finding_days SET opened = opened - 1 WHERE day = substr(OLD.first_seen, 1, 10);
    UPDATE finding_days SET resolved = resolved - 1 WHERE OLD.resolved_at IS NOT NULL AND day = substr(OLD.resolved_at, 1, 10);
    UPDATE finding_open_by_asset SET n = n - 1 WHERE OLD.status = 'open' AND asset_id = OLD.asset_id AND severity_rank = OLD.severity_rank;
    UPDATE finding_open_by_ecosystem SET n = n - 1 WHERE OLD.status = 'open' AND ecosystem = OLD.ecosystem;
    INSERT INTO finding_days (day, opened) VALUES (substr(NEW.first_seen, 1, 10), 1)
        ON CONFLICT (day) DO UPDATE SET opened = opened + 1;
    INSERT INTO finding_days (day, resolved) SELECT substr(NEW.resolved_at, 1, 10), 1 WHERE NEW.resolved_at IS NOT NULL
        ON CONFLICT (day) DO UPDATE SET resolved = resolved + 1;
    INSERT INTO finding_open_by_asset (asset_id, severity_rank, n) SELECT NEW.asset_id, NEW.severity_rank, 1 WHERE NEW.status = 'open'
        ON CONFLICT (asset_id, severity_rank) DO UPDATE SET n = n + 1;
    INSERT INTO finding_open_by_ecosystem (ecosystem, n) SELECT NEW.ecosystem, 1 WHERE NEW.status = 'open'
        ON CONFLICT (ecosystem) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
