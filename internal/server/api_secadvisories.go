package server

// The API of the organisation's own security advisories: draft → review
// → publish, each as CSAF 2.0 and OSV.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
)

// secAdvStateParam filters the list by state.
var secAdvStateParam = param{Name: "state", Type: "string", Desc: "only advisories in this state", Enum: model.SecAdvStates}

func secAdvID(a model.SecurityAdvisory) int64 { return a.ID }

func (s *Server) listSecAdvisories(w http.ResponseWriter, r *http.Request, _ *principal) error {
	state := r.URL.Query().Get("state")
	if state != "" && !slices.Contains(model.SecAdvStates, state) {
		return errStatus(http.StatusBadRequest, "state %q: one of %s", state, strings.Join(model.SecAdvStates, ", "))
	}
	items, err := s.Store.SecAdvisories(r.Context(), state)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.SecurityAdvisory]{Items: items})
}

// csafSite is where the advisories are published: the disclosure
// settings' base URL when set, else https and the host the request came
// to. CSAF providers are reached over TLS only (CSAF §7.1.1, and the
// provider schema's canonical_url is https), so a request that arrived
// over plain http is a TLS proxy's or a developer's, and the URLs say
// https all the same.
func (s *Server) csafSite(r *http.Request) (service.CSAFSite, error) {
	d, err := s.Svc.Disclosure(r.Context())
	if err != nil {
		return service.CSAFSite{}, err
	}
	base := d.BaseURL
	if base == "" {
		if len(r.Host) > 255 || !hostPort.MatchString(r.Host) {
			return service.CSAFSite{}, errStatus(http.StatusBadRequest, "Host %q: not a host name and port; set base_url in the disclosure settings", r.Host)
		}
		base = "https://" + r.Host
	}
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return service.CSAFSite{Base: base, Generator: s.Version}, nil
}

// secAdvAction serves a POST that moves an advisory on: submit or publish.
func (s *Server) secAdvAction(publish bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		a, err := s.moveSecAdvisory(r, id, publish, who)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, a)
	}
}

func (s *Server) moveSecAdvisory(r *http.Request, id int64, publish bool, who *principal) (model.SecurityAdvisory, error) {
	if !publish {
		return s.Svc.SubmitSecAdvisory(r.Context(), id, who.Name)
	}
	site, err := s.csafSite(r)
	if err != nil {
		return model.SecurityAdvisory{}, err
	}
	return s.Svc.PublishSecAdvisory(r.Context(), id, site, who.Name)
}

// secAdvDocument serves an advisory as CSAF (osv false) or OSV: the
// bytes published for its newest revision while it is published, else a
// preview of its content as it stands (tracking status draft, or interim
// for the next revision).
func (s *Server) secAdvDocument(osv bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		b, err := s.secAdvBytes(r, id, osv)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, err = w.Write(b)
		return err
	}
}

func (s *Server) secAdvBytes(r *http.Request, id int64, osv bool) ([]byte, error) {
	a, err := s.Store.SecAdvisory(r.Context(), id)
	if err != nil {
		return nil, fmt.Errorf("security advisory %d: %w", id, err)
	}
	if a.State == model.SecAdvPublished {
		f, err := s.Store.SecAdvFile(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if osv {
			return f.OSV, nil
		}
		return f.CSAF, nil
	}
	site, err := s.csafSite(r)
	if err != nil {
		return nil, err
	}
	c, o, err := s.Svc.PreviewSecAdvisory(r.Context(), a, site)
	if osv {
		return o, err
	}
	return c, err
}
