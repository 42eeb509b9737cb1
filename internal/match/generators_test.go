package match

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/osv"
	"github.com/vulndesk/vulndesk/internal/sbom"
)

const shared = "../../../shared/data"

// TestGeneratorsAgree matches the SBOMs that syft 1.20.0, cyclonedx-gomod
// 1.9.0 and trivy 0.69.3 wrote of the same trees against the real Go
// advisories: every generator's SBOM of a tree must give the same findings
// (module path, advisory ID), and as many as osv-scanner 2.5.0 gives on the
// SBOM with full purls (sbom/generators/README.md). syft writes subpaths and
// Go release tags ("go1.19.8") where the others do not.
func TestGeneratorsAgree(t *testing.T) {
	if _, err := os.Stat(shared); err != nil {
		t.Skip("../shared/data not found: conformance data lives beside the repo; CI always has it")
	}
	db, err := advisorydb.Load(context.Background(), []string{filepath.Join(shared, "osv-corpus/Go/all.zip")}, osv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(shared, "sbom/generators")
	// An SBOM's unmatched components without a purl are what the generator
	// writes so that is not a file entry: trivy's go.mod and binary
	// (type application). syft's file entries are left out.
	type file struct {
		name   string
		noPURL int
	}
	trees := []struct {
		files    []file
		findings int // osv-scanner's count; 0 where the README gives none
	}{
		{[]file{{"devguard-0.4.4.syft-1.20.0.cdx.json", 0}, {"devguard-0.4.4.cyclonedx-gomod-1.9.0.cdx.json", 0}, {"devguard-0.4.4.trivy-0.69.3.cdx.json", 1}}, 46},
		{[]file{{"nats-server-binary.syft-1.20.0.cdx.json", 0}, {"nats-server-binary.trivy-0.69.3.cdx.json", 1}}, 80},
		{[]file{{"miniflux-2.0.40.syft-1.20.0.spdx", 0}}, 0},
	}
	listed, _ := filepath.Glob(filepath.Join(dir, "*.*.*"))
	n := 0
	for _, tr := range trees {
		n += len(tr.files)
	}
	if len(listed) != n {
		t.Errorf("%d SBOMs in %s, the test knows %d: add the new ones", len(listed), dir, n)
	}
	for _, tr := range trees {
		var want map[string]bool
		for _, f := range tr.files {
			sb, err := sbom.Read(filepath.Join(dir, f.name), sbom.Options{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := Match(context.Background(), db, sb.Components)
			if err != nil {
				t.Fatal(err)
			}
			if u := Unchecked(sb.Components, db.Stats().Ecosystems); u != nil {
				t.Errorf("%s: unchecked %+v, want none: the database has Go advisories", f.name, u)
			}
			noPURL := 0
			for _, c := range out.Unmatched {
				if c.PURL == "" {
					noPURL++
				}
			}
			if noPURL != f.noPURL {
				t.Errorf("%s: %d unmatched components without a purl, want %d (file entries listed?)", f.name, noPURL, f.noPURL)
			}
			got := findingSet(out.Findings)
			t.Logf("%s: %d findings, %d unmatched, %d file entries left out", f.name, len(got), len(out.Unmatched), sb.FilesLeftOut)
			if tr.findings > 0 && len(got) != tr.findings {
				t.Errorf("%s: %d findings, want %d (osv-scanner's)", f.name, len(got), tr.findings)
			}
			if len(got) == 0 {
				t.Errorf("%s: no findings", f.name)
			}
			if want == nil {
				want = got
				continue
			}
			if !maps.Equal(got, want) {
				t.Errorf("%s differs from %s:\n only here: %v\n only there: %v", f.name, tr.files[0].name, missing(want, got), missing(got, want))
			}
		}
	}
}

// findingSet is the set of "module path (lower case) advisory ID" of the
// findings: trivy lower-cases Go purls, and Go module paths match in any
// case.
func findingSet(fs []model.Finding) map[string]bool {
	set := make(map[string]bool, len(fs))
	for _, f := range fs {
		set[strings.ToLower(f.Component.Package)+" "+f.ID] = true
	}
	return set
}

// missing lists what in has that of lacks, sorted.
func missing(of, in map[string]bool) []string {
	var out []string
	for k := range in {
		if !of[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func TestUnchecked(t *testing.T) {
	comps := []model.Component{
		comp(t, "pkg:composer/laravel/framework@10.0.0"),
		comp(t, "pkg:composer/symfony/http-kernel@6.0.0"),
		comp(t, "pkg:golang/golang.org/x/net@v0.1.0"),
		comp(t, "pkg:deb/debian/curl@7.88.1-10?distro=debian-12"),
		comp(t, "pkg:npm/left-pad"), // no version: unmatched, not unchecked
		{Name: "nopurl", Version: "1", Unmatchable: "no package URL (purl) and no ecosystem"},
	}
	covered := map[string]int{"Go": 10, "Debian": 3, "npm": 0}
	got := Unchecked(comps, covered)
	want := []model.Unchecked{{Ecosystem: "Packagist", Components: 2}}
	if !slices.Equal(got, want) {
		t.Errorf("Unchecked = %+v, want %+v", got, want)
	}
	if got := Unchecked(comps[2:4], covered); got != nil {
		t.Errorf("all covered: Unchecked = %+v, want nil", got)
	}
	got = Unchecked(comps, nil)
	want = []model.Unchecked{{Ecosystem: "Debian", Components: 1}, {Ecosystem: "Go", Components: 1}, {Ecosystem: "Packagist", Components: 2}}
	if !slices.Equal(got, want) {
		t.Errorf("empty database: Unchecked = %+v, want %+v", got, want)
	}
}
