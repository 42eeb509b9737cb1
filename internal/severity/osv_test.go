package severity

import (
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

const (
	v31Critical = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"                    // 9.8
	v31Medium   = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N"                    // 5.3
	v30High     = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"                    // 7.5
	v2High      = "AV:N/AC:L/Au:N/C:P/I:P/A:P"                                      // 7.5
	v4High      = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N" // 8.7
)

func mustVector(t *testing.T, typ, vector string) model.Severity {
	t.Helper()
	s, err := FromVector(typ, vector)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBest(t *testing.T) {
	v2 := mustVector(t, TypeCVSSv2, v2High)
	v30 := mustVector(t, TypeCVSSv3, v30High)
	v31 := mustVector(t, TypeCVSSv3, v31Medium)
	v31c := mustVector(t, TypeCVSSv3, v31Critical)
	v4 := mustVector(t, TypeCVSSv4, v4High)
	label := FromLabel("CRITICAL")
	bare3 := model.Severity{Rating: model.RatingCritical, Score: 9.9, Type: TypeCVSSv3}
	tests := []struct {
		name string
		all  []model.Severity
		want model.Severity
	}{
		{"empty", nil, model.Severity{Rating: model.RatingUnknown}},
		{"only unknown", []model.Severity{{Rating: model.RatingUnknown}, FromLabel("?")}, model.Severity{Rating: model.RatingUnknown}},
		{"v4 beats v3.1 and label", []model.Severity{label, v31c, v4, v2}, v4},
		{"v3.1 beats v3.0 with a higher score", []model.Severity{v30, v31}, v31},
		{"v3.0 beats v2", []model.Severity{v2, v30}, v30},
		{"v2 beats a label", []model.Severity{label, v2}, v2},
		{"vector beats a bare score of its version", []model.Severity{bare3, v31}, v31},
		{"bare v3 score beats v2", []model.Severity{v2, bare3}, bare3},
		{"same version: higher score", []model.Severity{v31, v31c}, v31c},
		{"labels: higher rating", []model.Severity{FromLabel("low"), FromLabel("high")}, FromLabel("high")},
		{"label alone", []model.Severity{{Rating: model.RatingUnknown}, label}, label},
	}
	for _, tt := range tests {
		if got := Best(tt.all); got != tt.want {
			t.Errorf("%s: Best = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestFromOSV(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		label   string
		want    model.Severity
	}{
		{"nothing", nil, "", model.Severity{Rating: model.RatingUnknown}},
		{"GHSA label only", nil, "MODERATE", model.Severity{Rating: model.RatingMedium, Type: TypeEcosystem}},
		{"vector beats label", []Entry{{"CVSS_V3", v31Medium}}, "CRITICAL",
			model.Severity{Rating: model.RatingMedium, Score: 5.3, Type: TypeCVSSv3, Vector: v31Medium, Version: "3.1"}},
		{"v4 and v3", []Entry{{"CVSS_V3", v31Critical}, {"CVSS_V4", v4High}}, "CRITICAL",
			model.Severity{Rating: model.RatingHigh, Score: 8.7, Type: TypeCVSSv4, Vector: v4High, Version: "4.0"}},
		{"broken vector skipped", []Entry{{"CVSS_V3", "CVSS:3.1/AV:N"}, {"CVSS_V2", v2High}}, "",
			model.Severity{Rating: model.RatingHigh, Score: 7.5, Type: TypeCVSSv2, Vector: v2High, Version: "2.0"}},
		{"broken vector, label", []Entry{{"CVSS_V3", "garbage"}}, "low",
			model.Severity{Rating: model.RatingLow, Type: TypeEcosystem}},
		{"bare v3 score", []Entry{{"CVSS_V3", "9.1"}}, "",
			model.Severity{Rating: model.RatingCritical, Score: 9.1, Type: TypeCVSSv3}},
		{"bare v2 score on v2 scale", []Entry{{"CVSS_V2", "9.3"}}, "",
			model.Severity{Rating: model.RatingHigh, Score: 9.3, Type: TypeCVSSv2}},
		{"bare score out of range", []Entry{{"CVSS_V3", "11"}, {"CVSS_V3", "-1"}, {"CVSS_V3", "1e1"}}, "",
			model.Severity{Rating: model.RatingUnknown}},
		{"Ubuntu priority", []Entry{{"Ubuntu", "medium"}}, "",
			model.Severity{Rating: model.RatingMedium, Type: TypeEcosystem}},
		{"Ubuntu and CVSS", []Entry{{"Ubuntu", "high"}, {"CVSS_V3", v31Medium}}, "",
			model.Severity{Rating: model.RatingMedium, Score: 5.3, Type: TypeCVSSv3, Vector: v31Medium, Version: "3.1"}},
		{"type in lower case", []Entry{{"cvss_v3", v31Critical}}, "",
			model.Severity{Rating: model.RatingCritical, Score: 9.8, Type: TypeCVSSv3, Vector: v31Critical, Version: "3.1"}},
	}
	for _, tt := range tests {
		if got := FromOSV(tt.entries, tt.label); got != tt.want {
			t.Errorf("%s: FromOSV = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

var fuzzTypes = []string{TypeCVSSv2, TypeCVSSv3, TypeCVSSv4, "Ubuntu"}

func FuzzFromVector(f *testing.F) {
	f.Add(uint8(0), "AV:N/AC:L/Au:N/C:P/I:P/A:P")
	f.Add(uint8(0), "(AV:N/AC:M/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C)")
	f.Add(uint8(1), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	f.Add(uint8(1), "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H/E:P/RL:O/RC:C/MAV:L")
	f.Add(uint8(2), "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
	f.Add(uint8(2), "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:P/VC:N/VI:H/VA:H/SC:N/SI:L/SA:L/E:P/CR:H/MSI:S/U:Amber")
	f.Add(uint8(3), "medium")
	f.Fuzz(func(t *testing.T, typ uint8, vector string) {
		name := fuzzTypes[int(typ)%len(fuzzTypes)]
		s, err := FromVector(name, vector)
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error %q does not name the type", err)
			}
			return
		}
		if s.Score < 0 || s.Score > 10 || s.Rating.Rank() == 0 || s.Type != name {
			t.Fatalf("FromVector(%q, %q) = %+v", name, vector, s)
		}
		if got := Best([]model.Severity{FromLabel("critical"), s}); got != s {
			t.Fatalf("Best preferred %+v over the vector %+v", got, s)
		}
		_ = FromOSV([]Entry{{name, vector}, {name, vector[:len(vector)/2]}}, vector)
	})
}
