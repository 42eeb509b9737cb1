package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/vulndesk/vulndesk/internal/service"
)

// runAudit: vulndesk audit verify. An intact log prints its length and
// head hash and exits 0; a broken one names the first bad event and exits
// 1 (ExitInternal: the database is not what vulndesk wrote).
func runAudit(ctx context.Context, e *env, args []string) error {
	return runAccess(ctx, e, "audit", args, []accessCmd{
		{"verify", "", func(*flag.FlagSet) func(context.Context, *env, *service.Service) error {
			return func(ctx context.Context, e *env, svc *service.Service) error {
				r, err := svc.Store.VerifyAudit(ctx)
				if err != nil {
					return err
				}
				if !r.OK {
					what := fmt.Sprintf("event id %d (seq %d)", r.BadID, r.BadSeq)
					switch {
					case r.BadID == 0:
						what = fmt.Sprintf("event seq %d", r.BadSeq)
					case r.BadSeq == 0:
						what = fmt.Sprintf("event id %d", r.BadID)
					}
					return fmt.Errorf("audit log broken at %s, after %d intact events: %s", what, r.Events, r.Problem)
				}
				head := r.Head
				if head == "" {
					head = "none (no events yet)"
				}
				fmt.Fprintf(e.stdout, "audit log intact: %d events, head %s\n", r.Events, head)
				return nil
			}
		}},
	})
}
