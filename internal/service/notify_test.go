package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/notify"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// notifyAdvisories: alpha is critical (priority attend on an
// internet-facing asset of criticality 2), gamma medium (track).
var notifyAdvisories = []struct{ id, pkg, cve, vector string }{
	{"NTF-2026-0001", "alpha", "CVE-2026-20001", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
	{"NTF-2026-0003", "gamma", "CVE-2026-20003", "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:N"},
}

// notifyService is a service whose webhooks may reach the loopback
// receivers of the tests, retrying quickly.
func notifyService(t *testing.T, st *store.Store) *service.Service {
	t.Helper()
	svc := service.New(st, nil)
	var err error
	if svc.Sources, err = service.NewSources(st, t.TempDir(), []string{os.TempDir()}, true); err != nil {
		t.Fatal(err)
	}
	svc.NotifyBackoff = 20 * time.Millisecond
	return svc
}

// notifyFindings syncs the advisories and uploads an SBOM of alpha and
// gamma to an internet-facing asset of criticality 2 named name, tagged
// tags; the jobs run.
func notifyFindings(t *testing.T, svc *service.Service, name string, tags ...string) {
	t.Helper()
	dir := t.TempDir()
	for _, a := range notifyAdvisories {
		doc := fmt.Sprintf(`{"schema_version": "1.6.0", "id": %q, "modified": "2026-01-01T00:00:00Z", "aliases": [%q],
			"summary": "%s flaw", "severity": [{"type": "CVSS_V3", "score": %q}],
			"affected": [{"package": {"ecosystem": "npm", "name": %q},
				"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "9.0.0"}]}]}]}`, a.id, a.cve, a.pkg, a.vector, a.pkg)
		if err := os.WriteFile(filepath.Join(dir, a.id+".json"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := storetest.CreateFeed(ctx, svc.Store, model.Feed{Name: "osv-" + name, Kind: model.FeedOSV, URL: dir, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SyncFeed(ctx, f.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateAsset(ctx, model.Asset{Name: name, Exposure: "internet-facing", Criticality: 2, Tags: tags}, "test"); err != nil {
		t.Fatal(err)
	}
	sbom := `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
		{"type": "library", "name": "alpha", "version": "1.0.0", "purl": "pkg:npm/alpha@1.0.0"},
		{"type": "library", "name": "gamma", "version": "1.0.0", "purl": "pkg:npm/gamma@1.0.0"}]}`
	a, err := svc.Store.AssetByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Ingest(ctx, &service.Upload{Asset: model.Asset{ID: a.ID}, Data: []byte(sbom), By: "test"}); err != nil {
		t.Fatal(err)
	}
	drain(t, svc)
}

// receiver is a loopback webhook receiver that verifies each request as
// the package documentation says and answers with the statuses in turn
// (200 once they run out).
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	status []int
	got    []model.NotifyBody // verified requests, in order
	codes  []int              // what each was answered
	bad    []string
	srv    *httptest.Server
}

func newReceiver(t *testing.T, status ...int) *receiver {
	r := &receiver{t: t, status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := notify.Verify(r.secret, req.Header.Get(notify.HeaderTimestamp), req.Header.Get(notify.HeaderSignature), body, time.Now()); err != nil {
		r.bad = append(r.bad, err.Error())
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var b model.NotifyBody
	if err := json.Unmarshal(body, &b); err != nil || fmt.Sprint(b.Delivery) != req.Header.Get(notify.HeaderDelivery) {
		r.bad = append(r.bad, fmt.Sprintf("body %s: %v", body, err))
	}
	code := 200
	if len(r.status) > 0 {
		code, r.status = r.status[0], r.status[1:]
	}
	r.got, r.codes = append(r.got, b), append(r.codes, code)
	w.WriteHeader(code)
}

func (r *receiver) snapshot() ([]model.NotifyBody, []int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]model.NotifyBody(nil), r.got...), append([]int(nil), r.codes...), append([]string(nil), r.bad...)
}

// webhook creates a webhook channel to rec and a rule on it.
func webhook(t *testing.T, svc *service.Service, rec *receiver, name string, rule model.NotifyRule) model.Channel {
	t.Helper()
	ch, secret, err := svc.CreateChannel(ctx, model.Channel{Name: name, Kind: model.ChannelWebhook, URL: rec.srv.URL + "/hook"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
		t.Fatalf("secret %q", secret)
	}
	rec.secret = secret
	rule.ChannelID = ch.ID
	if _, err := svc.CreateRule(ctx, rule, "test"); err != nil {
		t.Fatal(err)
	}
	return ch
}

// TestWebhookRetriesAcrossRestart: a finding of priority attend is
// notified to a receiver that verifies the signature and answers 500
// twice, then 200. After the first 500 the service stops; a new one on
// the same database retries, and the delivery completes once.
func TestWebhookRetriesAcrossRestart(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			cfg := e.Config(t)
			st1, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			svc1 := notifyService(t, st1)
			svc1.NotifyBackoff = time.Second // the retry is not due before the restart
			rec := newReceiver(t, 500, 500, 200)
			ch := webhook(t, svc1, rec, "hook", model.NotifyRule{Events: []string{model.NotifyFindingNew}, MinPriority: "attend"})
			if n, err := svc1.DetectNotifications(ctx); err != nil || n != 0 {
				t.Fatalf("first detection: %d, %v; want none (it sets the watermark)", n, err)
			}
			notifyFindings(t, svc1, "shop")
			if n, err := svc1.DetectNotifications(ctx); err != nil || n != 1 {
				t.Fatalf("detection after the upload: %d, %v; want 1 delivery", n, err)
			}
			drain(t, svc1) // the first attempt: 500
			if got, codes, _ := rec.snapshot(); len(got) != 1 || codes[0] != 500 {
				t.Fatalf("before the restart: %d requests, answered %v", len(got), codes)
			}
			if n, err := svc1.DetectNotifications(ctx); err != nil || n != 0 {
				t.Fatalf("detection again: %d, %v; want none (sent once)", n, err)
			}
			st1.Close()

			st2, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer st2.Close()
			svc2 := notifyService(t, st2)
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				(&service.Runner{Svc: svc2, Workers: 2, Poll: 10 * time.Millisecond, Schedule: time.Hour}).Run(runCtx)
			}()
			d := waitDelivery(t, st2, ch.ID, model.DeliveryDelivered)
			time.Sleep(200 * time.Millisecond) // room for a wrong second send
			stop()
			<-done

			got, codes, bad := rec.snapshot()
			if len(bad) > 0 {
				t.Fatalf("requests that did not verify: %v", bad)
			}
			if fmt.Sprint(codes) != "[500 500 200]" {
				t.Fatalf("receiver answered %v; want [500 500 200]", codes)
			}
			for _, b := range got {
				if b.Event != model.NotifyFindingNew || b.Delivery != d.ID || len(b.Items) != 1 ||
					b.Items[0].Priority != "attend" || b.Items[0].Asset != "shop" || b.Items[0].Vuln != "NTF-2026-0001" {
					t.Fatalf("body %+v", b)
				}
			}
			full, err := st2.Delivery(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			var log []string
			for _, a := range full.Log {
				log = append(log, fmt.Sprint(a.Attempt, ":", a.Status))
			}
			if full.Attempts != 3 || full.DeliveredAt.IsZero() || strings.Join(log, " ") != "1:500 2:500 3:200" {
				t.Fatalf("delivery %+v, log %v", full, log)
			}
		})
	}
}

func waitDelivery(t *testing.T, st *store.Store, channel int64, state string) model.Delivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ds, err := st.Deliveries(ctx, store.DeliveryFilter{ChannelID: channel})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) > 0 && ds[0].State == state {
			return ds[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	ds, _ := st.Deliveries(ctx, store.DeliveryFilter{ChannelID: channel})
	t.Fatalf("no delivery of channel %d reached %s: %+v", channel, state, ds)
	return model.Delivery{}
}

// TestWebhookGivesUp: a 4xx other than 408 and 429 is not retried; 5xx
// are, up to the attempts allowed.
func TestWebhookGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := notifyService(t, st)
		svc.NotifyAttempts = 2
		gone := newReceiver(t, 410)
		ch1 := webhook(t, svc, gone, "gone", model.NotifyRule{Events: []string{model.NotifyFeedFailing}})
		if _, err := svc.TestChannel(ctx, ch1.ID, "test"); err != nil {
			t.Fatal(err)
		}
		down := newReceiver(t, 503, 503, 503)
		ch2 := webhook(t, svc, down, "down", model.NotifyRule{Events: []string{model.NotifyFeedFailing}})
		if _, err := svc.TestChannel(ctx, ch2.ID, "test"); err != nil {
			t.Fatal(err)
		}
		for range 50 {
			drain(t, svc)
			time.Sleep(10 * time.Millisecond)
		}
		for _, c := range []struct {
			ch    int64
			rec   *receiver
			tries int
		}{{ch1.ID, gone, 1}, {ch2.ID, down, 2}} {
			d := waitDelivery(t, st, c.ch, model.DeliveryFailed)
			if _, codes, _ := c.rec.snapshot(); len(codes) != c.tries || d.Attempts != c.tries || d.LastError == "" {
				t.Errorf("channel %d: answered %v, delivery %+v; want %d tries", c.ch, codes, d, c.tries)
			}
		}
	})
}

// TestNotifyRules: rules filter by asset, tag and minimum priority; an
// event goes to each channel once.
func TestNotifyRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := notifyService(t, st)
		byName := newReceiver(t)
		webhook(t, svc, byName, "by-name", model.NotifyRule{Events: []string{model.NotifyFindingNew}, Assets: []string{"shop"}})
		otherAsset := newReceiver(t)
		webhook(t, svc, otherAsset, "other-asset", model.NotifyRule{Events: []string{model.NotifyFindingNew}, Assets: []string{"intranet"}})
		actOnly := newReceiver(t)
		webhook(t, svc, actOnly, "act-only", model.NotifyRule{Events: []string{model.NotifyFindingNew}, MinPriority: "act"})
		byTag := newReceiver(t)
		ch := webhook(t, svc, byTag, "by-tag", model.NotifyRule{Events: []string{model.NotifyFindingNew}, Tags: []string{"pci"}, MinPriority: "attend"})
		// A second rule of the same channel passing the same event.
		if _, err := svc.CreateRule(ctx, model.NotifyRule{ChannelID: ch.ID, Events: []string{model.NotifyFindingNew, model.NotifySLABreached}, Owners: []string{"nobody"}, Tags: []string{"pci"}}, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DetectNotifications(ctx); err != nil {
			t.Fatal(err)
		}
		notifyFindings(t, svc, "shop", "pci")
		if _, err := svc.DetectNotifications(ctx); err != nil {
			t.Fatal(err)
		}
		drain(t, svc)
		items := func(r *receiver) []string {
			got, _, bad := r.snapshot()
			if len(bad) > 0 {
				t.Fatalf("requests that did not verify: %v", bad)
			}
			var out []string
			for _, b := range got {
				for _, it := range b.Items {
					out = append(out, it.Vuln+"/"+it.Priority)
				}
			}
			return out
		}
		if got := items(byName); fmt.Sprint(got) != "[NTF-2026-0001/attend]" {
			t.Errorf("rule by asset name: %v; want alpha's attend finding only (gamma is track, below finding.new)", got)
		}
		if got := items(otherAsset); len(got) != 0 {
			t.Errorf("rule of another asset: %v", got)
		}
		if got := items(actOnly); len(got) != 0 {
			t.Errorf("rule from act: %v", got)
		}
		if got := items(byTag); fmt.Sprint(got) != "[NTF-2026-0001/attend]" {
			t.Errorf("rules by tag: %v; want one message with alpha", got)
		}
	})
}

