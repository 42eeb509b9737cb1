package ssvc

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

const (
	// Log4Shell's NVD vector: network, no privileges, no interaction, C:H/I:H.
	vecCritical = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
	// A local, user-assisted information leak.
	vecLocal = "CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N"
	// A network DoS without confidentiality or integrity impact.
	vecDoS = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N"
)

func TestExploitationFrom(t *testing.T) {
	kev := &KEV{DateAdded: date(2026, 2, 10), DueDate: date(2026, 3, 3), Ransomware: true, CatalogVersion: "2026.02.10"}
	poc := &PoC{Source: "exploit-db 51234", Seen: date(2026, 1, 5)}
	epss := func(score float64, d time.Time) *EPSS {
		return &EPSS{Score: score, Percentile: 0.9, Date: d, Model: "v2025.03.14"}
	}
	tests := []struct {
		name string
		in   Inputs
		want Exploitation
		why  string
	}{
		{"nothing known", Inputs{At: at}, ExploitationNone, "not in KEV, no public proof of concept, no EPSS score"},
		{"KEV listed", Inputs{At: at, KEV: kev}, ExploitationActive, "listed in CISA KEV on 2026-02-10"},
		{"KEV listed the same day", Inputs{At: at, KEV: &KEV{DateAdded: date(2026, 3, 2)}}, ExploitationActive, "listed in CISA KEV on 2026-03-02"},
		{"KEV beats PoC and EPSS", Inputs{At: at, KEV: kev, PoC: poc, EPSS: epss(0.97, date(2026, 3, 1)), EPSSThreshold: 0.1}, ExploitationActive, "listed in CISA KEV on 2026-02-10"},
		{"KEV listed after the decision is ignored", Inputs{At: at, KEV: &KEV{DateAdded: date(2026, 3, 3)}}, ExploitationNone, "not in KEV, no public proof of concept; KEV listing of 2026-03-03 (after the decision)"},
		{"public PoC", Inputs{At: at, PoC: poc}, ExploitationPoC, "public proof of concept: exploit-db 51234"},
		{"PoC seen later, EPSS high", Inputs{At: at, PoC: &PoC{Source: "x", Seen: date(2026, 4, 1)}, EPSS: epss(0.5, date(2026, 3, 1)), EPSSThreshold: 0.1}, ExploitationPoC, "EPSS 0.5 ≥ 0.1 on 2026-03-01"},
		{"EPSS above threshold", Inputs{At: at, EPSS: epss(0.42, date(2026, 3, 1)), EPSSThreshold: 0.1}, ExploitationPoC, "EPSS 0.42 ≥ 0.1 on 2026-03-01"},
		{"EPSS at threshold", Inputs{At: at, EPSS: epss(0.1, date(2026, 3, 1)), EPSSThreshold: 0.1}, ExploitationPoC, "EPSS 0.1 ≥ 0.1 on 2026-03-01"},
		{"EPSS below threshold", Inputs{At: at, EPSS: epss(0.0999, date(2026, 3, 1)), EPSSThreshold: 0.1}, ExploitationNone, "not in KEV, no public proof of concept; EPSS 0.0999 < 0.1 on 2026-03-01"},
		{"everything after the decision", Inputs{At: at, KEV: &KEV{DateAdded: date(2026, 3, 3)}, PoC: &PoC{Source: "x", Seen: date(2026, 3, 4)}, EPSS: epss(0.9, date(2026, 3, 5)), EPSSThreshold: 0.1}, ExploitationNone,
			"not in KEV, no public proof of concept; KEV listing of 2026-03-03 (after the decision); PoC seen 2026-03-04 (after the decision); EPSS of 2026-03-05 (after the decision)"},
		{"stricter threshold recorded", Inputs{At: at, EPSS: epss(0.42, date(2026, 3, 1)), EPSSThreshold: 0.5}, ExploitationNone, "not in KEV, no public proof of concept; EPSS 0.42 < 0.5 on 2026-03-01"},
		{"EPSS dated after the decision", Inputs{At: at, EPSS: epss(0.9, date(2026, 3, 3)), EPSSThreshold: 0.1}, ExploitationNone, "not in KEV, no public proof of concept; EPSS of 2026-03-03 (after the decision)"},
	}
	for _, tt := range tests {
		if got, why := ExploitationFrom(tt.in); got != tt.want || why != tt.why {
			t.Errorf("%s: %s (%s); want %s (%s)", tt.name, got, why, tt.want, tt.why)
		}
	}
}

