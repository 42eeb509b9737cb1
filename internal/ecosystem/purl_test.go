package ecosystem

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const purlSpecTypes = "../../../shared/data/sbom/purl-spec/tests/types"

// purlSpecTest is one test of the purl-spec test suite.
type purlSpecTest struct {
	Description     string          `json:"description"`
	TestType        string          `json:"test_type"`
	Input           json.RawMessage `json:"input"`
	ExpectedOutput  json.RawMessage `json:"expected_output"`
	ExpectedFailure bool            `json:"expected_failure"`
}

// purlParts is the expected_output of a parse test.
type purlParts struct {
	Type      string  `json:"type"`
	Namespace *string `json:"namespace"`
	Name      string  `json:"name"`
	Version   *string `json:"version"`
	Subpath   *string `json:"subpath"`
}

// osvBase says which OSV ecosystem FromPURL should give a purl of these
// parts, or "" when it has none.
func osvBase(p purlParts) string {
	if eco, ok := purlTypes[p.Type]; ok {
		return eco
	}
	ns := ""
	if p.Namespace != nil {
		ns = strings.ToLower(*p.Namespace)
	}
	switch p.Type {
	case "deb":
		return map[string]string{"debian": "Debian", "ubuntu": "Ubuntu"}[ns]
	case "apk":
		return map[string]string{"alpine": "Alpine", "wolfi": "Wolfi", "chainguard": "Chainguard"}[ns]
	case "rpm":
		return rpmVendors[ns]
	}
	return ""
}

// osvName joins namespace and name as FromPURL documents it per type:
// "group:artifact" for Maven, "namespace/name" where OSV names carry the
// namespace (npm, Packagist, SwiftURL), "namespace/name/subpath" for Go (a
// module path), the bare name otherwise.
func osvName(p purlParts) string {
	ns := ""
	if p.Namespace != nil {
		ns = *p.Namespace
	}
	switch p.Type {
	case "maven":
		if ns != "" {
			return ns + ":" + p.Name
		}
	case "golang":
		if p.Subpath != nil && *p.Subpath != "" {
			return join(ns, p.Name) + "/" + *p.Subpath
		}
		return join(ns, p.Name)
	case "npm", "composer", "swift":
		return join(ns, p.Name)
	}
	return p.Name
}

// lenientAccepts are purl-spec parse tests marked expected_failure that
// FromPURL deliberately accepts, with the reason.
var lenientAccepts = map[string]string{
	// The suite's own "validate" test takes this very input as valid and
	// canonicalises the key to "platform"; packageurl-go lower-cases
	// qualifier keys as that test expects. Rejecting it would leave an
	// SBOM component unmatched over the case of a key OSV never reads.
	"pkg:gem/jruby-launcher@1.1.2?Platform=java": "qualifier key not in lowercase",
}

func TestFromPURLSpec(t *testing.T) {
	if _, err := os.Stat(purlSpecTypes); err != nil {
		t.Skip("../shared/data not found: conformance data lives beside the repo; CI always has it")
	}
	files, _ := filepath.Glob(filepath.Join(purlSpecTypes, "*-test.json"))
	if len(files) < 30 {
		t.Fatalf("only %d purl-spec type files in %s", len(files), purlSpecTypes)
	}
	mapped, rejected, failing := map[string]int{}, 0, 0
	lenient := map[string]bool{}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var suite struct {
			Tests []purlSpecTest `json:"tests"`
		}
		if err := json.Unmarshal(data, &suite); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		file := filepath.Base(path)
		for i, tc := range suite.Tests {
			var in string
			if tc.TestType != "parse" || json.Unmarshal(tc.Input, &in) != nil {
				continue
			}
			where := file + " test " + itoa(i) + " (" + in + ")"
			got, err := FromPURL(in)
			if tc.ExpectedFailure {
				if _, ok := lenientAccepts[in]; ok {
					lenient[in] = true
					if err != nil {
						t.Errorf("%s: FromPURL fails (%v); it is meant to accept this purl", where, err)
					}
					continue
				}
				if err == nil {
					t.Errorf("%s: FromPURL = %+v, want an error (%s)", where, got, tc.Description)
				}
				failing++
				continue
			}
			var want purlParts
			if err := json.Unmarshal(tc.ExpectedOutput, &want); err != nil {
				t.Fatalf("%s: expected_output: %v", where, err)
			}
			base := osvBase(want)
			if base == "" {
				rejected++
				if err == nil {
					t.Errorf("%s: FromPURL = %+v, want an error: no OSV ecosystem", where, got)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			mapped[want.Type]++
			if b, _ := Split(got.Ecosystem); b != base {
				t.Errorf("%s: ecosystem %q, want %q", where, got.Ecosystem, base)
			}
			wantName := osvName(want)
			if NormalizeName(base, got.Name) != NormalizeName(base, wantName) {
				t.Errorf("%s: name %q, want %q", where, got.Name, wantName)
			}
			if want.Version != nil && got.Version != *want.Version {
				t.Errorf("%s: version %q, want %q", where, got.Version, *want.Version)
			}
		}
	}
	types := make([]string, 0, len(mapped))
	for typ, n := range mapped {
		types = append(types, typ+"="+itoa(n))
	}
	sort.Strings(types)
	t.Logf("mapped parse tests per type: %s; %d without an OSV ecosystem rejected; %d expected failures rejected",
		strings.Join(types, " "), rejected, failing)
	for in, reason := range lenientAccepts {
		if !lenient[in] {
			t.Errorf("lenientAccepts: %s (%s) is no longer an expected-failure parse test", in, reason)
		}
	}
	for _, typ := range []string{"pypi", "npm", "maven", "golang", "cargo", "gem", "nuget", "composer",
		"hex", "pub", "hackage", "cran", "swift", "conan", "deb", "apk"} {
		if mapped[typ] == 0 {
			t.Errorf("no parse test of type %s was mapped", typ)
		}
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// FuzzFromPURL checks that FromPURL never panics, and that what it
// accepts names a known ecosystem, a package and the input in errors.
func FuzzFromPURL(f *testing.F) {
	for _, s := range []string{
		"pkg:golang/github.com/gorilla/mux@v1.8.0",
		"pkg:npm/%40angular/animation@12.3.1",
		"pkg:maven/org.apache.commons/io@1.3.4?type=pom",
		"pkg:pypi/Django_package@1.11.1.dev1",
		"pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64&distro=debian-12",
		"pkg:apk/alpine/curl@7.83.0-r0?arch=x86&distro=alpine-3.20.1",
		"pkg:rpm/redhat/openssl@1.1.1k-7.el8_6?epoch=1",
		"pkg:swift/github.com/Alamofire/Alamofire@5.4.3",
		"pkg:julia/Dates@1.9.0?uuid=ade2ca70-3891-5945-98fb-dc099432e06a",
		"pkg://maven/org.apache.commons/io",
		"pkg:GOLANG/google.golang.org/genproto#/googleapis/api/annotations/",
		"pkg:golang/github.com/jackc/pgx@v5.3.1#v5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := FromPURL(s)
		if err != nil {
			if !strings.Contains(err.Error(), "purl") {
				t.Fatalf("FromPURL(%q) error %q does not say it is about a purl", s, err)
			}
			return
		}
		if _, ok := Canonical(p.Ecosystem); !ok {
			t.Fatalf("FromPURL(%q) = %+v: unknown ecosystem", s, p)
		}
		if p.Name == "" {
			t.Fatalf("FromPURL(%q) = %+v: empty name", s, p)
		}
		_ = NormalizeName(p.Ecosystem, p.Name)
	})
}