// TestNotifyDigest: a digest rule's events wait for the end of their day
// (UTC) and go out in one message; the next detections send nothing.
func TestNotifyDigest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		day := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		clock := day
		st.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
		set := func(t time.Time) { mu.Lock(); clock = t; mu.Unlock() }
		svc := notifyService(t, st)
		rec := newReceiver(t)
		webhook(t, svc, rec, "daily", model.NotifyRule{Events: []string{model.NotifyFindingNew, model.NotifySLADueSoon, model.NotifySLABreached}, Digest: true})
		if _, err := svc.DetectNotifications(ctx); err != nil {
			t.Fatal(err)
		}
		set(day.Add(time.Minute))
		notifyFindings(t, svc, "shop")
		set(day.Add(2 * time.Minute))
		if n, err := svc.DetectNotifications(ctx); err != nil || n != 0 {
			t.Fatalf("detection during the day: %d, %v; want none", n, err)
		}
		set(day.Add(14*time.Hour + 30*time.Minute)) // 00:30 the next day
		if n, err := svc.DetectNotifications(ctx); err != nil || n != 1 {
			t.Fatalf("detection after the day: %d, %v; want the digest", n, err)
		}
		set(day.Add(15 * time.Hour))
		if n, err := svc.DetectNotifications(ctx); err != nil || n != 0 {
			t.Fatalf("detection later that day: %d, %v; want none", n, err)
		}
		drain(t, svc)
		got, _, bad := rec.snapshot()
		if len(bad) > 0 || len(got) != 1 || got[0].Event != "digest" || len(got[0].Items) != 1 || got[0].Items[0].Kind != model.NotifyFindingNew {
			t.Fatalf("digest: %+v, bad %v; want one with alpha's finding.new", got, bad)
		}
	})
}
