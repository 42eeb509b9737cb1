package severity

import (
	"errors"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

func TestFromVector(t *testing.T) {
	tests := []struct {
		typ, vector string
		score       float64
		rating      model.Rating
	}{
		// CVSS v3.1, scores as NVD publishes them.
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, model.RatingCritical},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, model.RatingCritical},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, model.RatingHigh}, // GO-2023-2385 et al.
		{"CVSS_V3", "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N", 4.7, model.RatingMedium},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", 5.3, model.RatingMedium},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:U/C:N/I:L/A:N", 2.4, model.RatingLow},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, model.RatingNone},
		// CVSS v3.0.
		{"CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, model.RatingHigh},
		{"CVSS_V3", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", 9.0, model.RatingCritical},
		{"CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:L", 5.5, model.RatingMedium},
		// CVSS v4.0: FIRST's calculator (the values go-cvss tests against)
		// and NVD.
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, model.RatingCritical},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0, model.RatingCritical},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:H/SA:H", 7.9, model.RatingHigh},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 8.7, model.RatingHigh},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N", 6.9, model.RatingMedium},
		{"CVSS_V4", "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:P/VC:N/VI:H/VA:H/SC:N/SI:L/SA:L", 5.2, model.RatingMedium},
		{"CVSS_V4", "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 1.0, model.RatingLow},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0, model.RatingNone},
		// Threat and environmental metrics do not change the base score
		// (the full vectors score 9.1 and 4.7).
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U", 10.0, model.RatingCritical},
		{"CVSS_V4", "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:P/VC:N/VI:H/VA:H/SC:N/SI:L/SA:L/E:P/CR:H/IR:M/AR:H/MAV:A/MAT:P/MPR:N/MVI:H/MVA:N/MSI:H/MSA:N/S:N/V:C/U:Amber", 5.2, model.RatingMedium},
		// CVSS v2 with NVD's v2 scale.
		{"CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, model.RatingHigh},
		{"CVSS_V2", "AV:N/AC:M/Au:N/C:C/I:C/A:C", 9.3, model.RatingHigh},
		{"CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0, model.RatingMedium},
		{"CVSS_V2", "AV:L/AC:L/Au:N/C:P/I:N/A:N", 2.1, model.RatingLow},
		{"CVSS_V2", "(AV:N/AC:L/Au:S/C:P/I:P/A:P)", 6.5, model.RatingMedium},
		{"CVSS_V2", "CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, model.RatingHigh},
		// Type in any case, spaces around the vector.
		{"cvss_v3", " CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H ", 9.8, model.RatingCritical},
	}
	for _, tt := range tests {
		got, err := FromVector(tt.typ, tt.vector)
		if err != nil {
			t.Errorf("FromVector(%q, %q): %v", tt.typ, tt.vector, err)
			continue
		}
		if got.Score != tt.score || got.Rating != tt.rating {
			t.Errorf("FromVector(%q, %q) = %v %s, want %v %s", tt.typ, tt.vector, got.Score, got.Rating, tt.score, tt.rating)
		}
		if got.Type != strings.ToUpper(tt.typ) || got.Vector != strings.TrimSpace(tt.vector) {
			t.Errorf("FromVector(%q, %q) kept type %q vector %q", tt.typ, tt.vector, got.Type, got.Vector)
		}
	}
}

func TestFromVectorErrors(t *testing.T) {
	tests := []struct{ typ, vector string }{
		{"CVSS_V3", ""},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"},     // A missing
		{"CVSS_V3", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, // bad value
		{"CVSS_V3", "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		{"CVSS_V3", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, // no header
		{"CVSS_V3", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
		{"CVSS_V4", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H"},
		{"CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P"},
		{"CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:Q"},
		{"CVSS_V2", "7.5"},
		{"Ubuntu", "medium"},
		{"", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
	}
	for _, tt := range tests {
		_, err := FromVector(tt.typ, tt.vector)
		if err == nil {
			t.Errorf("FromVector(%q, %q) succeeded, want an error", tt.typ, tt.vector)
			continue
		}
		if !strings.Contains(err.Error(), tt.vector) {
			t.Errorf("error %q does not name the vector", err)
		}
	}
	if _, err := FromVector("Ubuntu", "medium"); !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("FromVector(Ubuntu) error = %v, want ErrUnsupportedType", err)
	}
}

func TestFromLabel(t *testing.T) {
	tests := map[string]model.Rating{
		"CRITICAL": model.RatingCritical, "critical": model.RatingCritical,
		"HIGH": model.RatingHigh, "Important": model.RatingHigh,
		"MODERATE": model.RatingMedium, "moderate": model.RatingMedium, "Medium": model.RatingMedium,
		"LOW": model.RatingLow, "negligible": model.RatingLow,
		"NONE": model.RatingNone, " high ": model.RatingHigh,
		"": model.RatingUnknown, "untriaged": model.RatingUnknown, "severe": model.RatingUnknown,
		"7.5": model.RatingUnknown,
	}
	for label, want := range tests {
		got := FromLabel(label)
		if got.Rating != want {
			t.Errorf("FromLabel(%q) = %s, want %s", label, got.Rating, want)
		}
		wantType := TypeEcosystem
		if want == model.RatingUnknown {
			wantType = ""
		}
		if got.Type != wantType || got.Score != 0 || got.Vector != "" {
			t.Errorf("FromLabel(%q) = %+v, want only a rating of type %q", label, got, wantType)
		}
	}
}
