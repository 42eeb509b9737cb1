package model

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// FuzzChannel: whatever a client sends as a channel, Normalize never
// panics, and what it accepts is a webhook to an https URL (http only to
// loopback) without credentials, or an email channel to one plain
// address, never both.
func FuzzChannel(f *testing.F) {
	for _, s := range []string{
		`{"name": "ops", "kind": "webhook", "url": "https://hooks.example/x"}`,
		`{"name": "dev", "kind": "webhook", "url": "http://127.0.0.1:9000/h"}`,
		`{"name": "bad", "kind": "webhook", "url": "http://10.0.0.1/h"}`,
		`{"name": "creds", "kind": "webhook", "url": "https://u:p@x/"}`,
		`{"name": "sec", "kind": "email", "address": "sec@example.com"}`,
		`{"name": "two", "kind": "email", "address": "a@b.c, d@e.f"}`,
		`{"name": "hdr", "kind": "email", "address": "a@b.c\r\nBcc: x@y.z"}`,
		`{"name": "js", "kind": "webhook", "url": "javascript:alert(1)"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var c Channel
		if json.Unmarshal([]byte(body), &c) != nil || c.Normalize() != nil {
			return
		}
		if !channelName.MatchString(c.Name) {
			t.Fatalf("accepted name %q", c.Name)
		}
		switch c.Kind {
		case ChannelWebhook:
			u, err := url.Parse(c.URL)
			if err != nil || c.Address != "" || u.User != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http") {
				t.Fatalf("accepted webhook %+v", c)
			}
		case ChannelEmail:
			if c.URL != "" || strings.ContainsFunc(c.Address, unicode.IsSpace) || strings.ContainsAny(c.Address, ",<>") && !strings.Contains(c.Address, `"`) {
				t.Fatalf("accepted email %+v", c)
			}
		default:
			t.Fatalf("accepted kind %q", c.Kind)
		}
	})
}

// FuzzNotifyRule: whatever a client sends as a rule, Normalize never
// panics, and what it accepts names known events, a known priority or
// none, and lists of bounded, sorted, distinct entries.
func FuzzNotifyRule(f *testing.F) {
	for _, s := range []string{
		`{"channel_id": 1, "events": ["finding.new"], "min_priority": "attend", "assets": ["shop", "shop"]}`,
		`{"channel_id": 1, "events": ["finding.nope"]}`,
		`{"channel_id": 1, "events": [], "digest": true}`,
		`{"channel_id": 1, "events": ["sla.breached"], "tags": [" pci ", "a\u0000"]}`,
		`{"channel_id": 0, "events": ["feed.failing"], "min_priority": "track*"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var r NotifyRule
		if json.Unmarshal([]byte(body), &r) != nil || r.Normalize() != nil {
			return
		}
		if r.ChannelID <= 0 || len(r.Events) == 0 || (r.MinPriority != "" && PriorityRank(r.MinPriority) == 0) {
			t.Fatalf("accepted %+v", r)
		}
		for _, l := range [][]string{r.Events, r.Assets, r.Tags, r.Owners} {
			if l == nil || !slices.IsSorted(l) || len(slices.Compact(slices.Clone(l))) != len(l) {
				t.Fatalf("list %q not sorted and distinct", l)
			}
			for _, s := range l {
				if s == "" || s != strings.TrimSpace(s) || strings.ContainsFunc(s, unicode.IsControl) {
					t.Fatalf("entry %q", s)
				}
			}
		}
		for _, e := range r.Events {
			if !slices.Contains(NotifyEvents, e) {
				t.Fatalf("event %q", e)
			}
		}
	})
}
