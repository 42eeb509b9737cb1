-- KEV and EPSS attach to findings by every ID of their advisory. Those IDs
-- were written per finding (finding_aliases: three rows a finding, most of
-- the rows a match wrote); they are now kept once per advisory, and a
-- finding reaches them by its advisory (findings_advisory_list).
-- findings_asset is dropped: the unique (asset_id, pkey, version, vuln_id)
-- index serves what it did. content_hash is a digest of what a match writes
-- into a finding, so that a re-match compares it instead of reading every
-- summary and evidence; rows from before it have none and are written
-- once, at their next match. Keep postgres/ in step.

-- +goose Up
CREATE TABLE advisory_aliases (
    alias TEXT NOT NULL,
    advisory_id TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    PRIMARY KEY (alias, advisory_id)
);
CREATE INDEX advisory_aliases_advisory ON advisory_aliases (advisory_id);
INSERT INTO advisory_aliases (alias, advisory_id) SELECT id, id FROM advisories;
INSERT OR IGNORE INTO advisory_aliases (alias, advisory_id) SELECT j.value, a.id FROM advisories a, json_each(a.aliases) AS j;
DROP TABLE finding_aliases;
DROP INDEX findings_asset;
ALTER TABLE findings ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
