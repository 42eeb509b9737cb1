package server

// The API of the SLA policy, the SLA figures and the settings.

import (
	"net/http"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// slaFigureDays is the period the SLA figures cover unless told.
const slaFigureDays = 90

var slaFigureParams = []param{
	{Name: "from", Type: "string", Desc: "the period's start, included (RFC 3339; default: 90 days before to)"},
	{Name: "to", Type: "string", Desc: "the period's end, excluded (RFC 3339; default: now)"},
	{Name: "by", Type: "string", Desc: "also give the figures per severity (of the clock) or per asset; absent: only in all", Enum: service.SLAFigureGroupings},
}

func (s *Server) getSLAPolicy(w http.ResponseWriter, r *http.Request, _ *principal) error {
	ps, err := s.Svc.SLAPolicies(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ps)
}

func (s *Server) setSLAPolicy(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in sla.PolicyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := s.Svc.SetSLAPolicy(r.Context(), who.Name, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sla/policy")
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) slaFigures(w http.ResponseWriter, r *http.Request, _ *principal) error {
	from, err := queryTime(r, "from")
	if err != nil {
		return err
	}
	to, err := queryTime(r, "to")
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = s.Store.Now()
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -slaFigureDays)
	}
	rep, err := s.Svc.SLAFigures(r.Context(), from, to, r.URL.Query().Get("by"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, _ *principal) error {
	st, err := s.Svc.Settings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (s *Server) patchSettings(w http.ResponseWriter, r *http.Request, who *principal) error {
	var ch api.SettingsPatch
	if err := decode(r, &ch); err != nil {
		return err
	}
	st, err := s.Svc.UpdateSettings(r.Context(), who.Name, ch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}
