package service_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestNotifyEventKinds: each event is detected once, when it happens:
// a new finding, a KEV listing and a failing feed at once; a month later
// the remediation clocks due soon and breached, an exception ending
// within a week, and the asset overdue for a scan.
func TestNotifyEventKinds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var mu sync.Mutex
		offset := time.Duration(0)
		st.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(offset) })
		pass := func(d time.Duration) { mu.Lock(); offset += d; mu.Unlock() }
		svc := notifyService(t, st)
		rec := newReceiver(t)
		webhook(t, svc, rec, "all", model.NotifyRule{Events: model.NotifyEvents})
		if _, err := svc.DetectNotifications(ctx); err != nil {
			t.Fatal(err)
		}
		notifyFindings(t, svc, "shop")

		// alpha's CVE enters KEV; a feed fails.
		dir := t.TempDir()
		today := time.Now().UTC().Format(time.DateOnly)
		kev := fmt.Sprintf(`{"title": "KEV", "catalogVersion": "1", "dateReleased": "%sT00:00:00.000Z", "count": 1,
			"vulnerabilities": [{"cveID": "CVE-2026-20001", "vendorProject": "a", "product": "alpha", "vulnerabilityName": "alpha flaw",
			"dateAdded": %q, "shortDescription": "x", "requiredAction": "update", "dueDate": %q, "knownRansomwareCampaignUse": "Unknown", "notes": ""}]}`,
			today, today, today)
		if err := os.WriteFile(filepath.Join(dir, "kev.json"), []byte(kev), 0o644); err != nil {
			t.Fatal(err)
		}
		kf, err := storetest.CreateFeed(ctx, st, model.Feed{Name: "kev", Kind: model.FeedKEV, URL: filepath.Join(dir, "kev.json"), Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SyncFeed(ctx, kf.ID, false); err != nil {
			t.Fatal(err)
		}
		bad, err := storetest.CreateFeed(ctx, st, model.Feed{Name: "broken", Kind: model.FeedOSV, URL: filepath.Join(dir, "missing"), Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SyncFeed(ctx, bad.ID, false); err == nil {
			t.Fatal("a sync of a missing directory worked")
		}
		drain(t, svc)

		// gamma's risk is accepted for 35 days.
		var gamma int64
		for _, f := range openFindings(t, st, "open") {
			if f.Package == "gamma" {
				gamma = f.ID
			}
		}
		x, err := svc.RequestException(ctx, "analyst", model.ExceptionInput{FindingIDs: []int64{gamma}, Reason: "patch pending",
			ExpiresAt: st.Now().Add(35 * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DecideException(ctx, "admin", x.ID, true, ""); err != nil {
			t.Fatal(err)
		}

		kinds := func() []string {
			t.Helper()
			if _, err := svc.DetectNotifications(ctx); err != nil {
				t.Fatal(err)
			}
			drain(t, svc)
			got, _, badSig := rec.snapshot()
			if len(badSig) > 0 {
				t.Fatal(badSig)
			}
			var out []string
			for _, b := range got {
				for _, it := range b.Items {
					if b.Event != it.Kind {
						t.Errorf("a %s delivery carries a %s item", b.Event, it.Kind)
					}
					out = append(out, it.Kind+" "+it.Package)
				}
			}
			rec.mu.Lock()
			rec.got = nil
			rec.mu.Unlock()
			slices.Sort(out)
			return out
		}
		want := []string{"feed.failing ", "finding.kev alpha@1.0.0", "finding.new alpha@1.0.0"}
		if got := kinds(); !slices.Equal(got, want) {
			t.Errorf("first events: %q; want %q", got, want)
		}
		if got := kinds(); len(got) != 0 {
			t.Errorf("detected again: %q", got)
		}

		pass(31 * 24 * time.Hour)
		got := kinds()
		for _, w := range []string{"exception.expiring ", "scan.overdue ", "sla.breached alpha@1.0.0", "sla.due_soon alpha@1.0.0"} {
			if !slices.Contains(got, w) {
				t.Errorf("a month later: %q; want %q among them", got, w)
			}
		}
		if slices.Contains(got, "feed.failing ") || slices.Contains(got, "finding.new alpha@1.0.0") {
			t.Errorf("a month later, events sent before: %q", got)
		}
		if got := kinds(); len(got) != 0 {
			t.Errorf("detected again: %q", got)
		}
	})
}

// TestNotifyLateCommit: a finding stamped before the watermark but
// committed after it (a detection ran while its match's transaction was
// open) is still notified, once.
func TestNotifyLateCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		start := time.Now()
		var mu sync.Mutex
		clock := start
		st.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
		set := func(t time.Time) { mu.Lock(); clock = t; mu.Unlock() }
		svc := notifyService(t, st)
		rec := newReceiver(t)
		webhook(t, svc, rec, "late", model.NotifyRule{Events: []string{model.NotifyFindingNew}})
		set(start.Add(time.Minute))
		for range 2 { // the first sets the watermark, the second moves it on
			if _, err := svc.DetectNotifications(ctx); err != nil {
				t.Fatal(err)
			}
			set(start.Add(10 * time.Minute))
		}
		set(start.Add(5 * time.Minute)) // stamped before the watermark
		notifyFindings(t, svc, "shop")
		set(start.Add(11 * time.Minute))
		for i, want := range []int{1, 0} { // found, then not again
			if n, err := svc.DetectNotifications(ctx); err != nil || n != want {
				t.Fatalf("detection %d: %d deliveries, %v; want %d", i+1, n, err, want)
			}
		}
	})
}
