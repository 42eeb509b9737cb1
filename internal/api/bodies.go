package api

// Small answers.
type (
	Health struct {
		Status   string `json:"status" doc:"ok; when not ready: database unavailable or storage full"`
		Version  string `json:"version" doc:"the server's version"`
		Database string `json:"database,omitempty" doc:"the database engine (sqlite or postgres); only /readyz says, when ready"`
	}
	Me struct {
		Name   string   `json:"name" doc:"the user name, or token:NAME for an API token"`
		Role   string   `json:"role" doc:"the caller's role"`
		Scopes []string `json:"scopes" doc:"the permissions the role grants"`
	}
	Queued struct {
		JobID  int64  `json:"job_id" doc:"the ID of the sync-feed job (see GET /api/v1/jobs)"`
		Queued bool   `json:"queued" doc:"true when this request queued the job; false when a sync of the feed was already queued or running"`
		Note   string `json:"note" doc:"the same, in words"`
	}
	Error struct {
		Error  string `json:"error" doc:"what went wrong, naming the field or parameter at fault"`
		Status int    `json:"status" doc:"the HTTP status, repeated"`
	}
)

// BulkTriaged is what a bulk triage did.
type BulkTriaged struct {
	Triaged int `json:"triaged" doc:"how many findings were triaged, each with its history entry and audit event"`
}

// BulkTriage is a triage of many findings: those listed, or (without
// finding_ids) those the query parameters select, as GET /api/v1/findings
// takes them.
type BulkTriage struct {
	FindingIDs    []int64 `json:"finding_ids,omitempty" doc:"the findings to triage; absent: those the query's filters select (at most 10000)"`
	State         string  `json:"state" doc:"the new state (see POST /api/v1/findings/{id}/triage)"`
	Reason        string  `json:"reason" doc:"why, in words"`
	Justification string  `json:"justification,omitempty" doc:"with not_affected, the VEX justification"`
}

// Assignment assigns a finding.
type Assignment struct {
	Assignee string `json:"assignee" doc:"the person or team, at most 200 bytes on one line; empty unassigns"`
}

// Comment is a comment on a finding.
type Comment struct {
	Body string `json:"body" doc:"the comment, at most 4000 bytes"`
}
