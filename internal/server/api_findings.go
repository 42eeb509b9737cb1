package server

// The API of findings and advisories.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/match"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/nvd"
	"github.com/vulndesk/vulndesk/internal/store"
)

func (s *Server) listFindings(w http.ResponseWriter, r *http.Request, _ *principal) error {
	f, err := s.findingFilter(r)
	if err != nil {
		return err
	}
	items, next, err := s.Store.Findings(r.Context(), f)
	if err != nil {
		return err // a bad status, sort, score range or cursor is the store's ErrInvalid / ErrBadCursor: 400
	}
	return writeJSON(w, http.StatusOK, api.Page[model.AssetFinding]{Items: items, NextCursor: next})
}

// findingFilter reads the findings list's query parameters, as the API
// and the findings page take them; a bad value is a 400 (an unknown
// asset a 404) that names it.
func (s *Server) findingFilter(r *http.Request) (store.FindingFilter, error) {
	q := r.URL.Query()
	f := store.FindingFilter{Status: q.Get("status"), Text: q.Get("q"), Cursor: q.Get("cursor"), Sort: q.Get("sort"),
		Kind: strings.ToLower(q.Get("kind"))}
	var err error
	if f.AssetID, err = s.assetParam(r); err != nil {
		return f, err
	}
	if f.Ecosystem, err = ecosystemParam(q.Get("ecosystem")); err != nil {
		return f, err
	}
	if f.KEV, err = queryBool(r, "kev"); err != nil {
		return f, err
	}
	if f.Limit, err = queryLimit(r); err != nil {
		return f, err
	}
	if f.MinScore, err = queryScore(r, "min_score"); err != nil {
		return f, err
	}
	if f.MaxScore, err = queryScore(r, "max_score"); err != nil {
		return f, err
	}
	for _, v := range listParam(q.Get("severity")) {
		if !slices.Contains(model.Ratings, model.Rating(v)) {
			return f, errStatus(http.StatusBadRequest, "severity %q: critical, high, medium, low, none or unknown", v)
		}
		f.Severity = append(f.Severity, v)
	}
	if len(f.Text) > 200 {
		return f, errStatus(http.StatusBadRequest, "q: at most 200 characters")
	}
	f.State, f.Priority = listParam(q.Get("state")), listParam(q.Get("priority"))
	f.SLAState, f.Assignee = q.Get("sla_state"), q.Get("assignee")
	if len(f.Assignee) > 200 {
		return f, errStatus(http.StatusBadRequest, "assignee: at most 200 characters")
	}
	return f, nil // a bad state, priority, sla_state or kind is the store's ErrInvalid: 400
}

// listParam splits a comma-separated query parameter, each value trimmed
// and lower-cased; nil when it is empty.
func listParam(v string) []string {
	if v == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		out = append(out, strings.ToLower(strings.TrimSpace(p)))
	}
	return out
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
	f, err := s.Svc.Finding(r.Context(), id)
	if err != nil {
		return err
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

// getNVDRecord answers the NVD record a finding's rating may come from,
// as the nvd feeds stored it.
func (s *Server) getNVDRecord(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id := r.PathValue("id")
	if !nvd.IsCVE(id) {
		return errStatus(http.StatusBadRequest, "CVE id %q: CVE-YYYY-NNNN…", id)
	}
	rec, ok, err := s.Store.NVDRecordJSON(r.Context(), id)
	if err != nil {
		return err
	}
	if !ok {
		return errStatus(http.StatusNotFound, "NVD record %s: not stored (is an nvd feed configured and synced?)", id)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.WriteString(w, rec)
	return err
}
