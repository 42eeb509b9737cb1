package sla_test

import (
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/sla"
)

// A critical finding on an internal asset whose vulnerability CISA lists
// in KEV with an earlier due date than the policy's 14 days.
func ExampleDue() {
	p := sla.DefaultPolicy(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c, err := sla.Due(p, sla.Inputs{
		Severity: "critical", Exposure: "internal", Criticality: 2,
		Start:  time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		KEVDue: time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC)
	fmt.Println(c.Rule)
	fmt.Println("policy due", c.PolicyDueAt.Format(time.RFC3339))
	fmt.Println("due", c.DueAt.Format(time.RFC3339), "KEV shortened:", c.KEVShortened)
	fmt.Println(c.State(now, time.Time{}, sla.DefaultWindow(c)))
	// Output:
	// critical × internal: 14 days
	// policy due 2026-03-16T09:00:00Z
	// due 2026-03-07T00:00:00Z KEV shortened: true
	// due_soon
}
