package server

// The assets page: every asset, searched and filtered by a GET form, 50 a
// page by name, with its inventory size and open findings.

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// assetsPageSize is how many assets a page of the list shows.
const assetsPageSize = 50

// criticalityWords names the criticalities 1–4, for people.
var criticalityWords = []string{1: "1 – very high", 2: "2 – high", 3: "3 – medium", 4: "4 – low"}

// criticalityName says a criticality in words.
func criticalityName(c int) string {
	if c < 1 || c >= len(criticalityWords) {
		return strconv.Itoa(c)
	}
	return criticalityWords[c]
}

// assetChoices are the values the asset form's and filter's selects offer.
type assetChoices struct {
	Kinds, Exposures, Lifecycles []string
	Criticalities                []int
}

var assetOptions = assetChoices{Kinds: model.AssetKinds, Exposures: model.Exposures, Lifecycles: model.Lifecycles,
	Criticalities: []int{1, 2, 3, 4}}

// assetsView is what assets.html draws.
type assetsView struct {
	assetChoices
	Form  url.Values
	Rows  []model.AssetRow
	Total int
	// Next is the URL of the next page; "" on the last page.
	Next     string
	Filtered bool
	// CanCreate says whether the caller may create assets.
	CanCreate bool
}

func (s *Server) assetsPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	q := url.Values{}
	for _, k := range []string{"q", "kind", "exposure", "criticality", "lifecycle", "after"} {
		if v := strings.TrimSpace(r.URL.Query().Get(k)); v != "" {
			q.Set(k, v)
		}
	}
	v := assetsView{assetChoices: assetOptions, Form: q, CanCreate: who.Perms.Has(auth.PermTriage),
		Filtered: len(q) > 0 && (len(q) > 1 || q.Get("after") == "")}
	d := pageData{Title: "Assets", User: who, Data: &v}
	f, err := assetFilterOf(q)
	if err != nil {
		return s.pageError(w, "assets.html", d, err)
	}
	if v.Total, err = s.Store.CountAssetRows(r.Context(), f); err != nil {
		return err
	}
	if v.Rows, err = s.Store.AssetRows(r.Context(), f, q.Get("after")); err != nil {
		return err
	}
	if len(v.Rows) == assetsPageSize {
		nq := url.Values{}
		for k, vs := range q {
			nq[k] = vs
		}
		nq.Set("after", v.Rows[len(v.Rows)-1].Name)
		v.Next = "/assets?" + nq.Encode()
	}
	return s.render(w, http.StatusOK, "assets.html", d)
}

// assetFilterOf reads the list's filters; a value no asset can have is a
// 400 that names the field and its values.
func assetFilterOf(q url.Values) (store.AssetFilter, error) {
	f := store.AssetFilter{Text: q.Get("q"), Kind: q.Get("kind"), Exposure: q.Get("exposure"), Lifecycle: q.Get("lifecycle"),
		Limit: assetsPageSize}
	if len(f.Text) > 200 {
		return f, errStatus(http.StatusBadRequest, "q: at most 200 characters")
	}
	for _, c := range []struct {
		name, v string
		in      []string
	}{{"kind", f.Kind, model.AssetKinds}, {"exposure", f.Exposure, model.Exposures}, {"lifecycle", f.Lifecycle, model.Lifecycles}} {
		if c.v != "" && !slices.Contains(c.in, c.v) {
			return f, errStatus(http.StatusBadRequest, "%s %q: one of %s", c.name, c.v, strings.Join(c.in, ", "))
		}
	}
	if c := q.Get("criticality"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 || n > 4 {
			return f, errStatus(http.StatusBadRequest, "criticality %q: 1 (highest) to 4 (lowest)", c)
		}
		f.Criticality = n
	}
	return f, nil
}

// shortHash is the start of a hex digest, enough to tell uploads apart.
func shortHash(h string) string { return h[:min(len(h), 12)] }
