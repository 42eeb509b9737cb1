package model

import (
	"bytes"
	"encoding/json"
	"time"
)

// Exception scopes: what an exception accepts the risk of.
const (
	ScopeFindings  = "findings"  // the findings listed
	ScopeAdvisory  = "advisory"  // one vulnerability (any of its IDs) on every asset
	ScopeComponent = "component" // one component (a package URL) on every asset
)

// ExceptionScopes lists the scopes.
var ExceptionScopes = []string{ScopeFindings, ScopeAdvisory, ScopeComponent}

// Exception states.
const (
	ExceptionRequested = "requested"
	ExceptionApproved  = "approved"
	ExceptionRejected  = "rejected"
	ExceptionExpired   = "expired"
	ExceptionRevoked   = "revoked"
)

// ExceptionStates lists the states of an exception.
var ExceptionStates = []string{ExceptionRequested, ExceptionApproved, ExceptionRejected, ExceptionExpired, ExceptionRevoked}

// DefaultExceptionMaxDays is how far ahead an exception may expire unless
// an administrator sets otherwise.
const DefaultExceptionMaxDays = 365

// Exception is a request to accept the risk of findings, and what became
// of it: approved by someone other than the requester, it turns them
// risk_accepted until it expires (or a vulnerability of it enters CISA
// KEV, which revokes it), when they reopen.
type Exception struct {
	ID                   int64     `json:"id" doc:"the exception's ID"`
	Scope                string    `json:"scope" doc:"what it covers: findings (those listed), advisory (one vulnerability on every asset) or component (one package URL on every asset)"`
	ScopeValue           string    `json:"scope_value,omitempty" doc:"the advisory ID or package URL of an advisory or component scope"`
	Reason               string    `json:"reason" doc:"why the risk is accepted"`
	CompensatingControls string    `json:"compensating_controls,omitempty" doc:"what reduces the risk meanwhile (required for legacy and end-of-life assets)"`
	RequestedBy          string    `json:"requested_by" doc:"who asked for it"`
	RequestedAt          time.Time `json:"requested_at" doc:"when (UTC, RFC 3339)"`
	ExpiresAt            time.Time `json:"expires_at" doc:"when it ends and its findings reopen (UTC, RFC 3339)"`
	State                string    `json:"state" doc:"requested, approved, rejected, expired or revoked"`
	DecidedBy            string    `json:"decided_by,omitempty" doc:"who approved or rejected it (never the requester)"`
	DecidedAt            time.Time `json:"decided_at,omitzero" doc:"when (UTC, RFC 3339)"`
	EndedAt              time.Time `json:"ended_at,omitzero" doc:"when it expired or was revoked"`
	EndReason            string    `json:"end_reason,omitempty" doc:"why it ended, e.g. CVE-2021-44228 entered CISA KEV"`
	FindingIDs           []int64   `json:"finding_ids" doc:"the findings it covers"`
}

// ExceptionInput is a request for an exception: one scope (finding_ids,
// advisory or component), the reason, compensating controls and expiry.
type ExceptionInput struct {
	FindingIDs           []int64   `json:"finding_ids,omitempty" doc:"the findings to accept the risk of (one of finding_ids, advisory, component)"`
	Advisory             string    `json:"advisory,omitempty" doc:"an advisory ID or alias: its open findings on every asset"`
	Component            string    `json:"component,omitempty" doc:"a package URL, with or without version: its open findings on every asset"`
	Reason               string    `json:"reason" doc:"why the risk is accepted (required)"`
	CompensatingControls string    `json:"compensating_controls,omitempty" doc:"what reduces the risk meanwhile; required when a finding is on a legacy or end-of-life asset"`
	ExpiresAt            time.Time `json:"expires_at" doc:"when it ends (required; in the future, at most the configured maximum ahead, one year by default)"`
}

// ExceptionDecision is an approval or rejection.
type ExceptionDecision struct {
	Reason string `json:"reason,omitempty" doc:"a note with the decision"`
}

// UnmarshalJSON reads an exception request strictly (unknown fields are
// refused), taking expires_at as an RFC 3339 time or as a date
// (2027-03-01), which means the end of that day in UTC: an exception
// holds through the date it names.
func (in *ExceptionInput) UnmarshalJSON(data []byte) error {
	type plain ExceptionInput
	var raw struct {
		plain
		ExpiresAt string `json:"expires_at"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	*in = ExceptionInput(raw.plain)
	if raw.ExpiresAt == "" {
		return nil
	}
	if d, err := time.Parse(time.DateOnly, raw.ExpiresAt); err == nil {
		in.ExpiresAt = d.AddDate(0, 0, 1).Add(-time.Second)
		return nil
	}
	t, err := time.Parse(time.RFC3339, raw.ExpiresAt)
	if err != nil {
		return Invalidf("expires_at %q: an RFC 3339 time (2027-03-01T00:00:00Z) or a date (2027-03-01)", raw.ExpiresAt)
	}
	in.ExpiresAt = t
	return nil
}
