package server

// The disclosure settings: GET and PATCH /api/v1/settings/disclosure.

import (
	"net/http"

	"github.com/vulndesk/vulndesk/internal/model"
)

func (s *Server) getDisclosure(w http.ResponseWriter, r *http.Request, _ *principal) error {
	d, err := s.Svc.Disclosure(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.disclosureSettings(r, d))
}

func (s *Server) patchDisclosure(w http.ResponseWriter, r *http.Request, who *principal) error {
	var p model.DisclosurePatch
	if err := decode(r, &p); err != nil {
		return err
	}
	d, err := s.Svc.UpdateDisclosure(r.Context(), who.Name, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.disclosureSettings(r, d))
}
