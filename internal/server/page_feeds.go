package server

// The feeds page: every feed with its health, a sync button and the
// recent background jobs with their progress.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
)

// recentJobs is how many of the newest jobs the feeds page lists.
const recentJobs = 50

// feedsView is what feeds.html draws.
type feedsView struct {
	Feeds []model.Feed
	Jobs  []jobRow
	// CanSync and CanAdmin say which forms the caller gets.
	CanSync, CanAdmin bool
	// Message says what the last action did (a sync queued).
	Message string
}

// jobRow is one job as the job table shows it; Feed names the feed a sync
// job reads.
type jobRow struct {
	model.Job
	Feed string
}

// Duration is how long the job ran (so far, while it runs); "" before it
// started.
func (j jobRow) Duration() string {
	switch {
	case j.StartedAt.IsZero():
		return ""
	case j.State == model.JobRunning || j.FinishedAt.Before(j.StartedAt):
		return waited(j.StartedAt)
	}
	d := j.FinishedAt.Sub(j.StartedAt)
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	return d.Round(100 * time.Millisecond).String()
}

// StateClass is the class that colours the job's state as a feed's.
func (j jobRow) StateClass() string {
	switch j.State {
	case model.JobDone:
		return "state-ok"
	case model.JobFailed:
		return "state-failing"
	}
	return "state-pending"
}

// feedOfJob is the feed a sync job reads; 0 for other jobs.
func feedOfJob(j model.Job) int64 {
	if j.Kind != model.JobSyncFeed {
		return 0
	}
	var p model.FeedPayload
	if json.Unmarshal([]byte(j.Payload), &p) != nil {
		return 0
	}
	return p.FeedID
}

// jobRows names the feeds of sync jobs; only (when not 0) keeps the jobs
// of that feed.
func jobRows(jobs []model.Job, feeds []model.Feed, only int64) []jobRow {
	names := map[int64]string{}
	for _, f := range feeds {
		names[f.ID] = f.Name
	}
	var out []jobRow
	for _, j := range jobs {
		id := feedOfJob(j)
		if only != 0 && id != only {
			continue
		}
		row := jobRow{Job: j}
		if id != 0 {
			row.Feed = names[id]
			if row.Feed == "" {
				row.Feed = fmt.Sprintf("feed %d (deleted)", id)
			}
		}
		out = append(out, row)
	}
	return out
}

func (s *Server) feedsPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	feeds, err := s.Store.Feeds(r.Context())
	if err != nil {
		return err
	}
	jobs, err := s.Store.Jobs(r.Context(), "", recentJobs)
	if err != nil {
		return err
	}
	v := feedsView{Feeds: feeds, Jobs: jobRows(jobs, feeds, 0),
		CanSync: who.Perms.Has(auth.PermTriage), CanAdmin: who.Perms.Has(auth.PermAdmin)}
	if q := r.URL.Query().Get("queued"); q != "" {
		name := "the feed"
		for _, j := range v.Jobs {
			if strconv.FormatInt(j.ID, 10) == q && j.Feed != "" {
				name = j.Feed
			}
		}
		v.Message = "Sync of " + name + " queued (job " + q + ")."
		if r.URL.Query().Get("already") != "" {
			v.Message = "A sync of " + name + " was already queued or running (job " + q + ")."
		}
	}
	return s.render(w, http.StatusOK, "feeds.html", pageData{Title: "Feeds", User: who, Data: &v})
}

// syncFeedPage queues a feed's sync, as the API's sync does, and goes
// back to the feeds page, which names the job.
func (s *Server) syncFeedPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	job, created, err := s.Svc.QueueSync(r.Context(), id, r.PostFormValue("force") != "", who.Name)
	if err != nil {
		return err
	}
	to := fmt.Sprintf("/feeds?queued=%d", job)
	if !created {
		to += "&already=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
