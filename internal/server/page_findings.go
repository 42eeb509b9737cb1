package server

// The findings page: the findings list with every filter the API has, as
// a GET form, one keyset page at a time.

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/ssvc"
	"github.com/vulndesk/vulndesk/internal/store"
)

// findingsView is what findings.html draws.
type findingsView struct {
	// Form holds the filters as given, to fill the form again.
	Form     url.Values
	Severity map[string]bool
	Rows     []findingRow
	// Next is the URL of the next page; "" on the last page.
	Next string
	// Filtered says whether any filter is set, for the empty state.
	Filtered bool
	// Total is how many findings the filter selects, counted up to
	// countCap ("10,000+" past it); "" when the text is too common to
	// count.
	Total string
	// Ratings, Statuses and Sorts are the form's choices.
	Ratings  []model.Rating
	Statuses []string
	Sorts    []string
	// Checked are the ticked boxes of the state and priority filters;
	// States, SLAStates and Priorities the choices of the triage filters.
	Checked                       map[string]bool
	States, SLAStates, Priorities []string
	// Kinds are the finding kinds (dependency, code).
	Kinds []string
	// Bulk is the bulk-triage form, for those who triage.
	Bulk *bulkForm
	// ExportCSV and ExportJSON are the export's URLs with these filters
	// (every page).
	ExportCSV, ExportJSON string
}

// findingRow is one finding as a table row shows it.
type findingRow struct {
	model.AssetFinding
}

// EPSSText is the EPSS probability as a percentage; "" when unknown.
func (f findingRow) EPSSText() string {
	if f.EPSS == nil {
		return ""
	}
	return strconv.FormatFloat(*f.EPSS*100, 'f', 2, 64) + "%"
}

// ScoreText is the CVSS base score with one decimal; "" when none.
func (f findingRow) ScoreText() string {
	score := f.SeverityDetail.Score
	if score == 0 {
		score = f.Score
	}
	if score == 0 {
		return ""
	}
	return strconv.FormatFloat(score, 'f', 1, 64)
}

// findingsQuery turns the page's form into the API's query: the severity
// checkboxes, each a value of its own, become the API's comma-separated
// list, and the empty fields of a submitted form are dropped.
func findingsQuery(form url.Values) url.Values {
	q := url.Values{}
	for k, vs := range form {
		var kept []string
		for _, v := range vs {
			if v != "" {
				kept = append(kept, v)
			}
		}
		if len(kept) == 0 {
			continue
		}
		if slices.Contains(findingsLists, k) {
			kept = []string{strings.Join(kept, ",")}
		}
		q[k] = kept[:1]
	}
	return q
}

// findingsLists are the filters the form sends as one checkbox a value
// and the API takes as a comma-separated list.
var findingsLists = []string{"severity", "state", "priority"}

// countCap is where the findings page stops counting: a count costs
// what reading that many index entries does.
const countCap = 10000

func (s *Server) findingsPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	q := findingsQuery(r.URL.Query())
	var bulk *bulkForm
	if who.Perms.Has(auth.PermTriage) {
		bulk = newBulkForm(q)
		bulk.Message = bulkMessage(q.Get("triaged"))
	}
	q.Del("triaged")
	return s.renderFindings(w, r, who, q, bulk, http.StatusOK)
}

// renderFindings draws the findings list that the filters q select,
// with the bulk-triage form bulk (nil: none) and status.
func (s *Server) renderFindings(w http.ResponseWriter, r *http.Request, who *principal, q url.Values, bulk *bulkForm, status int) error {
	v := findingsView{Form: q, Severity: map[string]bool{}, Checked: map[string]bool{}, Bulk: bulk,
		Ratings: model.Ratings, Statuses: model.FindingStatusFilters, Sorts: store.FindingSorts,
		States: model.TriageStates, SLAStates: strs(sla.States), Priorities: strs(ssvc.Decisions),
		Kinds: model.FindingKinds}
	for _, sv := range strings.Split(q.Get("severity"), ",") {
		v.Severity[strings.ToLower(strings.TrimSpace(sv))] = true
	}
	for _, k := range []string{"state", "priority"} {
		for _, sv := range listParam(q.Get(k)) {
			v.Checked[k+":"+sv] = true
		}
	}
	// The order, the page and the default status filter nothing out.
	v.Filtered = slices.ContainsFunc(slices.Collect(maps.Keys(q)), func(k string) bool {
		return k != "sort" && k != "cursor" && k != "limit" && (k != "status" || q.Get(k) != model.FindingOpen)
	})
	api := r.Clone(r.Context())
	api.URL.RawQuery = q.Encode()
	d := pageData{Title: "Findings", User: who, Data: &v}
	f, err := s.findingFilter(api)
	var items []model.AssetFinding
	var next string
	if err == nil {
		items, next, err = s.Store.Findings(r.Context(), f)
	}
	if err != nil {
		status, msg := statusOf(err)
		if status == 0 {
			return err
		}
		d.Error = msg
		return s.render(w, status, "findings.html", d)
	}
	for _, it := range items {
		v.Rows = append(v.Rows, findingRow{it})
	}
	n, more, counted, err := s.Store.CountFindings(r.Context(), f, countCap)
	if err != nil {
		return err
	}
	if counted {
		v.Total = plural(n, "finding") + " match."
		if more {
			v.Total = thousands(n) + "+ findings match."
		} else if n >= 1000 {
			v.Total = thousands(n) + " findings match."
		}
	}
	eq := maps.Clone(q)
	eq.Del("cursor")
	eq.Del("limit")
	eq.Set("format", "csv")
	v.ExportCSV = "/api/v1/findings/export?" + eq.Encode()
	eq.Set("format", "json")
	v.ExportJSON = "/api/v1/findings/export?" + eq.Encode()
	if next != "" {
		nq := maps.Clone(q)
		nq.Set("cursor", next)
		v.Next = "/findings?" + nq.Encode()
	}
	return s.render(w, status, "findings.html", d)
}
