package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vulndesk/vulndesk/internal/auth"
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

func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errStatus(http.StatusBadRequest, "%s %q: not a non-negative integer", name, v)
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
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
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
	store.Summary
	Feeds []store.Feed `json:"feeds"`
}

func (s *Server) overviewOf(r *http.Request) (overviewData, error) {
	sum, err := s.Store.Summary(r.Context())
	if err != nil {
		return overviewData{}, err
	}
	feeds, err := s.Store.Feeds(r.Context())
	return overviewData{Summary: sum, Feeds: feeds}, err
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, _ *principal) error {
	o, err := s.overviewOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request, _ *principal) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	jobs, err := s.Store.Jobs(r.Context(), r.URL.Query().Get("kind"), int(limit))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page[store.Job]{Items: jobs})
}

// Assets.

func (s *Server) listAssets(w http.ResponseWriter, r *http.Request, _ *principal) error {
	f := store.AssetFilter{Text: r.URL.Query().Get("q")}
	if c := r.URL.Query().Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n < 0 {
			return errStatus(http.StatusBadRequest, "cursor %q: invalid", c)
		}
		f.After = n
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	items, err := s.Store.Assets(r.Context(), f)
	if err != nil {
		return err
	}
	p := page[store.Asset]{Items: items}
	if len(items) > 0 && len(items) == store.PageSize(f.Limit) {
		p.NextCursor = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	return writeJSON(w, http.StatusOK, p)
}

// assetInput is what a client may set on an asset.
type assetInput struct {
	Name        *string   `json:"name"`
	Kind        *string   `json:"kind"`
	Owner       *string   `json:"owner"`
	Criticality *int      `json:"criticality"`
	Exposure    *string   `json:"exposure"`
	Environment *string   `json:"environment"`
	Lifecycle   *string   `json:"lifecycle"`
	Tags        *[]string `json:"tags"`
	CPEs        *[]string `json:"cpes"`
}

func (in assetInput) apply(a *store.Asset) {
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
	var a store.Asset
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
	return writeJSON(w, http.StatusOK, page[store.Snapshot]{Items: snaps})
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
	comps, err := s.Store.Components(r.Context(), id, nil)
	if err != nil {
		return err
	}
	if comps == nil {
		comps = []store.Component{}
	}
	return writeJSON(w, http.StatusOK, page[store.Component]{Items: comps})
}

// ingestResult answers an upload.
type ingestResult struct {
	Asset    store.Asset    `json:"asset"`
	Snapshot store.Snapshot `json:"snapshot"`
}

func (s *Server) uploadToAsset(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.upload(w, r, who, service.Upload{Asset: store.Asset{ID: id}})
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
	return s.upload(w, r, who, service.Upload{Asset: store.Asset{Name: name, Kind: q.Get("kind")}, Create: create})
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, who *principal, u service.Upload) error {
	u.Source = r.URL.Query().Get("source")
	if len(u.Source) > 255 {
		return errStatus(http.StatusBadRequest, "source: at most 255 characters")
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
	a, sn, err := s.Svc.Ingest(r.Context(), u)
	if err != nil {
		if errors.Is(err, service.ErrInvalidInput) {
			return err
		}
		if errors.Is(err, store.ErrNotFound) {
			return errStatus(http.StatusNotFound, "%v (pass create=true to create it)", err)
		}
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/snapshots/%d", sn.ID))
	return writeJSON(w, http.StatusCreated, ingestResult{Asset: a, Snapshot: sn})
}

// Findings.

func (s *Server) listFindings(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q := r.URL.Query()
	f := store.FindingFilter{Status: q.Get("status"), Ecosystem: q.Get("ecosystem"), Text: q.Get("q"), Cursor: q.Get("cursor")}
	var err error
	if f.AssetID, err = queryInt(r, "asset"); err != nil {
		return err
	}
	if f.KEV, err = queryBool(r, "kev"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	if sv := q.Get("severity"); sv != "" {
		for _, v := range strings.Split(sv, ",") {
			v = strings.ToLower(strings.TrimSpace(v))
			switch v {
			case "critical", "high", "medium", "low", "none", "unknown":
				f.Severity = append(f.Severity, v)
			default:
				return errStatus(http.StatusBadRequest, "severity %q: critical, high, medium, low, none or unknown", v)
			}
		}
	}
	if len(f.Text) > 200 {
		return errStatus(http.StatusBadRequest, "q: at most 200 characters")
	}
	items, next, err := s.Store.Findings(r.Context(), f)
	if err != nil {
		return err // a bad status or cursor is the store's ErrInvalid / ErrBadCursor: 400
	}
	return writeJSON(w, http.StatusOK, page[store.Finding]{Items: items, NextCursor: next})
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
		return errStatus(http.StatusNotFound, "advisory %s: not found", id)
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
	return writeJSON(w, http.StatusOK, page[store.Feed]{Items: feeds})
}

type feedInput struct {
	Name     *string `json:"name"`
	Kind     *string `json:"kind"`
	URL      *string `json:"url"`
	Interval *int    `json:"interval_seconds"`
	Enabled  *bool   `json:"enabled"`
}

func (s *Server) createFeed(w http.ResponseWriter, r *http.Request, _ *principal) error {
	var in feedInput
	if err := decode(r, &in); err != nil {
		return err
	}
	f := store.Feed{Enabled: true}
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

func (in feedInput) apply(f *store.Feed) {
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
		ts = []store.Token{}
	}
	return writeJSON(w, http.StatusOK, page[store.Token]{Items: ts})
}

type tokenInput struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in tokenInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Name == "" || len(in.Name) > 100 {
		return errStatus(http.StatusBadRequest, "name: 1–100 characters")
	}
	role, err := auth.ParseRole(in.Role)
	if err != nil {
		return errStatus(http.StatusBadRequest, "role: %v", err)
	}
	secret := auth.NewToken(auth.APITokenPrefix)
	t, err := s.Store.CreateToken(r.Context(), in.Name, auth.HashToken(secret), string(role), who.Name)
	if err != nil {
		return err
	}
	s.Log.Info("API token created", "token", t.ID, "name", t.Name, "role", t.Role, "by", who.Name)
	return writeJSON(w, http.StatusCreated, map[string]any{"token": secret, "info": t,
		"note": "shown once: store it now; only its hash is kept"})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Store.RevokeToken(r.Context(), id); err != nil {
		return fmt.Errorf("token %d: %w", id, err)
	}
	s.Log.Info("API token revoked", "token", id, "by", who.Name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ *principal) error {
	us, err := s.Store.Users(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page[store.User]{Items: us})
}

type userInput struct {
	Username string `json:"username"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in userInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if !validUsername(in.Username) {
		return errStatus(http.StatusBadRequest, "username %q: 1–64 letters, digits, '.', '_', '-' or '@'", in.Username)
	}
	role, err := auth.ParseRole(in.Role)
	if err != nil {
		return errStatus(http.StatusBadRequest, "role: %v", err)
	}
	pw, generated := in.Password, false
	if pw == "" {
		pw, generated = auth.NewPassword(), true
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return errStatus(http.StatusBadRequest, "password: %v", err)
	}
	u, err := s.Store.CreateUser(r.Context(), in.Username, hash, string(role))
	if err != nil {
		return err
	}
	s.Log.Info("user created", "user", u.Username, "role", u.Role, "by", who.Name)
	out := map[string]any{"user": u}
	if generated {
		out["password"] = pw
		out["note"] = "generated password, shown once"
	}
	return writeJSON(w, http.StatusCreated, out)
}

func validUsername(u string) bool {
	if u == "" || len(u) > 64 {
		return false
	}
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-@", c)) {
			return false
		}
	}
	return true
}
