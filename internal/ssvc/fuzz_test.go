package ssvc

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// FuzzReadVector: any text either fails or gives metrics of known letters,
// and the rules derive a valid value from them.
func FuzzReadVector(f *testing.F) {
	for _, s := range []string{vecCritical, vecLocal, vecDoS,
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/AU:Y",
		"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X",
		"AV:N/AC:L/Au:N/C:C/I:C/A:C", "CVSS:3.1/", "CVSS:4.0/AV:N/AV:N", ""} {
		f.Add(s)
	}
	letters := "NALPHRYU"
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ReadVector(s)
		if err != nil {
			if v != (Vector{}) {
				t.Fatalf("error %v with a vector %+v", err, v)
			}
			return
		}
		if v.Version != "3.0" && v.Version != "3.1" && v.Version != "4.0" {
			t.Fatalf("version %q", v.Version)
		}
		for _, m := range []string{v.AV, v.AC, v.PR, v.UI, v.C, v.I} {
			if len(m) != 1 || !strings.Contains(letters, m) {
				t.Fatalf("metric %q in %+v from %q", m, v, s)
			}
		}
		if a, _ := v.Automatable(); a != AutomatableYes && a != AutomatableNo {
			t.Fatalf("automatable %q", a)
		}
		if ti, _ := v.TechnicalImpact(); ti != TechnicalImpactPartial && ti != TechnicalImpactTotal {
			t.Fatalf("technical impact %q", ti)
		}
	})
}

// FuzzDecide: stored inputs in any shape either fail with ErrInvalid (or
// do not decode) or give a decision of the tree that a second decision from
// the re-stored inputs repeats exactly.
func FuzzDecide(f *testing.F) {
	for _, c := range decideCases {
		b, _ := json.Marshal(c.in)
		f.Add(b)
	}
	f.Add([]byte(`{"at":"2026-03-02T09:00:00Z","epss":{"score":0.5,"percentile":2,"date":"2026-01-01T00:00:00Z"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var in Inputs
		if json.Unmarshal(data, &in) != nil {
			return
		}
		o, err := Decide(in)
		if err != nil {
			if !errors.Is(err, model.ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		if o.Decision.Rank() == 0 {
			t.Fatalf("decision %q", o.Decision)
		}
		again, err := Decide(restored(t, in))
		if err != nil || !reflect.DeepEqual(o, again) {
			t.Fatalf("re-derived %+v, %v; first %+v", again, err, o)
		}
	})
}
