package model

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Feed kinds.
const (
	FeedOSV  = "osv"  // OSV JSON: an all.zip URL, a directory, a file
	FeedKEV  = "kev"  // CISA Known Exploited Vulnerabilities JSON
	FeedEPSS = "epss" // FIRST EPSS scores CSV, plain or gzip
	FeedNVD  = "nvd"  // NVD CVE records: the CVE API 2.0, a directory or a file
)

// FeedKinds lists the kinds a feed may have.
var FeedKinds = []string{FeedOSV, FeedKEV, FeedEPSS, FeedNVD}

// Feed is a configured advisory source and its health.
type Feed struct {
	ID   int64  `json:"id" doc:"the feed's ID"`
	Name string `json:"name" doc:"unique name: 1–200 letters, digits and . _ : / @ + -"`
	Kind string `json:"kind" doc:"what the source holds: osv (OSV JSON: a zip such as all.zip, a directory or a file), kev (CISA Known Exploited Vulnerabilities JSON), epss (FIRST EPSS scores CSV, plain or gzip), nvd (NVD CVE records, for severity from aliases: the CVE API 2.0 URL https://services.nvd.nist.gov/rest/json/cves/2.0 — add ?apiKey=YOUR-KEY for NVD's higher rate limit; the key is sent as the apiKey header and never shown — or a directory or file of records or API response pages)"`
	// URL is the source as it may be shown: with any credentials in it
	// redacted. SecretURL, never shown, is the source with them ("" when
	// it has none); Source returns what to read.
	URL       string `json:"url" doc:"where the feed is read: an https:// URL (http:// only on loopback), a file:// URL or a local path, at most 2000 characters; credentials in it are shown redacted"`
	SecretURL string `json:"-"`
	Interval  int    `json:"interval_seconds" doc:"seconds between scheduled syncs, 60–604800"`
	Enabled   bool   `json:"enabled" doc:"whether the feed is synced on its schedule"`
	// Health: when the last sync was tried and when one last worked, the
	// error of the last failure (cleared by a success), what the source
	// held (items) and how many of those the last sync changed, and the
	// SHA-256 of the content fetched.
	CreatedAt     time.Time `json:"created_at" doc:"when the feed was configured (UTC, RFC 3339)"`
	LastAttemptAt time.Time `json:"last_attempt_at,omitzero" doc:"when a sync was last tried (UTC, RFC 3339); absent before the first"`
	LastSuccessAt time.Time `json:"last_success_at,omitzero" doc:"when a sync last worked (UTC, RFC 3339); absent before the first success"`
	LastError     string    `json:"last_error,omitempty" doc:"the error of the last failed sync; absent once a sync works"`
	ContentHash   string    `json:"content_hash,omitempty" doc:"SHA-256 (lowercase hex) of the content the last successful sync fetched; absent before one"`
	ETag          string    `json:"-"`
	Items         int       `json:"items" doc:"how many entries the source held at the last sync that read it (advisories, KEV entries or EPSS scores)"`
	Changed       int       `json:"changed" doc:"how many of those the last successful sync added or changed; 0 when the content was unchanged"`
	Syncs         int       `json:"syncs" doc:"how many syncs have succeeded"`
	// SyncedThrough is where an incremental feed (the NVD API) stands:
	// records modified up to it are stored; the next sync asks for those
	// modified since.
	SyncedThrough time.Time `json:"synced_through,omitzero" doc:"for an NVD API feed: records NVD modified up to this time are stored, and the next sync asks for those modified since (UTC, RFC 3339); absent before the first sync and for other feeds"`
}

// FeedPayload is the payload of a JobSyncFeed job.
type FeedPayload struct {
	FeedID int64 `json:"feed_id"`
	// Force re-processes the content even when it has not changed.
	Force bool `json:"force,omitempty"`
	// Scheduled jobs are skipped when the feed was tried after they were
	// queued: another replica's scheduler got there first.
	Scheduled bool `json:"scheduled,omitempty"`
}

// Source is what the feed reads: its URL with the credentials it needs.
func (f Feed) Source() string {
	if f.SecretURL != "" {
		return f.SecretURL
	}
	return f.URL
}

// Normalize fills defaults and checks the fields.
func (f *Feed) Normalize() error {
	f.Name = strings.TrimSpace(f.Name)
	if !feedName.MatchString(f.Name) {
		return Invalidf("name %q: 1–200 characters of letters, digits and . _ : / @ + -", f.Name)
	}
	if !slices.Contains(FeedKinds, f.Kind) {
		return Invalidf("kind %q: one of %s", f.Kind, strings.Join(FeedKinds, ", "))
	}
	if f.URL == "" || len(f.Source()) > 2000 {
		return Invalidf("url: required, at most 2000 characters")
	}
	if strings.Contains(f.URL, "://") {
		u, err := url.Parse(f.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "file") {
			return Invalidf("url %q: an https:// URL (http:// only on loopback), a file:// URL or a local path", f.URL)
		}
	}
	if f.Interval == 0 {
		f.Interval = 3600
	}
	if f.Interval < 60 || f.Interval > 7*86400 {
		return Invalidf("interval_seconds %d: between 60 and 604800", f.Interval)
	}
	return nil
}
