-- The findings list by CVSS base score (sort=score) and its score filters
-- (min_score, max_score). Each list index that gives a filter the list
-- order has a twin in score order (score, then severity rank and id, all
-- descending), so that a page by score is one index range as a page by
-- severity is: the open or resolved findings, those of one asset, of one
-- ecosystem, in KEV. findings_score_list holds what a text search can
-- match, as findings_list does, so that the search's walk by score reads
-- the index alone; the indexes the search's lookup reads
-- (findings_package_list, findings_advisory_list) now hold the score, so
-- that the lookup by score or with a score filter reads no table rows.
-- findings_list is left without the score: with it, SQLite (which plans
-- without statistics) read the rest of a score's rank by findings_list,
-- filtering on the score, instead of seeking in findings_score_list.
-- The two KEV indexes are partial: only the few findings in KEV are in
-- them, so the rest cost them nothing to write.
-- Numbered 00010 because 00009 was being written beside it.
-- Keep postgres/ in step.

-- +goose Up
CREATE INDEX findings_score_list ON findings (status, score, severity_rank, id, asset_id, vuln_id, LOWER(package));
CREATE INDEX findings_asset_score ON findings (asset_id, status, score, severity_rank, id);
CREATE INDEX findings_ecosystem_score ON findings ((ecosystem || ' ' || status), score, severity_rank, id);
DROP INDEX findings_kev;
CREATE INDEX findings_kev ON findings (status, severity_rank, id) WHERE kev = TRUE;
CREATE INDEX findings_kev_score ON findings (status, score, severity_rank, id) WHERE kev = TRUE;
DROP INDEX findings_package_list;
CREATE INDEX findings_package_list ON findings (LOWER(package), status, severity_rank, id, score);
DROP INDEX findings_advisory_list;
CREATE INDEX findings_advisory_list ON findings (vuln_id, status, severity_rank, id, score);
