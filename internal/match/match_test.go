package match

import (
	"context"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/osv"
)

// db builds an in-memory database from OSV JSON documents.
func db(t testing.TB, docs ...string) *advisorydb.Memory {
	t.Helper()
	m := advisorydb.NewMemory()
	for i, d := range docs {
		vs, err := osv.Decode("doc", []byte(d))
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		for j := range vs {
			m.Add(&vs[j])
		}
	}
	return m
}

// comp makes a component from a purl, as the SBOM reader would.
func comp(t testing.TB, purl string) model.Component {
	t.Helper()
	p, err := ecosystem.FromPURL(purl)
	if err != nil {
		t.Fatalf("%s: %v", purl, err)
	}
	c := model.Component{Name: p.Name, Version: p.Version, PURL: purl, Ecosystem: p.Ecosystem, Package: p.Name}
	if c.Version == "" {
		c.Unmatchable = "no version"
	}
	return c
}

func adv(id, eco, name, ranges string, extra ...string) string {
	more := ""
	if len(extra) > 0 {
		more = "," + strings.Join(extra, ",")
	}
	return `{"id":"` + id + `","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"` + eco + `","name":"` + name + `"},"ranges":` + ranges + more + `}]}`
}

func run(t *testing.T, d advisorydb.DB, purls ...string) Outcome {
	t.Helper()
	var cs []model.Component
	for _, p := range purls {
		cs = append(cs, comp(t, p))
	}
	out, err := Match(context.Background(), d, cs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ids lists "version ID" for each finding.
func ids(out Outcome) []string {
	var s []string
	for _, f := range out.Findings {
		s = append(s, f.Component.Version+" "+f.ID)
	}
	return s
}

func TestRangeEvents(t *testing.T) {
	tests := []struct {
		name     string
		eco, pkg string
		ranges   string
		extra    []string
		affected map[string]bool // purl version → affected
		purlBase string
	}{
		{
			name: "introduced and fixed", eco: "PyPI", pkg: "demo",
			ranges:   `[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"1.5"}]}]`,
			purlBase: "pkg:pypi/demo@",
			affected: map[string]bool{"0.9": false, "1.0": true, "1.4.9": true, "1.5": false, "2.0": false},
		},
		{
			name: "introduced 0", eco: "PyPI", pkg: "demo",
			ranges:   `[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]`,
			purlBase: "pkg:pypi/demo@",
			affected: map[string]bool{"0.0.1": true, "1.9": true, "2.0": false},
		},
		{
			name: "last_affected is inclusive", eco: "npm", pkg: "demo",
			ranges:   `[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"last_affected":"1.2.0"}]}]`,
			purlBase: "pkg:npm/demo@",
			affected: map[string]bool{"0.9.0": false, "1.0.0": true, "1.2.0": true, "1.2.1": false},
		},
		{
			name: "limit is exclusive", eco: "crates.io", pkg: "demo",
			ranges:   `[{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"2.0.0"}]}]`,
			purlBase: "pkg:cargo/demo@",
			affected: map[string]bool{"1.9.9": true, "2.0.0": false, "3.0.0": false},
		},
		{
			name: "several ranges and pairs", eco: "Go", pkg: "example.com/m",
			ranges:   `[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"},{"introduced":"1.3.0"},{"fixed":"1.3.4"}]},{"type":"SEMVER","events":[{"introduced":"2.0.0"}]}]`,
			purlBase: "pkg:golang/example.com/m@",
			affected: map[string]bool{"v1.1.0": true, "v1.2.0": false, "v1.2.5": false, "v1.3.0": true, "v1.3.4": false, "v2.5.0": true},
		},
		{
			name: "events out of order", eco: "PyPI", pkg: "demo",
			ranges:   `[{"type":"ECOSYSTEM","events":[{"fixed":"1.5"},{"introduced":"1.0"}]}]`,
			purlBase: "pkg:pypi/demo@",
			affected: map[string]bool{"1.2": true, "1.5": false},
		},
		{
			name: "explicit versions only", eco: "PyPI", pkg: "demo",
			ranges: `[]`, extra: []string{`"versions":["1.0","1.1"]`},
			purlBase: "pkg:pypi/demo@",
			affected: map[string]bool{"1.0": true, "1.0.0": true, "1.1": true, "1.2": false},
		},
		{
			name: "GIT range first, ECOSYSTEM range still evaluated", eco: "PyPI", pkg: "demo",
			ranges:   `[{"type":"GIT","repo":"https://example.invalid/r","events":[{"introduced":"0"},{"fixed":"abc123"}]},{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"0.5"}]}]`,
			purlBase: "pkg:pypi/demo@",
			affected: map[string]bool{"0.4.2": true, "0.5": false},
		},
		{
			name: "PyPI names normalised on both sides", eco: "PyPI", pkg: "Jw.Util",
			ranges:   `[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]`,
			purlBase: "pkg:pypi/jw-util@",
			affected: map[string]bool{"1.0": true},
		},
		{
			name: "Maven group:artifact", eco: "Maven", pkg: "org.example:lib",
			ranges:   `[{"type":"ECOSYSTEM","events":[{"introduced":"2.0-beta9"},{"fixed":"2.15.0"}]}]`,
			purlBase: "pkg:maven/org.example/lib@",
			affected: map[string]bool{"2.0-beta8": false, "2.0": true, "2.14.1": true, "2.15.0": false},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := db(t, adv("TEST-1", tc.eco, tc.pkg, tc.ranges, tc.extra...))
			for v, want := range tc.affected {
				out := run(t, d, tc.purlBase+v)
				got := len(out.Findings) == 1
				if got != want {
					t.Errorf("%s: affected = %v, want %v (findings %v, unmatched %v)", v, got, want, ids(out), out.Unmatched)
				}
				if got && (len(out.Findings[0].Evidence) == 0 || out.Findings[0].Evidence[0].Reason == "") {
					t.Errorf("%s: finding without evidence: %+v", v, out.Findings[0])
				}
			}
		})
	}
}

func TestDebianRelease(t *testing.T) {
	d := db(t, adv("DSA-1", "Debian:12", "curl", `[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"7.88.1-10+deb12u5"}]}]`))
	for purl, want := range map[string]bool{
		"pkg:deb/debian/curl@7.88.1-10?distro=debian-12":         true,
		"pkg:deb/debian/curl@7.88.1-10?distro=bookworm":          true,
		"pkg:deb/debian/curl@7.88.1-10?distro=debian-11":         false,
		"pkg:deb/debian/curl@7.88.1-10+deb12u5?distro=debian-12": false,
	} {
		if got := len(run(t, d, purl).Findings) == 1; got != want {
			t.Errorf("%s: affected = %v, want %v", purl, got, want)
		}
	}
}

func TestUnmatchedAndVersionless(t *testing.T) {
	d := db(t, adv("TEST-1", "npm", "left-pad", `[{"type":"SEMVER","events":[{"introduced":"0"}]}]`))
	cs := []model.Component{
		comp(t, "pkg:npm/left-pad"),
		{Name: "in-house", Version: "1.0", Unmatchable: "no package URL (purl) and no ecosystem"},
	}
	out, err := Match(context.Background(), d, cs)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) != 0 {
		t.Errorf("a component without version matched: %v", ids(out))
	}
	if len(out.Unmatched) != 2 {
		t.Fatalf("unmatched = %d, want 2: %+v", len(out.Unmatched), out.Unmatched)
	}
	for _, u := range out.Unmatched {
		if u.Unmatchable == "" {
			t.Errorf("unmatched component %q has no reason", u.Name)
		}
	}
}

