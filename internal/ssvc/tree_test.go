package ssvc

import (
	"errors"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// cisaRows is CISA's table transcribed a second time, independently of
// table, in CERT/CC's keys (cisa_coordinator_2_0_3.json): Exploitation
// N/P/A, Automatable N/Y, Technical Impact P/T, Mission & Well-being
// L/M/H, then the decision T, T*, AT or AC.
var cisaRows = []string{
	"N N P L T", "N N P M T", "N N P H T", "N N T L T", "N N T M T", "N N T H T*",
	"N Y P L T", "N Y P M T", "N Y P H AT", "N Y T L T", "N Y T M T", "N Y T H AT",
	"P N P L T", "P N P M T", "P N P H T*", "P N T L T", "P N T M T*", "P N T H AT",
	"P Y P L T", "P Y P M T", "P Y P H AT", "P Y T L T", "P Y T M T*", "P Y T H AT",
	"A N P L T", "A N P M T", "A N P H AT", "A N T L T", "A N T M AT", "A N T H AC",
	"A Y P L AT", "A Y P M AT", "A Y P H AC", "A Y T L AT", "A Y T M AC", "A Y T H AC",
}

var (
	eKey = map[string]Exploitation{"N": ExploitationNone, "P": ExploitationPoC, "A": ExploitationActive}
	aKey = map[string]Automatable{"N": AutomatableNo, "Y": AutomatableYes}
	tKey = map[string]TechnicalImpact{"P": TechnicalImpactPartial, "T": TechnicalImpactTotal}
	mKey = map[string]MissionWellbeing{"L": MissionWellbeingLow, "M": MissionWellbeingMedium, "H": MissionWellbeingHigh}
	dKey = map[string]Decision{"T": Track, "T*": TrackStar, "AT": Attend, "AC": Act}
)

func TestTree(t *testing.T) {
	if len(cisaRows) != 36 {
		t.Fatalf("%d rows; CISA's table has 3 × 2 × 2 × 3 = 36", len(cisaRows))
	}
	seen := map[string]bool{}
	for _, row := range cisaRows {
		f := strings.Fields(row)
		key := strings.Join(f[:4], " ")
		if seen[key] {
			t.Fatalf("row %q twice", key)
		}
		seen[key] = true
		t.Run(row, func(t *testing.T) {
			got, err := Tree(eKey[f[0]], aKey[f[1]], tKey[f[2]], mKey[f[3]])
			if err != nil || got != dKey[f[4]] {
				t.Errorf("Tree = %q, %v; want %q", got, err, dKey[f[4]])
			}
		})
	}
}

// TestTreeMonotone: raising one decision point never lowers the decision.
func TestTreeMonotone(t *testing.T) {
	es := []Exploitation{ExploitationNone, ExploitationPoC, ExploitationActive}
	as := []Automatable{AutomatableNo, AutomatableYes}
	ts := []TechnicalImpact{TechnicalImpactPartial, TechnicalImpactTotal}
	ms := []MissionWellbeing{MissionWellbeingLow, MissionWellbeingMedium, MissionWellbeingHigh}
	rank := func(e, a, ti, m int) int {
		d, err := Tree(es[e], as[a], ts[ti], ms[m])
		if err != nil {
			t.Fatal(err)
		}
		return d.Rank()
	}
	for e := range es {
		for a := range as {
			for ti := range ts {
				for m := range ms {
					r := rank(e, a, ti, m)
					if e+1 < len(es) && rank(e+1, a, ti, m) < r ||
						a+1 < len(as) && rank(e, a+1, ti, m) < r ||
						ti+1 < len(ts) && rank(e, a, ti+1, m) < r ||
						m+1 < len(ms) && rank(e, a, ti, m+1) < r {
						t.Errorf("raising a point from %s/%s/%s/%s lowers the decision", es[e], as[a], ts[ti], ms[m])
					}
				}
			}
		}
	}
}

func TestTreeInvalid(t *testing.T) {
	for field, args := range map[string][4]string{
		"exploitation":      {"exploited", "yes", "total", "high"},
		"automatable":       {"active", "Y", "total", "high"},
		"technical_impact":  {"active", "yes", "", "high"},
		"mission_wellbeing": {"active", "yes", "total", "critical"},
	} {
		d, err := Tree(Exploitation(args[0]), Automatable(args[1]), TechnicalImpact(args[2]), MissionWellbeing(args[3]))
		if d != "" || !errors.Is(err, model.ErrInvalid) || !strings.HasPrefix(err.Error(), field+" ") {
			t.Errorf("%s: %q, %v; want ErrInvalid naming it", field, d, err)
		}
	}
	if Decision("act!").Rank() != 0 || Act.Rank() != 4 || Track.Rank() != 1 {
		t.Error("Rank")
	}
}
