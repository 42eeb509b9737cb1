package service

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vulndesk/vulndesk/examples"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/nvd/nvdfetch"
)

// DefaultFeeds are the public sources a new installation knows about. They
// are created disabled: enabling one is a deliberate choice (it needs
// internet access), made in the API.
var DefaultFeeds = []model.Feed{
	{Name: "osv-go", Kind: model.FeedOSV, URL: "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip"},
	{Name: "osv-pypi", Kind: model.FeedOSV, URL: "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"},
	{Name: "osv-npm", Kind: model.FeedOSV, URL: "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip"},
	{Name: "osv-maven", Kind: model.FeedOSV, URL: "https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip"},
	{Name: "osv-crates.io", Kind: model.FeedOSV, URL: "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip"},
	{Name: "osv-debian", Kind: model.FeedOSV, URL: "https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip"},
	{Name: "cisa-kev", Kind: model.FeedKEV, URL: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"},
	{Name: "first-epss", Kind: model.FeedEPSS, URL: "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz", Interval: 86400},
	// NVD asks API users to sync no more often than every two hours; add
	// ?apiKey=… to the URL for its higher rate limit (sent as a header).
	{Name: "nvd", Kind: model.FeedNVD, URL: nvdfetch.DefaultBaseURL, Interval: 7200},
}

// Seed fills a new installation: the default feeds (disabled) and, unless
// empty is set, the shipped examples — their advisories synced at once from
// a copy under dataDir, and the example web shop's SBOM as an asset — so
// the overview shows findings from the first minute.
func (s *Service) Seed(ctx context.Context, dataDir string, empty bool) error {
	for _, f := range DefaultFeeds {
		f.Enabled = false
		if _, err := s.CreateFeed(ctx, f, ActorFirstStart); err != nil {
			return fmt.Errorf("seeding feed %s: %w", f.Name, err)
		}
	}
	if empty {
		return nil
	}
	// The example feeds are synced once, here, and left disabled: their
	// data never changes, and with PostgreSQL another replica would not
	// have these directories.
	for _, ex := range []struct{ name, kind, glob, dir string }{
		{"examples", model.FeedOSV, "advisories/*.json", ExamplesDir(dataDir)},
		{"examples-nvd", model.FeedNVD, "nvd/*.json", ExamplesNVDDir(dataDir)},
	} {
		if err := copyExamples(ex.glob, ex.dir); err != nil {
			return err
		}
		f, err := s.CreateFeed(ctx, model.Feed{Name: ex.name, Kind: ex.kind, URL: ex.dir}, ActorFirstStart)
		if err != nil {
			return err
		}
		if err := s.SyncFeed(ctx, f.ID, false); err != nil {
			return err
		}
	}
	doc, err := examples.FS.ReadFile("sbom/webshop.cdx.json")
	if err != nil {
		return err
	}
	_, _, err = s.Ingest(ctx, &Upload{
		Asset: model.Asset{Name: "webshop", Kind: "application", Owner: "example: web team", Criticality: 2,
			Exposure: "internet-facing", Environment: "production", Tags: []string{"example"}},
		Create: true, Source: "webshop.cdx.json", Data: doc, By: ActorFirstStart,
	})
	return err
}

// copyExamples writes the shipped files matching glob into dir.
func copyExamples(glob, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	names, err := fs.Glob(examples.FS, glob)
	if err != nil {
		return err
	}
	for _, n := range names {
		b, err := examples.FS.ReadFile(n)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
