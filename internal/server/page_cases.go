package server

// The staff pages of disclosure cases (issue 14): the list with its
// filters and a chart of cases per state, and a case with everything the
// reporter sent (escaped), the messages, attachments as downloads, the
// state buttons, timers, assignee, links, IDs and credit. Every form is
// one service call; the page comes back saying what was done or why not.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/store"
)

// casesView is what cases.html draws.
type casesView struct {
	Rows                    []model.Case
	State, TimerState       string
	States, TimerStates     []string
	Chart                   chart
	Total                   int
	FilterError, FormNotice string
}

func (s *Server) casesPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	q := r.URL.Query()
	v := &casesView{State: q.Get("state"), TimerState: q.Get("timer_state"), States: model.CaseStates, TimerStates: strs(sla.States)}
	d := pageData{Title: "Cases", User: who, Data: v}
	rows, err := s.Svc.Cases(r.Context(), v.State, v.TimerState)
	if err != nil {
		return s.pageError(w, "cases.html", d, err)
	}
	v.Rows = rows
	counts, err := s.Store.CaseStateCounts(r.Context())
	if err != nil {
		return err
	}
	var items []barItem
	for _, st := range model.CaseStates {
		if n := counts[st]; n > 0 {
			items = append(items, barItem{Label: st, Value: n, Href: "/cases?state=" + st})
			v.Total += n
		}
	}
	v.Chart = barChart("case-states", "Cases by state", "How many cases are in each state now.", "State", "Cases", items)
	return s.render(w, http.StatusOK, "cases.html", d)
}

// caseView is what case.html draws.
type caseView struct {
	model.CaseDetail
	Moves      []string
	Triage     bool
	Severities []string
	LinkKinds  []string
	// Duplicate is the public ID of the case this one duplicates.
	Duplicate string
	// Message says what the last form did; FormError why it failed.
	Message, FormError string

	// The case's coordination: the advisories written for it, its CRA
	// Art. 14 clocks, the reports sent to the CSIRT and upstream, and
	// what their forms offer (the products, the CSIRT's name).
	Advisories []model.SecurityAdvisory
	Clocks     []clockRow
	Outbound   []model.OutboundReport
	Products   []model.Product
	CSIRT      string
}

// caseMessages are the messages a redirect back to the case names with
// ?done=: fixed texts, so that a link cannot put words on the page.
var caseMessages = map[string]string{
	"state":    "State changed.",
	"message":  "Message sent.",
	"edit":     "Case updated.",
	"link":     "Link added.",
	"unlink":   "Link removed.",
	"extended": "Disclosure date extended.",
	"outbound": "Report recorded.",
}

func (s *Server) caseView(r *http.Request, who *principal) (*caseView, error) {
	d, err := s.caseDetail(r)
	if err != nil {
		return nil, err
	}
	v := &caseView{CaseDetail: d, Moves: model.CaseMoves(d.State), Triage: who.Perms.Has(auth.PermTriage),
		Severities: model.CaseSeverities, LinkKinds: model.CaseLinkKinds}
	if d.DuplicateOf != 0 {
		if orig, err := s.Store.Case(r.Context(), d.DuplicateOf); err == nil {
			v.Duplicate = orig.PublicID
		}
	}
	return v, s.caseCoordination(r.Context(), v)
}

// caseCoordination fills what the case page shows of the records that
// name the case: advisories, CRA clocks and outbound reports.
func (s *Server) caseCoordination(ctx context.Context, v *caseView) error {
	var err error
	if v.Advisories, err = s.Store.CaseSecAdvisories(ctx, v.ID); err != nil {
		return err
	}
	clocks, err := s.Store.CRAClocks(ctx, store.CRAFilter{CaseID: v.ID})
	if err != nil {
		return err
	}
	now := time.Now()
	for _, c := range clocks {
		v.Clocks = append(v.Clocks, newClockRow(c, now))
	}
	if v.Outbound, err = s.Store.OutboundReports(ctx, store.OutboundFilter{CaseID: v.ID}); err != nil {
		return err
	}
	if v.Products, err = s.Store.Products(ctx, false); err != nil {
		return err
	}
	d, err := s.Svc.Disclosure(ctx)
	v.CSIRT = d.CSIRT.Name
	return err
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.caseView(r, who)
	if err != nil {
		return s.pageError(w, "error.html", pageData{Title: "Case", User: who}, err)
	}
	v.Message = caseMessages[r.URL.Query().Get("done")]
	return s.render(w, http.StatusOK, "case.html", pageData{Title: "Case " + v.PublicID, User: who, Data: v})
}

// caseForm answers a form on a case page: do runs the service call; on
// success the page is shown again saying so (done names the message), on
// a caller's error with the error in words and its status.
func (s *Server) caseForm(done string, do func(r *http.Request, who *principal, id int64) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err = do(r, who, id); err == nil {
			http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=%s", id, done), http.StatusSeeOther)
			return nil
		}
		status, msg := statusOf(err)
		if status == 0 {
			return err
		}
		v, verr := s.caseView(r, who)
		if verr != nil {
			return s.pageError(w, "error.html", pageData{Title: "Case", User: who}, verr)
		}
		v.FormError = msg
		return s.render(w, status, "case.html", pageData{Title: "Case " + v.PublicID, User: who, Data: v})
	}
}

func (s *Server) caseStateForm(r *http.Request, who *principal, id int64) error {
	_, err := s.Svc.MoveCase(r.Context(), who.Name, id, model.CaseStateChange{State: r.PostFormValue("state"),
		DuplicateOf: r.PostFormValue("duplicate_of"), Note: r.PostFormValue("note")})
	return err
}

func (s *Server) caseMessageForm(r *http.Request, who *principal, id int64) error {
	_, err := s.Svc.StaffMessage(r.Context(), who.Name, id, model.CaseMessageInput{Body: r.PostFormValue("body"),
		Internal: r.PostFormValue("internal") != ""})
	return err
}

func (s *Server) caseEditForm(r *http.Request, who *principal, id int64) error {
	field := func(name string) *string {
		if _, ok := r.PostForm[name]; !ok {
			return nil
		}
		v := r.PostFormValue(name)
		return &v
	}
	check := func(name string) *bool { v := r.PostFormValue(name) != ""; return &v }
	_, err := s.Svc.PatchCase(r.Context(), who.Name, id, model.CasePatch{Severity: field("severity"), Assignee: field("assignee"),
		CVE: field("cve"), EUVD: field("euvd"), CreditName: field("credit_name"), CreditOptIn: check("credit_opt_in"),
		ActivelyExploited: check("actively_exploited")})
	return err
}

func (s *Server) caseLinkForm(r *http.Request, who *principal, id int64) error {
	_, err := s.Svc.LinkCase(r.Context(), who.Name, id, model.CaseLinkInput{Kind: r.PostFormValue("kind"), Target: r.PostFormValue("target")})
	return err
}

func (s *Server) caseUnlinkForm(r *http.Request, who *principal, id int64) error {
	_, lid, err := pathIDs(r, "lid")
	if err != nil {
		return err
	}
	return s.Svc.UnlinkCase(r.Context(), who.Name, id, lid)
}

func (s *Server) caseExtendForm(r *http.Request, who *principal, id int64) error {
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil {
		return errStatus(http.StatusBadRequest, "days %q: a whole number of days", r.PostFormValue("days"))
	}
	_, err = s.Svc.ExtendDisclosure(r.Context(), who.Name, id, model.CaseExtensionInput{Days: days, Reason: r.PostFormValue("reason")})
	return err
}
