package ssvc

import (
	"errors"
	"strings"
	"testing"
)

func TestReadVector(t *testing.T) {
	tests := []struct {
		in   string
		want Vector
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", Vector{Version: "3.1", AV: "N", AC: "L", PR: "N", UI: "N", C: "H", I: "H"}},
		{" CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N ", Vector{Version: "3.0", AV: "L", AC: "H", PR: "H", UI: "R", C: "L", I: "N"}},
		{"CVSS:3.1/AV:A/AC:L/PR:L/UI:N/S:U/C:N/I:H/A:N/E:F/RL:O", Vector{Version: "3.1", AV: "A", AC: "L", PR: "L", UI: "N", C: "N", I: "H"}},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", Vector{Version: "4.0", AV: "N", AC: "L", AT: "N", PR: "N", UI: "N", C: "H", I: "H"}},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:L/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N/AU:Y", Vector{Version: "4.0", AV: "P", AC: "H", AT: "P", PR: "L", UI: "A", C: "L", I: "N", AU: "Y"}},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/AU:N", Vector{Version: "4.0", AV: "N", AC: "L", AT: "N", PR: "N", UI: "N", C: "H", I: "H", AU: "N"}},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/AU:X", Vector{Version: "4.0", AV: "N", AC: "L", AT: "N", PR: "N", UI: "N", C: "H", I: "H"}},
	}
	for _, tt := range tests {
		got, err := ReadVector(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ReadVector(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"AV:N/AC:L/Au:N/C:C/I:C/A:C", "CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C", "", "cvss:3.1/AV:N", "CVSS:5.0/AV:N"} {
		if _, err := ReadVector(in); !errors.Is(err, ErrUnsupportedVector) {
			t.Errorf("ReadVector(%q): %v; want ErrUnsupportedVector", in, err)
		}
	}
	for _, in := range []string{"CVSS:3.1/AV:N", "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:N", "CVSS:4.0/AV:N/AC:L", "CVSS:3.0/"} {
		if _, err := ReadVector(in); err == nil || errors.Is(err, ErrUnsupportedVector) {
			t.Errorf("ReadVector(%q): %v; want a parse error", in, err)
		}
	}
}

func TestAutomatable(t *testing.T) {
	tests := []struct {
		vector string
		want   Automatable
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", AutomatableYes},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", AutomatableYes},
		{"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", AutomatableNo},
		{"CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", AutomatableNo},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", AutomatableNo},
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", AutomatableNo},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", AutomatableNo},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", AutomatableYes},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", AutomatableNo},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", AutomatableNo},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/AU:N", AutomatableNo},
		{"CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/AU:Y", AutomatableYes},
	}
	for _, tt := range tests {
		v, err := ReadVector(tt.vector)
		if err != nil {
			t.Fatal(err)
		}
		if got, why := v.Automatable(); got != tt.want || !strings.HasPrefix(why, "CVSS "+v.Version) {
			t.Errorf("%s: %s (%s); want %s", tt.vector, got, why, tt.want)
		}
	}
}

// TestTechnicalImpact checks all 27 rows of CERT/CC's "CVSSv4 to Technical
// Impact" table (PR × VC × VI), for v4.0 and, with C and I, for v3.1.
func TestTechnicalImpact(t *testing.T) {
	// The five rows CERT/CC rate total, as PR/VC/VI; the other 22 are partial.
	total := map[string]bool{"H/H/H": true, "N/H/L": true, "N/L/H": true, "L/H/H": true, "N/H/H": true}
	n := 0
	for _, pr := range []string{"N", "L", "H"} {
		for _, c := range []string{"N", "L", "H"} {
			for _, i := range []string{"N", "L", "H"} {
				want := TechnicalImpactPartial
				if total[pr+"/"+c+"/"+i] {
					want = TechnicalImpactTotal
				}
				for _, vec := range []string{
					"CVSS:4.0/AV:N/AC:L/AT:N/PR:" + pr + "/UI:N/VC:" + c + "/VI:" + i + "/VA:N/SC:N/SI:N/SA:N",
					"CVSS:3.1/AV:N/AC:L/PR:" + pr + "/UI:N/S:U/C:" + c + "/I:" + i + "/A:N",
				} {
					v, err := ReadVector(vec)
					if err != nil {
						t.Fatal(err)
					}
					if got, why := v.TechnicalImpact(); got != want || why == "" {
						t.Errorf("%s: %s (%s); want %s", vec, got, why, want)
					}
					n++
				}
			}
		}
	}
	if n != 54 {
		t.Fatalf("%d cases", n)
	}
}
