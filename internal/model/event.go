package model

import (
	"encoding/json"
	"time"
)

// Event is one state change a use case made, as the audit record keeps it:
// who, when, what kind of change, to which object, and the object's state
// before and after. Events are appended in the transaction of the change
// they record and never rewritten.
type Event struct {
	ID    int64     `json:"id" doc:"the event's ID: events are numbered in the order they were recorded"`
	At    time.Time `json:"at" doc:"when the change was made (UTC, RFC 3339)"`
	Actor string    `json:"actor" doc:"who made it: a user's name, token:<name> for an API token, cli, or the service itself (system)"`
	// Kind names the change, object type first: asset.created,
	// sbom.uploaded, token.revoked.
	Kind       string `json:"kind" doc:"what changed, as <object>.<verb>: asset.created, sbom.uploaded, feed.deleted, user.disabled, …"`
	ObjectType string `json:"object_type" doc:"the kind of object changed: asset, snapshot, feed, user, token, session, decision"`
	ObjectID   string `json:"object_id" doc:"the changed object's ID"`
	// Before and After are the object as JSON; nil where there is none
	// (before a creation, after a deletion).
	Before json.RawMessage `json:"before,omitempty" doc:"the object before the change, as JSON; absent for a creation"`
	After  json.RawMessage `json:"after,omitempty" doc:"the object after the change, as JSON; absent for a deletion"`
}

// Decision is what people decided about a vulnerability on an asset,
// apart from what matching detects: keyed by the asset, the vulnerability
// and optionally one package, so that it survives an upgrade and applies
// again when the vulnerability is detected again.
type Decision struct {
	ID      int64  `json:"id" doc:"the decision's ID"`
	AssetID int64  `json:"asset_id" doc:"the asset it is about"`
	VulnID  string `json:"vulnerability" doc:"the vulnerability: any of its advisory IDs"`
	// PackageKey limits it to one package of the asset; "" for all.
	PackageKey    string    `json:"package_key,omitempty" doc:"the one package it is about; absent for every package of the asset"`
	State         string    `json:"state" doc:"the decided state"`
	Justification string    `json:"justification,omitempty" doc:"why the vulnerability does not apply (a VEX justification); absent when none"`
	Reason        string    `json:"reason,omitempty" doc:"the decider's reason, in words; absent when none"`
	Assignee      string    `json:"assignee,omitempty" doc:"the person or team the finding is assigned to; absent when none"`
	Ticket        *Ticket   `json:"ticket,omitempty" doc:"the external ticket tracking the remediation; absent when none"`
	ExceptionID   int64     `json:"exception_id,omitempty" doc:"the approved exception that accepts the risk; absent when none"`
	DecidedBy     string    `json:"decided_by" doc:"who decided"`
	DecidedAt     time.Time `json:"decided_at" doc:"when (UTC, RFC 3339)"`
}
