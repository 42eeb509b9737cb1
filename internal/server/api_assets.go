package server

// The API of assets and their inventory snapshots.

import (
	"net/http"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

func (s *Server) listAssets(w http.ResponseWriter, r *http.Request, _ *principal) error {
	f := store.AssetFilter{Text: r.URL.Query().Get("q")}
	var err error
	if f.After, err = queryCursor(r); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(r); err != nil {
		return err
	}
	items, err := s.Store.Assets(r.Context(), f)
	if err != nil {
		return err
	}
	p := api.Page[model.Asset]{Items: items}
	if len(items) > 0 && len(items) == store.PageSize(f.Limit) {
		p.NextCursor = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) listSnapshots(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := parentID(r, "asset", s.Store.Asset)
	if err != nil {
		return err
	}
	snaps, err := s.Store.Snapshots(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.Snapshot]{Items: snaps})
}

func (s *Server) listComponents(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := parentID(r, "snapshot", s.Store.Snapshot)
	if err != nil {
		return err
	}
	after, err := queryCursor(r)
	if err != nil {
		return err
	}
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	comps, err := s.Store.ComponentsPage(r.Context(), id, after, store.PageSize(limit))
	if err != nil {
		return err
	}
	p := api.Page[model.SnapshotComponent]{Items: comps}
	if p.Items == nil {
		p.Items = []model.SnapshotComponent{}
	}
	if len(comps) == store.PageSize(limit) {
		p.NextCursor = strconv.FormatInt(comps[len(comps)-1].ID, 10)
	}
	return writeJSON(w, http.StatusOK, p)
}
