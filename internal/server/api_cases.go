package server

// The JSON API of disclosure cases (issue 14): list and read cases, move
// them through their states, message the reporter, download attachments,
// link and change them. Each change is one service call.

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// caseListParams are the list's filters.
var caseListParams = []param{
	{Name: "state", Type: "string", Desc: "only cases in this state", Enum: model.CaseStates},
	{Name: "timer_state", Type: "string", Desc: "only cases with a timer (acknowledge, triage, fix, disclosure) in this state now", Enum: strs(sla.States)},
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q := r.URL.Query()
	cs, err := s.Svc.Cases(r.Context(), q.Get("state"), q.Get("timer_state"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.Case]{Items: cs})
}

// caseDetail reads the {id} case with everything on it; a missing one is
// a 404 that names it.
func (s *Server) caseDetail(r *http.Request) (model.CaseDetail, error) {
	id, err := pathID(r)
	if err != nil {
		return model.CaseDetail{}, err
	}
	return s.Svc.CaseDetail(r.Context(), id)
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, _ *principal) error {
	d, err := s.caseDetail(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// changeCase serves a change to the {id} case: the JSON body In goes to
// the service call, and its result is the answer, with status.
func changeCase[In, Out any](status int, do func(ctx context.Context, actor string, id int64, in In) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, in, err := idAndBody[In](r)
		if err != nil {
			return err
		}
		out, err := do(r.Context(), who.Name, id, in)
		if err != nil {
			return err
		}
		return writeJSON(w, status, out)
	}
}

func (s *Server) listCaseMessages(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := parentID(r, "case", s.Store.Case)
	if err != nil {
		return err
	}
	ms, err := s.Store.CaseMessages(r.Context(), id, true)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.CaseMessage]{Items: ms})
}

func (s *Server) unlinkCase(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, lid, err := pathIDs(r, "lid")
	if err != nil {
		return err
	}
	if err := s.Svc.UnlinkCase(r.Context(), who.Name, id, lid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pathIDs reads {id} and a second positive ID path value.
func pathIDs(r *http.Request, name string) (int64, int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, 0, errStatus(http.StatusBadRequest, "%s %q: not a positive integer", name, r.PathValue(name))
	}
	return id, n, nil
}

// caseAttachment serves an attachment as a download, never inline: the
// type is application/octet-stream whatever its content, with nosniff and
// a sandboxing CSP, so a browser never renders what a stranger sent.
func (s *Server) caseAttachment(w http.ResponseWriter, r *http.Request, _ *principal) error {
	var id, aid int64
	var err error
	if r.PathValue("aid") != "" {
		id, aid, err = pathIDs(r, "aid") // /cases/{id}/attachments/{aid}
	} else {
		aid, err = pathID(r) // /api/v1/attachments/{id}
	}
	if err != nil {
		return err
	}
	a, err := s.Store.CaseAttachment(r.Context(), id, aid)
	if err != nil {
		return err
	}
	_, rd, err := s.Store.Document(r.Context(), a.SHA256)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Attachment-SHA256", a.SHA256)
	w.WriteHeader(http.StatusOK)
	_, err = io.Copy(w, rd)
	return err
}
