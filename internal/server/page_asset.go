package server

// The asset page: an asset's metadata, open findings, current inventory a
// page at a time, snapshot history with a diff form, and the SBOM upload
// form, whose POST (all or nothing) comes back here.

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
)

// componentsPageSize is how many components a page of the inventory
// shows; snapshotsShown how many snapshots the history lists.
const componentsPageSize, snapshotsShown = 100, 100

// assetView is what asset.html draws.
type assetView struct {
	model.Asset
	CriticalityText string
	// Open counts the open findings, BySeverity by severity.
	Open       int
	BySeverity map[string]int
	// Snapshots are the newest snapshots, newest first; Older counts
	// those not listed.
	Snapshots []model.Snapshot
	Older     int
	Current   *model.Snapshot
	// Components are a page of the current inventory after the component
	// ID After; NextComponents is the next page's URL.
	Components     []model.SnapshotComponent
	After          int64
	NextComponents string
	// Uploaded is the snapshot just uploaded (?uploaded=), when it is one
	// of the asset's.
	Uploaded *model.Snapshot
	// UploadError says why an upload was refused.
	UploadError        string
	CanEdit, CanUpload bool
	DiffFrom, DiffTo   int64
}

func (s *Server) assetPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d := pageData{Title: "Asset", User: who}
	a, err := s.pageAsset(r)
	if err != nil {
		return s.pageError(w, "asset.html", d, err)
	}
	v, err := s.assetViewOf(r, who, a)
	if err != nil {
		return s.pageError(w, "asset.html", d, err)
	}
	d.Title, d.Data = a.Name, v
	return s.render(w, http.StatusOK, "asset.html", d)
}

// assetViewOf gathers what the asset page shows; a bad ?after= or
// ?uploaded= is a 400.
func (s *Server) assetViewOf(r *http.Request, who *principal, a model.Asset) (*assetView, error) {
	ctx := r.Context()
	v := &assetView{Asset: a, CriticalityText: criticalityName(a.Criticality),
		CanEdit: who.Perms.Has(auth.PermTriage), CanUpload: who.Perms.Has(auth.PermUpload)}
	var err error
	if v.BySeverity, err = s.Store.OpenFindingCounts(ctx, a.ID); err != nil {
		return nil, err
	}
	for _, n := range v.BySeverity {
		v.Open += n
	}
	snaps, err := s.Store.Snapshots(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if len(snaps) > 1 {
		v.DiffFrom, v.DiffTo = snaps[1].ID, snaps[0].ID
	}
	q := r.URL.Query()
	if up := q.Get("uploaded"); up != "" {
		id, err := strconv.ParseInt(up, 10, 64)
		if err != nil {
			return nil, errStatus(http.StatusBadRequest, "uploaded %q: not a snapshot ID", up)
		}
		for i := range snaps {
			if snaps[i].ID == id {
				v.Uploaded = &snaps[i]
			}
		}
	}
	for i := range snaps {
		if snaps[i].ID == a.CurrentSnapshotID {
			v.Current = &snaps[i]
		}
	}
	if len(snaps) > snapshotsShown {
		snaps, v.Older = snaps[:snapshotsShown], len(snaps)-snapshotsShown
	}
	v.Snapshots = snaps
	if v.Current == nil {
		return v, nil
	}
	if c := q.Get("after"); c != "" {
		if v.After, err = strconv.ParseInt(c, 10, 64); err != nil || v.After < 0 {
			return nil, errStatus(http.StatusBadRequest, "after %q: not a component ID (follow the next-page link)", c)
		}
	}
	if v.Components, err = s.Store.ComponentsPage(ctx, v.Current.ID, v.After, componentsPageSize); err != nil {
		return nil, err
	}
	if len(v.Components) == componentsPageSize {
		v.NextComponents = fmt.Sprintf("/assets/%d?after=%d#inventory", a.ID, v.Components[len(v.Components)-1].ID)
	}
	return v, nil
}

// uploadPage stores an SBOM sent with the asset page's form, as the API's
// upload does, and goes back to the page, which says what was stored. A
// refused file stores nothing: the page is shown again with the reason.
func (s *Server) uploadPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d := pageData{Title: "Asset", User: who}
	id, err := pathID(r)
	if err != nil {
		return s.pageError(w, "asset.html", d, err)
	}
	a, sn, err := s.ingestUpload(r, who, &service.Upload{Asset: model.Asset{ID: id}}, true)
	if err == nil && !who.Perms.Has(auth.PermRead) {
		// An uploader may not see the asset page: a receipt of what it sent.
		return s.render(w, http.StatusCreated, "uploaded.html", pageData{Title: "SBOM uploaded", User: who,
			Data: api.UploadReceipt{Asset: api.AssetRef{ID: a.ID, Name: a.Name}, Snapshot: sn}})
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/assets/%d?uploaded=%d", id, sn.ID), http.StatusSeeOther)
		return nil
	}
	status, msg := statusOf(err)
	if status == 0 || status == http.StatusNotFound || !who.Perms.Has(auth.PermRead) {
		return err // the error page: a missing asset, a busy server, a full disk; or a caller who may not read the asset
	}
	if a, err = s.pageAsset(r); err != nil {
		return err
	}
	v, verr := s.assetViewOf(r, who, a)
	if verr != nil {
		return verr
	}
	v.UploadError = msg
	d.Title, d.Data = a.Name, v
	return s.render(w, status, "asset.html", d)
}
