package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// diffSnapshot stores a snapshot of the asset with the components, keyed
// as the service keys them ("" for those without an ecosystem).
func diffSnapshot(t *testing.T, s *store.Store, a model.Asset, comps ...model.Component) model.Snapshot {
	t.Helper()
	keys := make([]string, len(comps))
	for i, c := range comps {
		if c.Ecosystem != "" {
			keys[i] = strings.ToLower(c.Ecosystem) + "/" + c.Package
		}
	}
	_, sn, err := storetest.Ingest(ctx, s, a, false, store.NewSnapshot{Format: "test", SHA256: strings.Repeat("0", 64), Components: comps, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

func diffPkg(eco, name, version string) model.Component {
	return model.Component{Name: name, Version: version, Ecosystem: eco, Package: name, PURL: "pkg:" + strings.ToLower(eco) + "/" + name + "@" + version}
}

func diffDetected(eco, name, version, vuln, sev string) finding.Detected {
	return finding.Detected{Key: strings.ToLower(eco) + "/" + name, Ecosystem: eco, Package: name, Version: version, VulnID: vuln,
		Severity: sev, SeverityRank: model.Rating(sev).Rank(), Evidence: "[]"}
}

// TestSnapshotDiff compares two snapshots both ways: components by package
// key (by name and version-less purl without one), a package listed in
// two versions, and findings opened and resolved between them.
func TestSnapshotDiff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a, err := storetest.CreateAsset(ctx, s, model.Asset{Name: "shop"})
		if err != nil {
			t.Fatal(err)
		}
		html := `<img src=x onerror=alert(1)>`
		one := diffSnapshot(t, s, a, diffPkg("npm", "lodash", "4.17.20"), diffPkg("npm", "express", "4.21.2"), diffPkg("PyPI", "jinja2", "3.1.2"),
			model.Component{Name: "billing-sdk", Version: "1.2.0", Unmatchable: "no purl"},
			model.Component{Name: "openssl", Version: "3.0.2", PURL: "pkg:generic/openssl@3.0.2?arch=x86", Unmatchable: "no ecosystem"},
			diffPkg("npm", "dup", "1.0.0"), diffPkg("npm", "dup", "2.0.0"))
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: one.ID, Resolution: model.ResolvedByUpgrade,
			Findings: []finding.Detected{diffDetected("npm", "lodash", "4.17.20", "VDX-1", "high"), diffDetected("PyPI", "jinja2", "3.1.2", "VDX-2", "medium")}}); err != nil {
			t.Fatal(err)
		}
		two := diffSnapshot(t, s, a, diffPkg("npm", "lodash", "4.17.21"), diffPkg("npm", "express", "4.21.2"), diffPkg("PyPI", "requests", "2.30.0"),
			model.Component{Name: "billing-sdk", Version: "1.2.0", Unmatchable: "no purl"},
			model.Component{Name: "openssl", Version: "3.0.3", PURL: "pkg:generic/openssl@3.0.3?arch=x86", Unmatchable: "no ecosystem"},
			diffPkg("npm", "dup", "1.0.0"), diffPkg("npm", "dup", "3.0.0"), model.Component{Name: html, Version: html, Unmatchable: "no purl"})
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: two.ID, Resolution: model.ResolvedByUpgrade,
			Findings: []finding.Detected{diffDetected("PyPI", "requests", "2.30.0", "VDX-3", "critical")}}); err != nil {
			t.Fatal(err)
		}

		d, err := s.SnapshotDiff(ctx, a.ID, one.ID, two.ID)
		if err != nil {
			t.Fatal(err)
		}
		names := func(cs []model.DiffComponent) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.Name+"@"+c.Version)
			}
			slices.Sort(out)
			return out
		}
		changes := func(cs []model.VersionChange) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.Name+" "+c.From+"→"+c.To)
			}
			slices.Sort(out)
			return out
		}
		vulns := func(fs []model.DiffFinding) []string {
			var out []string
			for _, f := range fs {
				out = append(out, f.VulnID+" "+f.Package+"@"+f.Version+" "+f.Status)
			}
			slices.Sort(out)
			return out
		}
		check := func(what string, got, want []string) {
			t.Helper()
			if !slices.Equal(got, want) {
				t.Errorf("%s: %q; want %q", what, got, want)
			}
		}
		if d.From.ID != one.ID || d.To.ID != two.ID {
			t.Errorf("the diff is of %d → %d; want %d → %d", d.From.ID, d.To.ID, one.ID, two.ID)
		}
		check("added", names(d.Added), []string{html + "@" + html, "requests@2.30.0"})
		check("removed", names(d.Removed), []string{"jinja2@3.1.2"})
		check("changed", changes(d.Changed), []string{"dup 2.0.0→3.0.0", "lodash 4.17.20→4.17.21", "openssl 3.0.2→3.0.3"})
		if d.Unchanged != 3 {
			t.Errorf("unchanged: %d; want 3 (express, billing-sdk, dup 1.0.0)", d.Unchanged)
		}
		check("opened", vulns(d.Opened), []string{"VDX-3 requests@2.30.0 open"})
		check("resolved", vulns(d.Resolved), []string{"VDX-1 lodash@4.17.20 resolved", "VDX-2 jinja2@3.1.2 resolved"})

		// Backwards: what was resolved is opened, and the other way round.
		back, err := s.SnapshotDiff(ctx, a.ID, two.ID, one.ID)
		if err != nil {
			t.Fatal(err)
		}
		check("backwards added", names(back.Added), []string{"jinja2@3.1.2"})
		check("backwards changed", changes(back.Changed), []string{"dup 3.0.0→2.0.0", "lodash 4.17.21→4.17.20", "openssl 3.0.3→3.0.2"})
		check("backwards opened", vulns(back.Opened), []string{"VDX-1 lodash@4.17.20 resolved", "VDX-2 jinja2@3.1.2 resolved"})
		check("backwards resolved", vulns(back.Resolved), []string{"VDX-3 requests@2.30.0 open"})

		// A snapshot compared with itself changes nothing.
		same, err := s.SnapshotDiff(ctx, a.ID, two.ID, two.ID)
		if err != nil || len(same.Added)+len(same.Removed)+len(same.Changed)+len(same.Opened)+len(same.Resolved) != 0 || same.Unchanged != 8 {
			t.Errorf("a snapshot against itself: %+v, %v", same, err)
		}

		// Snapshots of another asset, or none, are not found.
		other, err := storetest.CreateAsset(ctx, s, model.Asset{Name: "other"})
		if err != nil {
			t.Fatal(err)
		}
		foreign := diffSnapshot(t, s, other, diffPkg("npm", "lodash", "4.17.20"))
		for _, ids := range [][2]int64{{one.ID, foreign.ID}, {foreign.ID, two.ID}, {one.ID, 987654}} {
			if _, err := s.SnapshotDiff(ctx, a.ID, ids[0], ids[1]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("diff %d → %d of asset %d: %v; want ErrNotFound", ids[0], ids[1], a.ID, err)
			}
		}
	})
}
