-- The audit log is hash-chained: every event has a chain position (seq,
-- 1, 2, 3, … in commit order), the hash of the event before it
-- (prev_hash; '' for the first) and its own hash, SHA-256 over a canonical
-- encoding of the event and prev_hash (see store/audit.go). An edited,
-- deleted, inserted or reordered event breaks the chain, and
-- `vulndesk audit verify` names the first one that does.
-- audit_head is the chain's one-row head: the last seq and hash. A
-- transaction locks it to append its events, so the chain is linear in
-- commit order even with several replicas; a deleted tail event shows as a
-- chain shorter than its head.
-- Events recorded before this migration have no seq: the store chains them,
-- in id order, when it opens the database (Store.chainUnchained).
-- Keep sqlite/ in step.

-- +goose Up
ALTER TABLE events ADD COLUMN seq BIGINT;
ALTER TABLE events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX events_seq ON events (seq);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
