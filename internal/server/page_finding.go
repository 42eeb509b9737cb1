package server

// The finding page: one finding with its advisory, where its severity
// came from, why it matched, its fix and its component; its triage state
// and decision, remediation clock, SSVC priority and history; and, for
// those who triage, the forms that change them (page_findingforms.go).

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/ssvc"
)

// findingView is what finding.html draws.
type findingView struct {
	findingRow
	// Advisory is the stored advisory of the finding's ID; HasAdvisory
	// is false when it is no longer stored (withdrawn, its feed deleted).
	Advisory    model.AdvisoryInfo
	HasAdvisory bool
	Evidence    []model.Evidence
	// History is the decision's history, oldest first.
	History []model.HistoryEntry
	// Exceptions are those that cover the finding, in any state.
	Exceptions []model.Exception
	Priority   *priorityView
	// CanTriage: the caller may triage, so the forms show.
	CanTriage bool
	// Message says what the last form did; FormError why it failed.
	Message, FormError string
	// Form re-fills the forms after an error.
	Form findingForms
	// States and Justifications are the triage form's choices.
	States, Justifications []string
}

// priorityView is a finding's SSVC priority read back from its JSON.
type priorityView struct {
	Decision string
	Inputs   ssvc.Inputs
	Outcome  ssvc.Outcome
	// Points are the four decision points with the rule that set each.
	Points []decisionPoint
}

// decisionPoint is one SSVC decision point, its value and why.
type decisionPoint struct{ Name, Value, Why string }

// findingMessages are the messages a redirect back to the finding names
// with ?done=: fixed texts, so that a link cannot put words on the page.
var findingMessages = map[string]string{
	"triaged":   "Triage recorded.",
	"assigned":  "Assignment recorded.",
	"commented": "Comment added.",
	"ticket":    "Ticket recorded.",
	"exception": "Exception requested: another administrator approves or rejects it on the exceptions page.",
}

func (s *Server) findingPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d := pageData{Title: "Finding", User: who}
	id, err := pathID(r)
	if err != nil {
		return s.pageError(w, "finding.html", d, err)
	}
	v, err := s.findingViewFor(r, who, id)
	if err != nil {
		return s.pageError(w, "finding.html", d, err)
	}
	v.Message = findingMessages[r.URL.Query().Get("done")]
	return s.renderFinding(w, http.StatusOK, who, v)
}

// renderFinding draws the finding page with status.
func (s *Server) renderFinding(w http.ResponseWriter, status int, who *principal, v *findingView) error {
	return s.render(w, status, "finding.html", pageData{Title: v.VulnID + " in " + v.Package + " " + v.Version, User: who, Data: v})
}

// findingViewFor reads what the finding page shows the caller; a finding
// that does not exist is a 404 in words.
func (s *Server) findingViewFor(r *http.Request, who *principal, id int64) (*findingView, error) {
	f, err := s.Svc.Finding(r.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		return nil, errStatus(http.StatusNotFound, "finding %d: there is no finding with this ID", id)
	}
	if err != nil {
		return nil, err
	}
	v := &findingView{findingRow: findingRow{f}, CanTriage: who.Perms.Has(auth.PermTriage),
		States: model.DecidableStates, Justifications: model.Justifications}
	if len(f.Evidence) > 0 {
		if err := json.Unmarshal(f.Evidence, &v.Evidence); err != nil {
			return nil, fmt.Errorf("finding %d: evidence: %w", id, err)
		}
	}
	if f.Priority != nil {
		if v.Priority, err = readPriority(f.Priority); err != nil {
			return nil, fmt.Errorf("finding %d: %w", id, err)
		}
	}
	if v.History, err = s.Svc.FindingHistory(r.Context(), id); err != nil {
		return nil, err
	}
	if v.Exceptions, err = s.Store.ExceptionsOf(r.Context(), id); err != nil {
		return nil, err
	}
	info, ok, err := s.Store.AdvisoryInfo(r.Context(), f.VulnID)
	if err != nil {
		return nil, err
	}
	if ok {
		if err := json.Unmarshal([]byte(info), &v.Advisory); err != nil {
			return nil, fmt.Errorf("advisory %s: stored info: %w", f.VulnID, err)
		}
		v.HasAdvisory = true
	}
	return v, nil
}

// readPriority reads a stored priority's inputs and outcome.
func readPriority(p *model.PriorityView) (*priorityView, error) {
	v := &priorityView{Decision: p.Decision}
	if len(p.Inputs) > 0 {
		if err := json.Unmarshal(p.Inputs, &v.Inputs); err != nil {
			return nil, fmt.Errorf("priority inputs: %w", err)
		}
	}
	if len(p.Outcome) > 0 {
		if err := json.Unmarshal(p.Outcome, &v.Outcome); err != nil {
			return nil, fmt.Errorf("priority outcome: %w", err)
		}
	}
	o := v.Outcome
	v.Points = []decisionPoint{{Name: "Exploitation", Value: string(o.Exploitation)}, {Name: "Automatable", Value: string(o.Automatable)},
		{Name: "Technical impact", Value: string(o.TechnicalImpact)}, {Name: "Mission & well-being", Value: string(o.MissionWellbeing)}}
	for i := range v.Points {
		if i < len(o.Why) {
			v.Points[i].Why = o.Why[i]
		}
	}
	return v, nil
}

// pageError shows an error with a status (a bad or missing ID) as the
// page name in words; others it returns.
func (s *Server) pageError(w http.ResponseWriter, name string, d pageData, err error) error {
	status, msg := statusOf(err)
	if status == 0 {
		return err
	}
	d.Error = msg
	return s.render(w, status, name, d)
}