func TestAliasesMerge(t *testing.T) {
	r := `[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]`
	// Give the records aliases: GO- names the CVE, the GHSA names the CVE too.
	vs := []string{
		`{"id":"GO-2024-0001","modified":"2024-02-01T00:00:00Z","aliases":["CVE-2024-0001"],"affected":[{"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":` + r + `}]}`,
		`{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-02-01T00:00:00Z","aliases":["CVE-2024-0001"],"affected":[{"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":` + r + `}]}`,
	}
	d := db(t, append(vs, adv("OTHER-1", "Go", "example.com/m", r))...)
	out := run(t, d, "pkg:golang/example.com/m@v0.9.0")
	if len(out.Findings) != 2 {
		t.Fatalf("findings = %v, want 2 (one merged, one separate)", ids(out))
	}
	var merged *model.Finding
	for i := range out.Findings {
		if out.Findings[i].ID == "GO-2024-0001" {
			merged = &out.Findings[i]
		}
	}
	if merged == nil {
		t.Fatalf("no finding with primary ID GO-2024-0001: %v", ids(out))
	}
	if got := strings.Join(merged.Aliases, ","); got != "CVE-2024-0001,GHSA-aaaa-bbbb-cccc" {
		t.Errorf("aliases = %s", got)
	}
	if merged.Fix != "1.0.0" {
		t.Errorf("fix = %q, want 1.0.0", merged.Fix)
	}
}

func TestNearestFix(t *testing.T) {
	// 1.2.5 is affected; 1.3.0 fixes the first range but falls in the
	// second, so the nearest safe version is 1.4.1.
	d := db(t, adv("TEST-1", "npm", "demo",
		`[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"1.3.0"}]},{"type":"SEMVER","events":[{"introduced":"1.3.0"},{"fixed":"1.4.1"}]},{"type":"SEMVER","events":[{"introduced":"2.0.0"},{"fixed":"2.0.3"}]}]`))
	out := run(t, d, "pkg:npm/demo@1.2.5")
	if len(out.Findings) != 1 {
		t.Fatalf("findings = %v", ids(out))
	}
	f := out.Findings[0]
	if f.Fix != "1.4.1" {
		t.Errorf("fix = %q, want 1.4.1", f.Fix)
	}
	if got := strings.Join(f.FixedVersions, ","); got != "1.3.0,1.4.1,2.0.3" {
		t.Errorf("fixed versions = %s", got)
	}
}

func TestWithdrawnIgnored(t *testing.T) {
	d := db(t, `{"id":"W-1","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-01-02T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"demo"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`)
	if out := run(t, d, "pkg:npm/demo@1.0.0"); len(out.Findings) != 0 {
		t.Errorf("withdrawn advisory matched: %v", ids(out))
	}
}
