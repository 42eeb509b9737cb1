-- events: the append-only record of every state change a use case makes,
-- written in the same transaction as the change (who, when, what kind, the
-- object, its state before and after as JSON; '' where there is none).
-- Rows are only ever inserted.
-- decisions: what people decided about a vulnerability on an asset, apart
-- from what matching detects. Keyed by (asset, vulnerability, package key;
-- '' for every package of the asset), not by finding, so that a decision
-- survives an upgrade (a new finding row) and applies again when the
-- vulnerability is detected again. Keep sqlite/ in step.

-- +goose Up
CREATE TABLE events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    before      TEXT NOT NULL DEFAULT '',
    after       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_object ON events (object_type, object_id, id);

CREATE TABLE decisions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id      BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    vuln_id       TEXT NOT NULL,
    pkey          TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,
    justification TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL,
    decided_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (asset_id, vuln_id, pkey)
);
