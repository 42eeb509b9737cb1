package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/openvex/go-vex/pkg/vex"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/vulndesk/vulndesk/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func render(t testing.TB, name string, res *model.Result, opts Options) []byte {
	t.Helper()
	f, err := ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b, res, opts); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			got := render(t, name, fixture(), testOptions())
			checkGolden(t, name+".golden", got)
			// The same result must always give the same bytes.
			if again := render(t, name, fixture(), testOptions()); !bytes.Equal(got, again) {
				t.Errorf("%s output is not deterministic", name)
			}
		})
	}
}

func TestByNameUnknown(t *testing.T) {
	_, err := ByName("xml")
	if err == nil {
		t.Fatal("ByName(\"xml\") returned no error")
	}
	for _, n := range Names {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error %q does not list %q", err, n)
		}
	}
	for _, n := range Names {
		if _, err := ByName(n); err != nil {
			t.Errorf("ByName(%q): %v", n, err)
		}
	}
}

// TestEmpty checks that a scan without findings still gives a valid
// document in every format.
func TestEmpty(t *testing.T) {
	results := map[string]*model.Result{
		"zero":     {},
		"no-finds": {SBOMs: []model.SBOM{{Path: "a.json", Format: "SPDX 2.3 JSON", Components: []model.Component{{Name: "x"}}}}},
	}
	for label, res := range results {
		for _, name := range Names {
			out := render(t, name, res, testOptions())
			if name == "table" {
				if !strings.Contains(string(out), "No vulnerabilities found.") || !strings.Contains(string(out), "0 findings") {
					t.Errorf("%s/table:\n%s", label, out)
				}
				continue
			}
			var v map[string]any
			if err := json.Unmarshal(out, &v); err != nil {
				t.Errorf("%s/%s: invalid JSON: %v\n%s", label, name, err, out)
			}
			if bytes.Contains(out, []byte("null")) {
				t.Errorf("%s/%s: contains null:\n%s", label, name, out)
			}
			switch name {
			case "sarif":
				doc, err := sarif.FromBytes(out)
				if err == nil {
					err = doc.Validate()
				}
				if err != nil {
					t.Errorf("%s/sarif: %v", label, err)
				}
			case "openvex":
				if doc, err := vex.Parse(out); err != nil || doc.Statements == nil {
					t.Errorf("%s/openvex: %v", label, err)
				}
			case "cyclonedx":
				var bom cdx.BOM
				if err := cdx.NewBOMDecoder(bytes.NewReader(out), cdx.BOMFileFormatJSON).Decode(&bom); err != nil || bom.Vulnerabilities == nil {
					t.Errorf("%s/cyclonedx: %v", label, err)
				}
			}
		}
	}
}

func TestTableColor(t *testing.T) {
	opts := testOptions()
	plain := render(t, "table", fixture(), opts)
	if bytes.Contains(plain, []byte("\x1b[")) {
		t.Error("table without Color contains escape codes")
	}
	opts.Color = true
	colored := render(t, "table", fixture(), opts)
	if !bytes.Contains(colored, []byte("\x1b[1;31mCRITICAL 9.8\x1b[0m")) {
		t.Errorf("coloured table lacks a coloured severity:\n%s", colored)
	}
}

func TestTableCleansControlCharacters(t *testing.T) {
	res := fixture()
	res.Findings[0].Evidence[0].Reason = "evil\x1b]0;pwned\x07"
	out := render(t, "table", res, testOptions())
	if bytes.ContainsAny(out, "\x1b\x07") {
		t.Errorf("control characters from the data reached the terminal:\n%q", out)
	}
}

func BenchmarkJSON170k(b *testing.B) {
	res := bigResult(170_000)
	opts := testOptions()
	f := JSON{}
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Write(io.Discard, res, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func TestUnescapeHTML(t *testing.T) {
	for in, want := range map[string]string{
		`"a\u003cb\u003e\u0026c"`:        `"a<b>&c"`,
		`"\\u003c stays"`:                `"\\u003c stays"`,
		`"\\\u0026"`:                     `"\\&"`,
		`"\u00e9 \n \" \u0026"`:          `"\u00e9 \n \" &"`,
		`"end\u003`:                      `"end\u003`,
		`{"k":"pkg:deb/x?a=1\u0026b=2"}`: `{"k":"pkg:deb/x?a=1&b=2"}`,
	} {
		if got := string(unescapeHTML([]byte(in))); got != want {
			t.Errorf("unescapeHTML(%s) = %s, want %s", in, got, want)
		}
		var a, b any
		if json.Valid([]byte(in)) {
			json.Unmarshal([]byte(in), &a)
			json.Unmarshal([]byte(want), &b)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s and %s decode differently", in, want)
			}
		}
	}
}
