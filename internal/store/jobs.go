package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// NewJob is a job to queue. A job with a DedupeKey is not queued twice:
// while one with the same key is queued or running, Enqueue returns that one.
type NewJob struct {
	Kind, DedupeKey, Payload string
	RunAt                    time.Time
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// Enqueue queues a job in a transaction of its own (see Tx.Enqueue).
func (s *Store) Enqueue(ctx context.Context, j NewJob) (id int64, created bool, err error) {
	err = s.Transact(ctx, func(tx *Tx) error {
		id, created, err = tx.Enqueue(ctx, j)
		return err
	})
	return id, created, err
}

var errDuplicateJob = errors.New("job already queued")

func enqueue(ctx context.Context, tx execer, j NewJob) (int64, error) {
	t := now()
	if j.RunAt.IsZero() {
		j.RunAt = t
	}
	if j.Payload == "" {
		j.Payload = "{}"
	}
	var dedupe any
	if j.DedupeKey != "" {
		dedupe = j.DedupeKey
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO jobs (kind, dedupe_key, payload, state, run_at, created_at)
		VALUES ($1, $2, $3, 'queued', $4, $5)
		ON CONFLICT (dedupe_key) WHERE state IN ('queued', 'running') DO NOTHING RETURNING id`,
		j.Kind, dedupe, j.Payload, j.RunAt.UTC(), t).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errDuplicateJob
	}
	return id, err
}

// Claim takes the oldest due job for worker and leases it until lease from
// now; ok is false when no job is due.
func (s *Store) Claim(ctx context.Context, worker string, lease time.Duration) (j model.Job, ok bool, err error) {
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	t := now()
	var dedupe sql.NullString
	err = s.db.QueryRowContext(ctx, `UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2,
		started_at = $3, attempts = attempts + 1, progress_done = 0, progress_total = 0, progress_note = ''
		WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 ORDER BY run_at, id LIMIT 1`+lock+`)
		RETURNING id, kind, dedupe_key, payload, attempts, run_at, created_at`,
		worker, t.Add(lease), t).Scan(&j.ID, &j.Kind, &dedupe, &j.Payload, &j.Attempts, &j.RunAt, &j.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Job{}, false, nil
	}
	if err != nil {
		return model.Job{}, false, err
	}
	j.DedupeKey, j.State, j.LockedBy, j.StartedAt = dedupe.String, model.JobRunning, worker, t
	return j, true, nil
}

// JobProgress records how far a running job is; only the worker holding
// it may (ErrLeaseLost otherwise). Callers throttle it (see the service's
// progress reports): it is one small write.
func (s *Store) JobProgress(ctx context.Context, id int64, worker string, p model.JobProgress) error {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET progress_done = $1, progress_total = $2, progress_note = $3
		WHERE id = $4 AND locked_by = $5 AND state = 'running'`, p.Done, p.Total, p.Note, id, worker)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// ErrLeaseLost is returned when a worker no longer holds a job's lease.
var ErrLeaseLost = errors.New("job lease lost")

// Renew extends a job's lease; ErrLeaseLost when another worker has it.
func (s *Store) Renew(ctx context.Context, id int64, worker string, lease time.Duration) error {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET locked_until = $1 WHERE id = $2 AND locked_by = $3 AND state = 'running'`,
		now().Add(lease), id, worker)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Finish records a job's end: done, or failed with the error. A failed job
// with retryAt set is queued again for then.
func (s *Store) Finish(ctx context.Context, id int64, worker string, jobErr error, retryAt time.Time) error {
	state, msg := model.JobDone, ""
	if jobErr != nil {
		state, msg = model.JobFailed, jobErr.Error()
		if !retryAt.IsZero() {
			state = model.JobQueued
		}
	}
	_, err := s.db.ExecContext(ctx, `UPDATE jobs SET state = $1, error = $2, finished_at = $3, run_at = $4,
		locked_by = NULL, locked_until = NULL WHERE id = $5 AND locked_by = $6`,
		state, msg, now(), nullOr(retryAt, now()), id, worker)
	return err
}

func nullOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t.UTC()
}

// Release gives a running job back to the queue untouched: a worker that is
// shutting down abandons it safely, and another worker runs it again.
func (s *Store) Release(ctx context.Context, id int64, worker string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL,
		attempts = attempts - 1 WHERE id = $1 AND locked_by = $2 AND state = 'running'`, id, worker)
	return err
}

