-- The dashboard's counts, kept as findings change: reading them from the
-- findings took seconds with a million (each is a pass over an index of
-- every finding), reading them from these tables takes milliseconds.
-- Triggers keep them, in the transaction of every change to findings —
-- a match, a re-match, a rating or KEV change, a resolution, a reopening,
-- an asset's deletion (its findings go by cascade, which fires the delete
-- trigger) — so no writer can forget one; tests compare them with a
-- recount after every kind of change.
--   finding_days: by day (UTC), the findings first seen that day and the
--     findings resolved that day that are still resolved.
--   finding_open_by_asset: open findings by asset and severity rank.
--   finding_open_by_ecosystem: open findings by ecosystem.
-- Counts may reach 0; rows are not removed. Keep sqlite/ in step.
-- Unlike SQLite's, PostgreSQL's writers run at once: a count row shared by
-- all of them would make each wait for the others to commit, and two
-- transactions taking the same rows in different orders deadlock. So each
-- count is kept in shards, one per server process (pg_backend_pid(); two
-- transactions at once are never in the same process), summed when read;
-- the shards of processes that have ended are folded into shard 0
-- (store.foldTallies, from Maintain).

-- +goose Up
CREATE TABLE finding_days (
    shard    integer NOT NULL DEFAULT 0,
    day      date NOT NULL,
    opened   bigint NOT NULL DEFAULT 0,
    resolved bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (shard, day)
);
CREATE TABLE finding_open_by_asset (
    shard         integer NOT NULL DEFAULT 0,
    asset_id      bigint NOT NULL,
    severity_rank integer NOT NULL,
    n             bigint NOT NULL,
    PRIMARY KEY (shard, asset_id, severity_rank)
);
CREATE TABLE finding_open_by_ecosystem (
    shard     integer NOT NULL DEFAULT 0,
    ecosystem text NOT NULL,
    n         bigint NOT NULL,
    PRIMARY KEY (shard, ecosystem)
);
INSERT INTO finding_days (day, opened, resolved)
    SELECT day, SUM(o), SUM(r) FROM (
        SELECT (first_seen AT TIME ZONE 'UTC')::date AS day, 1 AS o, 0 AS r FROM findings
        UNION ALL SELECT (resolved_at AT TIME ZONE 'UTC')::date, 0, 1 FROM findings WHERE resolved_at IS NOT NULL) AS d
    GROUP BY day;
INSERT INTO finding_open_by_asset (asset_id, severity_rank, n)
    SELECT asset_id, severity_rank, COUNT(*) FROM findings WHERE status = 'open' GROUP BY asset_id, severity_rank;
INSERT INTO finding_open_by_ecosystem (ecosystem, n)
    SELECT ecosystem, COUNT(*) FROM findings WHERE status = 'open' GROUP BY ecosystem;

-- +goose StatementBegin
CREATE FUNCTION findings_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    me integer := pg_backend_pid();
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO finding_days (shard, day, opened) VALUES (me, (OLD.first_seen AT TIME ZONE 'UTC')::date, -1)
            ON CONFLICT (shard, day) DO UPDATE SET opened = finding_days.opened - 1;
        IF OLD.resolved_at IS NOT NULL THEN
            INSERT INTO finding_days (shard, day, resolved) VALUES (me, (OLD.resolved_at AT TIME ZONE 'UTC')::date, -1)
                ON CONFLICT (shard, day) DO UPDATE SET resolved = finding_days.resolved - 1;
        END IF;
        IF OLD.status = 'open' THEN
            INSERT INTO finding_open_by_asset (shard, asset_id, severity_rank, n) VALUES (me, OLD.asset_id, OLD.severity_rank, -1)
                ON CONFLICT (shard, asset_id, severity_rank) DO UPDATE SET n = finding_open_by_asset.n - 1;
            INSERT INTO finding_open_by_ecosystem (shard, ecosystem, n) VALUES (me, OLD.ecosystem, -1)
                ON CONFLICT (shard, ecosystem) DO UPDATE SET n = finding_open_by_ecosystem.n - 1;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO finding_days (shard, day, opened) VALUES (me, (NEW.first_seen AT TIME ZONE 'UTC')::date, 1)
            ON CONFLICT (shard, day) DO UPDATE SET opened = finding_days.opened + 1;
        IF NEW.resolved_at IS NOT NULL THEN
            INSERT INTO finding_days (shard, day, resolved) VALUES (me, (NEW.resolved_at AT TIME ZONE 'UTC')::date, 1)
                ON CONFLICT (shard, day) DO UPDATE SET resolved = finding_days.resolved + 1;
        END IF;
        IF NEW.status = 'open' THEN
            INSERT INTO finding_open_by_asset (shard, asset_id, severity_rank, n) VALUES (me, NEW.asset_id, NEW.severity_rank, 1)
                ON CONFLICT (shard, asset_id, severity_rank) DO UPDATE SET n = finding_open_by_asset.n + 1;
            INSERT INTO finding_open_by_ecosystem (shard, ecosystem, n) VALUES (me, NEW.ecosystem, 1)
                ON CONFLICT (shard, ecosystem) DO UPDATE SET n = finding_open_by_ecosystem.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER findings_tally AFTER INSERT OR DELETE ON findings FOR EACH ROW EXECUTE FUNCTION findings_tally();
CREATE TRIGGER findings_tally_update AFTER UPDATE OF asset_id, ecosystem, severity_rank, status, first_seen, resolved_at ON findings
    FOR EACH ROW WHEN (OLD.asset_id IS DISTINCT FROM NEW.asset_id OR OLD.ecosystem IS DISTINCT FROM NEW.ecosystem
        OR OLD.severity_rank IS DISTINCT FROM NEW.severity_rank OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.first_seen IS DISTINCT FROM NEW.first_seen OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at)
    EXECUTE FUNCTION findings_tally();
