-- Triage: what people decide about findings, apart from what matching
-- detects (see 00008's decisions), with its history; remediation clocks
-- and SSVC priorities on the findings; exceptions (risk acceptance); the
-- SLA policy's versions; dated KEV and EPSS history. Keep sqlite/ in step.
--
-- findings.state is the human state of the finding, copied from its
-- decision (new when there is none) so that lists filter on it by index;
-- the service writes both in one transaction. closed_at is when the
-- finding's remediation clock stopped: detection resolved it, or someone
-- decided not_affected, false_positive or (by an approved exception)
-- risk_accepted; NULL while it runs. sla_due_at and sla_soon_at (when it
-- turns due_soon) are the clock's deadline, NULL without one; sla_clock
-- is the whole clock as JSON (sla.Clock), with the policy version that set
-- it. priority is the SSVC decision, priority_rank its rank (track 1 …
-- act 4) and priority_inputs the inputs and outcome it came from (JSON).

-- +goose Up
ALTER TABLE findings ADD COLUMN state TEXT NOT NULL DEFAULT 'new';
ALTER TABLE findings ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN closed_at TIMESTAMPTZ;
ALTER TABLE findings ADD COLUMN reopened_at TIMESTAMPTZ;
ALTER TABLE findings ADD COLUMN sla_due_at TIMESTAMPTZ;
ALTER TABLE findings ADD COLUMN sla_soon_at TIMESTAMPTZ;
ALTER TABLE findings ADD COLUMN sla_clock TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN priority TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN priority_inputs TEXT NOT NULL DEFAULT '';
-- Findings resolved before triage existed: their clocks stopped when they
-- were resolved, and those an upgrade resolved are fixed.
UPDATE findings SET closed_at = resolved_at,
    state = CASE WHEN resolution = 'upgrade' THEN 'fixed' ELSE state END
    WHERE status = 'resolved';
CREATE INDEX findings_state_list ON findings (state, status, severity_rank, id);
CREATE INDEX findings_assignee_list ON findings (assignee, status, severity_rank, id) WHERE assignee <> '';
CREATE INDEX findings_priority_list ON findings (priority_rank, status, severity_rank, id);
-- The list by SLA state walks the running clocks in the list's order and
-- tests their deadlines, and any state or priority asked for with them,
-- in the index. (An index by deadline gave them in the wrong order: a page
-- read every breached finding and sorted them.)
CREATE INDEX findings_clock_list ON findings (status, severity_rank, id, sla_due_at, sla_soon_at, state, priority_rank) WHERE closed_at IS NULL;
CREATE INDEX findings_unassessed ON findings (id) WHERE sla_clock = '';

ALTER TABLE decisions ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN ticket_url TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN ticket_key TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN exception_id BIGINT;
ALTER TABLE decisions ADD COLUMN prior_state TEXT NOT NULL DEFAULT '';

-- One row per change of what is decided about a vulnerability on an
-- asset (the decisions key: asset, vulnerability, package): state
-- transitions by people and by detection (fixed by an upgrade, reopened
-- when detected again), assignments, comments, ticket references. Keyed
-- like decisions, not by finding, so that the history follows the finding
-- across upgrades; there need be no decision row (detection alone).
-- Rows are only ever inserted.
CREATE TABLE decision_history (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id      BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    vuln_id       TEXT NOT NULL,
    pkey          TEXT NOT NULL,
    finding_id    BIGINT,
    at            TIMESTAMPTZ NOT NULL,
    actor         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    from_state    TEXT NOT NULL DEFAULT '',
    to_state      TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    justification TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX decision_history_key ON decision_history (asset_id, vuln_id, pkey, id);

CREATE TABLE exceptions (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope                 TEXT NOT NULL,
    scope_value           TEXT NOT NULL DEFAULT '',
    reason                TEXT NOT NULL,
    compensating_controls TEXT NOT NULL DEFAULT '',
    requested_by          TEXT NOT NULL,
    requested_at          TIMESTAMPTZ NOT NULL,
    expires_at            TIMESTAMPTZ NOT NULL,
    state                 TEXT NOT NULL,
    decided_by            TEXT NOT NULL DEFAULT '',
    decided_at            TIMESTAMPTZ,
    ended_at              TIMESTAMPTZ,
    end_reason            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX exceptions_state ON exceptions (state, expires_at);

-- The findings an exception covers; kev_at_approval notes those already
-- in CISA KEV when it was approved: a vulnerability entering KEV later
-- revokes the exception.
CREATE TABLE exception_findings (
    exception_id BIGINT NOT NULL REFERENCES exceptions (id) ON DELETE CASCADE,
    finding_id   BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    kev_at_approval BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (exception_id, finding_id)
);
CREATE INDEX exception_findings_finding ON exception_findings (finding_id);

-- Every version of the SLA policy (sla.Policy as JSON); the highest is in
-- force. Versions are only ever added.
CREATE TABLE sla_policies (
    version    INTEGER PRIMARY KEY,
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Settings an administrator changes at run time, by name (JSON values).
CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Dated KEV and EPSS history: a row each time a catalog entry appears,
-- changes or leaves (kev), or a score of a CVE some finding names changes
-- (epss). Never updated: a past priority is re-derived from what was
-- known then.
CREATE TABLE kev_history (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cve         TEXT NOT NULL,
    change      TEXT NOT NULL,
    date_added  TIMESTAMPTZ,
    due_date    TIMESTAMPTZ,
    ransomware  BOOLEAN NOT NULL DEFAULT FALSE,
    catalog     TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX kev_history_cve ON kev_history (cve, id);

ALTER TABLE epss ADD COLUMN model_version TEXT NOT NULL DEFAULT '';
CREATE TABLE epss_history (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cve           TEXT NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    percentile    DOUBLE PRECISION NOT NULL,
    score_date    TIMESTAMPTZ,
    model_version TEXT NOT NULL DEFAULT '',
    recorded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX epss_history_cve ON epss_history (cve, id);
