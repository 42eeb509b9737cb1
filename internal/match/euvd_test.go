package match

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
)

// TestEUVDAliases: an ID of the EU Vulnerability Database that an
// advisory names is kept as an alias through loading, the compiled index
// and matching, as written; two advisories of one package that share only
// an EUVD ID are one vulnerability, so one finding naming both.
func TestEUVDAliases(t *testing.T) {
	const euvd = "EUVD-2025-12345"
	aliased := func(id, pkg string, aliases ...string) string {
		list, _ := json.Marshal(aliases)
		return `{"id":"` + id + `","modified":"2025-06-01T00:00:00Z","aliases":` + string(list) + `,"affected":[{"package":` +
			`{"ecosystem":"PyPI","name":"` + pkg + `"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}`
	}
	mem := db(t,
		aliased("PYSEC-2025-77", "euvd-pkg", "CVE-2025-27777", " "+euvd+" ", euvd),
		aliased("GHSA-e2vd-77q5-x9p3", "euvd-pkg", euvd),
		aliased("PYSEC-2025-78", "other-pkg", "EUVD-2025-12399"),
	)
	path := filepath.Join(t.TempDir(), "euvd.idx")
	if err := advisorydb.Build(path, mem, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ix, err := advisorydb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for name, d := range map[string]advisorydb.DB{"memory": mem, "index": ix} {
		info, ok, err := d.Advisory("PYSEC-2025-77")
		if err != nil || !ok || !slices.Equal(info.Aliases, []string{"CVE-2025-27777", euvd}) {
			t.Errorf("%s: advisory PYSEC-2025-77: aliases %v (%v, %v), want CVE-2025-27777 and %s once, trimmed", name, info.Aliases, ok, err, euvd)
		}
		out := run(t, d, "pkg:pypi/euvd-pkg@1.0.0", "pkg:pypi/other-pkg@1.0.0")
		if len(out.Findings) != 2 {
			t.Fatalf("%s: %d findings, want one per package: %v", name, len(out.Findings), ids(out))
		}
		got := map[string][]string{}
		for _, f := range out.Findings {
			got[f.ID] = f.Aliases
		}
		want := map[string][]string{
			"PYSEC-2025-77": {"CVE-2025-27777", euvd, "GHSA-e2vd-77q5-x9p3"},
			"PYSEC-2025-78": {"EUVD-2025-12399"},
		}
		for id, aliases := range want {
			if !slices.Equal(got[id], aliases) {
				t.Errorf("%s: finding %s has aliases %v, want %v", name, id, got[id], aliases)
			}
		}
		if info, ok := out.Advisories["GHSA-e2vd-77q5-x9p3"]; !ok || !slices.Equal(info.Aliases, []string{euvd}) {
			t.Errorf("%s: the outcome describes GHSA-e2vd-77q5-x9p3 as %+v (%v), want the alias %s", name, info, ok, euvd)
		}
	}
}
