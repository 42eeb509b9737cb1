package server

// The exceptions page: requests to accept the risk of findings and what
// became of them, requested ones first; administrators approve or reject
// those someone else requested (four eyes) and revoke approved ones.

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
)

// exceptionsView is what exceptions.html draws.
type exceptionsView struct {
	Rows []exceptionRow
	// State is the state filter ("" for all); States its choices.
	State  string
	States []string
	// Admin: the caller may decide, so the forms show.
	Admin bool
	// Single: the page of one exception, without the list's filter.
	Single bool
	// Message says what the last form did; FormError why it failed.
	Message, FormError string
}

// exceptionRow is one exception as the list shows it.
type exceptionRow struct {
	model.Exception
	// Own: the caller requested it, so may not approve it.
	Own bool
}

// exceptionMessages are the messages a redirect back to the list names
// with ?done=: fixed texts, so that a link cannot put words on the page.
var exceptionMessages = map[string]string{
	"approve": "Exception approved: its findings are risk_accepted until it expires.",
	"reject":  "Exception rejected.",
	"revoke":  "Exception revoked: its findings reopened.",
}

// exceptionsViewFor reads the exceptions the list shows: those in state
// (every state for ""), requested ones first, then newest first.
func (s *Server) exceptionsViewFor(r *http.Request, who *principal, state string) (*exceptionsView, error) {
	v := &exceptionsView{State: state, States: model.ExceptionStates, Admin: who.Perms.Has(auth.PermAdmin)}
	if state != "" && !slices.Contains(model.ExceptionStates, state) {
		return v, errStatus(http.StatusBadRequest, "state %q: one of %s", state, strings.Join(model.ExceptionStates, ", "))
	}
	es, err := s.Store.Exceptions(r.Context(), state)
	if err != nil {
		return v, err
	}
	for _, e := range es {
		v.Rows = append(v.Rows, exceptionRow{Exception: e, Own: e.RequestedBy == who.Name})
	}
	slices.SortStableFunc(v.Rows, func(a, b exceptionRow) int {
		return cmp.Compare(requestedFirst(a.Exception), requestedFirst(b.Exception))
	})
	return v, nil
}

// requestedFirst orders requested exceptions before the others.
func requestedFirst(e model.Exception) int {
	if e.State == model.ExceptionRequested {
		return 0
	}
	return 1
}

func (s *Server) exceptionsPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.exceptionsViewFor(r, who, r.URL.Query().Get("state"))
	v.Message = exceptionMessages[r.URL.Query().Get("done")]
	return s.exceptionsAnswer(w, who, v, http.StatusOK, err)
}

// exceptionPage shows one exception, with the forms of the list.
func (s *Server) exceptionPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v := &exceptionsView{Admin: who.Perms.Has(auth.PermAdmin), Single: true}
	id, err := pathID(r)
	if err == nil {
		var e model.Exception
		e, err = s.Store.Exception(r.Context(), id)
		if errors.Is(err, model.ErrNotFound) {
			err = errStatus(http.StatusNotFound, "exception %d: there is no exception with this ID", id)
		}
		v.Rows = []exceptionRow{{Exception: e, Own: e.RequestedBy == who.Name}}
	}
	return s.exceptionsAnswer(w, who, v, http.StatusOK, err)
}

// exceptionsAnswer draws the list with status, or err in words with its
// status; an error without one it returns.
func (s *Server) exceptionsAnswer(w http.ResponseWriter, who *principal, v *exceptionsView, status int, err error) error {
	d := pageData{Title: "Exceptions", User: who, Data: v}
	if err != nil {
		return s.pageError(w, "exceptions.html", d, err)
	}
	return s.render(w, status, "exceptions.html", d)
}

// decideExceptionPage answers the approve, reject and revoke forms: the
// list again saying it was done, or with the error in words.
func (s *Server) decideExceptionPage(verb string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, err := pathID(r)
		note := r.PostFormValue("reason")
		if err == nil {
			switch verb {
			case "revoke":
				_, err = s.Svc.RevokeException(r.Context(), who.Name, id, note)
			default:
				_, err = s.Svc.DecideException(r.Context(), who.Name, id, verb == "approve", note)
			}
		}
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/exceptions?done=%s#exception-%d", verb, id), http.StatusSeeOther)
			return nil
		}
		status, msg := statusOf(err)
		if status == 0 {
			return err
		}
		v, verr := s.exceptionsViewFor(r, who, "")
		if verr != nil {
			return verr
		}
		v.FormError = msg
		return s.exceptionsAnswer(w, who, v, status, nil)
	}
}
