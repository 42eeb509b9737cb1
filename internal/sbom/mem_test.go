package sbom

import (
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// heapBytes is the bytes of live and not yet swept heap objects: what
// runtime.MemStats calls HeapAlloc, read without stopping the world.
func heapBytes(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// parseMemory parses data and reports, in MiB, the peak of the heap while
// Parse ran (data included, sampled every millisecond) and what the result
// keeps alive once data is gone (after a GC). It takes data from *data and
// leaves it nil, so that nothing of the input is kept alive but what the
// result holds.
func parseMemory(tb testing.TB, name string, data *[]byte) (peak, retained float64, components int) {
	tb.Helper()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	runtime.GC()
	base := heapBytes(s) - uint64(len(*data))
	var max uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			max = maxOf(max, heapBytes(s))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	sb, err := Parse(name, *data, Options{})
	close(stop)
	wg.Wait()
	max = maxOf(max, heapBytes(s))
	if err != nil {
		tb.Fatal(err)
	}
	*data = nil
	runtime.GC()
	live := heapBytes(s)
	components = len(sb.Components)
	runtime.KeepAlive(sb)
	const mib = 1 << 20
	return float64(max-base) / mib, float64(live-base) / mib, components
}

func maxOf(a, b uint64) uint64 {
	if b > a {
		return b
	}
	return a
}

// BenchmarkParseMemory reports the memory Parse takes for a large
// CycloneDX JSON BOM: peak-MiB, the heap at its highest while Parse ran,
// the input included; retained-MiB, what the result keeps alive once the
// input is dropped. The BOM is generated (200,000 components, 60 MB);
// VULNDESK_BENCH_SBOM names a file to measure instead.
func BenchmarkParseMemory(b *testing.B) {
	file := os.Getenv("VULNDESK_BENCH_SBOM")
	var peak, retained float64
	var size int
	for b.Loop() {
		b.StopTimer()
		var data []byte
		if file == "" {
			data = cycloneDXDoc(200_000)
		} else {
			var err error
			if data, err = os.ReadFile(file); err != nil {
				b.Fatal(err)
			}
		}
		size = len(data)
		b.StartTimer()
		p, r, n := parseMemory(b, "bench.cdx.json", &data)
		if n == 0 {
			b.Fatal("no components")
		}
		peak, retained = max(peak, p), max(retained, r)
	}
	b.ReportMetric(float64(size)/(1<<20), "input-MiB")
	b.ReportMetric(peak, "peak-MiB")
	b.ReportMetric(retained, "retained-MiB")
}