// Reap queues again the jobs whose lease has run out, whose worker died;
// it returns how many.
func (s *Store) Reap(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL
		WHERE state = 'running' AND locked_until < $1`, now())
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// PruneJobs deletes finished jobs older than the given age.
func (s *Store) PruneJobs(ctx context.Context, age time.Duration) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < $1`, now().Add(-age))
	return err
}

// Jobs lists the newest jobs, optionally of one kind.
func (s *Store) Jobs(ctx context.Context, kind string, limit int) ([]model.Job, error) {
	q := `SELECT id, kind, dedupe_key, payload, state, attempts, run_at, locked_by, created_at, started_at,
		finished_at, error, progress_done, progress_total, progress_note FROM jobs WHERE ($1 = '' OR kind = $1) ORDER BY id DESC LIMIT $2`
	return queryAll(ctx, s.db, scanJob, q, kind, PageSize(limit))
}

func scanJob(row rowScanner) (model.Job, error) {
	var j model.Job
	var dedupe, locked sql.NullString
	var started, finished sql.NullTime
	err := row.Scan(&j.ID, &j.Kind, &dedupe, &j.Payload, &j.State, &j.Attempts, &j.RunAt, &locked,
		&j.CreatedAt, &started, &finished, &j.Error, &j.Progress.Done, &j.Progress.Total, &j.Progress.Note)
	j.DedupeKey, j.LockedBy = dedupe.String, locked.String
	j.RunAt, j.CreatedAt, j.StartedAt, j.FinishedAt = j.RunAt.UTC(), j.CreatedAt.UTC(), timeOf(started), timeOf(finished)
	return j, err
}

// JobCounts counts jobs by state, for /metrics and the overview.
func (s *Store) JobCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := queryRows(ctx, s.db, `SELECT state, COUNT(*) FROM jobs GROUP BY state`, nil, func(rows *sql.Rows) error {
		var st string
		var n int
		err := rows.Scan(&st, &n)
		out[st] = n
		return err
	})
	return out, err
}

// Queue reports the job queue by kind (every kind, waiting or not), for
// /metrics and the overview: a growing match queue is why findings lag
// behind uploads.
func (s *Store) Queue(ctx context.Context) ([]model.QueueStat, error) {
	byKind := map[string]*model.QueueStat{}
	out := make([]model.QueueStat, len(model.JobKinds))
	for i, k := range model.JobKinds {
		out[i].Kind = k
		byKind[k] = &out[i]
	}
	err := queryRows(ctx, s.db, `SELECT kind, state, COUNT(*) FROM jobs
		WHERE state IN ('queued', 'running') GROUP BY kind, state`, nil, func(rows *sql.Rows) error {
		var kind, state string
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return err
		}
		if q := byKind[kind]; q != nil && state == model.JobQueued {
			q.Queued = n
		} else if q != nil {
			q.Running = n
		}
		return nil
	})
	for i := range out {
		if err != nil || out[i].Queued == 0 {
			continue
		}
		// Not MIN(created_at): SQLite hands an aggregate back as text. A
		// job claimed since the count leaves none, or a younger one.
		err = s.db.QueryRowContext(ctx, `SELECT created_at FROM jobs WHERE state = 'queued' AND kind = $1
			ORDER BY id LIMIT 1`, out[i].Kind).Scan(&out[i].OldestQueued)
		if errors.Is(err, sql.ErrNoRows) {
			out[i].Queued, err = 0, nil
		}
		out[i].OldestQueued = out[i].OldestQueued.UTC()
	}
	return out, err
}
