-- Which feeds supply each advisory, so that deleting a feed withdraws the
-- advisories only it supplied (advisories.feed_id names only the last feed
-- that wrote one, and none that held it unchanged). url_secret keeps a
-- feed URL that carries credentials, never shown: url holds it redacted.
-- The errors stored before could quote a feed source's content (the first
-- line of a file that was no feed), for every auditor to read: they are
-- cleared. Keep postgres/ in step.

-- +goose Up
CREATE TABLE advisory_feeds (
    advisory_id TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    feed_id     INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    PRIMARY KEY (advisory_id, feed_id)
);
CREATE INDEX advisory_feeds_feed ON advisory_feeds (feed_id, advisory_id);
INSERT INTO advisory_feeds (advisory_id, feed_id) SELECT id, feed_id FROM advisories WHERE feed_id IS NOT NULL;
ALTER TABLE feeds ADD COLUMN url_secret TEXT NOT NULL DEFAULT '';
UPDATE feeds SET last_error = 'cleared on upgrade: errors no longer quote the source' WHERE last_error <> '';
UPDATE jobs SET error = 'cleared on upgrade: errors no longer quote the source' WHERE kind = 'sync-feed' AND error <> '';
