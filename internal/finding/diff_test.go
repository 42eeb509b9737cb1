package finding

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// The two paths a match takes: a snapshot's upload matches the whole
// asset; a re-match after advisories changed matches only some package
// keys (here pypi|a).
var paths = []struct {
	name   string
	keys   []string
	reason string
}{
	{"upload", nil, model.ResolvedByUpgrade},
	{"rematch", []string{"pypi|a"}, model.ResolvedByAdvisory},
}

func detected(key, version, vuln string, aliases ...string) Detected {
	return Detected{Key: key, Ecosystem: "PyPI", Package: key[len("pypi|"):], Version: version, VulnID: vuln,
		Aliases: aliases, Summary: "s", Severity: "high", SeverityRank: 4, Evidence: "[]"}
}

// stored is d as the store holds it, with status.
func stored(id int64, status string, d Detected) Stored {
	return Stored{ID: id, Identity: d.Identity(), Status: status, Aliases: d.AliasesJSON(), Hash: d.Hash()}
}

func TestDiff(t *testing.T) {
	a1 := detected("pypi|a", "1.0", "GHSA-1", "CVE-1")
	a2 := detected("pypi|a", "1.0", "GHSA-2")
	a1v2 := detected("pypi|a", "2.0", "GHSA-1", "CVE-1") // the same advisory, upgraded still affected
	b9 := detected("pypi|b", "1.0", "GHSA-9")            // outside the re-match's scope
	edited := a1
	edited.Summary = "corrected"
	realiased := a1
	realiased.Aliases = []string{"CVE-1", "PYSEC-1"}
	open, resolved := model.FindingOpen, model.FindingResolved
	// Each want is the same on both paths unless the case gives one per
	// path; "%s" stands for the path's reason.
	cases := []struct {
		name      string
		stored    []Stored
		detected  []Detected
		withdrawn []string
		want      []string
		byPath    map[string][]string
	}{
		{name: "new", detected: []Detected{a1, a2}, want: []string{"new GHSA-1", "new GHSA-2"}},
		{name: "new version of a stored finding", stored: []Stored{stored(1, open, a1)}, detected: []Detected{a1v2},
			want: []string{"new GHSA-1", "resolved 1 %s"}},
		{name: "unchanged", stored: []Stored{stored(1, open, a1), stored(2, open, a2)}, detected: []Detected{a2, a1},
			want: []string{"unchanged 2", "unchanged 1"}},
		{name: "listed twice", stored: []Stored{stored(1, open, a1)}, detected: []Detected{a1, edited, a2, a2},
			want: []string{"new GHSA-2", "unchanged 1"}},
		{name: "changed content", stored: []Stored{stored(1, open, a1)}, detected: []Detected{edited},
			want: []string{"changed 1 corrected aliases-same"}},
		{name: "changed aliases", stored: []Stored{stored(1, open, a1)}, detected: []Detected{realiased},
			want: []string{"changed 1 s aliases-changed"}},
		{name: "reopened", stored: []Stored{stored(1, resolved, a1)}, detected: []Detected{a1},
			want: []string{"reopened 1 s aliases-same"}},
		{name: "reopened with new content", stored: []Stored{stored(1, resolved, a1)}, detected: []Detected{realiased},
			want: []string{"reopened 1 s aliases-changed"}},
		{name: "resolved stays resolved", stored: []Stored{stored(1, resolved, a1)}, want: nil},
		{name: "resolved by the path's reason", stored: []Stored{stored(3, open, a2), stored(1, open, a1)}, detected: []Detected{a2},
			want: []string{"unchanged 3", "resolved 1 %s"}},
		{name: "withdrawn", stored: []Stored{stored(1, open, a1), stored(2, open, a2)}, withdrawn: []string{"GHSA-1"},
			want: []string{"resolved 1 withdrawn", "resolved 2 %s"}},
		{name: "withdrawal of a detected advisory does not resolve it", stored: []Stored{stored(1, open, a1)}, detected: []Detected{a1},
			withdrawn: []string{"GHSA-1"}, want: []string{"unchanged 1"}},
		{name: "scope", stored: []Stored{stored(1, open, a1), stored(9, open, b9)}, detected: []Detected{a1},
			byPath: map[string][]string{
				"upload":  {"unchanged 1", "resolved 9 upgrade"}, // the whole asset was matched
				"rematch": {"unchanged 1"},                       // pypi|b was not re-matched
			}},
		{name: "scope keeps a withdrawn advisory's finding outside it open", stored: []Stored{stored(9, open, b9)}, withdrawn: []string{"GHSA-9"},
			byPath: map[string][]string{"upload": {"resolved 9 withdrawn"}, "rematch": nil}},
	}
	for _, p := range paths {
		for _, c := range cases {
			t.Run(p.name+"/"+c.name, func(t *testing.T) {
				in := Input{Keys: p.keys, Stored: c.stored, Detected: c.detected, Reason: p.reason, Withdrawn: map[string]bool{}}
				for _, w := range c.withdrawn {
					in.Withdrawn[w] = true
				}
				want := slices.Clone(c.want)
				if c.byPath != nil {
					want = c.byPath[p.name]
				}
				for i, w := range want {
					if strings.HasSuffix(w, "%s") {
						want[i] = fmt.Sprintf(w, p.reason)
					}
				}
				got := describe(Diff(in))
				if !slices.Equal(got, want) {
					t.Fatalf("changes:\n got %q\nwant %q", got, want)
				}
			})
		}
	}
}

