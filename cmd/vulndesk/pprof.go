//go:build pprof

// A profiling build (go build -tags pprof) serves net/http/pprof on the
// address in VULNDESK_PPROF, for scripts/benchserve's BENCH_PPROF. The
// shipped binary has no profiler endpoint.
package main

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("VULNDESK_PPROF")
	if addr == "" {
		return
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			slog.Error("pprof", "err", err)
		}
	}()
}
