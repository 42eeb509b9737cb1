// Command benchexport fills a store for the findings export benchmark
// (scripts/bench-export.sh): storetest.BulkFill's store of -findings
// findings (2,000 assets, 20,000 advisories, triage as a year of use
// leaves it), in SQLite under -data-dir or in PostgreSQL at
// -database-url, which `vulndesk serve` then serves.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

func main() {
	dataDir := flag.String("data-dir", "", "the SQLite data directory")
	dbURL := flag.String("database-url", "", "the PostgreSQL database URL (instead of SQLite)")
	n := flag.Int("findings", 1000000, "how many findings")
	flag.Parse()
	if err := run(*dataDir, *dbURL, *n); err != nil {
		fmt.Fprintln(os.Stderr, "benchexport:", err)
		os.Exit(1)
	}
}

func run(dataDir, dbURL string, n int) error {
	ctx := context.Background()
	start := time.Now()
	s, err := store.Open(ctx, store.Config{DataDir: dataDir, DatabaseURL: dbURL})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := storetest.BulkFill(ctx, s, storetest.DefaultBulk(n), time.Now()); err != nil {
		return fmt.Errorf("filling %s: %w", s.Where, err)
	}
	fmt.Printf("filled %s with %d findings in %.0f s\n", s.Where, n, time.Since(start).Seconds())
	return nil
}
