package server

// The API of the CRA part: products with their support period, outbound
// reports (to the national CSIRT, to upstream maintainers) and the CRA
// Art. 14 clocks.

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request, _ *principal) error {
	published, err := queryBool(r, "published")
	if err != nil {
		return err
	}
	ps, err := s.Store.Products(r.Context(), published)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.Product]{Items: ps})
}

var productListParams = []param{{Name: "published", Type: "boolean", Desc: "true: only the published products (those the public policy page and report form list)"}}

func (s *Server) putProduct(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[api.ProductInput](r)
	if err != nil {
		return err
	}
	p, err := s.Svc.SetProduct(r.Context(), id, in.Product(), who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// queryID reads an optional positive integer query parameter (0 when
// absent).
func queryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errStatus(http.StatusBadRequest, "%s %q: a positive integer", name, v)
	}
	return id, nil
}

var outboundParams = []param{
	{Name: "case_id", Type: "integer", Desc: "only the reports of this disclosure case"},
	{Name: "finding_id", Type: "integer", Desc: "only the reports about this finding"},
	{Name: "kind", Type: "string", Desc: "only reports of this kind", Enum: model.OutboundKinds},
	{Name: "limit", Type: "integer", Desc: "how many, newest sent first, 1–500 (default 50)"},
}

func (s *Server) listOutbound(w http.ResponseWriter, r *http.Request, _ *principal) error {
	var f store.OutboundFilter
	var err error
	if f.CaseID, err = queryID(r, "case_id"); err != nil {
		return err
	}
	if f.FindingID, err = queryID(r, "finding_id"); err != nil {
		return err
	}
	if f.Kind = r.URL.Query().Get("kind"); f.Kind != "" && !slices.Contains(model.OutboundKinds, f.Kind) {
		return errStatus(http.StatusBadRequest, "kind %q: one of %s", f.Kind, strings.Join(model.OutboundKinds, ", "))
	}
	if f.Limit, err = queryLimit(r); err != nil {
		return err
	}
	os, err := s.Store.OutboundReports(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.OutboundReport]{Items: os})
}

func (s *Server) createOutbound(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in api.NewOutboundReport
	if err := decode(r, &in); err != nil {
		return err
	}
	o, err := s.Svc.RecordOutbound(r.Context(), in.Report(), who.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/outbound-reports/%d", o.ID))
	return writeJSON(w, http.StatusCreated, o)
}

func (s *Server) patchOutbound(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[model.OutboundUpdate](r)
	if err != nil {
		return err
	}
	o, err := s.Svc.UpdateOutbound(r.Context(), id, in, who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

var craListParams = []param{
	{Name: "case_id", Type: "integer", Desc: "only the clocks of this disclosure case"},
	{Name: "finding_id", Type: "integer", Desc: "only the clock of this finding"},
}

func (s *Server) listCRA(w http.ResponseWriter, r *http.Request, _ *principal) error {
	var f store.CRAFilter
	var err error
	if f.CaseID, err = queryID(r, "case_id"); err != nil {
		return err
	}
	if f.FindingID, err = queryID(r, "finding_id"); err != nil {
		return err
	}
	out := api.CRAList{}
	if out.Items, err = s.Store.CRAClocks(r.Context(), f); err != nil {
		return err
	}
	if out.Candidates, err = s.Store.CRACandidates(r.Context()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) startCRA(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in model.CRAStart
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Svc.StartCRAClock(r.Context(), in, who.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/cra/%d", c.ID))
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) saveCRADrafts(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[model.CRADraftsPatch](r)
	if err != nil {
		return err
	}
	c, err := s.Svc.SaveCRADrafts(r.Context(), id, in, who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) craMitigation(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[model.CRAMitigation](r)
	if err != nil {
		return err
	}
	c, err := s.Svc.RecordCRAMitigation(r.Context(), id, in, who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) craSubmission(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[model.CRASubmissionInput](r)
	if err != nil {
		return err
	}
	sub, err := s.Svc.RecordCRASubmission(r.Context(), id, in, who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, sub)
}
