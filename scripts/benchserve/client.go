package main

// Talking to the server under test: the typed client of internal/client,
// with the waits the phases share.

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
)

// apiClient is the client of the server under test.
type apiClient struct {
	*client.Client
}

// newClient keeps up to 2×conns idle connections, so the concurrent
// clients of a phase reuse theirs instead of dialling per request.
func newClient(base, token string, conns int) *apiClient {
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, DisableCompression: true,
		IdleConnTimeout: time.Minute}
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Minute}
	return &apiClient{client.New(base, client.WithToken(token), client.WithHTTPClient(hc), client.WithUserAgent("vulndesk-benchserve"))}
}

// get sends a GET to path (with its query) and reads the answer without
// decoding it: what the timed readers do, so their figures are the
// server's and not this program's JSON decoding.
func (cl *apiClient) get(ctx context.Context, path string) ([]byte, error) {
	status, body, err := cl.Raw(ctx, http.MethodGet, path, "", nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", path, status, body)
	}
	return body, nil
}

// jobTimesOf is how long a job waited and ran.
func jobTimesOf(j model.Job) jobTimes {
	jt := jobTimes{ID: j.ID, Kind: j.Kind, State: j.State, Error: j.Error}
	if !j.StartedAt.IsZero() {
		jt.QueueS = round3(j.StartedAt.Sub(j.CreatedAt).Seconds())
		if !j.FinishedAt.IsZero() {
			jt.RunS = round3(j.FinishedAt.Sub(j.StartedAt).Seconds())
		}
	}
	return jt
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

var metricJobs = regexp.MustCompile(`(?m)^vulndesk_jobs\{state="(\w+)"\} (\d+)$`)

// jobCounts reads the jobs by state from /metrics, which counts them all
// (the jobs list shows at most 500).
func (cl *apiClient) jobCounts(ctx context.Context) (map[string]int, error) {
	m, err := cl.Metrics(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, g := range metricJobs.FindAllStringSubmatch(m, -1) {
		n, _ := strconv.Atoi(g[2])
		out[g[1]] = n
	}
	return out, nil
}

// waitIdle polls until no job is queued or running.
func (cl *apiClient) waitIdle(ctx context.Context, every, timeout time.Duration) (map[string]int, error) {
	deadline := time.Now().Add(timeout)
	for {
		c, err := cl.jobCounts(ctx)
		if err != nil {
			return nil, err
		}
		if c["queued"] == 0 && c["running"] == 0 {
			return c, nil
		}
		if time.Now().After(deadline) {
			return c, fmt.Errorf("jobs still pending after %s: %v", timeout, c)
		}
		time.Sleep(every)
	}
}

// upload stores a generated SBOM for its asset, created on first upload.
func (cl *apiClient) upload(ctx context.Context, a genAsset) (api.UploadReceipt, error) {
	return cl.UploadByName(ctx, a.name, a.data, client.UploadOptions{Create: true, Source: a.name + ".cdx.json"})
}
