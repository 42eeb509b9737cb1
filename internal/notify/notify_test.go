package notify

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

func TestPasses(t *testing.T) {
	finding := model.NotifyItem{Kind: model.NotifyFindingNew, Asset: "shop", Tags: []string{"pci", "web"}, Owner: "team-a", Priority: "attend"}
	feed := model.NotifyItem{Kind: model.NotifyFeedFailing}
	for _, c := range []struct {
		name string
		rule model.NotifyRule
		it   model.NotifyItem
		want bool
	}{
		{"event not named", model.NotifyRule{Events: []string{model.NotifySLABreached}}, finding, false},
		{"every asset", model.NotifyRule{Events: []string{model.NotifyFindingNew}}, finding, true},
		{"by name", model.NotifyRule{Events: []string{model.NotifyFindingNew}, Assets: []string{"shop"}}, finding, true},
		{"another name", model.NotifyRule{Events: []string{model.NotifyFindingNew}, Assets: []string{"intranet"}}, finding, false},
		{"by tag", model.NotifyRule{Events: []string{model.NotifyFindingNew}, Assets: []string{"intranet"}, Tags: []string{"web"}}, finding, true},
		{"by owner", model.NotifyRule{Events: []string{model.NotifyFindingNew}, Owners: []string{"team-a"}}, finding, true},
		{"another owner", model.NotifyRule{Events: []string{model.NotifyFindingNew}, Owners: []string{"team-b"}}, finding, false},
		{"at the minimum", model.NotifyRule{Events: []string{model.NotifyFindingNew}, MinPriority: "attend"}, finding, true},
		{"below the minimum", model.NotifyRule{Events: []string{model.NotifyFindingNew}, MinPriority: "act"}, finding, false},
		{"no asset passes asset filters", model.NotifyRule{Events: []string{model.NotifyFeedFailing}, Assets: []string{"shop"}, MinPriority: "act"}, feed, true},
	} {
		if got := Passes(c.rule, c.it); got != c.want {
			t.Errorf("%s: %v; want %v", c.name, got, c.want)
		}
	}
}

func TestSignVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"event":"test"}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := Sign("whsec_k", now.Unix(), body)
	if !strings.HasPrefix(sig, "sha256=") || len(sig) != 7+64 {
		t.Fatalf("signature %q", sig)
	}
	if err := Verify("whsec_k", ts, sig, body, now.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"old":        Verify("whsec_k", ts, sig, body, now.Add(6*time.Minute)),
		"future":     Verify("whsec_k", ts, sig, body, now.Add(-6*time.Minute)),
		"other key":  Verify("whsec_x", ts, sig, body, now),
		"other body": Verify("whsec_k", ts, sig, []byte(`{"event":"tesT"}`), now),
		"other time": Verify("whsec_k", fmt.Sprint(now.Unix()+1), sig, body, now),
		"no time":    Verify("whsec_k", "", sig, body, now),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestRetry(t *testing.T) {
	now := time.Unix(0, 0)
	for _, c := range []struct {
		attempt   int
		retryable bool
		want      time.Duration // -1: none
	}{{1, true, time.Second}, {2, true, 2 * time.Second}, {4, true, 8 * time.Second}, {7, true, 64 * time.Second}, {8, true, -1}, {1, false, -1}} {
		got := Retry(now, c.attempt, 8, c.retryable, time.Second)
		if c.want < 0 && !got.IsZero() || c.want >= 0 && got.Sub(now) != min(c.want, time.Hour) {
			t.Errorf("attempt %d: %v; want %v", c.attempt, got.Sub(now), c.want)
		}
	}
	if got := Retry(now, 4, 8, true, 10*time.Minute); got.Sub(now) != time.Hour {
		t.Errorf("80 minutes: %v; want the hour cap", got.Sub(now))
	}
	for code, want := range map[int]bool{500: true, 503: true, 408: true, 429: true, 400: false, 404: false, 410: false} {
		if RetryableHTTP(code) != want {
			t.Errorf("%d retryable: want %v", code, want)
		}
	}
}

func TestMessage(t *testing.T) {
	b := model.NotifyBody{Event: "digest", At: time.Unix(1_800_000_000, 0), Delivery: 7, Items: []model.NotifyItem{
		{Kind: model.NotifySLABreached, Title: "CVE-1 in a@1 on shop passed its deadline — überfällig", Asset: "shop"}}}
	m := string(Message("vd@example.com", "sec@example.com", b.At, b))
	for _, want := range []string{"From: vd@example.com\r\n", "To: sec@example.com\r\n", "Subject: [vulndesk] daily digest: 1 event(s)\r\n",
		"X-Vulndesk-Delivery: 7\r\n", "\r\n\r\nvulndesk: digest", "asset: shop\r\n"} {
		if !strings.Contains(m, want) {
			t.Errorf("message lacks %q:\n%s", want, m)
		}
	}
	if strings.Contains(strings.ReplaceAll(m, "\r\n", ""), "\n") {
		t.Error("a bare LF in the message")
	}
}

// FuzzVerify: whatever a request carries, Verify never panics, and it
// accepts only the signature Sign makes.
func FuzzVerify(f *testing.F) {
	f.Add("1800000000", "sha256=00", []byte("{}"))
	f.Add("-1", "", []byte(nil))
	f.Add("99999999999999999999", "sha256=", []byte("x"))
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		if Verify("k", ts, sig, body, now) == nil {
			n, _ := strconv.ParseInt(ts, 10, 64)
			if sig != Sign("k", n, body) {
				t.Fatalf("verified %q %q", ts, sig)
			}
		}
	})
}
