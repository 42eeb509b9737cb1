package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// BenchmarkAuditAppend is one use case appending n events, as a large
// match does with its finding.rerated events: the audit chain head is
// locked from the events' insert to the commit, so this bounds how long
// other use cases wait for it.
func BenchmarkAuditAppend(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		for _, n := range []int{1, 100, 10000} {
			b.Run(fmt.Sprintf("%s/events=%d", e.Name, n), func(b *testing.B) {
				ctx := context.Background()
				s, err := store.Open(ctx, e.Config(b))
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				for b.Loop() {
					err := s.Transact(ctx, func(tx *store.Tx) error {
						for i := range n {
							if err := tx.AppendEvent(ctx, model.Event{Actor: "system", Kind: "finding.rerated", ObjectType: "finding",
								ObjectID: fmt.Sprint(i)}, map[string]string{"severity": "high"}, map[string]string{"severity": "critical"}); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
