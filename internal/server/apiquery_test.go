package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// What a new team tried first and found wanting: an advisory looked up by
// its CVE, an asset filter by name, ecosystems as purl types name them,
// page sizes past the documented bound, components in pages, and query
// parameters a route does not know.
func TestAPIQueries(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{seed: true, jobs: true})
	admin := p.admin
	var shop struct{ Items []model.Asset }
	admin.JSON(t, "GET", "/api/v1/assets?q=webshop", nil, 200, &shop)
	waitMatched(t, admin, shop.Items[0].CurrentSnapshotID)

	// An advisory by any of its IDs: one advisory names CVE-2021-44228;
	// two name CVE-2023-39325, and the answer links the other.
	var adv struct {
		ID      string   `json:"id"`
		Aliases []string `json:"aliases"`
	}
	admin.JSON(t, "GET", "/api/v1/advisories/CVE-2021-44228", nil, 200, &adv)
	if adv.ID != "VDX-2021-0001" {
		t.Errorf("CVE-2021-44228 answered %+v", adv)
	}
	a := rawCall(t, p.URL, "GET", "/api/v1/advisories/CVE-2023-39325", nil, bearerHdr(admin.Token))
	json.Unmarshal(a.body, &adv)
	if a.status != 200 || adv.ID != "VDX-2023-0005" || !strings.Contains(a.header.Get("Link"), "/api/v1/advisories/VDXB-2023-0001") {
		t.Errorf("CVE-2023-39325: %d %s, Link %q", a.status, adv.ID, a.header.Get("Link"))
	}
	st, body := admin.Do(t, "GET", "/api/v1/advisories/CVE-1999-0001", nil)
	wantAPIError(t, "an unknown CVE", st, body, 404, "CVE-1999-0001")

	// The asset filter by ID and by name gives the same.
	var byID, byName struct{ Items []model.AssetFinding }
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/findings?asset=%d", shop.Items[0].ID), nil, 200, &byID)
	admin.JSON(t, "GET", "/api/v1/findings?asset=webshop", nil, 200, &byName)
	if len(byID.Items) == 0 || len(byID.Items) != len(byName.Items) {
		t.Errorf("asset filter: %d findings by ID, %d by name", len(byID.Items), len(byName.Items))
	}

	// Ecosystems: OSV's names in any case, or purl types.
	var goFindings struct{ Items []model.AssetFinding }
	admin.JSON(t, "GET", "/api/v1/findings?ecosystem=Go", nil, 200, &goFindings)
	if len(goFindings.Items) == 0 {
		t.Fatal("the example web shop has no Go findings")
	}
	for _, spelled := range []string{"go", "GO", "golang", "Golang"} {
		var got struct{ Items []model.AssetFinding }
		admin.JSON(t, "GET", "/api/v1/findings?ecosystem="+spelled, nil, 200, &got)
		if len(got.Items) != len(goFindings.Items) {
			t.Errorf("ecosystem=%s: %d findings, ecosystem=Go %d", spelled, len(got.Items), len(goFindings.Items))
		}
	}
	for _, bad := range []string{"ecosystem=cobol", "limit=1000", "limit=0", "limit=x", "severty=high", "asset=%20x"} {
		st, body := admin.Do(t, "GET", "/api/v1/findings?"+bad, nil)
		name, _, _ := strings.Cut(bad, "=")
		wantAPIError(t, "findings?"+bad, st, body, 400, name)
	}
	st, body = admin.Do(t, "GET", "/api/v1/jobs?kind=nonsense", nil)
	wantAPIError(t, "jobs?kind=nonsense", st, body, 400, "match-snapshot")

	// Components, a page at a time, each once.
	seen := map[int64]bool{}
	cursor, pages := "", 0
	for {
		var page struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		admin.JSON(t, "GET", fmt.Sprintf("/api/v1/snapshots/%d/components?limit=3&cursor=%s", shop.Items[0].CurrentSnapshotID, cursor), nil, 200, &page)
		pages++
		for _, c := range page.Items {
			if seen[c.ID] {
				t.Fatalf("component %d on two pages", c.ID)
			}
			seen[c.ID] = true
		}
		if page.NextCursor == "" || pages > 100 {
			break
		}
		cursor = page.NextCursor
	}
	var all struct{ Items []struct{ ID int64 } }
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/snapshots/%d/components?limit=500", shop.Items[0].CurrentSnapshotID), nil, 200, &all)
	if len(seen) != len(all.Items) || pages < 2 {
		t.Errorf("paged %d components in %d pages; one page of 500 has %d", len(seen), pages, len(all.Items))
	}
}
