package server

// The API of triage: decisions about findings, their history, and
// exceptions (risk acceptance).

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

func (s *Server) triageFinding(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[model.TriageInput](r)
	if err != nil {
		return err
	}
	return writeFinding(w)(s.Svc.Triage(r.Context(), who.Name, id, in))
}

func (s *Server) findingHistory(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	h, err := s.Svc.FindingHistory(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.HistoryEntry]{Items: h})
}

func (s *Server) bulkTriage(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in api.BulkTriage
	if err := decode(r, &in); err != nil {
		return err
	}
	ids := in.FindingIDs
	if len(ids) == 0 {
		var err error
		if ids, err = s.filteredIDs(r, service.MaxBulkTriage); err != nil {
			return err
		}
	}
	n, err := s.Svc.BulkTriage(r.Context(), who.Name, ids, model.TriageInput{State: in.State, Reason: in.Reason, Justification: in.Justification})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.BulkTriaged{Triaged: n})
}

// filteredIDs reads the IDs of the findings the request's list filters
// select, page by page; more than max is a 400.
func (s *Server) filteredIDs(r *http.Request, max int) ([]int64, error) {
	f, err := s.findingFilter(r)
	if err != nil {
		return nil, err
	}
	f.Limit = store.MaxPageSize
	var ids []int64
	for {
		page, next, err := s.Store.Findings(r.Context(), f)
		if err != nil {
			return nil, err
		}
		for _, fd := range page {
			ids = append(ids, fd.ID)
		}
		if len(ids) > max {
			return nil, errStatus(http.StatusBadRequest, "the filters select more than %d findings; narrow them", max)
		}
		if next == "" {
			return ids, nil
		}
		f.Cursor = next
	}
}

func (s *Server) requestException(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in model.ExceptionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.Svc.RequestException(r.Context(), who.Name, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/exceptions/"+strconv.FormatInt(e.ID, 10))
	return writeJSON(w, http.StatusCreated, e)
}

// decideException answers approve, reject and revoke.
func (s *Server) decideException(verb string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in model.ExceptionDecision
		if err := decodeOptional(r, &in); err != nil {
			return err
		}
		var e model.Exception
		switch verb {
		case "revoke":
			e, err = s.Svc.RevokeException(r.Context(), who.Name, id, in.Reason)
		default:
			e, err = s.Svc.DecideException(r.Context(), who.Name, id, verb == "approve", in.Reason)
		}
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, e)
	}
}

func (s *Server) listExceptions(w http.ResponseWriter, r *http.Request, _ *principal) error {
	state := r.URL.Query().Get("state")
	if state != "" && !slices.Contains(model.ExceptionStates, state) {
		return errStatus(http.StatusBadRequest, "state %q: one of %s", state, strings.Join(model.ExceptionStates, ", "))
	}
	es, err := s.Store.Exceptions(r.Context(), state)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.Exception]{Items: es})
}

func (s *Server) assignFinding(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[api.Assignment](r)
	if err != nil {
		return err
	}
	return writeFinding(w)(s.Svc.Assign(r.Context(), who.Name, id, in.Assignee))
}

func (s *Server) commentFinding(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[api.Comment](r)
	if err != nil {
		return err
	}
	return writeFinding(w)(s.Svc.Comment(r.Context(), who.Name, id, in.Body))
}

func (s *Server) ticketFinding(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[model.Ticket](r)
	if err != nil {
		return err
	}
	return writeFinding(w)(s.Svc.SetTicket(r.Context(), who.Name, id, in))
}

// writeFinding answers a finding a use case changed, or its error.
func writeFinding(w http.ResponseWriter) func(model.AssetFinding, error) error {
	return func(f model.AssetFinding, err error) error {
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, f)
	}
}

// decodeOptional is decode for a body that may be absent: no body, or an
// empty one however it was sent (a chunked empty body has no length),
// leaves v as it is.
func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return decode(r, v)
}
