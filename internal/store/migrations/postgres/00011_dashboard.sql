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
-- (store.foldTallies, from Maintain). The triggers run once a statement,
-- on its transition tables: one change a key a statement, where a trigger
-- a row wrote a new version of the same few rows for every finding (a
-- million findings in one statement took over ten minutes instead of two).
-- An UPDATE trigger with transition tables may name no columns: it runs
-- for every UPDATE of findings and writes only the keys whose counts
-- changed.

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
CREATE FUNCTION findings_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO finding_days (shard, day, opened, resolved)
        SELECT pg_backend_pid(), day, SUM(o), SUM(r) FROM (SELECT (first_seen AT TIME ZONE 'UTC')::date AS day, 1 AS o, 0 AS r FROM new_rows UNION ALL SELECT (resolved_at AT TIME ZONE 'UTC')::date, 0, 1 FROM new_rows WHERE resolved_at IS NOT NULL) AS x
        GROUP BY day HAVING SUM(o) <> 0 OR SUM(r) <> 0 ORDER BY day
        ON CONFLICT (shard, day) DO UPDATE SET opened = finding_days.opened + excluded.opened, resolved = finding_days.resolved + excluded.resolved;
    INSERT INTO finding_open_by_asset (shard, asset_id, severity_rank, n)
        SELECT pg_backend_pid(), asset_id, severity_rank, SUM(d) FROM (SELECT asset_id, severity_rank, 1 AS d FROM new_rows WHERE status = 'open') AS x
        GROUP BY asset_id, severity_rank HAVING SUM(d) <> 0 ORDER BY asset_id, severity_rank
        ON CONFLICT (shard, asset_id, severity_rank) DO UPDATE SET n = finding_open_by_asset.n + excluded.n;
    INSERT INTO finding_open_by_ecosystem (shard, ecosystem, n)
        SELECT pg_backend_pid(), ecosystem, SUM(d) FROM (SELECT ecosystem, 1 AS d FROM new_rows WHERE status = 'open') AS x
        GROUP BY ecosystem HAVING SUM(d) <> 0 ORDER BY ecosystem
        ON CONFLICT (shard, ecosystem) DO UPDATE SET n = finding_open_by_ecosystem.n + excluded.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION findings_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO finding_days (shard, day, opened, resolved)
        SELECT pg_backend_pid(), day, SUM(o), SUM(r) FROM (SELECT (first_seen AT TIME ZONE 'UTC')::date AS day, -1 AS o, 0 AS r FROM old_rows UNION ALL SELECT (resolved_at AT TIME ZONE 'UTC')::date, 0, -1 FROM old_rows WHERE resolved_at IS NOT NULL) AS x
        GROUP BY day HAVING SUM(o) <> 0 OR SUM(r) <> 0 ORDER BY day
        ON CONFLICT (shard, day) DO UPDATE SET opened = finding_days.opened + excluded.opened, resolved = finding_days.resolved + excluded.resolved;
    INSERT INTO finding_open_by_asset (shard, asset_id, severity_rank, n)
        SELECT pg_backend_pid(), asset_id, severity_rank, SUM(d) FROM (SELECT asset_id, severity_rank, -1 AS d FROM old_rows WHERE status = 'open') AS x
        GROUP BY asset_id, severity_rank HAVING SUM(d) <> 0 ORDER BY asset_id, severity_rank
        ON CONFLICT (shard, asset_id, severity_rank) DO UPDATE SET n = finding_open_by_asset.n + excluded.n;
    INSERT INTO finding_open_by_ecosystem (shard, ecosystem, n)
        SELECT pg_backend_pid(), ecosystem, SUM(d) FROM (SELECT ecosystem, -1 AS d FROM old_rows WHERE status = 'open') AS x
        GROUP BY ecosystem HAVING SUM(d) <> 0 ORDER BY ecosystem
        ON CONFLICT (shard, ecosystem) DO UPDATE SET n = finding_open_by_ecosystem.n + excluded.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION findings_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO finding_days (shard, day, opened, resolved)
        SELECT pg_backend_pid(), day, SUM(o), SUM(r) FROM (SELECT (first_seen AT TIME ZONE 'UTC')::date AS day, -1 AS o, 0 AS r FROM old_rows UNION ALL SELECT (resolved_at AT TIME ZONE 'UTC')::date, 0, -1 FROM old_rows WHERE resolved_at IS NOT NULL UNION ALL SELECT (first_seen AT TIME ZONE 'UTC')::date AS day, 1 AS o, 0 AS r FROM new_rows UNION ALL SELECT (resolved_at AT TIME ZONE 'UTC')::date, 0, 1 FROM new_rows WHERE resolved_at IS NOT NULL) AS x
        GROUP BY day HAVING SUM(o) <> 0 OR SUM(r) <> 0 ORDER BY day
        ON CONFLICT (shard, day) DO UPDATE SET opened = finding_days.opened + excluded.opened, resolved = finding_days.resolved + excluded.resolved;
    INSERT INTO finding_open_by_asset (shard, asset_id, severity_rank, n)
        SELECT pg_backend_pid(), asset_id, severity_rank, SUM(d) FROM (SELECT asset_id, severity_rank, -1 AS d FROM old_rows WHERE status = 'open' UNION ALL SELECT asset_id, severity_rank, 1 AS d FROM new_rows WHERE status = 'open') AS x
        GROUP BY asset_id, severity_rank HAVING SUM(d) <> 0 ORDER BY asset_id, severity_rank
        ON CONFLICT (shard, asset_id, severity_rank) DO UPDATE SET n = finding_open_by_asset.n + excluded.n;
    INSERT INTO finding_open_by_ecosystem (shard, ecosystem, n)
        SELECT pg_backend_pid(), ecosystem, SUM(d) FROM (SELECT ecosystem, -1 AS d FROM old_rows WHERE status = 'open' UNION ALL SELECT ecosystem, 1 AS d FROM new_rows WHERE status = 'open') AS x
        GROUP BY ecosystem HAVING SUM(d) <> 0 ORDER BY ecosystem
        ON CONFLICT (shard, ecosystem) DO UPDATE SET n = finding_open_by_ecosystem.n + excluded.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER findings_tally_insert AFTER INSERT ON findings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION findings_tally_insert();
CREATE TRIGGER findings_tally_delete AFTER DELETE ON findings REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION findings_tally_delete();
CREATE TRIGGER findings_tally_update AFTER UPDATE ON findings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION findings_tally_update();
