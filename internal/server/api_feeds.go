package server

// The API of feeds.

import (
	"net/http"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

func (s *Server) listFeeds(w http.ResponseWriter, r *http.Request, _ *principal) error {
	feeds, err := s.Store.Feeds(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.Feed]{Items: feeds})
}

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
