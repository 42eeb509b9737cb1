package server

// The API of the CRA part: products with their support period, outbound
// reports (to the national CSIRT, to upstream maintainers) and the CRA
// Art. 14 clocks.

import (
	"context"
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

// createBy serves POST on a collection through a use case that takes the
// body as it is: 201 with the created resource and its Location.
func createBy[In, Out any](collection string, id func(Out) int64, create func(context.Context, In, string) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		var in In
		if err := decode(r, &in); err != nil {
			return err
		}
		v, err := create(r.Context(), in, who.Name)
		if err != nil {
			return err
		}
		w.Header().Set("Location", fmt.Sprintf("%s/%d", collection, id(v)))
		return writeJSON(w, http.StatusCreated, v)
	}
}

// actOn serves a request on /…/{id} through a use case that takes the
// ID and the body: status with what it answers.
func actOn[In, Out any](status int, act func(context.Context, int64, In, string) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, in, err := idAndBody[In](r)
		if err != nil {
			return err
		}
		v, err := act(r.Context(), id, in, who.Name)
		if err != nil {
			return err
		}
		return writeJSON(w, status, v)
	}
}

// setProduct is the product use case with the API's input.
func (s *Server) setProduct(ctx context.Context, id int64, in api.ProductInput, by string) (model.Product, error) {
	return s.Svc.SetProduct(ctx, id, in.Product(), by)
}

// recordOutbound is the outbound use case with the API's input.
func (s *Server) recordOutbound(ctx context.Context, in api.NewOutboundReport, by string) (model.OutboundReport, error) {
	return s.Svc.RecordOutbound(ctx, in.Report(), by)
}