func TestMissionWellbeingFrom(t *testing.T) {
	want := map[int][3]MissionWellbeing{ // internet-facing, internal, isolated
		1: {"high", "high", "high"},
		2: {"high", "medium", "medium"},
		3: {"medium", "medium", "low"},
		4: {"low", "low", "low"},
	}
	for crit, row := range want {
		for i, exp := range model.Exposures {
			got, why, err := MissionWellbeingFrom(crit, exp)
			if err != nil || got != row[i] || !strings.Contains(why, exp) {
				t.Errorf("criticality %d %s: %s (%s) %v; want %s", crit, exp, got, why, err, row[i])
			}
		}
	}
	if got, _, err := MissionWellbeingFrom(0, ""); err != nil || got != MissionWellbeingMedium {
		t.Errorf("defaults: %s %v; want medium (criticality 3, internal)", got, err)
	}
	for field, c := range map[string]struct {
		crit int
		exp  string
	}{"asset.criticality": {5, "internal"}, "asset.exposure": {2, "public"}} {
		if _, _, err := MissionWellbeingFrom(c.crit, c.exp); !errors.Is(err, model.ErrInvalid) || !strings.HasPrefix(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
}

// decideCases are whole decisions from realistic inputs.
var decideCases = []struct {
	name string
	in   Inputs
	want Outcome
}{
	{"KEV, wormable, internet-facing criticality 1", Inputs{At: at,
		KEV:  &KEV{DateAdded: date(2021, 12, 10), DueDate: date(2021, 12, 24), Ransomware: true, CatalogVersion: "2021.12.10"},
		EPSS: &EPSS{Score: 0.94358, Percentile: 0.99958, Date: date(2026, 3, 1), Model: "v2025.03.14"}, EPSSThreshold: DefaultEPSSThreshold,
		CVSS: &CVSS{Vector: vecCritical, Source: "nvd@nist.gov CVE-2021-44228"}, Asset: Asset{ID: 7, Criticality: 1, Exposure: "internet-facing"}},
		Outcome{Decision: Act, Exploitation: "active", Automatable: "yes", TechnicalImpact: "total", MissionWellbeing: "high"}},
	{"KEV, wormable, internal criticality 4", Inputs{At: at, KEV: &KEV{DateAdded: date(2021, 12, 10)},
		CVSS: &CVSS{Vector: vecCritical}, Asset: Asset{Criticality: 4, Exposure: "internal"}},
		Outcome{Decision: Attend, Exploitation: "active", Automatable: "yes", TechnicalImpact: "total", MissionWellbeing: "low"}},
	{"KEV, local leak, criticality 3", Inputs{At: at, KEV: &KEV{DateAdded: date(2025, 5, 1)},
		CVSS: &CVSS{Vector: vecLocal}, Asset: Asset{Criticality: 3, Exposure: "internal"}},
		Outcome{Decision: Track, Exploitation: "active", Automatable: "no", TechnicalImpact: "partial", MissionWellbeing: "medium"}},
	{"PoC, wormable, criticality 2 internet-facing", Inputs{At: at, PoC: &PoC{Source: "https://github.com/example/poc", Seen: date(2026, 2, 1)},
		CVSS: &CVSS{Vector: vecCritical}, Asset: Asset{Criticality: 2, Exposure: "internet-facing"}},
		Outcome{Decision: Attend, Exploitation: "poc", Automatable: "yes", TechnicalImpact: "total", MissionWellbeing: "high"}},
	{"high EPSS, DoS, criticality 3", Inputs{At: at, EPSS: &EPSS{Score: 0.3, Percentile: 0.97, Date: date(2026, 3, 2), Model: "v2025.03.14"}, EPSSThreshold: 0.1,
		CVSS: &CVSS{Vector: vecDoS}, Asset: Asset{Criticality: 3, Exposure: "internet-facing"}},
		Outcome{Decision: Track, Exploitation: "poc", Automatable: "yes", TechnicalImpact: "partial", MissionWellbeing: "medium"}},
	{"no exploitation, no vector, criticality 1: cautious", Inputs{At: at, Asset: Asset{Criticality: 1, Exposure: "isolated"}},
		Outcome{Decision: Attend, Exploitation: "none", Automatable: "yes", TechnicalImpact: "total", MissionWellbeing: "high"}},
	{"CVSS v2 only counts as no vector", Inputs{At: at, CVSS: &CVSS{Vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P"}, Asset: Asset{Criticality: 4, Exposure: "internal"}},
		Outcome{Decision: Track, Exploitation: "none", Automatable: "yes", TechnicalImpact: "total", MissionWellbeing: "low"}},
	{"v4 states AU:N", Inputs{At: at, KEV: &KEV{DateAdded: date(2026, 1, 1)}, CVSS: &CVSS{Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/AU:N"}, Asset: Asset{Criticality: 3, Exposure: "internal"}},
		Outcome{Decision: Attend, Exploitation: "active", Automatable: "no", TechnicalImpact: "total", MissionWellbeing: "medium"}},
}

func TestDecide(t *testing.T) {
	for _, tt := range decideCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Decision != tt.want.Decision || got.Exploitation != tt.want.Exploitation || got.Automatable != tt.want.Automatable ||
				got.TechnicalImpact != tt.want.TechnicalImpact || got.MissionWellbeing != tt.want.MissionWellbeing {
				t.Errorf("Decide = %s; want %s", got, tt.want)
			}
			if len(got.Why) != 4 || got.Table != TableName {
				t.Errorf("why %q table %q", got.Why, got.Table)
			}
			for _, w := range got.Why {
				if w == "" {
					t.Errorf("a decision point without its rule: %q", got.Why)
				}
			}
		})
	}
}

func TestDecideInvalid(t *testing.T) {
	ok := Inputs{At: at, Asset: Asset{Criticality: 2, Exposure: "internal"}}
	tests := []struct {
		field  string
		change func(*Inputs)
	}{
		{"at", func(in *Inputs) { in.At = time.Time{} }},
		{"kev.date_added", func(in *Inputs) { in.KEV = &KEV{DueDate: date(2026, 1, 1)} }},
		{"poc", func(in *Inputs) { in.PoC = &PoC{Seen: date(2026, 1, 1)} }},
		{"poc", func(in *Inputs) { in.PoC = &PoC{Source: "x"} }},
		{"epss.score", func(in *Inputs) { in.EPSS = &EPSS{Score: 1.2, Date: at}; in.EPSSThreshold = 0.1 }},
		{"epss.score", func(in *Inputs) { in.EPSS = &EPSS{Score: math.NaN(), Date: at}; in.EPSSThreshold = 0.1 }},
		{"epss.percentile", func(in *Inputs) { in.EPSS = &EPSS{Score: 0.2, Percentile: -0.1, Date: at}; in.EPSSThreshold = 0.1 }},
		{"epss.date", func(in *Inputs) { in.EPSS = &EPSS{Score: 0.2}; in.EPSSThreshold = 0.1 }},
		{"epss_threshold", func(in *Inputs) { in.EPSS = &EPSS{Score: 0.2, Date: at} }},
		{"epss_threshold", func(in *Inputs) { in.EPSS = &EPSS{Score: 0.2, Date: at}; in.EPSSThreshold = 1.5 }},
		{"cvss.vector", func(in *Inputs) { in.CVSS = &CVSS{Vector: "CVSS:3.1/AV:N/AC:L"} }},
		{"asset.criticality", func(in *Inputs) { in.Asset.Criticality = 9 }},
		{"asset.exposure", func(in *Inputs) { in.Asset.Exposure = "dmz" }},
	}
	for _, tt := range tests {
		in := ok
		tt.change(&in)
		_, err := Decide(in)
		if !errors.Is(err, model.ErrInvalid) || !strings.HasPrefix(err.Error(), tt.field) {
			t.Errorf("%s: %v; want ErrInvalid naming it", tt.field, err)
		}
	}
	if _, err := Decide(ok); err != nil {
		t.Fatal(err)
	}
}

// restored is in after a trip through its stored form, JSON.
func restored(t testing.TB, in Inputs) Inputs {
	t.Helper()
	stored, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var back Inputs
	if err := json.Unmarshal(stored, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// TestRederive: a decision stored with its inputs is re-derived exactly
// from the stored form.
func TestRederive(t *testing.T) {
	for _, tt := range decideCases {
		first, err := Decide(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Decide(restored(t, tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, again) {
			t.Errorf("%s: first %+v\nagain %+v", tt.name, first, again)
		}
	}

	// A decision stored in the past: an EPSS score above the threshold of
	// the day made it poc. Later evidence — the vulnerability entered KEV
	// the day after, and the default threshold might since have changed —
	// is history appended beside it; the stored inputs still give attend,
	// and the KEV listing shows only as ignored.
	past := `{
	  "at": "2026-03-02T09:00:00Z",
	  "kev": {"date_added": "2026-03-03T00:00:00Z", "due_date": "2026-03-24T00:00:00Z", "known_ransomware_use": true, "catalog_version": "2026.03.03"},
	  "epss": {"score": 0.12, "percentile": 0.93, "date": "2026-03-01T00:00:00Z", "model_version": "v2025.03.14"},
	  "epss_threshold": 0.1,
	  "cvss": {"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "source": "nvd@nist.gov CVE-2026-0001"},
	  "asset": {"id": 3, "criticality": 2, "exposure": "internet-facing"}
	}`
	var in Inputs
	if err := json.Unmarshal([]byte(past), &in); err != nil {
		t.Fatal(err)
	}
	got, err := Decide(in)
	if err != nil {
		t.Fatal(err)
	}
	want := Outcome{Decision: Attend, Exploitation: "poc", Automatable: "yes", TechnicalImpact: "total", MissionWellbeing: "high",
		Why:   []string{"EPSS 0.12 ≥ 0.1 on 2026-03-01", "CVSS 3.1 AV:N/AC:L/PR:N/UI:N", "CVSS 3.1 C:H/I:H", "asset criticality 2, internet-facing"},
		Table: TableName}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("past decision:\n got %+v\nwant %+v", got, want)
	}
	// The same evidence decided a day later is act.
	in.At = in.At.Add(24 * time.Hour)
	if got, _ := Decide(in); got.Decision != Act {
		t.Errorf("a day later: %s; want act", got)
	}
}
