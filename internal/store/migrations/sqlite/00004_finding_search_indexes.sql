-- Text search, two ways. A term that matches much is looked for in the
-- first rows of the list: findings_list now also holds what a term can
-- match (asset, advisory, package name in lower case), so that walk reads
-- the index alone. A rarer term's matches are read from indexes that lead
-- with the package name or the advisory and hold the list keys (severity
-- rank, id); only the page's findings are then read in full.
-- The ecosystem list index leads with ecosystem and status as one key, the
-- form the findings query filters by, so that no other index can give the
-- list order (PostgreSQL walked findings_list and filtered it, reading
-- every finding ranked above the ecosystem's). Keep postgres/ in step.

-- +goose Up
DROP INDEX findings_list;
CREATE INDEX findings_list ON findings (status, severity_rank, id, asset_id, vuln_id, LOWER(package));
DROP INDEX findings_package_lc;
CREATE INDEX findings_package_list ON findings (LOWER(package), status, severity_rank, id);
CREATE INDEX findings_advisory_list ON findings (vuln_id, status, severity_rank, id);
DROP INDEX findings_ecosystem_list;
CREATE INDEX findings_ecosystem_list ON findings ((ecosystem || ' ' || status), severity_rank, id);
