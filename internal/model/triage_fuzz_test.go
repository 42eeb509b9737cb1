package model

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzTriageInput: whatever a client sends as a triage, Validate never
// panics, and what it accepts is a state a person may set, with a
// justification exactly when not_affected, and a reason of valid text.
func FuzzTriageInput(f *testing.F) {
	f.Add(`{"state": "not_affected", "reason": "x", "justification": "component_not_present"}`)
	f.Add(`{"state": "risk_accepted"}`)
	f.Add(`{"state": "affected", "reason": "a\u0000b"}`)
	f.Add(`{"state": "fixed", "justification": "inline_mitigations_already_exist"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in TriageInput
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		if in.Validate() != nil {
			return
		}
		if !slices.Contains(DecidableStates, in.State) || (in.State == StateNotAffected) != (in.Justification != "") ||
			!utf8.ValidString(in.Reason) || len(in.Reason) > MaxNoteLen || strings.ContainsRune(in.Reason, 0) {
			t.Fatalf("accepted %+v", in)
		}
	})
}

// FuzzTicket: an accepted ticket URL is https with a host and no
// credentials, so a link on a page never runs script or leaks a password.
func FuzzTicket(f *testing.F) {
	for _, s := range []string{"https://tracker.example/SEC-1", "javascript:alert(1)", "https://u:p@x/", "HTTPS://x", "//x", "https:///x"} {
		f.Add(s, "SEC-1")
	}
	f.Fuzz(func(t *testing.T, raw, key string) {
		tk := Ticket{URL: raw, Key: key}
		if tk.Validate() != nil || (raw == "" && key == "") {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(key, "\n\r") {
			t.Fatalf("accepted %q (key %q)", raw, key)
		}
	})
}
