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
