-- nvd_records: NVD's CVE records (CVE API 2.0), one row a CVE, from the
-- nvd feeds. metrics is the JSON list of the record's CVSS metrics (NVD's
-- and each CNA's, every version) that severity from aliases reads; record
-- is the whole record as vulndesk keeps it (status, weaknesses,
-- references, configurations for CPE matching). feed_id names the feed
-- that last wrote it; deleting that feed deletes its records.
-- feeds.synced_through: for an NVD API feed, the end of the last
-- lastModified window stored, where the next sync starts.
-- findings.severity_info: the severity shown with where it came from and
-- the conflicting ratings (JSON); severity_since: when the rating shown
-- was last set — an SLA clock input that a re-rating moves.
-- Keep sqlite/ in step.

-- +goose Up
CREATE TABLE nvd_records (
    id            TEXT PRIMARY KEY,
    feed_id       BIGINT REFERENCES feeds (id) ON DELETE CASCADE,
    vuln_status   TEXT NOT NULL DEFAULT '',
    published     TIMESTAMPTZ,
    last_modified TIMESTAMPTZ NOT NULL,
    metrics       TEXT NOT NULL DEFAULT '[]',
    record        TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX nvd_records_feed ON nvd_records (feed_id);
ALTER TABLE feeds ADD COLUMN synced_through TIMESTAMPTZ;
ALTER TABLE findings ADD COLUMN severity_info TEXT NOT NULL DEFAULT '{}';
ALTER TABLE findings ADD COLUMN severity_since TIMESTAMPTZ;
