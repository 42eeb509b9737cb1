package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Talking to the server under test.

type client struct {
	base, token string
	hc          *http.Client
}

func newClient(base, token string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, DisableCompression: true,
		IdleConnTimeout: time.Minute}
	return &client{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: 5 * time.Minute}}
}

// do sends a request; out (when not nil) receives the JSON answer.
func (cl *client) do(method, path string, body []byte, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, cl.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+cl.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cl.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

type apiJob struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	State      string    `json:"state"`
	Payload    string    `json:"payload"`
	CreatedAt  time.Time `json:"created_at"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Error      string    `json:"error"`
}

func (j apiJob) times() jobTimes {
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

func (cl *client) jobs(kind string, limit int) ([]apiJob, error) {
	var p struct {
		Items []apiJob `json:"items"`
	}
	_, err := cl.do("GET", fmt.Sprintf("/api/v1/jobs?kind=%s&limit=%d", url.QueryEscape(kind), limit), nil, &p)
	return p.Items, err
}

var metricJobs = regexp.MustCompile(`(?m)^vulndesk_jobs\{state="(\w+)"\} (\d+)$`)

func (cl *client) jobCounts() (map[string]int, error) {
	req, _ := http.NewRequest("GET", cl.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+cl.token)
	resp, err := cl.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("/metrics: %d", resp.StatusCode)
	}
	out := map[string]int{}
	for _, m := range metricJobs.FindAllSubmatch(b, -1) {
		n, _ := strconv.Atoi(string(m[2]))
		out[string(m[1])] = n
	}
	return out, nil
}

// waitIdle polls until no job is queued or running.
func (cl *client) waitIdle(every, timeout time.Duration) (map[string]int, error) {
	deadline := time.Now().Add(timeout)
	for {
		c, err := cl.jobCounts()
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

type overview struct {
	Assets     int            `json:"assets"`
	Open       int            `json:"open_findings"`
	BySeverity map[string]int `json:"open_by_severity"`
	KEV        int            `json:"open_kev"`
	Advisories int            `json:"advisories"`
}

func (cl *client) overview() (overview, error) {
	var o overview
	_, err := cl.do("GET", "/api/v1/overview", nil, &o)
	return o, err
}
