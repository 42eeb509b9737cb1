package server

// The API of SBOM uploads.

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

func (s *Server) uploadToAsset(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.upload(w, r, who, service.Upload{Asset: model.Asset{ID: id}})
}

func (s *Server) uploadByName(w http.ResponseWriter, r *http.Request, who *principal) error {
	q := r.URL.Query()
	name := q.Get("asset")
	if name == "" {
		return errStatus(http.StatusBadRequest, "asset: the query parameter naming the asset is required")
	}
	create, err := queryBool(r, "create")
	if err != nil {
		return err
	}
	return s.upload(w, r, who, service.Upload{Asset: model.Asset{Name: name, Kind: q.Get("kind")}, Create: create})
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, who *principal, u service.Upload) error {
	u.Source = r.URL.Query().Get("source")
	if len(u.Source) > 255 {
		return errStatus(http.StatusBadRequest, "source: at most 255 characters")
	}
	var err error
	if u.AllowEmpty, err = queryBool(r, "allow_empty"); err != nil {
		return err
	}
	a, sn, err := s.ingestUpload(r, who, &u, false)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/snapshots/%d", sn.ID))
	if !who.Perms.Has(auth.PermRead) {
		// An uploader learns what it sent, not what the asset holds.
		return writeJSON(w, http.StatusCreated, api.UploadReceipt{Asset: api.AssetRef{ID: a.ID, Name: a.Name}, Snapshot: sn, Unchanged: u.Unchanged})
	}
	return writeJSON(w, http.StatusCreated, api.Ingest{Asset: a, Snapshot: sn, Unchanged: u.Unchanged, Scan: u.Scan})
}

// ingestUpload reads an upload's SBOM within the budget and stores it
// through the service, for the API and the asset page alike. With
// formFields, the multipart form's fields before the file say allow_empty
// (the page's checkbox).
func (s *Server) ingestUpload(r *http.Request, who *principal, u *service.Upload, formFields bool) (model.Asset, model.Snapshot, error) {
	u.Limit = who.uploadLimit()
	if l := u.Limit; l != nil && l.Token != nil && u.Asset.Name != "" && len(l.Token.AssetTags) == 0 &&
		!service.TokenAllows(*l.Token, model.Asset{Name: u.Asset.Name}) {
		// Held to names: refused before the asset is looked up, so the
		// answer does not tell whether it exists.
		return model.Asset{}, model.Snapshot{}, fmt.Errorf("%w: this token may upload only to assets named %s", service.ErrForbidden, strings.Join(l.Token.AssetNames, ", "))
	}
	body, err := s.readSBOM(r)
	if err != nil {
		return model.Asset{}, model.Snapshot{}, err
	}
	defer body.release()
	if formFields {
		u.AllowEmpty = body.fields.Get("allow_empty") != ""
	}
	u.Data, u.By = body.data, who.Name
	if u.Source == "" && len(body.name) <= 255 {
		u.Source = body.name
	}
	body.data = nil // Ingest lets go of it once parsed
	a, sn, err := s.Svc.Ingest(r.Context(), u)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) && u.Asset.Name != "" {
			if u.Limit == nil || u.Limit.CreateAssets {
				return a, sn, errStatus(http.StatusNotFound, "%v (pass create=true to create it)", err)
			}
			return a, sn, errStatus(http.StatusNotFound, "%v (and this token may not create assets)", err)
		}
		return a, sn, err
	}
	return a, sn, nil
}
