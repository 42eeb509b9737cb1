package server

// The findings list's bulk triage: one decision for every finding the
// list's filters select (at most service.MaxBulkTriage), each recorded on
// its own, through the same use case as POST /api/v1/triage.

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
)

// bulkForm is the bulk-triage form of the findings list.
type bulkForm struct {
	// Action posts the list's filters along (without the page's cursor
	// and size: it triages every finding they select).
	Action template.URL
	// Max is the most findings one bulk triage changes.
	Max int
	// Form re-fills the form after an error.
	Form model.TriageInput
	// States and Justifications are the form's choices.
	States, Justifications []string
	// Message says what the last bulk triage did; Error why it failed.
	Message, Error string
}

// newBulkForm is the bulk-triage form for the filters q.
func newBulkForm(q url.Values) *bulkForm {
	fq := url.Values{}
	for k, v := range q {
		if k != "cursor" && k != "limit" && k != "triaged" {
			fq[k] = v
		}
	}
	return &bulkForm{Action: template.URL("/findings/triage?" + fq.Encode()), Max: service.MaxBulkTriage, States: model.DecidableStates, Justifications: model.Justifications}
}

// bulkMessage says how many findings the last bulk triage changed, from
// the redirect's ?triaged= (a number only, so a link cannot put words on
// the page); "" when there is none.
func bulkMessage(n string) string {
	c, err := strconv.Atoi(n)
	if err != nil || c < 0 {
		return ""
	}
	return "Triaged " + plural(c, "finding") + "; each has its own history entry."
}

// bulkTriagePage triages the findings the query's filters select and
// goes back to the list, saying how many; an error shows the list with
// the error in words and the form filled as it was sent.
func (s *Server) bulkTriagePage(w http.ResponseWriter, r *http.Request, who *principal) error {
	in := model.TriageInput{State: r.PostFormValue("state"), Reason: r.PostFormValue("reason"), Justification: r.PostFormValue("justification")}
	ids, err := s.filteredIDs(r, service.MaxBulkTriage)
	n := 0
	if err == nil {
		n, err = s.Svc.BulkTriage(r.Context(), who.Name, ids, in)
	}
	q := findingsQuery(r.URL.Query())
	q.Del("triaged")
	if err != nil {
		status, msg := statusOf(err)
		if status == 0 {
			return err
		}
		bulk := newBulkForm(q)
		bulk.Form, bulk.Error = in, msg
		return s.renderFindings(w, r, who, q, bulk, status)
	}
	q.Del("cursor")
	q.Set("triaged", strconv.Itoa(n))
	http.Redirect(w, r, "/findings?"+q.Encode()+"#bulk", http.StatusSeeOther)
	return nil
}
