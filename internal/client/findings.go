package client

// Findings and advisories.

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// FindingFilter selects findings; each field is one query parameter of
// GET /api/v1/findings, left out when zero.
type FindingFilter struct {
	// Asset is an asset's ID or name.
	Asset string
	// Severity keeps these ratings (critical, high, medium, low, none,
	// unknown).
	Severity []string
	// Status is open (the server's default), resolved or all.
	Status string
	// KEV keeps the findings listed in CISA KEV.
	KEV bool
	// Ecosystem is an OSV ecosystem (PyPI, Go) or a purl type (pypi,
	// golang).
	Ecosystem string
	// Text keeps findings with it in their package, advisory ID, alias
	// (CVE, GHSA, EUVD, …) or asset name.
	Text string
	// MinScore and MaxScore, when not nil, keep the findings whose CVSS
	// base score is within them (0–10). A finding without a score counts
	// as 0: a MinScore above 0 leaves it out, a MaxScore keeps it.
	MinScore, MaxScore *float64
	// State keeps these triage states; Priority these SSVC decisions;
	// SLAState findings whose clock is in this state now; Assignee those
	// assigned to this name ("none": to nobody).
	State, Priority []string
	SLAState        string
	Assignee        string
	// Sort is the order: severity (the server's default) or score. A
	// Cursor holds only for the Sort that gave it.
	Sort string
	// Kind keeps the findings of this kind: dependency or code.
	Kind string
	PageQuery
}

// Query is the filter as the route's query parameters.
func (f FindingFilter) Query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("asset", f.Asset)
	set("severity", strings.Join(f.Severity, ","))
	set("status", f.Status)
	if f.KEV {
		q.Set("kev", "true")
	}
	set("ecosystem", f.Ecosystem)
	set("q", f.Text)
	for k, v := range map[string]*float64{"min_score": f.MinScore, "max_score": f.MaxScore} {
		if v != nil {
			q.Set(k, strconv.FormatFloat(*v, 'g', -1, 64))
		}
	}
	set("state", strings.Join(f.State, ","))
	set("priority", strings.Join(f.Priority, ","))
	set("sla_state", f.SLAState)
	set("assignee", f.Assignee)
	set("kind", f.Kind)
	set("sort", f.Sort)
	return f.add(q)
}

// Findings reads one page of findings in f.Sort's order: most severe
// first, then newest, by default.
func (c *Client) Findings(ctx context.Context, f FindingFilter) (api.Page[model.AssetFinding], error) {
	return get[api.Page[model.AssetFinding]](ctx, c, "/api/v1/findings", f.Query())
}

// FindingPages reads every page of findings that f selects, from f.Cursor
// on, following each page's NextCursor. It stops at the first error, which
// it yields.
func (c *Client) FindingPages(ctx context.Context, f FindingFilter) iter.Seq2[api.Page[model.AssetFinding], error] {
	return func(yield func(api.Page[model.AssetFinding], error) bool) {
		for {
			p, err := c.Findings(ctx, f)
			if !yield(p, err) || err != nil || p.NextCursor == "" {
				return
			}
			f.Cursor = p.NextCursor
		}
	}
}

// AllFindings reads every finding that f selects, page after page.
func (c *Client) AllFindings(ctx context.Context, f FindingFilter) ([]model.AssetFinding, error) {
	var out []model.AssetFinding
	for p, err := range c.FindingPages(ctx, f) {
		if err != nil {
			return out, err
		}
		out = append(out, p.Items...)
	}
	return out, nil
}

// Finding reads one finding.
func (c *Client) Finding(ctx context.Context, id int64) (model.AssetFinding, error) {
	return get[model.AssetFinding](ctx, c, idPath("/api/v1/findings", id), nil)
}

// Advisory reads an advisory by its ID or by one of its aliases (the
// server answers the primary advisory of an alias).
func (c *Client) Advisory(ctx context.Context, id string) (model.AdvisoryInfo, error) {
	return get[model.AdvisoryInfo](ctx, c, "/api/v1/advisories/"+url.PathEscape(id), nil)
}

// NVDRecord reads the NVD record of a CVE as the server's nvd feeds
// stored it (package nvd's Record, as JSON).
func (c *Client) NVDRecord(ctx context.Context, cve string) (json.RawMessage, error) {
	return get[json.RawMessage](ctx, c, "/api/v1/nvd/"+url.PathEscape(cve), nil)
}
