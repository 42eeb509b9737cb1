package server

// The finding page's forms: triage, assignment, comment, ticket and a
// request for an exception, each through its service use case. A form
// that succeeds goes back to the finding (Post/Redirect/Get) with a fixed
// message; one that fails shows the finding again with the error in words
// and the form filled as it was sent.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// findingForms are the values of the finding page's forms.
type findingForms struct {
	Triage   model.TriageInput
	Assignee string
	Comment  string
	Ticket   model.Ticket
	// Exception's Expires is a date (YYYY-MM-DD), as the form sends it.
	ExceptionReason, ExceptionControls, ExceptionExpires string
}

// findingFormsFrom reads the posted forms' fields.
func findingFormsFrom(r *http.Request) findingForms {
	v := r.PostFormValue
	return findingForms{
		Triage:   model.TriageInput{State: v("state"), Reason: v("reason"), Justification: v("justification")},
		Assignee: v("assignee"), Comment: v("comment"),
		Ticket:          model.Ticket{URL: v("ticket_url"), Key: v("ticket_key")},
		ExceptionReason: v("exception_reason"), ExceptionControls: v("compensating_controls"), ExceptionExpires: v("expires"),
	}
}

// findingAction is what one form does to finding id as actor.
type findingAction func(ctx context.Context, actor string, id int64, f findingForms) error

// findingForm answers one of the finding page's forms: act, then a
// redirect to the finding saying done, or the page with the error.
func (s *Server) findingForm(done string, act findingAction) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		d := pageData{Title: "Finding", User: who}
		id, err := pathID(r)
		if err != nil {
			return s.pageError(w, "finding.html", d, err)
		}
		f := findingFormsFrom(r)
		actErr := act(r.Context(), who.Name, id, f)
		if actErr == nil {
			http.Redirect(w, r, fmt.Sprintf("/findings/%d?done=%s#triage", id, done), http.StatusSeeOther)
			return nil
		}
		status, msg := statusOf(actErr)
		if status == 0 {
			return actErr
		}
		v, err := s.findingViewFor(r, who, id)
		if err != nil {
			return s.pageError(w, "finding.html", d, err)
		}
		v.Form, v.FormError = f, msg
		return s.renderFinding(w, status, who, v)
	}
}

// findingFormPage answers the finding page's form that says done when it
// succeeds: triaged, assigned, commented, ticket or exception.
func (s *Server) findingFormPage(done string) handlerFunc {
	return s.findingForm(done, func(ctx context.Context, actor string, id int64, f findingForms) error {
		var err error
		switch done {
		case "triaged":
			_, err = s.Svc.Triage(ctx, actor, id, f.Triage)
		case "assigned":
			_, err = s.Svc.Assign(ctx, actor, id, f.Assignee)
		case "commented":
			_, err = s.Svc.Comment(ctx, actor, id, f.Comment)
		case "ticket":
			_, err = s.Svc.SetTicket(ctx, actor, id, f.Ticket)
		default:
			err = s.requestExceptionFor(ctx, actor, id, f)
		}
		return err
	})
}

// requestExceptionFor requests an exception for the one finding; it holds
// through the date given (to the end of that day, UTC), as the API reads
// a date.
func (s *Server) requestExceptionFor(ctx context.Context, actor string, id int64, f findingForms) error {
	day := strings.TrimSpace(f.ExceptionExpires)
	if day == "" {
		return model.Invalidf("expires: required: the date the exception ends")
	}
	until, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return model.Invalidf("expires %q: a date, YYYY-MM-DD", day)
	}
	_, err = s.Svc.RequestException(ctx, actor, model.ExceptionInput{FindingIDs: []int64{id},
		Reason: f.ExceptionReason, CompensatingControls: f.ExceptionControls, ExpiresAt: until.AddDate(0, 0, 1).Add(-time.Second)})
	return err
}
