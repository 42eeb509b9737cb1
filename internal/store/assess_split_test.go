package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/ssvc"
)

// TestSplitPriority: the cut of a stored priority gives what decoding it
// gives, whatever its strings hold (the CVSS source here holds quotes and
// the outcome key), and refuses any other layout.
func TestSplitPriority(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, in := range []ssvc.Inputs{
		{At: at, EPSSThreshold: ssvc.DefaultEPSSThreshold, Asset: ssvc.Asset{ID: 3, Criticality: 1, Exposure: "internet-facing"}},
		{At: at, KEV: &ssvc.KEV{DateAdded: at.AddDate(0, -1, 0)}, EPSS: &ssvc.EPSS{Score: 0.5, Percentile: 0.9, Date: at},
			EPSSThreshold: ssvc.DefaultEPSSThreshold, Asset: ssvc.Asset{Criticality: 4, Exposure: "internal"},
			CVSS: &ssvc.CVSS{Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Source: `GHSA ,"outcome":{"decision":"act"} "x"`}},
	} {
		out, err := ssvc.Decide(in)
		if err != nil {
			t.Fatal(err)
		}
		stored := mustJSON(Priority{Inputs: in, Outcome: out})
		inputs, outcome, decision, ok := splitPriority(stored)
		var want struct{ Inputs, Outcome json.RawMessage }
		if err := json.Unmarshal([]byte(stored), &want); err != nil {
			t.Fatal(err)
		}
		if !ok || inputs != string(want.Inputs) || outcome != string(want.Outcome) || decision != string(out.Decision) {
			t.Errorf("split %s:\n got %v %s | %s | %s\nwant %s | %s | %s", stored, ok, inputs, outcome, decision, want.Inputs, want.Outcome, out.Decision)
		}
	}
	for _, bad := range []string{"", "{}", `{"outcome":{"decision":"act"},"inputs":{}}`, `{"inputs":{},"outcome":{"why":[]}}`,
		`{"inputs":{},"outcome":{"decision":"act"},"outcome":{"decision":"track"}}`, `{"inputs":{},"outcome":{"decision":"act"}`} {
		if _, _, _, ok := splitPriority(bad); ok {
			t.Errorf("split %q: want it refused", bad)
		}
	}
}
