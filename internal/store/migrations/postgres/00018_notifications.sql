-- Notifications: channels (a webhook URL with the secret that signs its
-- requests, or an email address), the rules that say which events each
-- channel hears of, the events already notified (one row per event kind,
-- subject and rule: an event is sent once), the deliveries (one message
-- to a channel, sent by a notify-deliver job) and every attempt at one.
-- notify_marks holds the detection's watermarks by name. The secret is
-- kept as it is, not hashed: signing needs it. Keep sqlite/ in step.

-- +goose Up
CREATE TABLE notify_channels (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    secret     TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE notify_rules (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id   BIGINT NOT NULL REFERENCES notify_channels (id) ON DELETE CASCADE,
    events       TEXT NOT NULL,
    assets       TEXT NOT NULL DEFAULT '[]',
    tags         TEXT NOT NULL DEFAULT '[]',
    owners       TEXT NOT NULL DEFAULT '[]',
    min_priority TEXT NOT NULL DEFAULT '',
    digest       BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX notify_rules_channel ON notify_rules (channel_id);

CREATE TABLE notify_deliveries (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id   BIGINT NOT NULL REFERENCES notify_channels (id) ON DELETE CASCADE,
    event        TEXT NOT NULL,
    body         TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    last_status  BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    next_at      TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ
);
CREATE INDEX notify_deliveries_list ON notify_deliveries (channel_id, state, id);
CREATE INDEX notify_deliveries_state ON notify_deliveries (state, id);

CREATE TABLE notify_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES notify_deliveries (id) ON DELETE CASCADE,
    attempt     BIGINT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    status      BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notify_attempts_delivery ON notify_attempts (delivery_id, id);

-- delivery_id is NULL while a digest rule's event waits for its day's
-- digest.
CREATE TABLE notification_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    rule_id     BIGINT NOT NULL REFERENCES notify_rules (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    item        TEXT NOT NULL,
    delivery_id BIGINT REFERENCES notify_deliveries (id) ON DELETE SET NULL,
    UNIQUE (kind, subject, rule_id)
);
CREATE INDEX notification_events_digest ON notification_events (rule_id, at) WHERE delivery_id IS NULL;

CREATE TABLE notify_marks (
    name TEXT PRIMARY KEY,
    at   TIMESTAMPTZ NOT NULL
);
