package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/notify"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// hookReceiver is a loopback webhook receiver that verifies each request
// (signature and timestamp, as the docs tell receivers to) and answers
// with the statuses in turn, 200 once they run out.
type hookReceiver struct {
	mu     sync.Mutex
	secret string
	status []int
	codes  []int
	ids    []string
	bad    []string
	first  chan struct{}
	srv    *httptest.Server
}

func newHookReceiver(t *testing.T, status ...int) *hookReceiver {
	h := &hookReceiver{status: status, first: make(chan struct{})}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if err := notify.Verify(h.secret, r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), body, time.Now()); err != nil {
			h.bad = append(h.bad, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		code := 200
		if len(h.status) > 0 {
			code, h.status = h.status[0], h.status[1:]
		}
		h.codes, h.ids = append(h.codes, code), append(h.ids, r.Header.Get(notify.HeaderDelivery))
		if len(h.codes) == 1 {
			close(h.first)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) seen() (codes []int, ids, bad []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int(nil), h.codes...), append([]string(nil), h.ids...), append([]string(nil), h.bad...)
}

// TestWebhookAcrossCrash runs the real binary: a new finding of priority
// attend is POSTed to a receiver that answers 500; the server is killed
// (SIGKILL) while the retry waits; a new server on the same database retries, gets
// 500, then 200: the delivery completes once, with three attempts logged.
func TestWebhookAcrossCrash(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			env := newCrashEnv(t, e)
			dir := t.TempDir()
			writeTriageAdvisories(t, dir)
			args := []string{"--feed-dir", dir, "--empty", "--schedule", "200ms", "--notify-backoff", "2s"}
			p1 := env.start(t, args...)
			admin := &servertest.Client{URL: p1.URL, Token: servertest.Token(t, env.opts, "admin")}
			c, ctx := admin.API(), servertest.Ctx(t)

			rec := newHookReceiver(t, 500, 500, 200)
			ch := servertest.Must(c.CreateChannel(ctx, api.NewChannel{Name: "e2e-hook", Kind: "webhook", URL: rec.srv.URL + "/hook"}))(t)
			rec.mu.Lock()
			rec.secret = ch.Secret
			rec.mu.Unlock()
			servertest.Must(c.CreateRule(ctx, api.NewRule{ChannelID: ch.Channel.ID, Events: []string{model.NotifyFindingNew}, MinPriority: "attend", Assets: []string{"e2e"}}))(t)
			// The first detection sets where the next ones start.
			waitJobsDone(t, admin, model.JobNotify)

			servertest.Must(c.CreateAsset(ctx, api.AssetInput{Name: ptr("e2e"), Exposure: ptr("internet-facing"), Criticality: ptr(2)}))(t)
			feed := servertest.Must(c.CreateFeed(ctx, api.FeedInput{Name: ptr("e2e-osv"), Kind: ptr(model.FeedOSV), URL: ptr(dir)}))(t)
			waitJob(t, admin, model.JobSyncFeed, feedJob(t, admin, feed.ID))
			r := servertest.Must(c.UploadByName(ctx, "e2e", npmSBOM(map[string]string{"alpha": "1.0.0"}), client.UploadOptions{}))(t)
			waitMatched(t, admin, r.Snapshot.ID)

			select {
			case <-rec.first:
			case <-time.After(e2eWait):
				t.Fatalf("no webhook request:\n%s", p1.Stderr())
			}
			// The first attempt is logged and the second waits: kill the
			// server then. (Killed between sending and logging, the attempt
			// is made again by the next server: a receiver drops the
			// repeated X-Vulndesk-Delivery.)
			servertest.Eventually(t, e2eWait, "the first attempt to be logged", func() bool {
				ds := servertest.Must(c.Deliveries(ctx, ch.Channel.ID, "", 10))(t)
				return len(ds) == 1 && ds[0].Attempts == 1
			})
			p1.Kill()
			if codes, _, _ := rec.seen(); len(codes) != 1 {
				t.Fatalf("before the crash the receiver answered %v; want one 500", codes)
			}

			p2 := env.start(t, args...)
			admin.URL = p2.URL
			c = admin.API()
			var d model.Delivery
			servertest.Eventually(t, e2eWait, "the delivery to complete", func() bool {
				ds := servertest.Must(c.Deliveries(ctx, ch.Channel.ID, "", 10))(t)
				if len(ds) > 0 {
					d = ds[0]
				}
				return d.State == model.DeliveryDelivered
			})
			time.Sleep(time.Second) // room for a wrong second send
			codes, ids, bad := rec.seen()
			if len(bad) > 0 {
				t.Fatalf("requests that did not verify: %v", bad)
			}
			if fmt.Sprint(codes) != "[500 500 200]" {
				t.Fatalf("the receiver answered %v; want [500 500 200]", codes)
			}
			for _, id := range ids {
				if id != fmt.Sprint(d.ID) {
					t.Errorf("X-Vulndesk-Delivery %s; want %d", id, d.ID)
				}
			}
			full := servertest.Must(c.Delivery(ctx, d.ID))(t)
			if full.Attempts != 3 || len(full.Log) != 3 || full.Log[2].Status != 200 || full.Log[0].Status != 500 {
				t.Errorf("delivery %+v", full)
			}
			if ds := servertest.Must(c.Deliveries(ctx, ch.Channel.ID, "", 10))(t); len(ds) != 1 {
				t.Errorf("%d deliveries; want the one", len(ds))
			}
		})
	}
}
