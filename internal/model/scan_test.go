package model

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestExternalScanValidate(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   ExternalScan
		want string // "" valid, else a word of the error
	}{
		{ExternalScan{Tool: " OWASP ZAP ", ScannedAt: now.AddDate(0, 0, -1)}, ""},
		{ExternalScan{Tool: "", ScannedAt: now}, "tool"},
		{ExternalScan{Tool: "a\u202eb", ScannedAt: now}, "tool"},
		{ExternalScan{Tool: "ZAP"}, "scanned_at: required"},
		{ExternalScan{Tool: "ZAP", ScannedAt: now.AddDate(0, 0, 1)}, "future"},
		{ExternalScan{Tool: "ZAP", ScannedAt: now, Summary: strings.Repeat("x", MaxNoteLen+1)}, "summary"},
	} {
		err := c.in.Validate(now)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v; want %q", c.in, err, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"2026-11-30", "2026-11-30T00:00:00Z"},
		{"2026-11-30T14:00:00+02:00", "2026-11-30T12:00:00Z"},
	} {
		got, err := ParseScanTime("scanned_at", c.in)
		if err != nil || got.Format(time.RFC3339) != c.want {
			t.Errorf("ParseScanTime(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
	if _, err := ParseScanTime("scanned_at", "30.11.2026"); err == nil || !strings.Contains(err.Error(), "scanned_at") {
		t.Errorf("a German date: %v", err)
	}
	if err := (Cadence{"internet-facing": 30, "internal": 0, "isolated": 90}).Validate(); err == nil {
		t.Error("a 0-day cadence is valid")
	}
}

// FuzzExternalScan: whatever a form or query sends, parsing and checking
// an external scan never panics, and what passes is clean text.
func FuzzExternalScan(f *testing.F) {
	f.Add("OWASP ZAP", "2026-11-30", "2 medium alerts")
	f.Add("", "2026-11-30T14:00:00Z", "")
	f.Add("\x00", "not a date", "\xff")
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, tool, at, summary string) {
		in := ExternalScan{Tool: tool, Summary: summary}
		var err error
		if in.ScannedAt, err = ParseScanTime("scanned_at", at); err != nil {
			return
		}
		if in.Validate(now) != nil {
			return
		}
		if !ValidAssetName(in.Tool) || !utf8.ValidString(in.Summary) || len(in.Summary) > MaxNoteLen || in.ScannedAt.After(now.Add(time.Hour)) {
			t.Errorf("accepted %+v", in)
		}
	})
}
