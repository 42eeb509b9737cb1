package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestRequestsDoNotWaitForARunningSync: while a feed's sync transaction
// is open — the advisories it inserts reference the feed's row, which
// takes a key-share lock on PostgreSQL — asking for another sync of the feed and
// changing its interval answer at once, rather than when the sync
// commits (they locked the row FOR UPDATE, which waits for key-share
// locks).
func TestRequestsDoNotWaitForARunningSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.Postgres {
			t.Skip("SQLite has one writer: a request waits for a running write there by design")
		}
		svc := newService(t, st, nil)
		f, err := svc.CreateFeed(ctx, model.Feed{Name: "osv", Kind: model.FeedOSV, URL: t.TempDir(), Enabled: false}, "test")
		if err != nil {
			t.Fatal(err)
		}
		// What a running sync's inserts hold on the feed's row until it
		// commits: the key-share lock of their foreign key.
		held, err := st.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer held.Rollback()
		if _, err := held.ExecContext(ctx, `SELECT id FROM feeds WHERE id = $1 FOR KEY SHARE`, f.ID); err != nil {
			t.Fatal(err)
		}
		quick, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, _, qerr := svc.QueueSync(quick, f.ID, false, "test")
		_, uerr := svc.UpdateFeed(quick, f.ID, func(f *model.Feed) { f.Interval = 7200 }, "test")
		if qerr != nil || uerr != nil {
			t.Fatalf("while a sync ran: queueing a sync %v, changing the feed %v", qerr, uerr)
		}
	})
}
