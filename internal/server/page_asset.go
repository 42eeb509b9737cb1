package server

// The asset page: an asset's metadata, open findings, current inventory a
// page at a time, snapshot history with a diff form, and the SBOM upload
// form, whose POST (all or nothing) comes back here.

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

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
	// Scans are the newest scan records; ScanDue when the next scan is
	// due (by the cadence for the asset's exposure, ScanEvery days) and
	// ScanOverdue whether that has passed. SameSBOM tells that the SBOM
	// just uploaded was the current one (?unchanged=); Recorded is the
	// external scan just recorded (?recorded=), ScanError why one was
	// refused.
	Scans       []model.ScanRecord
	ScanDue     time.Time
	ScanEvery   int
	ScanOverdue bool
	SameSBOM    bool
	Recorded    *model.ScanRecord
	ScanError   string
}

// scansShown is how many scan records the asset page lists.
const scansShown = 10

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
	if err := s.assetScans(r, v); err != nil {
		return nil, err
	}
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
	u := &service.Upload{Asset: model.Asset{ID: id}}
	a, sn, err := s.ingestUpload(r, who, u, true)
	if err == nil && !who.Perms.Has(auth.PermRead) {
		// An uploader may not see the asset page: a receipt of what it sent.
		return s.render(w, http.StatusCreated, "uploaded.html", pageData{Title: "SBOM uploaded", User: who,
			Data: api.UploadReceipt{Asset: api.AssetRef{ID: a.ID, Name: a.Name}, Snapshot: sn}})
	}
	if err == nil {
		to := fmt.Sprintf("/assets/%d?uploaded=%d", id, sn.ID)
		if u.Unchanged {
			to += "&unchanged=true"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
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

// assetScans fills the asset page's scans: the newest records and when
// the next scan is due.
func (s *Server) assetScans(r *http.Request, v *assetView) error {
	ctx := r.Context()
	var err error
	if v.Scans, err = s.Store.ScanRecords(ctx, v.ID, 0, scansShown); err != nil {
		return err
	}
	c, err := s.Svc.ScanCadence(ctx)
	if err != nil {
		return err
	}
	last, err := s.Store.LastScanAt(ctx, v.ID)
	if err != nil {
		return err
	}
	if last.IsZero() {
		last = v.CreatedAt
	}
	v.ScanEvery = c.Days(v.Exposure)
	v.ScanDue = last.AddDate(0, 0, v.ScanEvery)
	v.ScanOverdue = v.Lifecycle != "decommissioned" && v.ScanDue.Before(s.Store.Now())
	q := r.URL.Query()
	v.SameSBOM = q.Get("unchanged") == "true"
	if rec := q.Get("recorded"); rec != "" {
		for i := range v.Scans {
			if strconv.FormatInt(v.Scans[i].ID, 10) == rec {
				v.Recorded = &v.Scans[i]
			}
		}
	}
	return nil
}

// recordScanPage records an external scan sent with the asset page's
// form and goes back to the page; a refused one stores nothing and the
// page says why.
func (s *Server) recordScanPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	rec, err := s.externalScan(r, who)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/assets/%d?recorded=%d#scans", rec.AssetID, rec.ID), http.StatusSeeOther)
		return nil
	}
	status, msg := statusOf(err)
	if status == 0 || status == http.StatusNotFound || !who.Perms.Has(auth.PermRead) {
		return err
	}
	a, aerr := s.pageAsset(r)
	if aerr != nil {
		return aerr
	}
	v, verr := s.assetViewOf(r, who, a)
	if verr != nil {
		return verr
	}
	v.ScanError = msg
	return s.render(w, status, "asset.html", pageData{Title: a.Name, User: who, Data: v})
}
