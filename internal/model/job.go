package model

import "time"

// Job kinds.
const (
	JobMatchSnapshot = "match-snapshot" // payload SnapshotPayload
	JobSyncFeed      = "sync-feed"      // payload FeedPayload
	JobRematch       = "rematch"        // payload RematchPayload
)

// JobKinds lists the job kinds.
var JobKinds = []string{JobMatchSnapshot, JobRematch, JobSyncFeed, JobNotify, JobDeliver}

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// JobStates lists the states a job can be in.
var JobStates = []string{JobQueued, JobRunning, JobDone, JobFailed}

// Job is one unit of background work. Jobs live in the database, so that
// with several replicas on one PostgreSQL each job runs once: a worker
// claims a job with a row lock (FOR UPDATE SKIP LOCKED) and holds a lease it
// renews while it works; a job whose lease ran out (its worker died) is
// queued again.
type Job struct {
	ID         int64     `json:"id" doc:"the job's ID"`
	Kind       string    `json:"kind" doc:"what the job does: match-snapshot (match an uploaded snapshot), rematch (match again after advisories changed), sync-feed (read a feed), notify (look for events to notify), notify-deliver (send one notification)"`
	DedupeKey  string    `json:"dedupe_key,omitempty" doc:"while a job with this key is queued or running, the same work is not queued again; absent when none"`
	Payload    string    `json:"payload" doc:"the job's input, as JSON text"`
	State      string    `json:"state" doc:"queued (waiting, or waiting to retry), running, done or failed"`
	Attempts   int       `json:"attempts" doc:"how many times a worker has started it"`
	RunAt      time.Time `json:"run_at" doc:"when it may run next, or when it finished (UTC, RFC 3339)"`
	LockedBy   string    `json:"locked_by,omitempty" doc:"the worker running it; absent when none is"`
	CreatedAt  time.Time `json:"created_at" doc:"when it was queued (UTC, RFC 3339)"`
	StartedAt  time.Time `json:"started_at,omitzero" doc:"when a worker last started it (UTC, RFC 3339); absent before the first start"`
	FinishedAt time.Time `json:"finished_at,omitzero" doc:"when its last attempt ended (UTC, RFC 3339); absent before one has"`
	Error      string    `json:"error,omitempty" doc:"the error of its last failed attempt; absent when none failed"`
	// Progress is how far its last attempt got, as its worker reported.
	Progress JobProgress `json:"progress" doc:"how far its last attempt got, as its worker reported it"`
}

// JobProgress is how far a job is: Done of Total (0: not known) of what
// Note counts.
type JobProgress struct {
	Done  int64  `json:"done" doc:"how many it has done of what note counts"`
	Total int64  `json:"total" doc:"how many there are to do; 0 when not known"`
	Note  string `json:"note,omitempty" doc:"what is counted (files read, components matched, …); absent before the first report"`
}

// QueueStat is the queue of one kind of job: how many wait and run, and
// since when the oldest has waited.
type QueueStat struct {
	Kind    string `json:"kind" doc:"the job kind"`
	Queued  int    `json:"queued" doc:"how many jobs of the kind wait"`
	Running int    `json:"running" doc:"how many jobs of the kind run"`
	// OldestQueued is when the longest-waiting queued job was queued;
	// zero when none waits.
	OldestQueued time.Time `json:"oldest_queued,omitzero" doc:"when the longest-waiting queued job was queued (UTC, RFC 3339); absent when none waits"`
}

// SnapshotPayload is the payload of a JobMatchSnapshot job.
type SnapshotPayload struct {
	SnapshotID int64 `json:"snapshot_id"`
}

// RematchPayload is the payload of a JobRematch job: the package keys whose
// advisories changed.
type RematchPayload struct {
	Keys []string `json:"keys"`
}
