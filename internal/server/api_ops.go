package server

// The API of operations: health, readiness, who the caller is, the
// overview and the job queue.

import (
	"net/http"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return writeJSON(w, http.StatusOK, api.Health{Status: "ok", Version: s.Version})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ *principal) error {
	if err := s.Store.Ready(r.Context()); err != nil {
		s.Log.Warn("not ready", "error", err)
		// Anyone may ask: the answer names the cause, the log has the detail.
		status := "database unavailable"
		if store.IsFull(err) {
			status = "storage full"
		}
		return writeJSON(w, http.StatusServiceUnavailable, api.Health{Status: status, Version: s.Version})
	}
	return writeJSON(w, http.StatusOK, api.Health{Status: "ok", Version: s.Version, Database: string(s.Store.Dialect())})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, who *principal) error {
	return writeJSON(w, http.StatusOK, api.Me{Name: who.Name, Role: string(who.Role), Scopes: who.Perms.Scopes()})
}

func (s *Server) overviewOf(r *http.Request) (api.Overview, error) {
	sum, err := s.Store.Summary(r.Context())
	if err != nil {
		return api.Overview{}, err
	}
	feeds, err := s.Store.Feeds(r.Context())
	if err != nil {
		return api.Overview{}, err
	}
	queue, err := s.Store.Queue(r.Context())
	return api.Overview{Summary: sum, Feeds: feeds, Queue: queue}, err
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, _ *principal) error {
	o, err := s.overviewOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request, _ *principal) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	kind := r.URL.Query().Get("kind")
	if kind != "" && !slices.Contains(model.JobKinds, kind) {
		return errStatus(http.StatusBadRequest, "kind %q: one of %s", kind, strings.Join(model.JobKinds, ", "))
	}
	jobs, err := s.Store.Jobs(r.Context(), kind, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.Job]{Items: jobs})
}
