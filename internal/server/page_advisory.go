package server

// The advisory page: one advisory, found by its ID or an alias, with
// every CVSS vector known for it and the open findings it causes.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/vulndesk/vulndesk/internal/match"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// advisoryFindingsCap is how many open findings the advisory page lists
// at most, and advisoryFindingsPages how many pages of text matches it
// reads for them; the findings page, filtered by the ID, has the rest.
const advisoryFindingsCap, advisoryFindingsPages = 500, 20

// advisoryView is what advisory.html draws.
type advisoryView struct {
	model.AdvisoryInfo
	// Asked is the ID asked for when it is an alias of the advisory
	// shown; Others are the other advisories that name that alias.
	Asked  string
	Others []string
	// Rows are the advisory's open findings, at most advisoryFindingsCap;
	// More says there may be others, which MoreURL searches for.
	Rows    []findingRow
	More    bool
	MoreURL string
}

func (s *Server) advisoryPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d := pageData{Title: "Advisory", User: who}
	asked := r.PathValue("id")
	if asked == "" || len(asked) > 200 {
		return s.pageError(w, "advisory.html", d, errStatus(http.StatusBadRequest, "advisory id: 1–200 characters"))
	}
	id, others, err := s.advisoryOf(r, asked)
	if err != nil {
		return s.pageError(w, "advisory.html", d, err)
	}
	info, ok, err := s.Store.AdvisoryInfo(r.Context(), id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("advisory %s (alias %s): %w", id, asked, store.ErrNotFound)
	}
	v := advisoryView{Others: others}
	if err := json.Unmarshal([]byte(info), &v.AdvisoryInfo); err != nil {
		return fmt.Errorf("advisory %s: stored info: %w", id, err)
	}
	if id != asked {
		v.Asked = asked
	}
	if err := s.advisoryVectors(r, &v.AdvisoryInfo); err != nil {
		return err
	}
	if err := s.advisoryFindings(r, &v); err != nil {
		return err
	}
	d.Title, d.Data = v.ID, &v
	return s.render(w, http.StatusOK, "advisory.html", d)
}

// advisoryOf resolves an advisory ID or alias to the advisory shown and
// the other advisories that name the alias, as the API's getAdvisory
// does: the primary one is the one matching chooses.
func (s *Server) advisoryOf(r *http.Request, asked string) (string, []string, error) {
	_, ok, err := s.Store.AdvisoryInfo(r.Context(), asked)
	if err != nil || ok {
		return asked, nil, err
	}
	ids, err := s.Store.AdvisoriesByAlias(r.Context(), asked)
	if err != nil {
		return "", nil, err
	}
	if len(ids) == 0 {
		return "", nil, errStatus(http.StatusNotFound, "advisory %s: no stored advisory has this ID or alias", asked)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if match.IDBefore(a, b) {
			return -1
		}
		return 1
	})
	return ids[0], ids[1:], nil
}

// advisoryVectors lists in a.CVSS every CVSS vector known for the
// advisory: its own, then those of the NVD records of its CVE aliases.
func (s *Server) advisoryVectors(r *http.Request, a *model.AdvisoryInfo) error {
	a.CVSS = nil
	if own := a.Severity; own.Vector != "" {
		own.From, own.Record = model.SeverityFromAdvisory, a.ID
		a.CVSS = append(a.CVSS, own)
	}
	vs, err := s.Svc.NVDVectors(r.Context(), a.ID, a.Aliases)
	if err != nil {
		return err
	}
	a.CVSS = append(a.CVSS, vs...)
	return nil
}

// advisoryFindings reads the open findings of the advisory into v, a page
// at a time, up to advisoryFindingsCap (More set when it stops short).
// The text filter matches a part of an advisory ID or alias, a package or
// an asset name, so only the findings that name the advisory are kept.
func (s *Server) advisoryFindings(r *http.Request, v *advisoryView) error {
	f := store.FindingFilter{Text: v.ID, Status: model.FindingOpen, Limit: store.PageSize(advisoryFindingsCap)}
	for page := 1; ; page++ {
		items, next, err := s.Store.Findings(r.Context(), f)
		if err != nil {
			return fmt.Errorf("advisory %s: findings: %w", v.ID, err)
		}
		for _, it := range items {
			if it.VulnID != v.ID && !slices.Contains(it.Aliases, v.ID) {
				continue
			}
			if len(v.Rows) == advisoryFindingsCap {
				v.More = true
				break
			}
			v.Rows = append(v.Rows, findingRow{it})
		}
		if v.More || next == "" {
			break
		}
		if page == advisoryFindingsPages {
			v.More = true // the text matches much else; there may be more
			break
		}
		f.Cursor = next
	}
	v.MoreURL = "/findings?" + url.Values{"q": {v.ID}}.Encode()
	return nil
}
