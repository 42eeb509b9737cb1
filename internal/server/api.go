package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/match"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errStatus(http.StatusBadRequest, "id %q: not a positive integer", r.PathValue("id"))
	}
	return id, nil
}

// decode reads a JSON request body strictly: unknown fields are refused,
// so a typo is an error rather than silently ignored.
func decode(r *http.Request, v any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return err // a MaxBytesError is 413, anything else the connection's
	}
	if !utf8.Valid(data) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return errStatus(http.StatusBadRequest, "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errStatus(http.StatusBadRequest, "request body: %v", err)
	}
	if dec.More() {
		return errStatus(http.StatusBadRequest, "request body: more than one JSON value")
	}
	return checkJSONText(v)
}

// queryLimit reads a page size: 0 (the default) when absent, else 1–500.
func queryLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > store.MaxPageSize {
		return 0, errStatus(http.StatusBadRequest, "limit %q: a page size from 1 to %d", v, store.MaxPageSize)
	}
	return n, nil
}

// queryCursor reads a cursor that is a row ID: 0 when absent.
func queryCursor(r *http.Request) (int64, error) {
	c := r.URL.Query().Get("cursor")
	if c == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(c, 10, 64)
	if err != nil || n < 0 {
		return 0, errStatus(http.StatusBadRequest, "cursor %q: invalid (pass the next_cursor of the page before)", c)
	}
	return n, nil
}

func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errStatus(http.StatusBadRequest, "%s %q: true or false", name, v)
	}
	return b, nil
}

func urlEscape(s string) string { return url.QueryEscape(s) }

