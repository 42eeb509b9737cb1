package sarif

import (
	"encoding/json"
	"errors"
	"github.com/vulndesk/vulndesk/internal/model"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dataDir is the shared conformance data (see ../shared/data/README.md).
const dataDir = "../../../shared/data/sarif"

func needData(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(dataDir); err != nil {
		t.Skipf("SARIF conformance data not found at %s (the shared data directory): %v", dataDir, err)
	}
}

// TestSharedLogs loads every log of the shared data with its result
// count (results kept plus results of kind pass skipped: flawfinder's
// result 52, which also has no message) and suppressed count, including
// the tolerant cases: appendix_k3 and flawfinder do not validate against
// the schema, no_runs and the empty logs have nothing.
func TestSharedLogs(t *testing.T) {
	needData(t)
	want := map[string]struct{ runs, results, suppressed int }{
		"defectdojo-tool-outputs/appendix_k1.sarif":                                            {1, 0, 0},
		"defectdojo-tool-outputs/appendix_k2.sarif":                                            {1, 1, 0},
		"defectdojo-tool-outputs/appendix_k3.sarif":                                            {1, 1, 0},
		"defectdojo-tool-outputs/dependency_check.sarif":                                       {1, 13, 0},
		"defectdojo-tool-outputs/dockle_0_3_15.sarif":                                          {1, 4, 0},
		"defectdojo-tool-outputs/flawfinder.sarif":                                             {1, 54, 0},
		"defectdojo-tool-outputs/gitleaks_7.5.0.sarif":                                         {1, 8, 0},
		"defectdojo-tool-outputs/njsscan.sarif":                                                {1, 2, 0},
		"defectdojo-tool-outputs/no_runs.sarif":                                                {0, 0, 0},
		"defectdojo-tool-outputs/spotbugs.sarif":                                               {1, 56, 0},
		"defectdojo-tool-outputs/suppression_test.sarif":                                       {1, 5, 3},
		"sarif-tutorials/samples/1-Introduction/simple-example.sarif":                          {1, 1, 0},
		"sarif-tutorials/samples/2-Basics/empty-log.sarif.json":                                {1, 0, 0},
		"sarif-tutorials/samples/3-Beyond-basics/automation-details.sarif":                     {1, 0, 0},
		"sarif-tutorials/samples/3-Beyond-basics/bad-eval-related-locations.sarif":             {1, 1, 0},
		"sarif-tutorials/samples/3-Beyond-basics/bad-eval-with-code-flow.sarif":                {1, 1, 0},
		"sarif-tutorials/samples/3-Beyond-basics/bad-eval.sarif":                               {1, 1, 0},
		"sarif-tutorials/samples/3-Beyond-basics/link-to-location.sarif":                       {1, 1, 0},
		"sarif-tutorials/samples/3-Beyond-basics/message-from-metadata.sarif":                  {1, 1, 0},
		"sarif-tutorials/samples/3-Beyond-basics/message-with-arguments.sarif":                 {1, 1, 0},
		"sarif-tutorials/samples/3-Beyond-basics/standard-taxonomy.sarif":                      {1, 1, 0},
		"sarif-tutorials/samples/Baseline.sarif":                                               {1, 4, 0},
		"sarif-tutorials/samples/CodeFlows.sarif":                                              {1, 1, 0},
		"sarif-tutorials/samples/ContextRegion.sarif":                                          {1, 1, 0},
		"sarif-tutorials/samples/DefaultRuleConfiguration.sarif":                               {1, 2, 0},
		"sarif-tutorials/samples/EmbeddedBinaryContent.sarif":                                  {1, 1, 0},
		"sarif-tutorials/samples/EmbeddedTextContent.sarif":                                    {1, 2, 0},
		"sarif-tutorials/samples/ExceptionalConditions/Catastrophic configuration error.sarif": {1, 0, 0},
		"sarif-tutorials/samples/ExceptionalConditions/Catastrophic execution error.sarif":     {1, 0, 0},
		"sarif-tutorials/samples/ExceptionalConditions/Empty runs.sarif":                       {0, 0, 0},
		"sarif-tutorials/samples/ExceptionalConditions/No runs.sarif":                          {0, 0, 0},
		"sarif-tutorials/samples/ExceptionalConditions/One run empty results.sarif":            {1, 0, 0},
		"sarif-tutorials/samples/ExceptionalConditions/One run no results.sarif":               {1, 0, 0},
		"sarif-tutorials/samples/ExceptionalConditions/One run with results.sarif":             {1, 1, 0},
		"sarif-tutorials/samples/Notifications.sarif":                                          {1, 0, 0},
		"sarif-tutorials/samples/OriginalUriBaseIds.sarif":                                     {1, 3, 0},
		"sarif-tutorials/samples/RegionVariants.sarif":                                         {1, 18, 0},
		"sarif-tutorials/samples/ResultStacks.sarif":                                           {1, 1, 0},
		"sarif-tutorials/samples/RuleMetadata.sarif":                                           {1, 1, 0},
		"sarif-tutorials/samples/Suppressions.sarif":                                           {1, 9, 5},
		"sarif-tutorials/samples/Taxonomies.sarif":                                             {1, 2, 0},
		"sarif-tutorials/samples/_template.sarif":                                              {1, 1, 0},
		"trivy/alpine-310.sarif.json":                                                          {1, 4, 0},
	}
	seen := 0
	err := filepath.WalkDir(dataDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(path, "oasis-sarif-spec") ||
			!(strings.HasSuffix(path, ".sarif") || strings.HasSuffix(path, ".json")) {
			return err
		}
		rel, _ := filepath.Rel(dataDir, path)
		w, ok := want[filepath.ToSlash(rel)]
		if !ok {
			t.Errorf("%s: a log this test does not list", rel)
			return nil
		}
		seen++
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		l, err := Read(f)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		sup := 0
		for _, r := range l.Results {
			if r.Suppressed {
				sup++
			}
			if r.Tool == "" || len(r.Fingerprint) != 64 || r.Level == "" || r.Severity == "" {
				t.Errorf("%s: incomplete result %+v", rel, r)
			}
		}
		if l.Runs != w.runs || len(l.Results)+l.Skipped != w.results {
			t.Errorf("%s: %d runs, %d results (+%d skipped), want %d, %d", rel, l.Runs, len(l.Results), l.Skipped, w.runs, w.results)
		}
		if sup != w.suppressed {
			t.Errorf("%s: %d suppressed, want %d", rel, sup, w.suppressed)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Errorf("read %d logs, the table lists %d", seen, len(want))
	}
}

// TestSharedDetails checks what is read from a few real logs: rule
// resolution, severity from security-severity and from the rule's
// default level, suppressions, locations.
func TestSharedDetails(t *testing.T) {
	needData(t)
	read := func(name string) *Log {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		l, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return l
	}
	trivy := read("trivy/alpine-310.sarif.json").Results[0]
	if l := read("sarif-tutorials/samples/ExceptionalConditions/One run empty results.sarif"); len(l.Tools()) != 1 {
		t.Errorf("a run without results: tools %v, want its tool", l.Tools())
	}
	if trivy.Tool != "Trivy" || trivy.RuleID != "CVE-2019-1549" || trivy.RuleName != "OsPackageVulnerability" ||
		trivy.Score != 5.3 || trivy.Severity != model.RatingMedium || trivy.Location.URIBaseID != "ROOTPATH" ||
		trivy.Location.StartLine != 1 {
		t.Errorf("trivy result: %+v", trivy)
	}
	def := read("sarif-tutorials/samples/DefaultRuleConfiguration.sarif").Results
	if def[0].Level != "error" || def[0].Severity != model.RatingHigh || def[1].Level != "warning" {
		t.Errorf("default rule configuration: %+v", def)
	}
	k3 := read("defectdojo-tool-outputs/appendix_k3.sarif").Results[0]
	if k3.Location.Logical != "Example.Worker.DoWork" || k3.RuleID != "B6412" {
		t.Errorf("appendix K3: %+v", k3)
	}
	ff := read("defectdojo-tool-outputs/flawfinder.sarif")
	if ff.Skipped != 1 || ff.Results[0].FingerprintFrom != FromFingerprints {
		t.Errorf("flawfinder: %d skipped, fingerprint from %s", ff.Skipped, ff.Results[0].FingerprintFrom)
	}
	args := read("sarif-tutorials/samples/3-Beyond-basics/message-with-arguments.sarif").Results[0]
	if args.Message != "Variable 'x' was used without being initialized." {
		t.Errorf("message with arguments: %q", args.Message)
	}
	// Gitleaks reports the same secret twice on one line of one file: two
	// results, two fingerprints.
	gl := read("defectdojo-tool-outputs/gitleaks_7.5.0.sarif").Results
	if gl[0].Fingerprint == gl[1].Fingerprint {
		t.Error("gitleaks: two identical results share a fingerprint")
	}
}

// small is a log with one result; edit changes it before it is written.
func small(edit func(result map[string]any, rule map[string]any)) []byte {
	result := map[string]any{
		"ruleId":  "G101",
		"level":   "error",
		"message": map[string]any{"text": "hard-coded credential"},
		"locations": []any{map[string]any{"physicalLocation": map[string]any{
			"artifactLocation": map[string]any{"uri": "cmd/main.go", "uriBaseId": "%SRCROOT%"},
			"region":           map[string]any{"startLine": 10, "endLine": 12, "snippet": map[string]any{"text": "password := \"hunter2\""}},
		}}},
	}
	rule := map[string]any{"id": "G101", "name": "HardcodedCredentials"}
	if edit != nil {
		edit(result, rule)
	}
	b, err := json.Marshal(map[string]any{"version": "2.1.0", "runs": []any{map[string]any{
		"tool":    map[string]any{"driver": map[string]any{"name": "gosec", "version": "2.21.4", "rules": []any{rule}}},
		"results": []any{result},
	}}})
	if err != nil {
		panic(err)
	}
	return b
}

func one(t *testing.T, b []byte) Result {
	t.Helper()
	l, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Results) != 1 {
		t.Fatalf("%d results, want 1", len(l.Results))
	}
	return l.Results[0]
}

func TestFingerprint(t *testing.T) {
	base := one(t, small(nil))
	if base.FingerprintFrom != FromContent || base.Severity != model.RatingHigh || base.ToolVersion != "2.21.4" {
		t.Fatalf("base: %+v", base)
	}
	moved := one(t, small(func(r, _ map[string]any) {
		loc := r["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
		loc["region"].(map[string]any)["startLine"] = 40
		loc["region"].(map[string]any)["endLine"] = 42
	}))
	if moved.Fingerprint != base.Fingerprint {
		t.Error("code that moved got a new fingerprint")
	}
	if moved.Location.StartLine != 40 {
		t.Errorf("moved: start line %d", moved.Location.StartLine)
	}
	other := one(t, small(func(r, _ map[string]any) {
		loc := r["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
		loc["artifactLocation"].(map[string]any)["uri"] = "cmd/other.go"
	}))
	if other.Fingerprint == base.Fingerprint {
		t.Error("another file shares the fingerprint")
	}
	partial := func(v string) Result {
		return one(t, small(func(r, _ map[string]any) {
			r["partialFingerprints"] = map[string]any{"primaryLocationLineHash": v, "other/v1": "x"}
		}))
	}
	p1, p2 := partial("abc:1"), partial("abc:1")
	if p1.FingerprintFrom != FromPartial || p1.Fingerprint != p2.Fingerprint || p1.Fingerprint == partial("def:1").Fingerprint {
		t.Errorf("partial fingerprints: %+v", p1)
	}
	// Another rule on the same partial fingerprint is another finding.
	otherRule := one(t, small(func(r, _ map[string]any) {
		r["ruleId"] = "G102"
		r["partialFingerprints"] = map[string]any{"primaryLocationLineHash": "abc:1", "other/v1": "x"}
	}))
	if otherRule.Fingerprint == p1.Fingerprint {
		t.Error("two rules share a fingerprint")
	}
}

func TestSeverity(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(r, rule map[string]any)
		want model.Rating
	}{
		{"level error", nil, model.RatingHigh},
		{"level note", func(r, _ map[string]any) { r["level"] = "note" }, model.RatingLow},
		{"level none", func(r, _ map[string]any) { r["level"] = "none" }, model.RatingNone},
		{"no level: the specification's warning", func(r, _ map[string]any) { delete(r, "level") }, model.RatingMedium},
		{"rule default level", func(r, rule map[string]any) {
			delete(r, "level")
			rule["defaultConfiguration"] = map[string]any{"level": "note"}
		}, model.RatingLow},
		{"result security-severity", func(r, _ map[string]any) { r["properties"] = map[string]any{"security-severity": "9.8"} }, model.RatingCritical},
		{"rule security-severity (number)", func(_, rule map[string]any) {
			rule["properties"] = map[string]any{"security-severity": 7.5}
		}, model.RatingHigh},
		{"rule security-severity by index", func(r, rule map[string]any) {
			delete(r, "ruleId")
			r["ruleIndex"] = 0
			rule["properties"] = map[string]any{"security-severity": "3.1"}
		}, model.RatingLow},
		{"unreadable security-severity", func(r, _ map[string]any) { r["properties"] = map[string]any{"security-severity": "high"} }, model.RatingHigh},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := one(t, small(c.edit)); got.Severity != c.want {
				t.Errorf("severity %s, want %s (%+v)", got.Severity, c.want, got)
			}
		})
	}
}