// describe lists what changes says, one line a finding: new, unchanged,
// changed, reopened, resolved, in that order.
func describe(ch Changes) []string {
	var out []string
	for _, d := range ch.New {
		out = append(out, "new "+d.VulnID)
	}
	for _, id := range ch.Unchanged {
		out = append(out, fmt.Sprint("unchanged ", id))
	}
	update := func(kind string, u Update) string {
		al := "aliases-same"
		if u.AliasesChanged {
			al = "aliases-changed"
		}
		if u.Aliases != u.Found.AliasesJSON() {
			al = "aliases-wrong"
		}
		return fmt.Sprintf("%s %d %s %s", kind, u.ID, u.Found.Summary, al)
	}
	for _, u := range ch.Changed {
		out = append(out, update("changed", u))
	}
	for _, u := range ch.Reopened {
		out = append(out, update("reopened", u))
	}
	for _, r := range ch.Resolved {
		out = append(out, fmt.Sprintf("resolved %d %s", r.ID, r.Reason))
	}
	return out
}

// Undetected names exactly the advisories Diff resolves: what the writer
// looks up to know which were withdrawn.
func TestUndetected(t *testing.T) {
	a1 := detected("pypi|a", "1.0", "GHSA-1")
	a1v2 := detected("pypi|a", "2.0", "GHSA-1")
	a2 := detected("pypi|a", "1.0", "GHSA-2")
	a3 := detected("pypi|a", "1.0", "GHSA-3")
	b9 := detected("pypi|b", "1.0", "GHSA-9")
	st := []Stored{stored(1, model.FindingOpen, a1), stored(2, model.FindingOpen, a2), stored(3, model.FindingResolved, a3),
		stored(9, model.FindingOpen, b9), stored(4, model.FindingOpen, a1v2)}
	for _, p := range paths {
		in := Input{Keys: p.keys, Stored: st, Detected: []Detected{a2}, Reason: p.reason}
		want := []string{"GHSA-1"}
		if p.keys == nil {
			want = append(want, "GHSA-9")
		}
		if got := Undetected(in); !slices.Equal(got, want) {
			t.Errorf("%s: undetected %q, want %q", p.name, got, want)
		}
		var resolved []string
		for _, r := range Diff(in).Resolved {
			resolved = append(resolved, r.VulnID)
		}
		slices.Sort(resolved)
		if resolved = slices.Compact(resolved); !slices.Equal(resolved, want) {
			t.Errorf("%s: resolved %q, want %q", p.name, resolved, want)
		}
	}
}

// The content hash changes with every field a match writes, and only
// with them.
func TestHash(t *testing.T) {
	base := detected("pypi|a", "1.0", "GHSA-1")
	same := base
	same.Aliases, same.PURL = []string{"CVE-1"}, "pkg:pypi/a@1.0"
	if base.Hash() != same.Hash() {
		t.Error("aliases or purl changed the content hash")
	}
	for name, edit := range map[string]func(*Detected){
		"summary": func(d *Detected) { d.Summary = "x" }, "severity": func(d *Detected) { d.Severity = "low" },
		"rank": func(d *Detected) { d.SeverityRank = 2 }, "score": func(d *Detected) { d.Score = 9.8 },
		"fix": func(d *Detected) { d.Fix = "1.1" }, "evidence": func(d *Detected) { d.Evidence = `[{}]` },
	} {
		d := base
		edit(&d)
		if d.Hash() == base.Hash() {
			t.Errorf("%s: content hash unchanged", name)
		}
	}
	if (&Detected{}).AliasesJSON() != "[]" {
		t.Error("no aliases are not stored as []")
	}
}