// page is a list response with its keyset cursor.
type page[T any] struct {
	Items      []T    `json:"items" doc:"this page's items"`
	NextCursor string `json:"next_cursor,omitempty" doc:"pass as cursor to read the next page; absent on the last page and from lists that are not paged"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": s.Version})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ *principal) error {
	if err := s.Store.Ready(r.Context()); err != nil {
		s.Log.Warn("not ready", "error", err)
		// Anyone may ask: the answer names the cause, the log has the detail.
		status := "database unavailable"
		if store.IsFull(err) {
			status = "storage full"
		}
		return writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": status, "version": s.Version})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": s.Version, "database": string(s.Store.Dialect())})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, who *principal) error {
	return writeJSON(w, http.StatusOK, map[string]any{"name": who.Name, "role": who.Role, "scopes": who.Perms.Scopes()})
}

// overviewData is what the overview shows, in the API and on the page.
type overviewData struct {
	model.Summary
	Feeds []model.Feed `json:"feeds" doc:"every configured feed with its health"`
	// Queue is the background work waiting and running, by kind: a long
	// match queue is why new findings lag behind uploads.
	Queue []model.QueueStat `json:"queue" doc:"background work waiting and running, one entry per job kind: a long match queue is why new findings lag behind uploads"`
}

func (s *Server) overviewOf(r *http.Request) (overviewData, error) {
	sum, err := s.Store.Summary(r.Context())
	if err != nil {
		return overviewData{}, err
	}
	feeds, err := s.Store.Feeds(r.Context())
	if err != nil {
		return overviewData{}, err
	}
	queue, err := s.Store.Queue(r.Context())
	return overviewData{Summary: sum, Feeds: feeds, Queue: queue}, err
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
	return writeJSON(w, http.StatusOK, page[model.Job]{Items: jobs})
}

// Assets.

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
	p := page[model.Asset]{Items: items}
	if len(items) > 0 && len(items) == store.PageSize(f.Limit) {
		p.NextCursor = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	return writeJSON(w, http.StatusOK, p)
}

// assetInput is what a client may set on an asset.
type assetInput struct {
	Name        *string   `json:"name" doc:"unique name: 1–200 letters, digits and . _ : / @ + -, starting with a letter or digit"`
	Kind        *string   `json:"kind" doc:"what the asset is; application when created without one"`
	Owner       *string   `json:"owner" doc:"who answers for the asset, at most 200 characters"`
	Criticality *int      `json:"criticality" doc:"how much the asset matters: 1 (highest) to 4 (lowest); 3 when created without one"`
	Exposure    *string   `json:"exposure" doc:"who can reach the asset; internal when created without one"`
	Environment *string   `json:"environment" doc:"free text such as production or staging, at most 100 characters"`
	Lifecycle   *string   `json:"lifecycle" doc:"where the asset is in its life; active when created without one"`
	Tags        *[]string `json:"tags" doc:"labels, at most 50 of 1–64 characters each; replaces the asset's tags"`
	CPEs        *[]string `json:"cpes" doc:"CPE 2.3 formatted strings (cpe:2.3:part:vendor:product:version:…, 13 fields) for hardware, operating systems and firmware without an SBOM, at most 500; replaces the asset's CPEs"`
}

func (in assetInput) apply(a *model.Asset) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&a.Name, in.Name)
	set(&a.Kind, in.Kind)
	set(&a.Owner, in.Owner)
	set(&a.Exposure, in.Exposure)
	set(&a.Environment, in.Environment)
	set(&a.Lifecycle, in.Lifecycle)
	if in.Criticality != nil {
		a.Criticality = *in.Criticality
		if a.Criticality == 0 {
			a.Criticality = -1 // explicit 0 is out of range, not "default"
		}
	}
	if in.Tags != nil {
		a.Tags = *in.Tags
	}
	if in.CPEs != nil {
		a.CPEs = *in.CPEs
	}
}

func (s *Server) createAsset(w http.ResponseWriter, r *http.Request, _ *principal) error {
	var in assetInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var a model.Asset
	in.apply(&a)
	a, err := s.Store.CreateAsset(r.Context(), a)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/assets/%d", a.ID))
	return writeJSON(w, http.StatusCreated, a)
}

func (s *Server) getAsset(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.Store.Asset(r.Context(), id)
	if err != nil {
		return fmt.Errorf("asset %d: %w", id, err)
	}
	return writeJSON(w, http.StatusOK, a)
}

func (s *Server) updateAsset(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in assetInput
	if err := decode(r, &in); err != nil {
		return err
	}
	a, err := s.Store.Asset(r.Context(), id)
	if err != nil {
		return fmt.Errorf("asset %d: %w", id, err)
	}
	in.apply(&a)
	a, err = s.Store.UpdateAsset(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (s *Server) deleteAsset(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteAsset(r.Context(), id); err != nil {
		return fmt.Errorf("asset %d: %w", id, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listSnapshots(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Store.Asset(r.Context(), id); err != nil {
		return fmt.Errorf("asset %d: %w", id, err)
	}
	snaps, err := s.Store.Snapshots(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page[model.Snapshot]{Items: snaps})
}

func (s *Server) getSnapshot(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sn, err := s.Store.Snapshot(r.Context(), id)
	if err != nil {
		return fmt.Errorf("snapshot %d: %w", id, err)
	}
	return writeJSON(w, http.StatusOK, sn)
}

func (s *Server) listComponents(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Store.Snapshot(r.Context(), id); err != nil {
		return fmt.Errorf("snapshot %d: %w", id, err)
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
	p := page[model.SnapshotComponent]{Items: comps}
	if p.Items == nil {
		p.Items = []model.SnapshotComponent{}
	}
	if len(comps) == store.PageSize(limit) {
		p.NextCursor = strconv.FormatInt(comps[len(comps)-1].ID, 10)
	}
	return writeJSON(w, http.StatusOK, p)
}

// ingestResult answers an upload.
type ingestResult struct {
	Asset    model.Asset    `json:"asset" doc:"the asset the SBOM was stored for, as it is now"`
	Snapshot model.Snapshot `json:"snapshot" doc:"the new inventory snapshot; its findings follow when the match job has run (matched_at)"`
}

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
	u.Limit = who.uploadLimit()
	if l := u.Limit; l != nil && l.Token != nil && u.Asset.Name != "" && len(l.Token.AssetTags) == 0 &&
		!service.TokenAllows(*l.Token, model.Asset{Name: u.Asset.Name}) {
		// Held to names: refused before the asset is looked up, so the
		// answer does not tell whether it exists.
		return fmt.Errorf("%w: this token may upload only to assets named %s", service.ErrForbidden, strings.Join(l.Token.AssetNames, ", "))
	}
	body, err := s.readSBOM(r)
	if err != nil {
		return err
	}
	defer body.release()
	u.Data, u.By = body.data, who.Name
	if u.Source == "" && len(body.name) <= 255 {
		u.Source = body.name
	}
	body.data = nil // Ingest lets go of it once parsed
	a, sn, err := s.Svc.Ingest(r.Context(), &u)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) && u.Asset.Name != "" {
			if u.Limit == nil || u.Limit.CreateAssets {
				return errStatus(http.StatusNotFound, "%v (pass create=true to create it)", err)
			}
			return errStatus(http.StatusNotFound, "%v (and this token may not create assets)", err)
		}
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/snapshots/%d", sn.ID))
	if !who.Perms.Has(auth.PermRead) {
		// An uploader learns what it sent, not what the asset holds.
		return writeJSON(w, http.StatusCreated, uploadReceipt{Asset: assetRef{ID: a.ID, Name: a.Name}, Snapshot: sn})
	}
	return writeJSON(w, http.StatusCreated, ingestResult{Asset: a, Snapshot: sn})
}

// uploadReceipt answers an upload by a caller who may not read assets.
type uploadReceipt struct {
	Asset    assetRef       `json:"asset" doc:"the asset the SBOM was stored for, by ID and name only"`
	Snapshot model.Snapshot `json:"snapshot" doc:"the new inventory snapshot"`
}

// assetRef names an asset and nothing more.
type assetRef struct {
	ID   int64  `json:"id" doc:"the asset's ID"`
	Name string `json:"name" doc:"the asset's name"`
}

// Findings.

func (s *Server) listFindings(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q := r.URL.Query()
	f := store.FindingFilter{Status: q.Get("status"), Text: q.Get("q"), Cursor: q.Get("cursor")}
	var err error
	if f.AssetID, err = s.assetParam(r); err != nil {
		return err
	}
	if f.Ecosystem, err = ecosystemParam(q.Get("ecosystem")); err != nil {
		return err
	}
	if f.KEV, err = queryBool(r, "kev"); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(r); err != nil {
		return err
	}
	if sv := q.Get("severity"); sv != "" {
		for _, v := range strings.Split(sv, ",") {
			v = strings.ToLower(strings.TrimSpace(v))
			if !slices.Contains(model.Ratings, model.Rating(v)) {
				return errStatus(http.StatusBadRequest, "severity %q: critical, high, medium, low, none or unknown", v)
			}
			f.Severity = append(f.Severity, v)
		}
	}
	if len(f.Text) > 200 {
		return errStatus(http.StatusBadRequest, "q: at most 200 characters")
	}
	items, next, err := s.Store.Findings(r.Context(), f)
	if err != nil {
		return err // a bad status or cursor is the store's ErrInvalid / ErrBadCursor: 400
	}
	return writeJSON(w, http.StatusOK, page[model.AssetFinding]{Items: items, NextCursor: next})
}

// assetParam reads the asset query parameter: an asset's ID or its name.
func (s *Server) assetParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("asset")
	if v == "" {
		return 0, nil
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	if !model.ValidAssetName(v) {
		return 0, errStatus(http.StatusBadRequest, "asset %q: neither an asset ID nor an asset name", v)
	}
	a, err := s.Store.AssetByName(r.Context(), v)
	if errors.Is(err, store.ErrNotFound) {
		return 0, errStatus(http.StatusNotFound, "asset %q: no asset has this ID or name", v)
	}
	return a.ID, err
}

// ecosystemParam reads an ecosystem filter as OSV names it, in any case,
// or as a purl type names it (golang, pypi, cargo).
func ecosystemParam(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if c, ok := ecosystem.Canonical(v); ok {
		return c, nil
	}
	if c, ok := ecosystem.ForPURLType(strings.ToLower(v)); ok {
		return c, nil
	}
	return "", errStatus(http.StatusBadRequest, "ecosystem %q: not an OSV ecosystem (Go, PyPI, npm, Maven, crates.io, …) or a purl type (golang, pypi, cargo, …)", v)
}

func (s *Server) getFinding(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := s.Store.Finding(r.Context(), id)
	if err != nil {
		return fmt.Errorf("finding %d: %w", id, err)
	}
	return writeJSON(w, http.StatusOK, f)
}

func (s *Server) getAdvisory(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id := r.PathValue("id")
	if id == "" || len(id) > 200 {
		return errStatus(http.StatusBadRequest, "advisory id: 1–200 characters")
	}
	info, ok, err := s.Store.AdvisoryInfo(r.Context(), id)
	if err != nil {
		return err
	}
	if !ok {
		// An alias: the advisories that name it, the primary one (as
		// matching chooses) answered, the others linked.
		ids, err := s.Store.AdvisoriesByAlias(r.Context(), id)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return errStatus(http.StatusNotFound, "advisory %s: not found (as an ID or an alias)", id)
		}
		slices.SortFunc(ids, func(a, b string) int {
			if match.IDBefore(a, b) {
				return -1
			}
			return 1
		})
		for _, other := range ids[1:] {
			w.Header().Add("Link", fmt.Sprintf("</api/v1/advisories/%s>; rel=\"alternate\"", url.PathEscape(other)))
		}
		if info, ok, err = s.Store.AdvisoryInfo(r.Context(), ids[0]); err != nil || !ok {
			return fmt.Errorf("advisory %s (alias %s): %w", ids[0], id, store.ErrNotFound)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.WriteString(w, info)
	return err
}

// Feeds.

func (s *Server) listFeeds(w http.ResponseWriter, r *http.Request, _ *principal) error {
	feeds, err := s.Store.Feeds(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page[model.Feed]{Items: feeds})
}

type feedInput struct {
	Name     *string `json:"name" doc:"unique name: 1–200 letters, digits and . _ : / @ + -"`
	Kind     *string `json:"kind" doc:"what the source holds: osv, kev or epss"`
	URL      *string `json:"url" doc:"where to read the feed: an https:// URL (http:// only on loopback), a file:// URL or a local path, as the server's --feed-dir and --allow-private-feeds allow; at most 2000 characters. Credentials in it are stored but never shown; sending back the redacted URL keeps them"`
	Interval *int    `json:"interval_seconds" doc:"seconds between scheduled syncs, 60–604800; 3600 when created without one"`
	Enabled  *bool   `json:"enabled" doc:"whether the feed is synced on its schedule; true when created without one"`
}

func (s *Server) createFeed(w http.ResponseWriter, r *http.Request, _ *principal) error {
	var in feedInput
	if err := decode(r, &in); err != nil {
		return err
	}
	f := model.Feed{Enabled: true}
	in.apply(&f)
	f, err := s.Svc.CreateFeed(r.Context(), f)
	if err != nil {
		return err
	}
	if f.Enabled {
		s.Svc.QueueSync(r.Context(), f.ID, false)
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/feeds/%d", f.ID))
	return writeJSON(w, http.StatusCreated, f)
}

func (in feedInput) apply(f *model.Feed) {
	if in.Name != nil {
		f.Name = *in.Name
	}
	if in.Kind != nil {
		f.Kind = *in.Kind
	}
	if in.URL != nil {
		f.URL = *in.URL
	}
	if in.Interval != nil {
		f.Interval = *in.Interval
		if f.Interval == 0 {
			f.Interval = -1
		}
	}
	if in.Enabled != nil {
		f.Enabled = *in.Enabled
	}
}

func (s *Server) getFeed(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := s.Store.Feed(r.Context(), id)
	if err != nil {
		return fmt.Errorf("feed %d: %w", id, err)
	}
	return writeJSON(w, http.StatusOK, f)
}

func (s *Server) updateFeed(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in feedInput
	if err := decode(r, &in); err != nil {
		return err
	}
	f, err := s.Store.Feed(r.Context(), id)
	if err != nil {
		return fmt.Errorf("feed %d: %w", id, err)
	}
	in.apply(&f)
	f, err = s.Svc.UpdateFeed(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

func (s *Server) deleteFeed(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Svc.DeleteFeed(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) syncFeed(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	force, err := queryBool(r, "force")
	if err != nil {
		return err
	}
	if _, err := s.Store.Feed(r.Context(), id); err != nil {
		return fmt.Errorf("feed %d: %w", id, err)
	}
	job, created, err := s.Svc.QueueSync(r.Context(), id, force)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"job_id": job, "queued": created,
		"note": map[bool]string{true: "sync queued", false: "a sync of this feed is already queued or running"}[created]})
}

// Access.

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, _ *principal) error {
	ts, err := s.Store.Tokens(r.Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []model.Token{}
	}
	return writeJSON(w, http.StatusOK, page[model.Token]{Items: ts})
}

type tokenInput struct {
	Name         string   `json:"name" doc:"a label for the token, 1–100 characters"`
	Role         string   `json:"role" doc:"what the token may do (any case)"`
	AssetNames   []string `json:"asset_names" doc:"uploader tokens only: asset names or globs (billing-*) it may upload to, at most 100"`
	AssetTags    []string `json:"asset_tags" doc:"uploader tokens only: it may upload to assets carrying one of these tags, at most 100 of 1–64 characters"`
	CreateAssets bool     `json:"create_assets" doc:"whether an upload with the token may create the asset it names (within asset_names)"`
}

// createdToken answers a new token: its secret is shown this once.
type createdToken struct {
	Token string      `json:"token" doc:"the token's secret (vdk_…), shown this once: only its hash is kept"`
	Info  model.Token `json:"info" doc:"the token as listed"`
	Note  string      `json:"note" doc:"a reminder that the secret is shown once"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in tokenInput
	if err := decode(r, &in); err != nil {
		return err
	}
	t, secret, err := s.Svc.CreateToken(r.Context(), service.NewToken{Name: in.Name, Role: in.Role,
		AssetNames: in.AssetNames, AssetTags: in.AssetTags, CreateAssets: in.CreateAssets}, who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdToken{Token: secret, Info: t, Note: "shown once: store it now; only its hash is kept"})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Svc.RevokeToken(r.Context(), id, who.Name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ *principal) error {
	us, err := s.Store.Users(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page[model.User]{Items: us})
}

type userInput struct {
	Username string `json:"username" doc:"the sign-in name: 1–64 letters, digits, . _ - or @"`
	Role     string `json:"role" doc:"what the user may do (any case)"`
	Password string `json:"password" doc:"the password, which must pass the password policy; empty or absent: one is generated and answered once"`
}

// createdUser answers a new user, with a generated password shown once.
type createdUser struct {
	User     model.User `json:"user" doc:"the new user"`
	Password string     `json:"password,omitempty" doc:"the generated password, shown this once; absent when one was given"`
	Note     string     `json:"note,omitempty" doc:"says that the password was generated; absent when one was given"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in userInput
	if err := decode(r, &in); err != nil {
		return err
	}
	u, generated, err := s.Svc.CreateUser(r.Context(), service.NewUser{Name: in.Username, Role: in.Role, Password: in.Password}, who.Name)
	if err != nil {
		return err
	}
	out := createdUser{User: u}
	if generated != "" {
		out.Password, out.Note = generated, "generated password, shown once"
	}
	return writeJSON(w, http.StatusCreated, out)
}

type userChange struct {
	Role     *string `json:"role" doc:"the user's new role (any case); absent: unchanged"`
	Disabled *bool   `json:"disabled" doc:"true disables the user (they cannot sign in), false enables them; absent: unchanged"`
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in userChange
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := s.Svc.UpdateUser(r.Context(), id, service.UserChange{Role: in.Role, Disabled: in.Disabled}, who.UserID, who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

type passwordInput struct {
	Password string `json:"password" doc:"the new password, which must pass the password policy; empty or absent: one is generated and answered once"`
}

// newPassword answers a password set by an admin: a generated one is
// shown once.
type newPassword struct {
	Password string `json:"password,omitempty" doc:"the generated password, shown this once; absent when one was given"`
	Note     string `json:"note" doc:"what was done: the user's sessions were ended"`
}

func (s *Server) setUserPassword(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in passwordInput
	if err := decode(r, &in); err != nil {
		return err
	}
	generated, err := s.Svc.SetPassword(r.Context(), id, in.Password, who.Name)
	if err != nil {
		return err
	}
	out := newPassword{Password: generated, Note: "password set; the user's sessions were ended"}
	if generated != "" {
		out.Note = "generated password, shown once; the user's sessions were ended"
	}
	return writeJSON(w, http.StatusOK, out)
}

type ownPasswordInput struct {
	Current string `json:"current_password" doc:"your current password"`
	New     string `json:"new_password" doc:"your new password, which must pass the password policy"`
}

func (s *Server) changeOwnPassword(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in ownPasswordInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if who.UserID == 0 {
		return errStatus(http.StatusBadRequest, "an API token has no password: sign in as a person to change yours")
	}
	if err := s.Svc.ChangeOwnPassword(r.Context(), who.UserID, in.Current, in.New); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
