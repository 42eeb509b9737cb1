package server

// The API of feeds.

import (
	"net/http"

	"github.com/vulndesk/vulndesk/internal/api"
)

func (s *Server) syncFeed(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	force, err := queryBool(r, "force")
	if err != nil {
		return err
	}
	job, created, err := s.Svc.QueueSync(r.Context(), id, force, who.Name)
	if err != nil {
		return err
	}
	q := api.Queued{JobID: job, Queued: created, Note: "sync queued"}
	if !created {
		q.Note = "a sync of this feed is already queued or running"
	}
	return writeJSON(w, http.StatusAccepted, q)
}
