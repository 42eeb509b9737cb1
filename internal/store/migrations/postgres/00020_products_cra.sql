-- CRA (issue 14, part cra): the products the organisation makes (CRA
-- Art. 13(8)): an asset marked as a product, with its public name, the
-- last day of its support period (YYYY-MM-DD), its support policy,
-- security contact, the Member States it is made available in, and
-- whether it is published (listed on the public policy page and report
-- form). Outbound reports: what the team sent to others — escalations to
-- the national CSIRT (NIS2 Art. 12) and reports to upstream maintainers
-- of components (CRA Art. 13(6)) — with date, reference and the answer.
-- CRA Art. 14 clocks: an actively exploited vulnerability in a product
-- starts one (awareness, the three reports' drafts, the date a corrective
-- or mitigating measure became available) and each report's submission is
-- recorded once. case_id columns hold a disclosure case's ID (migration
-- 00019) as a plain integer without a foreign key: cases are never
-- deleted, and the service checks the case (wired when the cases part
-- is merged). A clock or report outlives
-- its asset and finding (SET NULL): it keeps the product's name and the
-- vulnerability as they were. Keep sqlite/ in step.

-- +goose Up
CREATE TABLE products (
    asset_id         BIGINT PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    support_end      TEXT NOT NULL,
    support_policy   TEXT NOT NULL DEFAULT '',
    security_contact TEXT NOT NULL DEFAULT '',
    member_states    TEXT NOT NULL DEFAULT '[]',
    published        BOOLEAN NOT NULL DEFAULT FALSE,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_by       TEXT NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE outbound_reports (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             TEXT NOT NULL,
    case_id          BIGINT,
    finding_id       BIGINT REFERENCES findings (id) ON DELETE SET NULL,
    recipient        TEXT NOT NULL,
    component        TEXT NOT NULL DEFAULT '',
    upstream_project TEXT NOT NULL DEFAULT '',
    channel          TEXT NOT NULL,
    reference        TEXT NOT NULL DEFAULT '',
    summary          TEXT NOT NULL DEFAULT '',
    sent_at          TIMESTAMPTZ NOT NULL,
    status           TEXT NOT NULL,
    response         TEXT NOT NULL DEFAULT '',
    responded_at     TIMESTAMPTZ,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX outbound_reports_case ON outbound_reports (case_id, id);
CREATE INDEX outbound_reports_finding ON outbound_reports (finding_id, id);

CREATE TABLE cra_clocks (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id      BIGINT REFERENCES assets (id) ON DELETE SET NULL,
    finding_id    BIGINT REFERENCES findings (id) ON DELETE SET NULL,
    case_id       BIGINT,
    product       TEXT NOT NULL,
    vulnerability TEXT NOT NULL,
    aware_at      TIMESTAMPTZ NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    mitigation_at TIMESTAMPTZ,
    mitigation    TEXT NOT NULL DEFAULT '',
    drafts        TEXT NOT NULL DEFAULT '{}',
    started_by    TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX cra_clocks_finding ON cra_clocks (finding_id) WHERE finding_id IS NOT NULL;
CREATE INDEX cra_clocks_case ON cra_clocks (case_id) WHERE case_id IS NOT NULL;

CREATE TABLE cra_submissions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clock_id     BIGINT NOT NULL REFERENCES cra_clocks (id) ON DELETE CASCADE,
    report       TEXT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL,
    channel      TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    submitted_by TEXT NOT NULL,
    content      TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (clock_id, report)
);
