package report

import (
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain golang.org/x/net@v0.1.0": "plain golang.org/x/net@v0.1.0",
		"é 日本 → ↳ …":                    "é 日本 → ↳ …",
		"name\x00\xff":                  `name\x00\xff`,
		"evil\x1b]0;pwned\x07":          `evil\x1b]0;pwned\a`,
		"tab\tnl\ncr\r":                 `tab\tnl\ncr\r`,
		"csi\u009b31m del\x7f":          `csi\u009b31m del\x7f`,
		"bidi \u202egnp.exe":            `bidi \u202egnp.exe`,
		"cut \xe6\x97":                  `cut \xe6\x97`,
		"\ufffd stays":                  "\ufffd stays",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTableCells(t *testing.T) {
	f := func(eco, pkg, fix string, aliases ...string) *model.Finding {
		return &model.Finding{ID: "X-1", Aliases: aliases, Fix: fix,
			Component: &model.Component{Ecosystem: eco, Package: pkg}}
	}
	fixes := []struct {
		f    *model.Finding
		want string
	}{
		{f("Go", "golang.org/x/net", "0.17.0"), "v0.17.0"},
		{f("Go", "stdlib", "1.20.4"), "go1.20.4"},
		{f("Go", "toolchain", "1.21.0-rc.2"), "go1.21.0-rc.2"},
		{f("Go", "golang.org/x/net", ""), "no fix"},
		{f("npm", "lodash", "4.17.19"), "4.17.19"},
		{f("PyPI", "x", "1.0\x1b"), `1.0\x1b`},
	}
	for _, tt := range fixes {
		if got := fixLabel(tt.f); got != tt.want {
			t.Errorf("fixLabel(%s %s %q) = %q, want %q", tt.f.Component.Ecosystem, tt.f.Component.Package, tt.f.Fix, got, tt.want)
		}
	}
	cves := []struct {
		aliases []string
		want    string
	}{
		{nil, "-"},
		{[]string{"GHSA-aaaa-bbbb-cccc"}, "-"},
		{[]string{"CVE-2023-1", "GHSA-aaaa-bbbb-cccc"}, "CVE-2023-1"},
		{[]string{"CVE-2023-1", "CVE-2023-2", "CVE-2023-3", "CVE-2023-4"}, "CVE-2023-1, CVE-2023-2 +2"},
	}
	for _, tt := range cves {
		if got := cveLabel(f("Go", "m", "", tt.aliases...)); got != tt.want {
			t.Errorf("cveLabel(%v) = %q, want %q", tt.aliases, got, tt.want)
		}
	}
	long := &model.Finding{Summary: strings.Repeat("é", 150)}
	if got := titleLine(long); len([]rune(got)) != maxTitle || !strings.HasSuffix(got, "…") {
		t.Errorf("titleLine of 150 characters = %d characters %q", len([]rune(got)), got)
	}
}

// TestTableOneSBOMNothingChecked checks the table of a scan of one SBOM
// whose components were not checked: no SBOM column, and no "No
// vulnerabilities found." that would read as a clean bill.
func TestTableOneSBOMNothingChecked(t *testing.T) {
	comps := make([]model.Component, 63)
	res := &model.Result{
		SBOMs:     []model.SBOM{{Path: "composer.cdx.json", Format: "CycloneDX 1.6 JSON", Components: comps}},
		Unchecked: []model.Unchecked{{Ecosystem: "Packagist", Components: 63}},
	}
	out := string(render(t, "table", res, testOptions()))
	for _, want := range []string{
		"No vulnerabilities found, but 63 components were not checked (see below).",
		"63 Packagist components — no Packagist advisories in the database",
		"0 findings (0 critical, 0 high, 0 medium, 0 low, 0 unknown) in 63 components of 1 SBOM; 0 unmatched; 63 not checked",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	res = fixture()
	res.SBOMs = res.SBOMs[:1]
	out = string(render(t, "table", res, testOptions()))
	if head, _, _ := strings.Cut(out, "\n"); strings.Contains(head, "SBOM") {
		t.Errorf("one SBOM scanned, yet an SBOM column: %s", head)
	}
}

// TestTableGate checks the "!" marks: unknown severity fails only with
// --fail-on-unknown.
func TestTableGate(t *testing.T) {
	marked := func(g model.Gate) []string {
		opts := testOptions()
		opts.Gate = g
		var ids []string
		for _, l := range strings.Split(string(render(t, "table", fixture(), opts)), "\n") {
			row, ok := strings.CutPrefix(l, "! ")
			if !ok || strings.HasPrefix(row, "= ") {
				continue
			}
			for _, w := range strings.Fields(row) {
				if strings.Contains(w, "-") { // the ID: the first cell that has a dash
					ids = append(ids, w)
					break
				}
			}
		}
		return ids
	}
	tests := []struct {
		gate model.Gate
		want string
	}{
		{model.Gate{Threshold: model.RatingCritical}, "GO-2022-0969"},
		{model.Gate{Threshold: model.RatingCritical, Unknown: true}, "GO-2022-0969 PYSEC-2024-1"},
		{model.Gate{Threshold: model.RatingNone, Unknown: true}, "PYSEC-2024-1"},
		{model.Gate{Threshold: model.RatingLow}, "GO-2022-0969 GHSA-p6mc-m468-83gh GHSA-p6mc-m468-83gh GHSA-xxxx-yyyy-zzzz"},
		{model.Gate{Threshold: model.RatingNone}, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(marked(tt.gate), " "); got != tt.want {
			t.Errorf("%+v: marked %q, want %q", tt.gate, got, tt.want)
		}
	}
}
