package ignore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"no id":         "ignore:\n  - reason: x\n",
		"no reason":     "ignore:\n  - id: CVE-1\n",
		"bad date":      "ignore:\n  - id: CVE-1\n    reason: x\n    until: next week\n",
		"unknown field": "ignore:\n  - id: CVE-1\n    reason: x\n    untill: 2026-01-01\n",
		"not yaml":      "ignore: [",
	}
	for name, in := range cases {
		if _, err := Parse("x.yaml", []byte(in)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "x.yaml") {
			t.Errorf("%s: err = %v, want ErrInvalid naming the file", name, err)
		}
	}
	if f, err := Parse("empty.yaml", nil); err != nil || len(f.Ignore) != 0 {
		t.Errorf("empty file: %v %v", f, err)
	}
}

func TestApply(t *testing.T) {
	f, err := Parse("x.yaml", []byte(`ignore:
  - id: cve-2024-1
    reason: not reachable
    until: 2026-06-30
  - id: GHSA-old
    reason: old
    until: 2026-01-01
  - id: GO-2024-9
    reason: only for one package
    package: pkg:golang/example.com/a
`))
	if err != nil {
		t.Fatal(err)
	}
	a := &model.Component{Name: "a", Package: "example.com/a", PURL: "pkg:golang/example.com/a@v1.0.0"}
	b := &model.Component{Name: "b", Package: "example.com/b", PURL: "pkg:golang/example.com/b@v1.0.0"}
	fs := []model.Finding{
		{Component: a, ID: "GO-2024-1", Aliases: []string{"CVE-2024-1"}},
		{Component: a, ID: "GHSA-old"},
		{Component: a, ID: "GO-2024-9"},
		{Component: b, ID: "GO-2024-9"},
	}
	// The last day of an entry still counts, to its end.
	now := time.Date(2026, 6, 30, 23, 0, 0, 0, time.UTC)
	expired := f.Apply(fs, now)
	want := []bool{true, false, true, false}
	for i, w := range want {
		if (fs[i].Suppressed != nil) != w {
			t.Errorf("finding %d (%s on %s): suppressed = %v, want %v", i, fs[i].ID, fs[i].Component.Name, fs[i].Suppressed, w)
		}
	}
	if len(expired) != 1 || expired[0].ID != "GHSA-old" {
		t.Errorf("expired = %+v", expired)
	}
	for i := range fs {
		fs[i].Suppressed = nil
	}
	if expired := f.Apply(fs, now.Add(2*time.Hour)); len(expired) != 2 || fs[0].Suppressed != nil {
		t.Errorf("a day later: expired %+v, finding 0 suppressed %v", expired, fs[0].Suppressed)
	}
}

// TestPackageNamesModule checks that an entry for a Go module does not
// cover another module whose purl differs only in its subpath, as syft
// writes github.com/jackc/pgx/v5.
func TestPackageNamesModule(t *testing.T) {
	v5 := &model.Component{Name: "github.com/jackc/pgx/v5", Version: "v5.3.1", Ecosystem: "Go",
		Package: "github.com/jackc/pgx/v5", PURL: "pkg:golang/github.com/jackc/pgx@v5.3.1#v5"}
	v4 := &model.Component{Name: "github.com/jackc/pgx", Version: "v4.18.1", Ecosystem: "Go",
		Package: "github.com/jackc/pgx", PURL: "pkg:golang/github.com/jackc/pgx@v4.18.1"}
	scoped := &model.Component{Name: "@babel/core", PURL: "pkg:npm/@babel/core", Unmatchable: "no version"}
	generic := &model.Component{Name: "thing", PURL: "pkg:generic/acme/thing@1.0?arch=x86#sub", Unmatchable: "no OSV ecosystem"}
	tests := []struct {
		pkg  string
		comp *model.Component
		want bool
	}{
		{"pkg:golang/github.com/jackc/pgx", v5, false},
		{"pkg:golang/github.com/jackc/pgx", v4, true},
		{"pkg:golang/github.com/jackc/pgx/v5", v5, true},
		{"pkg:golang/github.com/jackc/pgx#v5", v5, true},
		{"pkg:golang/github.com/JACKC/pgx/v5", v5, true}, // Go module paths match in any case
		{"pkg:golang/github.com/jackc/pgx/v5", v4, false},
		{"pkg:npm/github.com/jackc/pgx/v5", v5, false},
		{"github.com/jackc/pgx/v5", v5, true},
		{"github.com/jackc/pgx", v5, false},
		{"pkg:npm/@babel/core", scoped, true},
		{"pkg:generic/acme/thing#sub", generic, true},
		{"pkg:generic/acme/thing", generic, false},
	}
	for _, tt := range tests {
		if got := samePackage(tt.pkg, tt.comp); got != tt.want {
			t.Errorf("samePackage(%q, %s) = %v, want %v", tt.pkg, tt.comp.PURL, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("ignore:\n  - id: CVE-2024-1\n    reason: r\n    until: 2026-01-01\n"))
	f.Add([]byte("{\"ignore\":[{\"id\":\"A\",\"reason\":\"b\",\"until\":\"2026-01-01T00:00:00Z\"}]}"))
	f.Add([]byte("ignore: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		file.Apply([]model.Finding{{Component: &model.Component{}, ID: "A"}}, time.Now())
	})
}