func TestRuleByIndex(t *testing.T) {
	r := one(t, small(func(r, _ map[string]any) {
		delete(r, "ruleId")
		r["rule"] = map[string]any{"index": 0}
	}))
	if r.RuleID != "G101" || r.RuleName != "HardcodedCredentials" {
		t.Errorf("rule by rule.index: %q %q", r.RuleID, r.RuleName)
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		in   string
		want error
		says string
	}{
		{``, ErrInvalid, "empty input"},
		{`[]`, ErrInvalid, "array"},
		{`{"version": "2.1.0", "runs": []} {}`, ErrInvalid, "data after"},
		{`{"runs": []}`, ErrInvalid, "no version"},
		{`{"version": "1.0.0", "runs": []}`, ErrInvalid, `version "1.0.0"`},
		{`{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{}]}]}`, ErrInvalid, "tool.driver has no name"},
		{`{"version": "2.1.0", "runs": [{"results": "x"}]}`, ErrInvalid, "runs.results"},
		{`{"version": "2.1.0", "runs": [`, ErrInvalid, "ends early"},
	} {
		_, err := Parse([]byte(c.in))
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want %v saying %q", c.in, err, c.want, c.says)
		}
	}
	big := make([]byte, MaxSize+1)
	if _, err := Parse(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a log over the size limit: %v", err)
	}
}
